"""The people: residents of districts and the pools of those who left or died, for R runs.

People are tracked as residents of districts plus six pools: displaced and in camps in the
north-west and in the north-east, gone to Turkey, and civilians killed. Their sum never
changes. `killed` and `injured` count everyone, fighters included.
"""

import numpy as np

from sim.model.claims import rule
from sim.model.geography import Geography, district_total, district_totals
from sim.model.params import WEEK, ParameterSet
from sim.model.world.calendar import Calendar

TINY = 1e-12
"""Guards divisions by totals that can be zero; never large enough to change a result."""

DENSITY_UNIT = 100_000.0
"""Civilian harm scales with a district's residents in units of this many people."""

FORCE_UNIT = 1000
"""Force is counted in thousands of fighter-equivalents: one unit is this many fighters."""


class People:
    """Where the people are, who fled where, who was killed or injured, and the aid they get."""

    def __init__(self, geo: Geography, params: ParameterSet, calendar: Calendar, replicates: int):
        self.params, self.calendar = params, calendar
        r = replicates
        self.residents = np.tile(geo.population, (r, 1))
        self.displaced = np.zeros(r)  # north-west, inside Syria
        self.in_camps = np.zeros(r)  # north-west border camps
        self.ne_displaced = np.zeros(r)
        self.ne_camps = np.zeros(r)
        self.left_for_turkey = np.zeros(r)
        self.fled = np.zeros(r)  # north-west people who fled their homes so far (a flow)
        self.civilians_killed = np.zeros(r)
        self.ne_civilians_killed = np.zeros(r)
        self.killed = np.zeros(r)  # everyone: civilians and fighters
        self.injured = np.zeros(r)
        self.aid_delivered = np.zeros(r)
        self.aid_need = np.zeros(r)
        self.returned = np.zeros(r)  # people who went home so far
        self.home = self.residents.copy()  # each district's residents on day 0
        self.last_fought = np.full((r, geo.size), -(10**6))  # day of its last fighting
        self._northeast = geo.theatre_columns("northeast")
        self._ne_mask = geo.in_theatre("northeast")

    def everyone(self) -> np.ndarray:
        """(R,): residents + every pool of people who left their homes + civilians killed."""
        return (
            district_total(self.residents)
            + self.displaced
            + self.in_camps
            + self.ne_displaced
            + self.ne_camps
            + self.left_for_turkey
            + self.civilians_killed
        )

    def density(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """(R, D) residents of each district in units of `DENSITY_UNIT`, for the given runs."""
        return self.residents[rows] / DENSITY_UNIT

    @rule("C05", "C16")
    def flee(self, leaving: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """Residents flee ((R, D) people, or those of the given runs, C05). From the north-west
        `border_open` cross into Turkey and `camp_share` of the rest reach the border camps (C16);
        from the north-east they go to its own camps in the same share (the border is shut)."""
        p = self.params
        leaving = np.minimum(leaving, self.residents[rows])
        self.residents[rows] -= leaving
        everywhere, ne = district_totals(leaving, self._northeast)
        nw = everywhere - ne
        to_turkey = nw * p.border_open[rows]
        to_camps = (nw - to_turkey) * p.camp_share[rows]
        self.left_for_turkey[rows] += to_turkey
        self.in_camps[rows] += to_camps
        self.displaced[rows] += nw - to_turkey - to_camps
        self.ne_camps[rows] += ne * p.camp_share[rows]
        self.ne_displaced[rows] += ne * (1 - p.camp_share[rows])
        self.fled[rows] += nw
        self.calendar.today.displaced[rows] += nw + ne

    def kill_civilians(
        self, deaths: np.ndarray, rows: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Residents killed ((R, D) people of the given runs): in `civilians_killed` and `killed`.
        Returns how many (R,) of the given runs."""
        if not deaths.any():  # nobody (half the days of a run): nothing to change
            return np.zeros(len(deaths))
        deaths = np.minimum(deaths, self.residents[rows])
        self.residents[rows] -= deaths
        total, ne = district_totals(deaths, self._northeast)
        self.civilians_killed[rows] += total
        self.ne_civilians_killed[rows] += ne
        self.killed[rows] += total
        return total

    @rule("assumption")
    def count_fighters_lost(self, lost: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """Fighting strength destroyed (`lost`, thousand fighter-eq, one figure a run of `rows`)
        counts `death_share` of itself as fighters killed and `injured_per_killed` injured for
        each (assumption): in a fight and under air strikes alike."""
        self.count_dead(lost * FORCE_UNIT * self.params.death_share[rows], rows)

    def count_dead(self, dead: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """Fighters or soldiers killed (`dead`, one count a run of `rows`) count in `killed`,
        with `injured_per_killed` injured for each."""
        self.killed[rows] += dead
        self.injured[rows] += dead * self.params.injured_per_killed[rows]

    @rule("C05", "assumption")
    def return_home(self) -> None:
        """The displaced go home where the fighting has stopped: a district not shelled, struck
        or attacked for `return_after` days takes back up to its day-0 residents. Once a week
        (on days divisible by 7) a week's `return_rate` a day of the people displaced inside
        Syria and in its camps (the north-west's and the north-east's apart) set out, as far
        as the quiet districts of their region have room, shared in proportion to it
        (assumption: C05 says people flee the fighting; those who crossed into Turkey stay
        there)."""
        p, calendar = self.params, self.calendar
        today = calendar.today
        fighting = today.fought | (today.shelled > 0) | (today.strikes > 0)
        self.last_fought[fighting] = calendar.day
        if calendar.day % WEEK:  # they set out once a week, a week's share at a time
            return
        quiet = calendar.day - self.last_fought >= p.return_after[:, None]
        room = np.maximum(self.home - self.residents, 0.0) * quiet
        for pools, region in (
            (("displaced", "in_camps"), ~self._ne_mask),
            (("ne_displaced", "ne_camps"), self._ne_mask),
        ):
            space = room * region
            total = district_total(space)
            setting_out = sum(getattr(self, pool) for pool in pools) * p.return_rate * WEEK
            going = np.minimum(setting_out, total)
            share = p.return_rate * WEEK * going / np.maximum(setting_out, TINY)
            for pool in pools:
                setattr(self, pool, getattr(self, pool) * (1 - share))
            self.residents += space / np.maximum(total, TINY)[:, None] * going[:, None]
            self.returned += going

    @rule("C16", "assumption")
    def deliver_aid(self, offensive: np.ndarray) -> None:
        """Aid reaches the north-west's displaced and camps up to `aid_capacity` people a day,
        `aid_offensive_access` of that during a Damascus offensive; HTS's fees cut what is
        delivered by `aid_fee` (C16). Of the displaced it misses, `aid_flight` move on to the
        border camps (and `border_open` of them into Turkey)."""
        p = self.params
        self.aid_need = need = self.displaced + self.in_camps
        reach = p.aid_capacity * np.where(offensive, p.aid_offensive_access, 1.0)
        self.aid_delivered = np.minimum(need, reach) * (1 - p.aid_fee)
        missed = 1 - self.aid_delivered / np.maximum(need, 1.0)
        moving = self.displaced * missed * p.aid_flight
        to_turkey = moving * p.border_open
        self.displaced -= moving
        self.in_camps += moving - to_turkey
        self.left_for_turkey += to_turkey

    @rule("C16")
    def flood(self) -> None:
        """A winter flood leaves `flood_share` of the camps without shelter (C16): some cross
        into Turkey (`border_open`), the rest are displaced again inside Syria."""
        p = self.params
        homeless = self.in_camps * p.flood_share
        to_turkey = homeless * p.border_open
        self.in_camps -= homeless
        self.left_for_turkey += to_turkey
        self.displaced += homeless - to_turkey
