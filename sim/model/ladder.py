"""The escalation ladder (after Kahn): a level from 0 to 7 for each pair of actors and the theatre.

0 ceasefire holds, 1 sporadic breaches, 2 sustained shelling, 3 air campaign, 4 limited ground
offensive, 5 full-scale assault, 6 clashes between states' forces, 7 direct Russia-Turkey clash.
Levels 2 and 3 are sustained: they look back over the last week.
"""

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from sim.model.geography import ACTORS, HTS, OPPOSITION, RUSSIA, TURKEY
from sim.model.params import WEEK, ParameterSet

if TYPE_CHECKING:  # the world's components, and with them scipy, only where a model runs
    from sim.model.world import Today


class Level(IntEnum):
    """The rungs of the ladder, each with its readable name (`label`)."""

    label: str

    def __new__(cls, rung: int, label: str) -> "Level":
        level = int.__new__(cls, rung)
        level._value_, level.label = rung, label
        return level

    CEASEFIRE_HOLDS = 0, "ceasefire holds"
    SPORADIC_BREACHES = 1, "sporadic breaches"
    SUSTAINED_SHELLING = 2, "sustained shelling"
    AIR_CAMPAIGN = 3, "air campaign"
    LIMITED_GROUND_OFFENSIVE = 4, "limited ground offensive"
    FULL_SCALE_ASSAULT = 5, "full-scale assault"
    CLASHES_BETWEEN_STATES = 6, "clashes between states' forces"
    RUSSIA_TURKEY_CLASH = 7, "direct Russia-Turkey clash"


LEVELS: tuple[str, ...] = tuple(level.label for level in Level)
"""Readable names of the levels, in the order of `Level`."""

GROUND_WAR = Level.LIMITED_GROUND_OFFENSIVE
"""The rungs from here up are ground war (a run's `days_level_4_plus` counts them)."""

PAIRS: tuple[tuple[int, int], ...] = tuple(
    (i, j) for i in range(len(ACTORS)) for j in range(i + 1, len(ACTORS))
)
"""The 21 pairs of actors, (i, j) with i < j in the order of ACTORS."""


def pair(a: int, b: int) -> int:
    """The index in PAIRS of the pair of actors a and b, in either order."""
    return PAIRS.index((min(a, b), max(a, b)))


_FIRST, _SECOND = np.array(PAIRS).T
_ONE_WAY, _OTHER_WAY = _FIRST * len(ACTORS) + _SECOND, _SECOND * len(ACTORS) + _FIRST
CLASH_LEVEL = np.where(
    np.arange(len(PAIRS)) == pair(RUSSIA, TURKEY),
    Level.RUSSIA_TURKEY_CLASH,
    Level.CLASHES_BETWEEN_STATES,
).astype(np.int8)
"""(21,) the level a clash between the two states' forces of each pair stands for: 7 for
Russia and Turkey, 6 for any other."""
_ON_THEATRE = np.arange(len(PAIRS)) != pair(HTS, OPPOSITION)
"""Fighting among rebels has a pair level but does not raise the theatre's level."""
_EACH_SIDE = np.ones(len(ACTORS), dtype=np.int64)
"""Adds counts over the sides attacked (an integer product: exact)."""
_RUSSIA_AGAINST = np.array([pair(RUSSIA, j) if j != RUSSIA else 0 for j in range(len(ACTORS))])


def _both_ways(x: np.ndarray) -> np.ndarray:
    """(R, 21) from (R, 7, 7) actor-by-actor counts: what each pair did to each other."""
    flat = x.reshape(len(x), -1)  # `take` on one axis: faster than two-axis indexing
    return flat.take(_ONE_WAY, axis=1) + flat.take(_OTHER_WAY, axis=1)


class Ladder:
    """The ladder of each pair for a batch of runs, with a week's memory of breaches and strikes."""

    def __init__(self, replicates: int) -> None:
        # each of the last seven days: (breaches, a day with breaches, a day with strikes) by
        # pair; and the week's totals of the three, kept up to date day by day (exact: counts)
        self.memory = np.zeros((WEEK, 3, replicates, len(PAIRS)), dtype=np.int32)
        self.week = np.zeros((3, replicates, len(PAIRS)), dtype=np.int32)
        self.days = 0

    def climb(self, today: "Today", params: ParameterSet) -> np.ndarray:
        """(R, 21) levels of the day for each pair of actors, in the order of PAIRS.

        1: any breach or strike between the two today. 2: breaches between them averaging
        `sustained_breaches` a day over the last week, on at least `sustained_days` of its
        days. 3 (Russia and the side it strikes): strikes on at least `sustained_days` of the
        last seven days. Today's is always among them. 4: ground attacks today; 5: part of an
        attack on `full_assault_districts` districts or more, counting every side attacked.
        6 (Turkey-Damascus) or 7 (Russia-Turkey): a clash between the two states' forces.
        """
        slot = self.days % WEEK
        self.days += 1
        entering = np.zeros(self.week.shape, dtype=np.int32)
        breaches, breached, struck = entering  # views: today's (R, 21) of the three
        breaches[:] = _both_ways(today.breaches)
        np.greater(breaches, 0, out=breached)
        struck[:, _RUSSIA_AGAINST[1:]] = today.struck[:, 1:] > 0
        self.week += entering - self.memory[slot]  # the day a week ago leaves, today enters
        self.memory[slot] = entering
        week_breaches, breach_days, strike_days = self.week
        days = params.sustained_days[:, None]
        heavy = week_breaches >= WEEK * params.sustained_breaches[:, None]
        sustained = heavy & (breach_days >= days)
        campaign = strike_days >= days
        today_any = (breached | struck) > 0
        level = today_any.astype(np.int8)
        level[today_any & sustained] = Level.SUSTAINED_SHELLING
        level[(struck > 0) & campaign] = Level.AIR_CAMPAIGN
        if today.attacked.any():  # most days see no ground attack, and no clash
            level[_both_ways(today.attacked) > 0] = Level.LIMITED_GROUND_OFFENSIVE
            level[self._broad(today.attacked, params)] = Level.FULL_SCALE_ASSAULT
        if today.clashes.any():
            level = np.where(_both_ways(today.clashes), CLASH_LEVEL, level)
        return level

    @staticmethod
    def _broad(attacked: np.ndarray, params: ParameterSet) -> np.ndarray:
        """(R, 21) bool: one of the pair attacks the other today as part of an attack on
        `full_assault_districts` districts or more, whoever holds them."""
        flat = attacked.reshape(len(attacked), -1)
        districts = attacked @ _EACH_SIDE  # (R, 7) by attacker: `sum(axis=2)`, five times faster
        wide = districts >= params.full_assault_districts[:, None]
        one_way = (flat.take(_ONE_WAY, axis=1) > 0) & wide.take(_FIRST, axis=1)
        other_way = (flat.take(_OTHER_WAY, axis=1) > 0) & wide.take(_SECOND, axis=1)
        return one_way | other_way


def theatre_level(pairs: np.ndarray) -> np.ndarray:
    """(R,) the theatre's level: the highest pair level, leaving out rebel infighting."""
    return (pairs * _ON_THEATRE).max(axis=1)
