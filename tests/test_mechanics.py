"""Mechanics beyond the article's window: HTS levies recruits among the people it rules, groups
that sign their towns over keep their arms under HTS, a renewed offensive starts wider (level 5
within reach of a Russian-backed offensive), and the Idlib front holds Turkey back from a second
front in the north-east."""

import numpy as np
import pytest

from sim.model import EscalationModel
from sim.model.agents import postures
from sim.model.geography import DAMASCUS, HTS, OPPOSITION, district_total
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
    """Each offensive starts `renewal_widening` districts wider than the one before: with it, a
    Russian-backed offensive reaches a full-scale assault (level 5) in many runs; without it,
    only one that lasts `widen_days` x 2 days does."""
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
    assert assault[:RUNS].mean() < 0.05
    assert assault[RUNS:].mean() > 0.2


def test_turkey_opens_no_second_front_while_damascus_attacks_the_zone():
    """With `idlib_commitment` 1 no north-east operation begins the day after Damascus attacked
    the zone; with 0 some do. The runs are the same until Turkey first launches, so the link
    can only delay the operation: an Idlib offensive changes the north-east."""
    model = paired("idlib_commitment", [0.0, 1.0], record_every=1)
    day = model.recorder.summary_columns()["ne_operation_day"]
    posture = model.recorder.series()["posture_damascus"]
    began = np.flatnonzero(day >= 1)
    after_attack = posture[began, day[began].astype(int) - 1] >= postures.Damascus.OFFENSIVE
    with_link = began >= RUNS
    assert after_attack[~with_link].any()
    assert not after_attack[with_link].any()
    free, held = day[:RUNS], day[RUNS:]
    never = np.isnan(held)
    assert never.mean() < 0.8  # held back only while Damascus attacks, not every day
    assert (held[~never] >= free[~never]).all()
    assert (held[~never] > free[~never]).sum() + (never & ~np.isnan(free)).sum() > 5
    assert np.isnan(free).mean() < never.mean()


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


def test_turkish_posts_take_no_part_in_the_rebels_fights():
    """Post troops defend against Damascus (C13), not in a fight between HTS and the groups."""
    model = one_day(1)
    world = model.world
    land = world.territory
    posted = (land.posts[0] > 0) & land.held(OPPOSITION)[0]
    if not posted.any():  # put a group's district under a post
        district = int(np.flatnonzero(land.held(OPPOSITION)[0])[0])
        land.posts[0, district] = 0.3
        posted = np.zeros(world.geo.size, bool)
        posted[district] = True
    before = land.posts.copy()
    targets = posted[None, :]
    world.combat.fight(HTS, targets, np.ones(1), "test/hts")
    np.testing.assert_array_equal(land.posts, before)
    world.combat.fight(DAMASCUS, targets, np.ones(1), "test/damascus")
    assert (land.posts <= before).all() and (land.posts < before).any()  # Damascus meets them
