"""The people: residents of districts, the displaced where they shelter and where they come
from, those gone to Turkey and the dead, for R runs.

Every person is a resident at home, displaced inside Syria (sheltering in a district of their
region, its camps included: `sheltered`), gone to Turkey, or a civilian killed; their sum never
changes. Of each region's displaced (the north-west, the north-east), `origin` holds the share
who fled each district, so that `away` counts them by the district they fled. `killed` and
`injured` count everyone, fighters included.
"""

import numpy as np

from sim.model.claims import rule
from sim.model.geography import Geography, district_total, district_totals, runs_where
from sim.model.params import WEEK, ParameterSet
from sim.model.world.calendar import Calendar

TINY = 1e-12
"""Guards divisions by totals that can be zero; never large enough to change a result."""

DENSITY_UNIT = 1000.0
"""Civilian harm scales with the people in a district per km^2, in units of this many."""

FORCE_UNIT = 1000
"""Force is counted in thousands of fighter-equivalents: one unit is this many fighters."""

REGIONS = ("northwest", "northeast")
"""The displaced stay in their region: the north-west (the zone, the regime front, the
Turkish-held north) or the north-east."""

HOST_THEATRES = {"northwest": ("zone", "north"), "northeast": ("northeast",)}
"""Where each region's displaced shelter outside the camps: the rebel-held zone and the
Turkish-held north for the north-west (those fleeing the regime do not go to its cities), the
north-east's own districts for the north-east (assumption)."""


class People:
    """Where the people are, who fled where, who was killed or injured, and the aid they get."""

    def __init__(self, geo: Geography, params: ParameterSet, calendar: Calendar, replicates: int):
        self.params, self.calendar = params, calendar
        r = replicates
        self.residents = np.tile(geo.population, (r, 1))
        self.sheltered = np.zeros_like(self.residents)  # the displaced staying in each district
        self.origin = np.zeros_like(self.residents)  # share of its region's displaced from each
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
        self.area = geo.area
        self.camps = geo.camps
        self.room = geo.camp_room * params.camp_capacity[:, None]  # (R, D) for newcomers
        ne = geo.in_theatre("northeast")
        self.regions = {"northwest": ~ne, "northeast": ne}
        self.hosts = {
            region: np.logical_or.reduce([geo.in_theatre(t) for t in theatres]) & ~geo.camps
            for region, theatres in HOST_THEATRES.items()
        }
        self._ne_columns = np.flatnonzero(ne)
        self._columns = {  # each region's districts, and its camps' and the others' apart
            (region, kind): np.flatnonzero(mask & (geo.camps if kind == "camps" else ~geo.camps))
            for region, mask in self.regions.items()
            for kind in ("camps", "outside")
        }
        self._columns.update(
            {(region, "all"): np.flatnonzero(m) for region, m in self.regions.items()}
        )
        self._camp_room = {  # (R, camps) their room for newcomers, and (R,) in all
            region: self.room.take(self._columns[region, "camps"], axis=1) for region in REGIONS
        }
        self._all_room = {region: district_total(room) for region, room in self._camp_room.items()}

    # --- what the recorder and the actors read ---
    def everyone(self) -> np.ndarray:
        """(R,): residents + the displaced + those gone to Turkey + civilians killed."""
        return (
            district_total(self.residents)
            + district_total(self.sheltered)
            + self.left_for_turkey
            + self.civilians_killed
        )

    @property
    def away(self) -> np.ndarray:
        """(R, D): the displaced counted by the district they fled."""
        return self.origin * self.regional(self.by_region(self.sheltered))

    def regional(self, totals: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """(R, D): each district's region's figure, of (R,) figures for the north-west and the
        north-east."""
        northwest, northeast = totals
        return np.where(self.regions["northeast"], northeast[:, None], northwest[:, None])

    def sheltering(self, region: str, in_camps: bool) -> np.ndarray:
        """(R,): the displaced of a region in its camps, or outside them."""
        columns = self._columns[region, "camps" if in_camps else "outside"]
        return district_total(self.sheltered.take(columns, axis=1))

    @property
    def displaced(self) -> np.ndarray:
        """(R,): the north-west's displaced outside the camps."""
        return self.sheltering("northwest", in_camps=False)

    @property
    def in_camps(self) -> np.ndarray:
        """(R,): the north-west's displaced in its camps."""
        return self.sheltering("northwest", in_camps=True)

    @property
    def ne_displaced(self) -> np.ndarray:
        """(R,): the north-east's displaced outside the camps."""
        return self.sheltering("northeast", in_camps=False)

    @property
    def ne_camps(self) -> np.ndarray:
        """(R,): the north-east's displaced in its camps."""
        return self.sheltering("northeast", in_camps=True)

    def crowding(self) -> np.ndarray:
        """(R,) the north-west's camps at Turkey's border: the displaced in them per place for
        newcomers (above 1 they are overfull)."""
        return self.in_camps / np.maximum(self._all_room["northwest"], TINY)

    def overfull(self) -> np.ndarray:
        """(R,) how far the border camps are over their room, as a share of it (0 while they
        have room): what Turkey and Russia read of the displaced massed at the border."""
        return np.maximum(self.crowding() - 1, 0.0)

    def density(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """(R, D) people in each district (residents and the displaced there) per km^2, in
        units of `DENSITY_UNIT`, for the given runs."""
        return (self.residents[rows] + self.sheltered[rows]) / self.area / DENSITY_UNIT

    # --- flight, harm and return ---
    @rule("C05")
    def flee(
        self,
        share: np.ndarray,
        rows: np.ndarray | slice = slice(None),
        columns: np.ndarray | slice = slice(None),
    ) -> None:
        """`share` ((R, D), of the given runs, or of the given districts of all runs) of
        everyone in a district flees it today (C05). The day's causes of flight (shelling,
        strikes, ground fighting) combine as chances of staying multiplied (`Today.staying`);
        the people leave at the day's end (`depart`)."""
        self.calendar.today.staying[rows, columns] *= 1 - share

    @rule("C05", "C16")
    def depart(self) -> None:
        """At the day's end, those who fled today (`flee`, C05) leave: residents, and the
        displaced sheltering there, who move on. Each region's displaced find shelter in it
        (`shelter`, C16); the share of them who fled each district is remembered (`origin`):
        those who cross into Turkey or die later are taken from every district's displaced
        alike."""
        share = 1 - self.calendar.today.staying
        if not share.any():  # nobody flees: nothing to change
            return
        leaving, moving_on = self.residents * share, self.sheltered * share
        before, fled = self.by_region(self.sheltered), self.by_region(leaving)
        self.residents -= leaving
        self.sheltered -= moving_on
        total, added = self.regional(before), self.regional(fled)
        renewed = (self.origin * total + leaving) / np.maximum(total + added, TINY)
        self.origin = np.where(added > 0, renewed, self.origin)
        self.fled += fled[0]
        for region, people in zip(REGIONS, self.by_region(leaving + moving_on), strict=True):
            if people.any():
                self.shelter(region, people)

    def by_region(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(R,) and (R,): the totals of x (R, D) over the north-west's and the north-east's
        districts, from one pass (`district_totals`)."""
        everywhere, ne = district_totals(x, self._ne_columns)
        return everywhere - ne, ne

    @rule("C16", "assumption")
    def shelter(self, region: str, people: np.ndarray) -> None:
        """A region's newly displaced ((R,) `people`) find shelter: `camp_share` of them head
        for its camps (`reach_camps`), the rest stay with hosts (`host`; C16, assumption)."""
        staying = self.host(region, people * (1 - self.params.camp_share))
        self.reach_camps(region, people - staying)

    def host(self, region: str, people: np.ndarray) -> np.ndarray:
        """Displaced people ((R,)) stay with hosts in the region's quiet districts (not fought
        over, shelled or struck today) in proportion to their residents; returns how many found
        a host: none where no district is quiet."""
        quiet = ~self.calendar.today.fighting()
        hosts = self.residents * (quiet & self.hosts[region])
        room = district_total(hosts)
        staying = people * (room > 0)
        self.sheltered += hosts * (staying / np.maximum(room, TINY))[:, None]
        return staying

    @rule("C16", "assumption")
    def reach_camps(self, region: str, people: np.ndarray) -> None:
        """Displaced people ((R,)) reach a region's camps. Where the camps are full,
        `border_open` of those beyond their room cross into Turkey (only the north-west's camps
        are on an open border); the rest crowd in, shared in proportion to the camps' room (C16;
        assumption)."""
        camps = self._columns[region, "camps"]
        free = np.maximum(self._all_room[region] - district_total(self.sheltered[:, camps]), 0.0)
        crossing = np.zeros_like(people)
        if region == "northwest":
            crossing = np.maximum(people - free, 0.0) * self.params.border_open
        self.into_camps(region, people - crossing)
        self.left_for_turkey += crossing

    def into_camps(self, region: str, people: np.ndarray) -> None:
        """People ((R,)) go into a region's camps, shared in proportion to each camp's room,
        full or not."""
        share = people / np.maximum(self._all_room[region], TINY)
        camps = self._columns[region, "camps"]
        self.sheltered[:, camps] += self._camp_room[region] * share[:, None]

    def kill_civilians(
        self, deaths: np.ndarray, rows: np.ndarray | slice = slice(None)
    ) -> np.ndarray:
        """Civilians killed ((R, D) people of the given runs), residents and displaced alike in
        proportion: in `civilians_killed` and `killed`. Returns how many (R,) of the given runs."""
        dying = deaths.any(axis=1)
        if not dying.all():  # only the runs with deaths change (a run's own, whatever the batch)
            total = np.zeros(len(deaths))
            if dying.any():
                total[dying] = self.kill_civilians(deaths[dying], _within(rows, dying))
            return total
        residents, sheltered = self.residents[rows], self.sheltered[rows]
        present = residents + sheltered
        share = np.minimum(deaths / np.maximum(present, TINY), 1.0)
        killed_displaced = sheltered * share
        self.residents[rows] = residents - residents * share
        self.sheltered[rows] = sheltered - killed_displaced
        total, ne = district_totals(present * share, self._ne_columns)
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
        """The displaced go home where the fighting has stopped: once a week (on days divisible
        by 7), a week's `return_rate` a day of those who fled a district not shelled, struck or
        attacked for `return_after` days set out for it, as far as it has room below its day-0
        residents; they leave the districts and camps of their region where they sheltered in
        proportion to who is there (assumption: C05 says people flee the fighting; those who
        crossed into Turkey stay there)."""
        p, calendar = self.params, self.calendar
        self.last_fought[calendar.today.fighting()] = calendar.day
        if calendar.day % WEEK:  # they set out once a week, a week's share at a time
            return
        quiet = calendar.day - self.last_fought >= p.return_after[:, None]
        room = np.maximum(self.home - self.residents, 0.0)
        total = self.regional(self.by_region(self.sheltered))
        away = self.origin * total
        going = np.minimum(away * (p.return_rate * WEEK)[:, None] * quiet, room)
        gone = self.regional(self.by_region(going))
        self.residents += going
        self.sheltered *= 1 - np.minimum(gone / np.maximum(total, TINY), 1.0)
        self.origin = (away - going) / np.maximum(total - gone, TINY)
        self.returned += district_total(going)

    @rule("C16", "assumption")
    def deliver_aid(self, offensive: np.ndarray) -> None:
        """Aid reaches the north-west's displaced up to `aid_capacity` people a day,
        `aid_offensive_access` of that during a Damascus offensive; HTS's fees cut what is
        delivered by `aid_fee` (C16). Of those outside the camps it misses, `aid_flight` a day
        move on to the border camps (`reach_camps`)."""
        p = self.params
        self.aid_need = need = self.displaced + self.in_camps
        reach = p.aid_capacity * np.where(offensive, p.aid_offensive_access, 1.0)
        self.aid_delivered = np.minimum(need, reach) * (1 - p.aid_fee)
        missed = 1 - self.aid_delivered / np.maximum(need, 1.0)
        hosted = self.sheltered * (self.regions["northwest"] & ~self.camps)
        moving = hosted * (missed * p.aid_flight)[:, None]
        self.sheltered -= moving
        self.reach_camps("northwest", district_total(moving))

    @rule("C16", "assumption")
    def flood(self) -> None:
        """A winter flood leaves `flood_share` of the north-west's camps without shelter (C16):
        `border_open` of them cross into Turkey, the rest stay with hosts in the region where
        they can (`host`) and crowd into the camps' dry part where they cannot (assumption)."""
        p, camps = self.params, self._columns["northwest", "camps"]
        homeless = self.sheltered[:, camps] * p.flood_share[:, None]
        self.sheltered[:, camps] -= homeless
        total = district_total(homeless)
        crossing = total * p.border_open
        self.left_for_turkey += crossing
        rest = total - crossing
        self.into_camps("northwest", rest - self.host("northwest", rest))


def _within(rows: np.ndarray | slice, chosen: np.ndarray) -> np.ndarray:
    """The positions in the whole batch of the `chosen` ((len(rows),) bool) of the given runs."""
    return runs_where(chosen) if isinstance(rows, slice) else rows[chosen]
