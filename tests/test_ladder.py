"""The escalation ladder on hand-made days."""

import numpy as np

from sim.model.geography import DAMASCUS, HTS, KURDS, OPPOSITION, RUSSIA, TURKEY
from sim.model.ladder import PAIRS, pair, pair_levels, theatre_level
from sim.model.params import ParameterSet
from sim.model.world import Today


def levels(today: Today) -> tuple[np.ndarray, np.ndarray]:
    pairs = pair_levels(today, ParameterSet(today.replicates))
    return pairs, theatre_level(pairs)


def test_each_rung():
    today = Today(7)
    today.breaches[1, DAMASCUS, HTS] = 3  # sporadic
    today.breaches[2, HTS, DAMASCUS] = 25  # sustained (default threshold 20)
    today.strikes[3] = 2  # air campaign
    today.attacked[4, TURKEY, KURDS] = 1  # limited ground offensive
    today.attacked[5, DAMASCUS, HTS] = 3  # full-scale assault (default 3 districts)
    today.clashes[6, TURKEY, DAMASCUS] = True
    pairs, theatre = levels(today)
    assert theatre.tolist() == [0, 1, 2, 3, 4, 5, 6]
    assert pairs[3, pair(HTS, RUSSIA)] == pairs[3, pair(RUSSIA, HTS)] == 3
    assert pairs[2, pair(DAMASCUS, HTS)] == 2  # breaches count both ways
    assert pairs[4, pair(KURDS, TURKEY)] == 4
    assert (np.delete(pairs[6], pair(TURKEY, DAMASCUS)) == 0).all()
    assert len(PAIRS) == 21


def test_russia_turkey_clash_is_the_top_rung_and_infighting_stays_off_the_theatre():
    today = Today(2)
    today.clashes[0, RUSSIA, TURKEY] = True
    today.attacked[1, HTS, OPPOSITION] = 4
    pairs, theatre = levels(today)
    assert theatre.tolist() == [7, 0]
    assert pairs[1, pair(HTS, OPPOSITION)] == 5
    assert pairs[0, pair(TURKEY, RUSSIA)] == 7
