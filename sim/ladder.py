"""The escalation ladder (after Kahn): a level from 0 to 7 for each pair of actors and the theatre.

0 ceasefire holds, 1 sporadic breaches, 2 sustained shelling, 3 air campaign, 4 limited ground
offensive, 5 full-scale assault, 6 clashes between states' forces, 7 direct Russia-Turkey clash.
"""

import numpy as np

from sim.geography import ACTORS, HTS, OPPOSITION, RUSSIA, TURKEY
from sim.params import ParameterSet
from sim.world import Today

LEVELS: tuple[str, ...] = (
    "ceasefire holds",
    "sporadic breaches",
    "sustained shelling",
    "air campaign",
    "limited ground offensive",
    "full-scale assault",
    "clashes between states' forces",
    "direct Russia-Turkey clash",
)

PAIRS: tuple[tuple[int, int], ...] = tuple(
    (i, j) for i in range(len(ACTORS)) for j in range(i + 1, len(ACTORS))
)
"""The 21 pairs of actors, (i, j) with i < j in the order of ACTORS."""

INFIGHTING = (HTS, OPPOSITION)
"""Fighting among rebels has a pair level but does not raise the theatre's level."""


def _both_ways(x: np.ndarray) -> np.ndarray:
    return x + x.transpose(0, 2, 1)


def pair_levels(today: Today, params: ParameterSet) -> np.ndarray:
    """(R, 7, 7) symmetric levels of the day for every pair of actors.

    Breaches between two actors: 1, or 2 from `sustained_breaches` a day. Russian strikes: 3 for
    Russia-HTS. Ground attacks: 4, or 5 from `full_assault_districts` districts a day. A clash
    between the states' forces: 6 (Turkey-Damascus) or 7 (Russia-Turkey).
    """
    breaches = _both_ways(today.breaches)
    attacked = _both_ways(today.attacked)
    level = np.where(breaches > 0, 1, 0)
    level = np.where(breaches >= params.sustained_breaches[:, None, None], 2, level)
    level[:, RUSSIA, HTS] = np.where(today.strikes > 0, 3, level[:, RUSSIA, HTS])
    level[:, HTS, RUSSIA] = level[:, RUSSIA, HTS]
    level = np.where(attacked > 0, 4, level)
    level = np.where(attacked >= params.full_assault_districts[:, None, None], 5, level)
    clashes = today.clashes | today.clashes.transpose(0, 2, 1)
    clash_level = np.full(level.shape[1:], 6)
    clash_level[RUSSIA, TURKEY] = clash_level[TURKEY, RUSSIA] = 7
    return np.where(clashes, clash_level, level).astype(np.int8)


def theatre_level(pairs: np.ndarray) -> np.ndarray:
    """(R,) the theatre's level: the highest pair level, leaving out rebel infighting."""
    masked = pairs.copy()
    masked[:, INFIGHTING[0], INFIGHTING[1]] = masked[:, INFIGHTING[1], INFIGHTING[0]] = 0
    return masked.max(axis=(1, 2))
