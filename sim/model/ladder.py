"""The escalation ladder (after Kahn): a level from 0 to 7 for each pair of actors and the theatre.

0 ceasefire holds, 1 sporadic breaches, 2 sustained shelling, 3 air campaign, 4 limited ground
offensive, 5 full-scale assault, 6 clashes between states' forces, 7 direct Russia-Turkey clash.
"""

import numpy as np

from sim.model.geography import ACTORS, HTS, OPPOSITION, RUSSIA, TURKEY
from sim.model.params import ParameterSet
from sim.model.world import Today

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


def pair(a: int, b: int) -> int:
    """The index in PAIRS of the pair of actors a and b, in either order."""
    return PAIRS.index((min(a, b), max(a, b)))


_FIRST, _SECOND = np.array(PAIRS).T
_ONE_WAY, _OTHER_WAY = _FIRST * len(ACTORS) + _SECOND, _SECOND * len(ACTORS) + _FIRST
_CLASH_LEVEL = np.where(np.arange(len(PAIRS)) == pair(RUSSIA, TURKEY), 7, 6).astype(np.int8)
_ON_THEATRE = np.arange(len(PAIRS)) != pair(HTS, OPPOSITION)
"""Fighting among rebels has a pair level but does not raise the theatre's level."""


def _both_ways(x: np.ndarray) -> np.ndarray:
    """(R, 21) from (R, 7, 7) actor-by-actor counts: what each pair did to each other."""
    flat = x.reshape(len(x), -1)  # np.take on one axis is faster than two-axis indexing
    return np.take(flat, _ONE_WAY, axis=1) + np.take(flat, _OTHER_WAY, axis=1)


def pair_levels(today: Today, params: ParameterSet) -> np.ndarray:
    """(R, 21) levels of the day for each pair of actors, in the order of PAIRS.

    Breaches between two actors: 1, or 2 from `sustained_breaches` a day. Russian strikes: 3 for
    Russia-HTS. Ground attacks: 4, or 5 from `full_assault_districts` districts a day. A clash
    between the states' forces: 6 (Turkey-Damascus) or 7 (Russia-Turkey).
    """
    breaches, attacked = _both_ways(today.breaches), _both_ways(today.attacked)
    level = (breaches > 0).astype(np.int8)
    level[breaches >= params.sustained_breaches[:, None]] = 2
    level[today.strikes > 0, pair(RUSSIA, HTS)] = 3
    level[attacked > 0] = 4
    level[attacked >= params.full_assault_districts[:, None]] = 5
    clashes = _both_ways(today.clashes)
    return np.where(clashes, _CLASH_LEVEL, level)


def theatre_level(pairs: np.ndarray) -> np.ndarray:
    """(R,) the theatre's level: the highest pair level, leaving out rebel infighting."""
    return (pairs * _ON_THEATRE).max(axis=1)
