"""The day's number, and what happened today and yesterday: shared by the world's components."""

from dataclasses import dataclass, field

import numpy as np

from sim.model.geography import ACTORS
from sim.model.world.orders import OrderBook


@dataclass
class Today:
    """What happened on the current day; kept as `yesterday` for one more day."""

    replicates: int
    districts: int
    breaches: np.ndarray = field(init=False)  # (R, 7, 7): breaches by actor i against actor j
    shelled: np.ndarray = field(init=False)  # (R, D): shelling breaches that landed in a district
    strikes: np.ndarray = field(init=False)  # (R, D): Russian air strikes on a district
    struck: np.ndarray = field(init=False)  # (R, 7): Russian air strikes on each actor's districts
    attacked: np.ndarray = field(init=False)  # (R, 7, 7): districts actor i attacked of actor j
    clashes: np.ndarray = field(init=False)  # (R, 7, 7) bool: direct clash between two states
    captured: np.ndarray = field(init=False)  # (R, D) bool: taken by force today
    fought: np.ndarray = field(init=False)  # (R, D) bool: attacked on the ground today
    ceded: np.ndarray = field(init=False)  # (R, D) bool: handed over without a fight today
    soldiers_killed: np.ndarray = field(init=False)  # (R, 7): Turkish soldiers killed, by whom
    summit: np.ndarray = field(init=False)  # (R,) bool: a Putin-Erdogan summit met today
    staying: np.ndarray = field(init=False)  # (R, D): share of a district's people not fleeing

    def __post_init__(self) -> None:
        r, n, d = self.replicates, len(ACTORS), self.districts
        self.breaches = np.zeros((r, n, n), dtype=np.int64)
        self.shelled = np.zeros((r, d), dtype=np.int64)
        self.strikes = np.zeros((r, d), dtype=np.int64)
        self.struck = np.zeros((r, n), dtype=np.int64)
        self.attacked = np.zeros((r, n, n), dtype=np.int64)
        self.clashes = np.zeros((r, n, n), dtype=bool)
        self.captured = np.zeros((r, d), dtype=bool)
        self.fought = np.zeros((r, d), dtype=bool)
        self.ceded = np.zeros((r, d), dtype=bool)
        self.soldiers_killed = np.zeros((r, n), dtype=np.int64)
        self.summit = np.zeros(r, dtype=bool)
        self.staying = np.ones((r, d))

    def fighting(self) -> np.ndarray:
        """(R, D) bool: fought over, shelled or struck today."""
        return self.fought | (self.shelled > 0) | (self.strikes > 0)


class Calendar:
    """Today's day number, today's record (`Today`) and yesterday's."""

    def __init__(self, replicates: int, districts: int) -> None:
        self.day = 0
        self.orders: OrderBook | None = None  # the day's orders while the actors act
        self.today = Today(replicates, districts)
        self.yesterday = Today(replicates, districts)

    def start(self, day: int) -> None:
        """Yesterday's events become `yesterday`; today starts empty."""
        self.day = day
        self.yesterday, self.today = self.today, Today(self.today.replicates, self.today.districts)
