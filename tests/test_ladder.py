"""The escalation ladder on hand-made days."""

import numpy as np

from sim.model.geography import DAMASCUS, HTS, KURDS, OPPOSITION, RUSSIA, TURKEY
from sim.model.ladder import PAIRS, Ladder, Level, pair, theatre_level
from sim.model.params import WEEK, ParameterSet
from sim.model.world import Today

DISTRICTS = 41


def climb(days: list[Today]) -> tuple[np.ndarray, np.ndarray]:
    """The pair and theatre levels of the last of the given days."""
    ladder, params = Ladder(days[0].replicates), ParameterSet(days[0].replicates)
    for today in days:
        pairs = ladder.climb(today, params)
    return pairs, theatre_level(pairs)


def test_each_rung():
    week = [Today(8, DISTRICTS) for _ in range(WEEK)]
    for today in week:
        today.breaches[2, HTS, DAMASCUS] = 12  # sustained: a week at 12 a day (default 7)
        today.struck[3, HTS] = 1  # air campaign: strikes every day of the week
    today = week[-1]
    today.breaches[1, DAMASCUS, HTS] = 3  # sporadic
    today.attacked[4, TURKEY, KURDS] = 1  # limited ground offensive
    today.attacked[5, DAMASCUS, HTS] = 3  # full-scale assault (default 3 districts)
    today.clashes[6, TURKEY, DAMASCUS] = True
    today.clashes[7, RUSSIA, TURKEY] = True
    pairs, theatre = climb(week)
    assert theatre.tolist() == list(Level)
    assert pairs[3, pair(HTS, RUSSIA)] == pairs[3, pair(RUSSIA, HTS)] == Level.AIR_CAMPAIGN
    assert pairs[2, pair(DAMASCUS, HTS)] == Level.SUSTAINED_SHELLING
    assert pairs[4, pair(KURDS, TURKEY)] == Level.LIMITED_GROUND_OFFENSIVE
    assert (np.delete(pairs[6], pair(TURKEY, DAMASCUS)) == 0).all()
    assert len(PAIRS) == 21


def test_one_strike_or_one_heavy_day_is_not_a_campaign():
    """Levels 2 and 3 need a sustained week, not one day (the ladder of the second edition)."""
    quiet = [Today(2, DISTRICTS) for _ in range(WEEK - 1)]
    today = Today(2, DISTRICTS)
    today.struck[0, HTS] = 5
    today.breaches[1, DAMASCUS, HTS] = 60
    _, theatre = climb([*quiet, today])
    assert theatre.tolist() == [Level.SPORADIC_BREACHES] * 2


def test_a_campaign_ends_when_the_strikes_stop():
    week = [Today(1, DISTRICTS) for _ in range(WEEK)]
    for today in week:
        today.struck[0, HTS] = 2
    _, theatre = climb(week)
    assert theatre[0] == Level.AIR_CAMPAIGN
    _, theatre = climb([*week, Today(1, DISTRICTS)])
    assert theatre[0] == Level.CEASEFIRE_HOLDS


def test_russia_turkey_clash_is_the_top_rung_and_infighting_stays_off_the_theatre():
    today = Today(2, DISTRICTS)
    today.clashes[0, RUSSIA, TURKEY] = True
    today.attacked[1, HTS, OPPOSITION] = 4
    pairs, theatre = climb([today])
    assert theatre.tolist() == [7, 0]
    assert pairs[1, pair(HTS, OPPOSITION)] == 5
    assert pairs[0, pair(TURKEY, RUSSIA)] == 7


def test_a_broad_assault_counts_every_side_it_hits():
    """Level 5 is an attack on `full_assault_districts` districts (3) in a day, whoever holds
    them: two of HTS's and one of the opposition's make it, on both pairs."""
    today = Today(1, DISTRICTS)
    today.attacked[0, DAMASCUS, HTS] = 2
    today.attacked[0, DAMASCUS, OPPOSITION] = 1
    pairs, theatre = climb([today])
    assert theatre[0] == Level.FULL_SCALE_ASSAULT
    assert pairs[0, pair(DAMASCUS, HTS)] == pairs[0, pair(DAMASCUS, OPPOSITION)] == 5
