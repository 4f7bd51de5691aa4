"""The day cycle holds its promise: decisions read only yesterday, so the actors' order does not
matter; fighting conserves force; the share of runs with an offensive changes smoothly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import EscalationModel
from sim.model.agents.base import Snapshot
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    KURDS,
    OPPOSITION,
    RUSSIA,
    THEATRES,
    TURKEY,
    district_total,
    load,
)
from sim.model.params import PARAMETERS, ParameterSet
from sim.model.scenario import load as load_scenario
from sim.model.streams import Streams
from sim.model.world import World

# in-range values under which the Kurds' deal, Russia's mediation and Turkey's operation all
# happen, so that a same-day read between actors would show (the measured case)
EAGER = {"kurd_invite_threat": 0.2, "kurd_invite_hazard": 0.02, "mediation_threshold": 0.2}


def outcome(order: list[str]) -> dict[str, np.ndarray]:
    """Summary and events of coordinated_transition with perceive/decide in the given order."""
    model = EscalationModel(
        load_scenario("coordinated_transition")[0], 300, 8, parameters=EAGER, record_every=None
    )
    model.agents.sort(key=lambda agent: order.index(agent.name), ascending=True, inplace=True)
    assert [agent.name for agent in model.agents] == order
    model.factions.sort(key=lambda faction: order.index(faction.name))  # the order they act in
    model.run(300)
    events = {f"event_{k}": v for k, v in model.recorder.events.columns().items()}
    return model.recorder.summary_columns() | events


@pytest.mark.slow
def test_the_actors_order_changes_no_bit():
    """Perceiving, deciding and acting in any order of the actors gives the same runs, bit for
    bit: decisions read yesterday, and acts give orders against the morning's world that the
    world carries out together (`sim.model.world.orders`)."""
    names = ["us", "russia", "damascus", "turkey", "hts", "opposition", "kurds"]
    reference = outcome(names)
    assert (reference["kurd_damascus_deal_day"] >= 0).any()
    for order in (names[::-1], names[3:] + names[:3], ["kurds", "us", *names[1:-1]]):
        other = outcome(order)
        for column, values in reference.items():
            np.testing.assert_array_equal(other[column], values, err_msg=f"{order}: {column}")


def across_range(name: str, points: int, horizon: int | None = None) -> dict[str, np.ndarray]:
    """Baseline summaries with the parameter at `points` values evenly across its plausible
    range, the same 150 seeds at each: each column shaped (points, runs)."""
    p = PARAMETERS[name]
    model = EscalationModel(
        load_scenario("baseline")[0],
        seeds=np.tile(np.arange(150), points),
        parameters={name: np.repeat(np.linspace(p.low, p.high, points), 150)},
        record_every=None,
        record_events=False,
    )
    model.run(horizon)
    return {k: v.reshape(points, -1) for k, v in model.recorder.summary_columns().items()}


def assert_falls_gradually(share: np.ndarray, overall: float) -> None:
    """Across the range the share falls by at least `overall`, by no step of more than 0.3
    (no knife-edge), and rises nowhere beyond sampling noise."""
    assert share[0] - share[-1] >= overall, share
    assert np.abs(np.diff(share)).max() <= 0.3, share
    assert (np.diff(share) <= 0.05).all(), share


@pytest.mark.slow
def test_offensives_fade_smoothly_across_the_threshold_range():
    """The share of runs with a Russian-backed offensive by day 450 falls gradually, and the
    wait for it grows gradually, as `offensive_threshold` rises through its plausible range:
    no knife-edge."""
    first = across_range("offensive_threshold", 10, horizon=450)["first_offensive_day"]
    assert_falls_gradually((first >= 0).mean(axis=1), 0.3)
    waited = np.nan_to_num(first, nan=451).mean(axis=1)  # days until the first, capped
    assert waited[-1] - waited[0] >= 100, waited
    assert (np.diff(waited) >= -10).all() and np.diff(waited).max() <= 80, waited


def test_a_truce_breaks_down_as_often_just_below_patience_as_just_above():
    """A truce's breakdown has no switch at Russia's patience: with frustration a hair below
    it and a hair above, about as many of 2,000 truces break down on the day (half of
    `truce_breakdown` each), not none below and all the chance above."""
    broken = []
    for side in (-1e-9, 1e-9):
        model = EscalationModel(
            "baseline", replicates=2000, record_every=None, truce_breakdown=0.05
        )
        russia = model.faction(RUSSIA)
        model.world.start_day(0)
        model.seen = Snapshot.of(model.factions)
        russia.begin_truce()
        russia.frustration[:] = russia.patience() + side
        russia.decide()
        broken.append(int(russia.view("truce_broken").sum()))
    assert min(broken) >= 25 and abs(broken[0] - broken[1]) <= 25, broken


def test_russia_accepts_a_called_summit_less_often_as_its_resolve_rises():
    """A called summit meets with chance 1 - Russia's resolve: nearly always with frustration
    far below its patience, about half the time a hair below or above it (no switch there),
    hardly ever far above, and never uncalled or while a truce holds: no set number of days
    spaces the summits."""
    model = EscalationModel("baseline", replicates=2000, record_every=None)
    russia = model.faction(RUSSIA)
    called = np.arange(2000) % 2 == 0
    spread = model.params.offensive_spread
    met = []
    for shift in (-8, -1e-9, 1e-9, 8):
        russia.frustration[:] = russia.patience() + shift * spread
        accepted = russia.accepts_summit(called)
        assert not accepted[~called].any()
        met.append(accepted[called].mean())
    assert met[0] > 0.99 and met[-1] < 0.01, met
    assert abs(met[1] - 0.5) < 0.06 and abs(met[2] - 0.5) < 0.06, met
    russia.begin_truce()
    assert not russia.accepts_summit(called).any()


@pytest.mark.slow
def test_the_kurds_deal_comes_first_less_often_across_the_threshold_range():
    """The share of baseline runs in which the Kurds let Damascus in before any Turkish
    operation falls gradually as `kurd_invite_threat` rises through its plausible range. Until
    2026-11-27 the chance switched on above the threshold, just under the threat the vow alone
    reaches once the US has gone (0.48): the share fell from 48% to 0 between 0.47 and 0.49."""
    summary = across_range("kurd_invite_threat", 8)
    deal = np.nan_to_num(summary["kurd_damascus_deal_day"], nan=np.inf)
    operation = np.nan_to_num(summary["ne_operation_day"], nan=np.inf)
    assert_falls_gradually(((deal < operation) & np.isfinite(deal)).mean(axis=1), 0.4)


@pytest.mark.slow
def test_the_north_east_operation_comes_gradually_across_the_vacuum_line():
    """Turkey counts the US as gone smoothly around `ne_threshold`: the share of baseline runs
    with a north-east operation rises gradually through the line's range, and a line a hair
    either side of where US presence bottoms out (1 - `us_pullout_share` = 0.2) changes it by
    sampling noise alone (it went from 0% to 56% between 0.199 and 0.201 with a switch)."""
    operated = (across_range("ne_threshold", 10)["ne_operation_day"] >= 0).mean(axis=1)
    assert_falls_gradually(operated[::-1], 0.3)
    model = EscalationModel(
        "baseline",
        seeds=np.arange(600),
        ne_threshold=np.repeat([0.199, 0.201], 300),
        record_every=None,
        record_events=False,
    )
    model.run()
    near = (model.recorder.summary_columns()["ne_operation_day"] >= 0).reshape(2, -1).mean(axis=1)
    assert abs(near[0] - near[1]) <= 0.1 and near.min() > 0, near


@settings(max_examples=25, deadline=None)
@given(
    attacker=st.sampled_from([DAMASCUS, HTS, TURKEY]),
    picks=st.lists(st.integers(0, 40), min_size=1, max_size=8, unique=True),
    commit=st.floats(0.2, 0.8),
    attrition=st.floats(0.005, 0.1),
    capture=st.floats(0.1, 0.3),
    allied=st.floats(0.0, 2.0),
    resolve=st.lists(st.floats(1.0, 2.0), min_size=len(ACTORS), max_size=len(ACTORS)),
    seed=st.integers(0, 2**40),
)
def test_fighting_conserves_force(
    attacker, picks, commit, attrition, capture, allied, resolve, seed
):
    """What the attack and the defence lose is exactly what the fighters' deaths count; force
    that commits, moves in or falls back is never created or lost on the way, the opposition's
    fighters under HTS (`allied`) included, and whatever resolve the defenders stand firm with.
    Fought day after day, so that districts fall and their defenders fall back, or are routed
    when no district of their side is left next to them."""
    geo = load()
    params = ParameterSet(
        1,
        {
            "commit_share": commit,
            "attrition": attrition,
            "capture_rate": capture,
            "ground_lethality": 0.0,
        },
    )
    world = World(geo, params, Streams(np.array([seed])), 1)
    world.territory.allied = allied * world.territory.held(HTS)
    for actor, firm in enumerate(resolve):
        world.territory.stand_firm(actor, np.array([firm]))
    picked = np.zeros((1, geo.size), dtype=bool)
    picked[0, picks] = True
    for day in range(30):
        world.start_day(day)
        targets = picked & (world.territory.control != attacker) & (world.territory.control != 0)
        targets &= world.territory.neighbours_of(world.territory.held(attacker)) > 0
        before = district_total(
            world.territory.force + world.territory.posts + world.territory.allied
        )
        killed = world.people.killed - world.combat.soldiers_killed
        world.combat.fight(attacker, targets, np.array([2.0]), "test")
        after = district_total(
            world.territory.force + world.territory.posts + world.territory.allied
        )
        killed = world.people.killed - world.combat.soldiers_killed - killed  # fighters'
        lost = killed / (1000 * params.death_share)
        np.testing.assert_allclose(before - after, lost, rtol=1e-9, atol=1e-12)
        assert (world.territory.force >= 0).all() and (world.territory.posts >= 0).all()
        assert (world.territory.allied >= 0).all() and not (
            world.territory.allied * ~world.territory.held(HTS)
        ).any()
        assert world.today.attacked[0, attacker].sum() == targets.sum()
        assert set(np.unique(world.territory.control)) <= {TURKEY, DAMASCUS, HTS, OPPOSITION, 5}


@settings(max_examples=25, deadline=None)
@given(
    strikes=st.lists(st.integers(0, 6), min_size=41, max_size=41),
    damage=st.floats(0.005, 0.1),
    deaths=st.floats(0.1, 0.5),
    seed=st.integers(0, 2**40),
)
def test_air_strikes_count_the_fighters_they_kill(strikes, damage, deaths, seed):
    """The force air strikes destroy (the opposition's fighters under HTS included) is counted
    as a fight's is: `death_share` of it killed, `injured_per_killed` injured for each, on top
    of the civilians the strikes kill."""
    geo = load()
    params = ParameterSet(1, {"strike_damage": damage, "death_share": deaths})
    world = World(geo, params, Streams(np.array([seed])), 1)
    world.territory.allied = 0.5 * world.territory.held(HTS)
    world.start_day(1)
    force = world.territory.force + world.territory.allied
    killed, injured = world.people.killed.copy(), world.people.injured.copy()
    civilians = world.people.civilians_killed.copy()
    world.combat.bombard(np.array([strikes]), np.array([0]))
    destroyed = district_total(force - world.territory.force - world.territory.allied)
    fighters = (world.people.killed - killed) - (world.people.civilians_killed - civilians)
    np.testing.assert_allclose(fighters, destroyed * 1000 * deaths, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(world.people.injured - injured, fighters * params.injured_per_killed)
    rebel = world.territory.rebels()[0]
    assert (destroyed > 0) == any(n > 0 and rebel[d] for d, n in enumerate(strikes))


@pytest.mark.parametrize("case", ["shelter", "surrounded", "pair"])
def test_the_defenders_of_a_captured_district_fall_back_or_are_counted_as_lost(case):
    """A district that falls: its surviving defenders join their side's neighbours that still
    hold out, split evenly, the opposition's fighters under HTS (`allied`) staying under HTS;
    with none left (surrounded, or its one neighbour of its side fell the same day), they are
    routed and counted among the dead. Force is conserved every day."""
    geo = load()
    params = ParameterSet(1, {"capture_rate": 0.3, "ground_lethality": 0.0})
    held = [geo.index("khan_shaykhun")]
    if case == "pair":  # two neighbouring districts, both attacked, nothing else of their side
        held.append(int(np.flatnonzero(geo.adjacency[held[0]])[0]))
    around = np.setdiff1d(np.flatnonzero(geo.adjacency[held].any(axis=0)), held)
    world = World(geo, params, Streams(np.array([3])), 1)
    world.territory.control[0, around], world.territory.force[0, around] = (
        DAMASCUS,
        5.0,
    )  # surrounded ...
    if case == "shelter":  # ... but for one district of its own side, empty
        world.territory.control[0, around[0]], world.territory.force[0, around[0]] = HTS, 0.0
    world.territory.control[0, held] = HTS
    world.territory.allied[0, held] = 0.4  # groups that signed over, under HTS
    world.territory.control = world.territory.control  # forget what was worked out from control
    targets = np.zeros((1, geo.size), dtype=bool)
    targets[0, held] = True
    for day in range(400):
        world.start_day(day)
        force, allied, killed = (
            world.territory.force.copy(),
            world.territory.allied.copy(),
            world.people.killed.copy(),
        )
        world.combat.fight(DAMASCUS, targets & world.territory.held(HTS), np.array([1.0]), "test")
        lost = (world.people.killed - killed)[0] / (1000 * params.death_share[0])
        gone = (
            force.sum() + allied.sum() - world.territory.force.sum() - world.territory.allied.sum()
        )
        np.testing.assert_allclose(gone, lost, rtol=1e-9)
        assert not (world.territory.allied * ~world.territory.held(HTS)).any()
        fought = world.today.attacked[0, DAMASCUS].sum() > 0
        assert (
            not fought or (world.territory.allied[0, held] < allied[0, held]).any()
        )  # they lose too
        if world.today.captured[0, held].sum() == len(held):  # all fell the same day
            break
        if case == "pair" and world.today.captured[0, held].any():  # one fell alone: again
            world.territory.control[0, held], world.territory.force[0, held] = HTS, force[0, held]
            world.territory.allied[0, held] = allied[0, held]
            world.territory.control = world.territory.control
    assert world.today.captured[0, held].all(), "the districts never fell together"
    if case == "shelter":  # the survivors moved next door, the groups' fighters still apart
        assert world.territory.force[0, around[0]] > 0 and world.territory.allied[0, around[0]] > 0
    else:  # nowhere to go: none left
        assert not world.territory.allied.any()


def lone_front(attacker: int, defender: int, targets: int) -> tuple[World, int, np.ndarray]:
    """A world where one district of `attacker` (10 thousand) borders `targets` districts of
    `defender` (1 thousand each, and nobody else anywhere has any force): the district, and
    the targets as an (R, D) mask."""
    geo = load()
    params = ParameterSet(1, {"ground_lethality": 0.0})
    world = World(geo, params, Streams(np.array([11])), 1)
    world.territory.posts[:] = 0.0
    front = next(d for d in range(geo.size) if geo.adjacency[d].sum() >= 2)
    aimed = np.flatnonzero(geo.adjacency[front])[:targets]
    world.territory.force[:] = 0.0
    world.territory.control[0, front], world.territory.force[0, front] = attacker, 10.0
    world.territory.control[0, aimed], world.territory.force[0, aimed] = defender, 1.0
    world.territory.control = world.territory.control  # forget what was worked out from control
    mask = np.zeros((1, geo.size), dtype=bool)
    mask[0, aimed] = True
    world.start_day(1)
    return world, front, mask


@pytest.mark.parametrize("targets", [1, 2])
def test_a_district_splits_what_it_commits_over_its_targets(targets):
    """Issue 7's bug: a district committed `commit_share` of its force to *each* target. Now
    what it sends is split: against defences strong enough to destroy every attacker sent, it
    loses exactly `commit_share` of its force, whether it attacks one district or two."""
    world, front, mask = lone_front(DAMASCUS, HTS, targets)
    world.territory.force[0, mask[0]] = 1000.0  # every attacker sent is lost
    world.combat.fight(DAMASCUS, mask, np.array([1.0]), "test")
    commit = world.params.commit_share[0]
    np.testing.assert_allclose(world.territory.force[0, front], 10.0 * (1 - commit), rtol=1e-12)


def test_fighting_groups_and_resisting_kurds_stand_firm():
    """A defender that stands firm (`Territory.stand_firm`: the opposition fighting, the Kurds
    resisting) counts its force `resolve` times: under the same attack it loses less, and
    the attackers lose more; the opposition's resolve covers its fighters under HTS too."""
    for attacker, defender in ((DAMASCUS, OPPOSITION), (TURKEY, KURDS)):
        lost = {}
        for resolve in (1.0, 2.0):
            world, front, mask = lone_front(attacker, defender, 1)
            world.territory.stand_firm(defender, np.array([resolve]))
            world.combat.fight(attacker, mask, np.array([1.0]), "test")
            lost[resolve] = (
                1.0 - world.territory.force[0, mask[0]].sum(),
                10.0 - world.territory.force[0, front],
            )
        assert lost[2.0][0] < lost[1.0][0] and lost[2.0][1] > lost[1.0][1], (defender, lost)
    under_hts = {}
    for resolve in (1.0, 2.0):
        world, front, mask = lone_front(DAMASCUS, HTS, 1)
        world.territory.allied[0, mask[0]] = 1.0
        world.territory.stand_firm(OPPOSITION, np.array([resolve]))
        world.combat.fight(DAMASCUS, mask, np.array([1.0]), "test")
        under_hts[resolve] = world.territory.allied[0, mask[0]].sum()
    assert under_hts[2.0] > under_hts[1.0], under_hts


def test_the_postures_set_their_resolve():
    """Every day the opposition's resolve is `fighting_resolve` where it fights and 1 where it
    does not, and the Kurds' where they resist (power_vacuum: Turkey's operation comes)."""
    model = EscalationModel("power_vacuum", 200, 3, record_every=None, record_events=False)
    opposition, kurds = model.faction(OPPOSITION), model.faction(KURDS)
    firm = model.params.fighting_resolve
    seen = {"fight": 0, "resist": 0}
    for _ in range(400):
        model.step()
        fighting = opposition.posture == opposition.Posture.FIGHT
        resisting = kurds.posture == kurds.Posture.RESIST
        resolve = model.world.territory.resolve
        np.testing.assert_array_equal(resolve[:, OPPOSITION], np.where(fighting, firm, 1.0))
        np.testing.assert_array_equal(resolve[:, KURDS], np.where(resisting, firm, 1.0))
        seen["fight"] += fighting.sum()
        seen["resist"] += resisting.sum()
    assert min(seen.values()) > 100, seen


def test_the_kurds_make_no_deal_while_the_us_is_all_there():
    """The Kurds' chance of a deal rises smoothly with the threat but is none without one: no
    deal while US presence is whole (before the pull-out starts), even where Russia mediates
    and the Kurds are eager (C17, C19)."""
    eager = {"kurd_invite_threat": 0.2, "kurd_invite_hazard": 0.2, "us_pullout_delay": 150}
    model = EscalationModel("coordinated_transition", 300, 5, record_every=None, **eager)
    kurds, invited_early = model.faction(KURDS), 0
    for _ in range(400):
        model.step()
        invited_early += (kurds.inviting & (model.world.relations.us_presence == 1)).sum()
    assert invited_early == 0
    assert kurds.invited.mean() > 0.9  # once the US leaves, they do


def test_the_us_pullout_delay_is_its_range_s_middle():
    """The article gives no delay (C17): the default is its range's middle, not a value that
    puts Turkey's operation where history did (270 did: a review found it)."""
    p = PARAMETERS["us_pullout_delay"]
    assert p.default == (p.low + p.high) / 2 and p.basis == ("assumption",)


def test_turkey_retaliates_on_damascus_forces_near_its_posts():
    """Its soldiers killed, Turkey's retaliation is a clash between the two states that destroys
    `retaliation_damage` of Damascus's force in and next to its posts' districts, and nothing
    elsewhere or of anyone else; the dead count in `killed`."""
    geo = load()
    params = ParameterSet(2, {"retaliation_damage": 0.2})
    world = World(geo, params, Streams(np.array([1, 2])), 2)
    near = geo.turkish_post | (geo.adjacency[geo.turkish_post].sum(axis=0) > 0)
    world.territory.control[:, :] = DAMASCUS
    world.territory.control[:, np.flatnonzero(near)[::2]] = HTS  # every other district near a post
    world.territory.control = world.territory.control
    world.start_day(1)
    force = world.territory.force.copy()
    world.combat.retaliate(np.array([1]))
    hit = near & (world.territory.control[1] == DAMASCUS)
    np.testing.assert_array_equal(world.territory.force[0], force[0])  # run 0 did not retaliate
    np.testing.assert_allclose(world.territory.force[1, hit], force[1, hit] * 0.8)
    np.testing.assert_array_equal(world.territory.force[1, ~hit], force[1, ~hit])
    assert hit.any() and (near & ~hit).any()
    lost = force[1, hit].sum() * 0.2
    np.testing.assert_allclose(world.people.killed[1], lost * 1000 * params.death_share[1])
    assert world.today.clashes[1, TURKEY, DAMASCUS] and not world.today.clashes[0].any()


def test_opposition_fighters_under_hts_raise_the_defence():
    """`Territory.odds` counts the opposition's fighters under HTS in a district's defence, and a
    strike destroys the same share of them as of HTS's garrison."""
    geo = load()
    params = ParameterSet(1, {"strike_damage": 0.05})
    world = World(geo, params, Streams(np.array([5])), 1)
    target = geo.index("eastern_idlib")  # HTS's, on Damascus's front line
    before = world.territory.odds(DAMASCUS, np.array([0]))[0, target]
    world.territory.allied[0, target] = 1.0
    assert 0 < world.territory.odds(DAMASCUS, np.array([0]))[0, target] < before
    force = world.territory.force[0, target]
    strikes = np.zeros((1, geo.size), dtype=np.int64)
    strikes[0, target] = 2
    world.start_day(1)
    world.combat.bombard(strikes, np.array([0]))
    np.testing.assert_allclose(world.territory.allied[0, target], 1.0 * 0.9)
    np.testing.assert_allclose(world.territory.force[0, target], force * 0.9)


@settings(max_examples=25, deadline=None)
@given(runs=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_all_shares_at_once_are_each_share_to_the_bit(runs, seed):
    """`Territory.shares` and `by_controller` count every theatre and actor with one bincount each:
    the same numbers, to the bit, as `share` and `district_total` one at a time, in any batch."""
    geo, rng = load(), np.random.default_rng(seed)
    world = World(geo, ParameterSet(runs), Streams(np.arange(runs)), runs)
    world.territory.control = rng.integers(0, 6, size=world.territory.control.shape)
    world.people.residents = rng.lognormal(10, 2, size=world.people.residents.shape)
    world.people.residents[rng.random(world.people.residents.shape) < 0.2] = (
        0.0  # emptied districts
    )
    shares, forces = world.territory.shares(), world.territory.by_controller(world.territory.force)
    for t, theatre in enumerate(THEATRES):
        columns = geo.in_theatre(theatre)
        for actor in range(len(ACTORS)):
            assert np.array_equal(shares[t, actor], world.territory.share(theatre, actor))
            held = world.territory.force * (world.territory.control == actor) * columns
            assert np.array_equal(forces[t, actor], district_total(held))
