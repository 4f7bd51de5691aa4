"""Between the states: the Russia-Turkey relation, its summits, clashes, and US presence."""

import numpy as np

from sim.model.claims import rule
from sim.model.geography import DAMASCUS, RUSSIA, TURKEY
from sim.model.params import ParameterSet
from sim.model.world.calendar import Calendar
from sim.model.world.orders import Phase, order


class Relations:
    """The Russia-Turkey relation (0-1), the summits that mend it and the clashes that strain
    it, and US presence in the north-east, for R runs."""

    def __init__(self, params: ParameterSet, calendar: Calendar, replicates: int) -> None:
        self.params, self.calendar = params, calendar
        r = replicates
        self.us_presence = np.ones(r)
        self.relation = params.relation_start.copy()
        self.summit_called = np.zeros(r, dtype=bool)  # a summit to meet tomorrow

    @order(Phase.FIRE)
    def clash(self, a: int, b: int, rows: np.ndarray) -> None:
        """A direct clash between two states' forces in the given runs (ladder 6 or 7)."""
        self.calendar.today.clashes[rows, a, b] = True

    @order(Phase.POLICY)
    def set_us_presence(self, presence: np.ndarray) -> None:
        """US presence in the north-east (C17), 1 = as in 2018."""
        self.us_presence = presence

    @order(Phase.POLICY)
    def strain(self, amount: np.ndarray) -> None:
        """The Russia-Turkey relation loses `amount` (R,)."""
        self.relation = np.clip(self.relation - amount, 0.0, 1.0)

    def mend(self, amount: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """The relation gains `amount` in the given runs (a summit)."""
        self.relation[rows] = np.minimum(self.relation[rows] + amount, 1.0)

    @rule("C06", "C07", "C13", "C19", "assumption")
    def settle(self, offensive: np.ndarray, operation: np.ndarray) -> None:
        """At the end of the day the relation drifts back towards its day-0 level at
        `relation_recovery` (C06, C07); it loses `offensive_strain` on a day of a Russian-backed
        offensive across the deal's lines (C13), `ne_strain` on a day of Turkey's north-east
        operation (C19: Moscow wants Damascus there), and `clash_shock` for each clash of two
        states' forces: a Russia-Turkey clash on top of the Turkey-Damascus one that drew it
        (assumption)."""
        p, clashes = self.params, self.calendar.today.clashes
        clashed = (clashes[:, TURKEY, DAMASCUS] | clashes[:, DAMASCUS, TURKEY]).astype(float)
        clashed += clashes[:, RUSSIA, TURKEY] | clashes[:, TURKEY, RUSSIA]
        drift = p.relation_recovery * (p.relation_start - self.relation)
        strain = p.offensive_strain * offensive + p.ne_strain * operation + p.clash_shock * clashed
        self.relation = np.clip(self.relation + drift - strain, 0.0, 1.0)

    @order(Phase.POLICY)
    def call_summit(self, calling: np.ndarray) -> None:
        """Ask for a summit tomorrow in the (R,) `calling` runs."""
        self.summit_called |= calling

    @rule("C06", "C07", "assumption")
    def call_summits(self) -> None:
        """The two leaders call a summit for tomorrow (C06, C07) when the relation has fallen
        below `summit_relation`; Turkey also calls one when its soldiers are hit or the border
        camps overfill (`Turkey.decide`)."""
        self.call_summit(self.relation < self.params.summit_relation)

    def summits_due(self, scheduled: bool, accepted: np.ndarray) -> np.ndarray:
        """(R,) bool: a summit meets today: scheduled by the scenario, or called yesterday and
        accepted (`Russia.accepts_summit`)."""
        due = np.full(len(self.relation), scheduled) | (self.summit_called & accepted)
        self.summit_called = np.zeros_like(self.summit_called)
        self.calendar.today.summit |= due
        return due
