"""Mechanics beyond the article's window: HTS levies recruits among the people it rules, groups
that sign their towns over keep their arms under HTS, a renewed offensive starts wider (level 5
within reach of a Russian-backed offensive), and the Idlib front holds Turkey back from a second
front in the north-east."""

import numpy as np
import pandas as pd
import pytest

from sim.model import EscalationModel
from sim.model.agents import postures
from sim.model.geography import DAMASCUS, HTS, KURDS, OPPOSITION, TURKEY, district_total
from sim.model.params import NE_GARRISON
from sim.model.scenario import load

RUNS = 200


def paired(name: str, values: list[float], record_every: int | None = None) -> EscalationModel:
    """Baseline to the horizon, RUNS runs for each value of parameter `name`, the same seeds."""
    model = EscalationModel(
        load("baseline")[0],
        seeds=np.tile(np.arange(RUNS), len(values)),
        parameters={name: np.repeat(values, RUNS)},
        record_every=record_every,
        record_events=False,
    )
    model.run()
    return model


def test_the_levy_makes_up_its_share_of_the_gap_where_the_people_live():
    model = EscalationModel("baseline", replicates=2, record_every=None, record_events=False)
    world = model.world
    hts = world.territory.held(HTS)
    people = world.people.residents * hts
    per_resident = np.array([0.004, 0.004])
    world.territory.force[0] = np.where(
        hts[0], 0.5, world.territory.force[0]
    )  # far below 4 per 1,000 residents
    world.territory.force[1] = np.where(hts[1], 50.0, world.territory.force[1])  # far above
    before = world.territory.force.copy()
    world.territory.levy(HTS, per_resident, np.array([0.1, 0.1]))
    added = world.territory.force - before
    gap = per_resident[0] * people[0].sum() - 1000 * (before[0] * hts[0]).sum()
    assert gap > 0
    assert np.isclose(added[0].sum() * 1000, 0.1 * gap)
    np.testing.assert_allclose(added[0], added[0].sum() * people[0] / people[0].sum())
    assert not added[1].any()  # no gap: no recruits


def test_hts_keeps_a_force_while_it_rules_the_zone():
    """Without the levy the offensives' air campaign and Turkey's effort wear HTS down to a
    remnant while it still rules most of the zone; with it HTS keeps a force in proportion to
    the people it rules, below the levy's ratio (the wear goes on)."""
    model = paired("hts_levy_ratio", [0.0, 4.0])
    world = model.world
    force = district_total(world.territory.force * world.territory.held(HTS)).reshape(2, RUNS)
    residents = district_total(world.people.residents * world.territory.held(HTS)).reshape(2, RUNS)
    ruled = world.territory.share("zone", HTS).reshape(2, RUNS)
    assert np.median(ruled[1]) > 0.7
    assert np.median(force[0]) < 1.0
    assert np.median(force[1]) > 3.0
    assert (force[1] >= force[0] - 1e-9).mean() > 0.9
    per_thousand = force[1] * 1000 / np.maximum(residents[1], 1) * 1000  # fighters / 1,000
    assert 2.0 < np.median(per_thousand) <= 4.0


def test_a_group_that_signs_over_keeps_its_arms_under_hts():
    """A cession (C12): HTS takes the district and `absorb_share` of the group's fighters;
    `signed_keep_arms` of the rest stay in the district as the opposition's (`allied`)."""
    model = EscalationModel("baseline", replicates=2, record_every=None, record_events=False)
    world = model.world
    ceding = world.territory.held(OPPOSITION) & (
        np.arange(world.geo.size) == world.geo.index("ariha")
    )
    before, cessions = world.territory.force.copy(), world.territory.cessions.copy()
    world.territory.sign_over(ceding, np.array([0.5, 0.2]), np.array([1.0, 0.5]))
    at = world.geo.index("ariha")
    assert (world.territory.control[:, at] == HTS).all()
    np.testing.assert_allclose(world.territory.force[:, at], before[:, at] * [0.5, 0.2])
    np.testing.assert_allclose(world.territory.allied[:, at], before[:, at] * [0.5, 0.4])
    assert world.territory.allied.sum() == world.territory.allied[:, at].sum()
    np.testing.assert_array_equal(world.territory.cessions, cessions + 1)
    opposition = world.territory.zone_forces()[1]
    groups = district_total(world.territory.force * world.territory.held(OPPOSITION))
    np.testing.assert_allclose(opposition, groups + world.territory.allied[:, at])


def test_the_opposition_survives_as_fighters_under_hts():
    """The groups' own districts are gone by day 345 in most runs, their fighters are not:
    those who signed over keep fighting under HTS. With none keeping their arms, the
    opposition is gone by the horizon in every run."""
    model = paired("signed_keep_arms", [0.0, 1.0])
    force = model.recorder.summary_columns()["final_opposition_force"].reshape(2, RUNS)
    held = (model.world.territory.control == OPPOSITION).any(axis=1).reshape(2, RUNS)
    assert (force[0] < 0.01).all()
    assert np.mean(force[1] > 0.1) > 0.6
    assert np.mean(held[1]) < 0.1  # no ground of their own
    assert (model.world.territory.allied * ~model.world.territory.held(HTS)).sum() == 0


def test_a_renewed_offensive_starts_wider_and_can_become_an_assault():
    """Each offensive starts `renewal_widening` districts wider than the one before: with it,
    every third offensive is a full-scale assault (level 5: `full_assault_districts` wide) from
    its first day; without it, only one that lasts `widen_days` x 2 days becomes one."""
    model = EscalationModel(
        load("baseline")[0],
        seeds=np.tile(np.arange(RUNS), 2),
        parameters={"renewal_widening": np.repeat([0, 1], RUNS)},
        record_every=None,
        record_events=False,
    )
    damascus = model.faction(DAMASCUS)
    starts = [[] for _ in range(2 * RUNS)]
    assault = np.zeros(2 * RUNS, dtype=bool)
    while model.running:
        model.step()
        for run in np.flatnonzero(damascus.days_on_offensive == 1):
            starts[run].append(int(damascus.width[run]))
        assault |= damascus.posture == postures.Damascus.ASSAULT
    renewed = [s for s in starts[RUNS:] if len(s) >= 2]
    assert len(renewed) > RUNS // 4
    assert all(s[:3] == [1, 2, 3][: len(s)] for s in renewed)
    assert all(set(s) == {1} for s in starts[:RUNS] if s)
    third = [run for run in range(RUNS, 2 * RUNS) if len(starts[run]) >= 3]
    assert third and assault[third].all()
    assert assault[:RUNS].mean() < 0.05 and assault[RUNS:].sum() > assault[:RUNS].sum()


@pytest.mark.parametrize("name", ["baseline", "immediate_assault"])
def test_every_offensive_is_counted_imposed_or_backed(name):
    """`offensives` (and the event log's count) is the number of times Damascus's posture went
    from shelling to the offensive or an assault, an imposed operation and one on day 0
    included: counted again here from the daily postures."""
    model = EscalationModel(name, replicates=100, rng=5, record_every=1, record_events=False)
    model.run()
    on = model.recorder.series()["posture_damascus"] >= postures.Damascus.OFFENSIVE
    began = on[:, 0].astype(int) + (on[:, 1:] & ~on[:, :-1]).sum(axis=1)
    counted = model.recorder.summary_columns()["offensives"]
    np.testing.assert_array_equal(counted, began)
    assert (began >= 1).mean() > 0.9


def test_no_backed_offensive_on_the_day_a_summit_meets():
    """A summit's truce starts the day it meets: Damascus, backed by Russia the day before,
    does not attack that day (an imposed operation aside)."""
    model = EscalationModel("baseline", replicates=RUNS, record_every=None, record_events=False)
    damascus, summits = model.faction(DAMASCUS), 0
    while model.day <= 400:
        model.step()
        met = model.world.today.summit
        summits += met.sum()
        assert not (met & (damascus.posture >= postures.Damascus.OFFENSIVE)).any(), model.day
    assert summits > RUNS  # summits met: the check had cases


def one_day(replicates: int = 3) -> EscalationModel:
    """A baseline model on day 0, its record of the day empty."""
    model = EscalationModel("baseline", replicates=replicates, record_every=None)
    model.world.start_day(0)
    return model


def test_fighters_killed_by_shelling_leave_the_force_where_it_landed():
    model = one_day()
    world, today = model.world, model.world.today
    district = int(np.flatnonzero(world.territory.held(HTS)[0])[0])
    today.breaches[:, DAMASCUS, HTS] = 500
    today.shelled[:, district] = 500
    force, killed = world.territory.force.copy(), world.people.killed.copy()
    civilians = world.people.civilians_killed.copy()
    world.combat.breach_toll()
    fighters = world.people.killed - killed - (world.people.civilians_killed - civilians)
    assert (fighters > 0).all()
    lost = force - world.territory.force
    np.testing.assert_allclose(lost[:, district] * 1000, fighters)
    assert not np.delete(lost, district, axis=1).any()  # nowhere else


def test_an_air_strike_counts_as_a_breach_and_kills_by_its_own_toll_alone():
    """A strike is among the article's breaches (C11) but its dead are `bombard`'s: the
    per-breach toll of `breach_toll` is the shelling's."""
    model = one_day()
    world, today = model.world, model.world.today
    today.strikes[:, int(np.flatnonzero(world.territory.held(HTS)[0])[0])] = 300
    killed, injured = world.people.killed.copy(), world.people.injured.copy()
    world.combat.breach_toll()
    assert (world.combat.breaches == 300).all()
    assert (world.people.killed == killed).all() and (world.people.injured == injured).all()


def fought(attacker: int, post: float) -> tuple[EscalationModel, int]:
    """A day-0 baseline run in which `attacker` attacks a group's district on its border,
    holding `post` thousand Turkish troops (post_clash 0: nobody is hit); and the district."""
    model = EscalationModel("baseline", replicates=1, record_every=None, post_clash=0.0)
    model.world.start_day(0)
    land = model.world.territory
    facing = land.held(OPPOSITION)[0] & (land.bordering(attacker)[0] > 0)
    district = int(np.flatnonzero(facing)[0])
    land.posts[0, district] = post
    targets = np.zeros((1, model.geography.size), dtype=bool)
    targets[0, district] = True
    model.world.combat.fight(attacker, targets, np.full(1, 3.0), "test")
    return model, district


@pytest.mark.parametrize("attacker", [HTS, DAMASCUS])
def test_turkish_posts_defend_against_damascus_alone_and_lose_nobody_in_the_fight(attacker):
    """Post troops are dug in (C13): against Damascus they raise the defence, so its attack
    loses more; in a fight between HTS and the groups they change nothing. Either way the
    post keeps every soldier: a fight kills none of them (hits do: `kill_soldiers`)."""
    (with_post, district), (without, _) = fought(attacker, 1.0), fought(attacker, 0.0)
    a, b = with_post.world.territory, without.world.territory
    assert a.posts[0, district] == 1.0
    lost = [w.world.people.killed.sum() for w in (with_post, without)]
    assert lost[1] > 0  # a real fight
    if attacker == HTS:
        np.testing.assert_array_equal(a.force, b.force)
    else:
        held = [district_total(t.force * t.held(DAMASCUS)) for t in (a, b)]
        assert (held[0] < held[1]).all()
    assert with_post.world.combat.soldiers_killed.sum() == 0


def state_to_state(runs: int, **values: float) -> pd.DataFrame:
    """The event log of `runs` baseline runs to the horizon."""
    model = EscalationModel("baseline", replicates=runs, rng=11, record_every=None, **values)
    model.run()
    return pd.DataFrame(model.recorder.events.columns())


@pytest.fixture(scope="module")
def baseline_runs() -> EscalationModel:
    """Baseline to the horizon, 600 runs from master seed 5, with the event log."""
    model = EscalationModel("baseline", replicates=600, rng=5, record_every=None)
    model.run()
    return model


def test_turkish_soldiers_killed_per_baseline_run_are_in_the_tens(baseline_runs):
    """Turkey's losses in Idlib were counted in tens, not thousands: the median baseline run
    loses 10 to 99 Turkish soldiers, and the summary counts them as the event log does."""
    model = baseline_runs
    killed = model.recorder.summary_columns()["turkish_soldiers_killed"]
    assert 10 <= np.median(killed) < 100, np.median(killed)
    events = pd.DataFrame(model.recorder.events.columns())
    logged = events[events.event == "soldiers_killed"].groupby("run").value.sum()
    np.testing.assert_array_equal(logged.reindex(range(model.replicates), fill_value=0), killed)


def test_a_clash_between_the_states_is_turkey_answering_its_dead():
    """A hit on a post is harm, not a clash: Turkey-Damascus clashes (level 6) come only after
    Turkish soldiers were killed, or with them (where the two armies meet in the north-east),
    and some runs lose soldiers without any clash. A Russia-Turkey
    clash (level 7) kills Turkish soldiers and brings a truce the next day (Russia steps back)."""
    events = state_to_state(300, ru_tr_clash=0.5)
    first = events.groupby(["run", "event"]).day.min().unstack()
    clashed = first.clash.notna()
    assert clashed.sum() >= 30
    assert (first.soldiers_killed[clashed] <= first.clash[clashed]).all()
    assert (first.soldiers_killed.notna() & ~clashed).sum() >= 10
    russia = events[(events.event == "clash") & (events.value == 7)]
    assert len(russia) >= 10
    truces = days_of(events[events.event == "truce"])
    assert {(run, day + 1) for run, day in days_of(russia)} <= truces
    by_russia = events[(events.event == "soldiers_killed") & (events.actor == "russia")]
    assert days_of(by_russia) <= days_of(russia)


def days_of(events: pd.DataFrame) -> set[tuple[int, int]]:
    """The (run, day) pairs of some events."""
    return set(zip(events.run, events.day, strict=True))


def test_posts_are_reinforced_up_to_their_most_and_never_when_encircled():
    """Reinforcing adds troops only to posts whose district Damascus has not taken, and takes
    none away from a post already beyond `post_max`."""
    model = one_day(1)
    land, posts = model.world.territory, np.flatnonzero(model.geography.turkish_post)
    land.posts[0, posts[0]] = 2.0  # beyond the most
    land.control[0, posts[1]] = DAMASCUS  # encircled
    land.control = land.control
    before = land.posts.copy()
    land.reinforce_posts(np.full(1, 0.1), np.full(1, 1.5))
    added = land.posts - before
    assert added[0, posts[0]] == 0 and added[0, posts[1]] == 0
    np.testing.assert_allclose(added[0, posts[2:]], np.minimum(0.1, 1.5 - before[0, posts[2:]]))
    assert not np.delete(added, posts).any()


def test_the_rebels_retake_ground_and_damascus_keeps_its_distant_garrisons(baseline_runs):
    """Counter-attacks move the war both ways: in some baseline runs HTS retakes a district
    Damascus took, and the summary's `retaken` counts them as the event log does. Damascus's
    garrisons far from Idlib (the Euphrates) never feed its offensives."""
    model = baseline_runs
    far = [model.geography.index(d) for d in ("deir_ez_zor_west", "eastern_aleppo")]
    unrun = EscalationModel("baseline", 600, 5, record_every=None)  # the same runs on day 0
    start = unrun.world.territory.force[:, far]
    events = pd.DataFrame(model.recorder.events.columns())
    taken = events[(events.event == "district_captured") & (events.target == "damascus")]
    taken = taken[taken.actor.isin(["hts", "opposition"])]
    retaken = model.recorder.summary_columns()["retaken"]
    assert retaken.sum() >= 1
    np.testing.assert_array_equal(np.bincount(taken.run, minlength=600), retaken)
    assert (model.world.territory.force[:, far] >= start).all()


def test_the_kurds_deal_hands_over_districts_not_fighters():
    """On the deal the Kurdish fighters of the handed districts withdraw to the Kurds' other
    districts; Damascus garrisons its new districts with `NE_GARRISON` each, drawn from its
    force around Idlib: no force is made or lost."""
    model = EscalationModel("coordinated_transition", 1, 3, record_every=None)
    kurds, damascus = model.faction(KURDS), model.faction(DAMASCUS)
    land, northeast = model.world.territory, model.geography.in_theatre("northeast")
    model.world.start_day(1)
    before = district_total(land.force)
    kurdish = district_total(land.force * land.held(KURDS))
    kurds.inviting[:] = True
    kurds.let_damascus_in()
    handed = land.held(DAMASCUS) & northeast
    assert handed.any() and land.held(KURDS).any()
    np.testing.assert_allclose(district_total(land.force * land.held(KURDS)), kurdish)
    assert (land.force[handed] == 0).all()
    damascus.garrison()
    np.testing.assert_allclose(land.force[handed], NE_GARRISON)
    np.testing.assert_allclose(district_total(land.force), before)


def test_turkey_meeting_damascus_in_the_north_east_is_a_clash_with_losses_on_both_sides():
    """Where Turkey's operation meets Damascus's forces, Turkish soldiers die and Damascus's
    forces in the districts met lose `retaliation_damage` of their force: level 6 that day."""
    model = EscalationModel("baseline", 2, 3, record_every=None, retaliation_damage=0.2)
    land, combat = model.world.territory, model.world.combat
    raqqa = model.geography.index("raqqa")
    land.control[:, raqqa] = DAMASCUS
    land.control = land.control
    model.world.start_day(1)
    force = land.force.copy()
    where = np.zeros((1, model.geography.size), dtype=bool)
    where[0, raqqa] = True
    combat.meet_in_north_east(np.array([1]), where)
    np.testing.assert_allclose(land.force[1, raqqa], force[1, raqqa] * 0.8)
    np.testing.assert_array_equal(land.force[0], force[0])
    assert model.world.today.clashes[1, TURKEY, DAMASCUS] and not model.world.today.clashes[0].any()
    assert combat.soldiers_killed[0] == 0
    assert model.world.today.soldiers_killed[1, DAMASCUS] == combat.soldiers_killed[1]


def test_the_air_campaign_comes_before_the_ground_war(baseline_runs):
    """C03, C10: Russian air strikes inside the zone, Idlib city among their targets, precede
    and accompany a ground offensive: in most runs that reach level 4 a sustained air campaign
    (level 3) came first, and Idlib city is struck before the first offensive."""
    model = baseline_runs
    summary = model.recorder.summary_columns()
    air, ground = summary["first_day_level_3"], summary["first_day_level_4"]
    reached = ground >= 0
    assert reached.mean() > 0.9 and (air[reached] < ground[reached]).mean() > 0.7
    events = pd.DataFrame(model.recorder.events.columns())
    city = events[events.event == "idlib_city_struck"].groupby("run").day.min()
    city = city.reindex(range(model.replicates)).to_numpy()
    first = summary["first_offensive_day"]
    assert np.mean(city < np.nan_to_num(first, nan=np.inf)) > 0.7


def test_the_days_flight_combines_its_causes_and_leaves_at_the_days_end():
    """Two causes of flight on one day (shelling, then a ground attack, or the other way
    round) weigh as one after the other, 1 - (1 - a)(1 - b), whatever their order; nobody
    leaves until the day's end (`depart`), and nobody is made or lost (C05)."""
    moved = []
    for first, second in ((0.2, 0.5), (0.5, 0.2)):
        model = one_day(1)
        people, geo = model.world.people, model.geography
        district = geo.index("saraqib")
        residents, everyone = people.residents.copy(), people.everyone()
        for share in (first, second):
            flight = np.zeros((1, geo.size))
            flight[0, district] = share
            people.flee(flight)
        np.testing.assert_array_equal(people.residents, residents)  # not yet
        people.depart()
        left = residents[0, district] - people.residents[0, district]
        np.testing.assert_allclose(left, residents[0, district] * (1 - 0.8 * 0.5))
        np.testing.assert_allclose(people.everyone(), everyone)
        moved.append(people.residents.copy())
    np.testing.assert_array_equal(moved[0], moved[1])


def test_the_displaced_go_home_to_their_own_district_once_the_fighting_there_stops():
    """People who fled a district go back to it alone, once it has been quiet for
    `return_after` days; a district fought over today takes nobody back, and nobody is made or
    lost on the way (C05)."""
    model = one_day(1)
    people, geo = model.world.people, model.geography
    quiet, fought = geo.index("saraqib"), geo.index("ariha")
    share = np.zeros((1, geo.size))
    share[0, [quiet, fought]] = 0.5
    people.flee(share)
    people.depart()
    away = people.away.copy()
    assert away[0, quiet] > 0 and away[0, fought] > 0
    model.world.today.fought[0, fought] = True
    before, everyone = people.residents.copy(), people.everyone()
    people.last_fought[0, quiet] = -model.params.return_after[0]  # quiet long enough
    people.return_home()
    gained = people.residents - before
    rate = model.params.return_rate[0] * 7  # a week's, on day 0
    np.testing.assert_allclose(gained[0, quiet], away[0, quiet] * rate)
    assert not np.delete(gained, quiet).any()  # nobody else goes home, none to the fought one
    np.testing.assert_allclose(people.everyone(), everyone)
    np.testing.assert_allclose(people.away.sum(), people.sheltered.sum())
    np.testing.assert_allclose(people.returned[0], gained.sum())


def test_harm_scales_with_the_people_per_km2():
    """The same air strikes kill in proportion to a district's density: its residents and the
    displaced sheltering there, per km^2 of its area."""
    model = one_day(1)
    people, geo = model.world.people, model.geography
    a, b = geo.index("saraqib"), geo.index("atarib")  # both held by the opposition
    people.sheltered[0, b] += 40_000
    strikes = np.zeros((1, geo.size), dtype=np.int64)
    strikes[0, [a, b]] = 1
    killed = people.civilians_killed.copy()
    deaths = people.density()[0, [a, b]] * model.params.strike_lethality[0]
    model.world.combat.bombard(strikes, np.array([0]))
    np.testing.assert_allclose(people.civilians_killed - killed, deaths.sum())
    density = (geo.population[[a, b]] + [0, 40_000]) / geo.area[[a, b]] / 1000
    np.testing.assert_allclose(deaths / model.params.strike_lethality[0], density)


@pytest.mark.parametrize("border_open", [0.0, 0.5])
def test_the_camps_fill_to_their_room_and_overflow_only_across_an_open_border(border_open):
    """The north-west's displaced who head for the camps fill their room; beyond it,
    `border_open` of them cross into Turkey, the rest crowd in; nobody else leaves the map."""
    model = EscalationModel(
        "baseline", replicates=1, record_every=None, camp_share=0.7, border_open=border_open
    )
    model.world.start_day(0)
    people, geo = model.world.people, model.geography
    room = (people.room * (people.camps & people.regions["northwest"])).sum()
    share = np.where(geo.in_theatre("zone") & ~geo.camps, 0.5, 0.0)[None, :]
    leaving = (people.residents * share).sum()
    assert leaving * 0.7 > room  # more head for the camps than they have room for
    everyone = people.everyone()
    people.flee(share)
    people.depart()
    to_camps = people.in_camps[0] + people.left_for_turkey[0]
    np.testing.assert_allclose(people.left_for_turkey, border_open * (to_camps - room))
    assert people.crowding()[0] > 1
    np.testing.assert_allclose(people.everyone(), everyone)


def test_overfull_border_camps_make_turkey_press_for_a_summit():
    """Turkey calls a summit with daily chance 1 - exp(-`crowding_summit` x overfull share):
    never while the camps have room, almost every run when they are far over it."""
    calls = {}
    for overfull in (0.0, 3.0):
        model = one_day(400)
        people = model.world.people
        camps = people.camps & people.regions["northwest"]
        people.sheltered[:, camps] = people.room[:, camps] * (1 + overfull)
        turkey = model.faction(TURKEY)
        turkey.perceive()
        turkey.decide()
        calls[overfull] = turkey.calling_summit.mean()
    chance = 1 - np.exp(-model.params.crowding_summit[0] * 3.0)
    assert calls[0.0] == 0
    assert abs(calls[3.0] - chance) < 4 * np.sqrt(chance * (1 - chance) / 400)
