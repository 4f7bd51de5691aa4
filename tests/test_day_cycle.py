"""The day cycle holds its promise: decisions read only yesterday, so the actors' order does not
matter; fighting conserves force; the share of runs with an offensive changes smoothly."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import EscalationModel
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    OPPOSITION,
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
    model.run(300)
    events = {f"event_{k}": v for k, v in model.recorder.events.columns().items()}
    return model.recorder.summary_columns() | events


def test_the_actors_order_changes_no_bit():
    names = ["us", "russia", "damascus", "turkey", "hts", "opposition", "kurds"]
    reference = outcome(names)
    assert (reference["kurd_damascus_deal_day"] >= 0).any()
    for order in (names[::-1], names[3:] + names[:3], ["kurds", "us", *names[1:-1]]):
        other = outcome(order)
        for column, values in reference.items():
            np.testing.assert_array_equal(other[column], values, err_msg=f"{order}: {column}")


def test_offensives_fade_smoothly_across_the_threshold_range():
    """The share of runs with a Russian-backed offensive by day 450 falls gradually, and the
    wait for it grows gradually, as `offensive_threshold` rises through its plausible range:
    no knife-edge."""
    p = PARAMETERS["offensive_threshold"]
    grid = np.linspace(p.low, p.high, 10)
    per_point = 150
    model = EscalationModel(
        load_scenario("baseline")[0],
        seeds=np.arange(len(grid) * per_point),
        parameters={"offensive_threshold": np.repeat(grid, per_point)},
        record_every=None,
        record_events=False,
    )
    model.run(450)
    first = model.recorder.summary_columns()["first_offensive_day"].reshape(len(grid), -1)
    share = (first >= 0).mean(axis=1)
    assert share[0] - share[-1] >= 0.3, share  # the threshold matters
    assert np.abs(np.diff(share)).max() <= 0.3, share  # but no step decides it alone
    assert (np.diff(share) <= 0.05).all(), share  # and more patience never means more offensives
    waited = np.nan_to_num(first, nan=451).mean(axis=1)  # days until the first, capped
    assert waited[-1] - waited[0] >= 100, waited
    assert (np.diff(waited) >= -10).all() and np.diff(waited).max() <= 80, waited


@settings(max_examples=25, deadline=None)
@given(
    attacker=st.sampled_from([DAMASCUS, HTS, TURKEY]),
    picks=st.lists(st.integers(0, 40), min_size=1, max_size=8, unique=True),
    commit=st.floats(0.2, 0.8),
    attrition=st.floats(0.005, 0.1),
    capture=st.floats(0.1, 0.3),
    allied=st.floats(0.0, 2.0),
    seed=st.integers(0, 2**40),
)
def test_fighting_conserves_force(attacker, picks, commit, attrition, capture, allied, seed):
    """What the attack and the defence lose is exactly what the fighters' deaths count; force
    that commits, moves in or falls back is never created or lost on the way, the opposition's
    fighters under HTS (`allied`) included. Fought day after day, so that districts fall and
    their defenders fall back, or are routed when no district of their side is left next to
    them."""
    geo = load()
    params = ParameterSet(
        1,
        {
            "commit_share": commit,
            "attrition": attrition,
            "capture_rate": capture,
            "ground_lethality": 0.0,
            "post_garrison": 0.5,
        },
    )
    world = World(geo, params, Streams(np.array([seed])), 1)
    world.allied = allied * world.held(HTS)
    picked = np.zeros((1, geo.size), dtype=bool)
    picked[0, picks] = True
    for day in range(30):
        world.start_day(day)
        targets = picked & (world.control != attacker) & (world.control != 0)
        targets &= world.neighbours_of(world.held(attacker)) > 0
        before = district_total(world.force + world.posts + world.allied)
        killed = world.killed.copy()
        world.fight(attacker, targets, np.array([2.0]), "test")
        after = district_total(world.force + world.posts + world.allied)
        lost = (world.killed - killed) / (1000 * params.death_share)
        np.testing.assert_allclose(before - after, lost, rtol=1e-9, atol=1e-12)
        assert (world.force >= 0).all() and (world.posts >= 0).all()
        assert (world.allied >= 0).all() and not (world.allied * ~world.held(HTS)).any()
        assert world.today.attacked[0, attacker].sum() == targets.sum()
        assert set(np.unique(world.control)) <= {TURKEY, DAMASCUS, HTS, OPPOSITION, 5}


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
    world.allied = 0.5 * world.held(HTS)
    world.start_day(1)
    force = world.force + world.allied
    killed, injured = world.killed.copy(), world.injured.copy()
    civilians = world.civilians_killed.copy()
    world.bombard(np.array([strikes]), np.array([0]))
    destroyed = district_total(force - world.force - world.allied)
    fighters = (world.killed - killed) - (world.civilians_killed - civilians)
    np.testing.assert_allclose(fighters, destroyed * 1000 * deaths, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(world.injured - injured, fighters * params.injured_per_killed)
    rebel = world.rebels()[0]
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
    world.control[0, around], world.force[0, around] = DAMASCUS, 5.0  # surrounded ...
    if case == "shelter":  # ... but for one district of its own side, empty
        world.control[0, around[0]], world.force[0, around[0]] = HTS, 0.0
    world.control[0, held] = HTS
    world.allied[0, held] = 0.4  # groups that signed over, under HTS
    world.control = world.control  # forget what was worked out from control
    targets = np.zeros((1, geo.size), dtype=bool)
    targets[0, held] = True
    for day in range(400):
        world.start_day(day)
        force, allied, killed = world.force.copy(), world.allied.copy(), world.killed.copy()
        world.fight(DAMASCUS, targets & world.held(HTS), np.array([1.0]), "test")
        lost = (world.killed - killed)[0] / (1000 * params.death_share[0])
        gone = force.sum() + allied.sum() - world.force.sum() - world.allied.sum()
        np.testing.assert_allclose(gone, lost, rtol=1e-9)
        assert not (world.allied * ~world.held(HTS)).any()
        fought = world.today.attacked[0, DAMASCUS].sum() > 0
        assert not fought or (world.allied[0, held] < allied[0, held]).any()  # they lose too
        if world.today.captured[0, held].sum() == len(held):  # all fell the same day
            break
        if case == "pair" and world.today.captured[0, held].any():  # one fell alone: again
            world.control[0, held], world.force[0, held] = HTS, force[0, held]
            world.allied[0, held] = allied[0, held]
            world.control = world.control
    assert world.today.captured[0, held].all(), "the districts never fell together"
    if case == "shelter":  # the survivors moved next door, the groups' fighters still apart
        assert world.force[0, around[0]] > 0 and world.allied[0, around[0]] > 0
    else:  # nowhere to go: none left
        assert not world.allied.any()


def test_opposition_fighters_under_hts_raise_the_defence():
    """`World.odds` counts the opposition's fighters under HTS in a district's defence, and a
    strike destroys the same share of them as of HTS's garrison."""
    geo = load()
    params = ParameterSet(1, {"strike_damage": 0.05})
    world = World(geo, params, Streams(np.array([5])), 1)
    target = geo.index("eastern_idlib")  # HTS's, on Damascus's front line
    before = world.odds(DAMASCUS, np.array([0]))[0, target]
    world.allied[0, target] = 1.0
    assert 0 < world.odds(DAMASCUS, np.array([0]))[0, target] < before
    force = world.force[0, target]
    strikes = np.zeros((1, geo.size), dtype=np.int64)
    strikes[0, target] = 2
    world.start_day(1)
    world.bombard(strikes, np.array([0]))
    np.testing.assert_allclose(world.allied[0, target], 1.0 * 0.9)
    np.testing.assert_allclose(world.force[0, target], force * 0.9)


@settings(max_examples=25, deadline=None)
@given(runs=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_all_shares_at_once_are_each_share_to_the_bit(runs, seed):
    """`World.shares` and `by_controller` count every theatre and actor with one bincount each:
    the same numbers, to the bit, as `share` and `district_total` one at a time, in any batch."""
    geo, rng = load(), np.random.default_rng(seed)
    world = World(geo, ParameterSet(runs), Streams(np.arange(runs)), runs)
    world.control = rng.integers(0, 6, size=world.control.shape)
    world.residents = rng.lognormal(10, 2, size=world.residents.shape)
    world.residents[rng.random(world.residents.shape) < 0.2] = 0.0  # emptied districts
    shares, forces = world.shares(), world.by_controller(world.force)
    for t, theatre in enumerate(THEATRES):
        columns = geo.in_theatre(theatre)
        for actor in range(len(ACTORS)):
            assert np.array_equal(shares[t, actor], world.share(theatre, actor))
            held = world.force * (world.control == actor) * columns
            assert np.array_equal(forces[t, actor], district_total(held))
