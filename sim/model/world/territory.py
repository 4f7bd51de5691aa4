"""Territory and forces: who holds each district, and the fighters in it, for R runs.

District arrays are (R, D). Besides each holder's own force, a district can hold Turkish troops
at an observation post (`posts`) and opposition fighters who stayed under HTS's administration
(`allied`, C12). A post stays where it is whoever takes its district: in a district Damascus
has taken it is encircled, defends nothing and is not reinforced.
"""

from collections.abc import Callable

import numpy as np

from sim.model.claims import rule
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    OPPOSITION,
    THEATRES,
    TURKEY,
    Geography,
    district_total,
    runs_where,
)
from sim.model.params import MIN_DEFENCE, POST_GARRISON, ParameterSet
from sim.model.world.calendar import Calendar
from sim.model.world.orders import Phase, order
from sim.model.world.people import FORCE_UNIT, TINY, People


class Territory:
    """District control and the forces on the map, and the only ways to change them."""

    def __init__(
        self,
        geo: Geography,
        params: ParameterSet,
        people: People,
        calendar: Calendar,
        replicates: int,
    ) -> None:
        self.geo, self.params, self.people, self.calendar = geo, params, people, calendar
        r = replicates
        # worked out from control (see `_kept`): by actor number for `held`, by tuple otherwise
        self._known: dict[object, np.ndarray] = {}
        self.control = np.tile(geo.controller, (r, 1))
        self.dawn_control = self.control.copy()
        self.force = np.tile(geo.force, (r, 1))
        self.posts = np.tile(POST_GARRISON * geo.turkish_post, (r, 1))  # Turkish troops at posts
        self.allied = np.zeros((r, geo.size))  # opposition fighters where HTS administers (C12)
        self.resolve = np.ones((r, len(ACTORS)))  # how many times each actor's force defends
        self.cessions = np.zeros(r, dtype=np.int64)
        self.retaken = np.zeros(r, dtype=np.int64)  # districts the rebels took back from Damascus
        # each (run, district)'s theatre as a number of its own: run x T + theatre
        self._theatre_bins = geo.theatre + len(THEATRES) * np.arange(r)[:, None]

    def dawn(self) -> None:
        """Note who held what as the day began."""
        self.dawn_control = self.control.copy()

    # --- who holds what ---
    @property
    def control(self) -> np.ndarray:
        """(R, D) who holds each district: an index into ACTORS, int8 (as the map's
        `controller`; arithmetic on it wraps past 127). Assigning it forgets what was worked
        out from it; `capture` changes it in place and forgets it itself."""
        return self._control

    @control.setter
    def control(self, value: np.ndarray) -> None:
        self._control = value
        self._known.clear()

    def _kept(self, key: object, work_out: Callable[..., np.ndarray], *args: object) -> np.ndarray:
        """What `work_out(*args)` finds from who holds what, kept until control changes (the
        rules ask for the same several times a day), read-only."""
        found = self._known.get(key)
        if found is None:
            self._known[key] = found = work_out(*args)
            found.flags.writeable = False
        return found

    def held(self, actor: int) -> np.ndarray:
        """(R, D) bool: districts the actor controls."""
        return self._kept(actor, np.equal, self.control, actor)

    def bordering(self, actor: int, buffer_zone: bool = False) -> np.ndarray:
        """(R, D) how many of each district's neighbours the actor holds (only those in the
        buffer zone, if asked)."""
        return self._kept(("bordering", actor, buffer_zone), self._bordering, actor, buffer_zone)

    def _bordering(self, actor: int, buffer_zone: bool) -> np.ndarray:
        held = self.held(actor)
        return self.neighbours_of(held & self.geo.buffer_zone if buffer_zone else held)

    def rebels(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """(R, D) bool, or for the given runs: districts held by HTS or the opposition."""
        return self._kept(("rebels",), np.logical_or, self.held(HTS), self.held(OPPOSITION))[rows]

    def turkish_reach(self) -> np.ndarray:
        """(R, D) bool: districts on the Turkish border or next to Turkish-held ground (C19)."""
        return self._kept(("turkish_reach",), self._turkish_reach)

    def _turkish_reach(self) -> np.ndarray:
        return self.geo.turkish_border | (self.bordering(TURKEY) > 0)

    def neighbours_of(self, mask: np.ndarray) -> np.ndarray:
        """(R, D) count of each district's neighbours inside `mask`."""
        return self.geo.neighbour_count(mask)

    def odds(self, attacker: int, rows: np.ndarray) -> np.ndarray:
        """(len(rows), D) local odds of an attack on each district of the given runs: the force
        the attacker's neighbouring districts could commit (`commit_share` of theirs) over the
        district's own force, its Turkish post troops (against Damascus), the opposition
        fighters who stayed in it
        (`allied`) and what its same-side neighbours commit.
        A simpler reckoning than `Combat.fight`'s: each neighbour counts with all it could
        commit, not split over the several districts it may be attacking."""
        force, control, around = self.force[rows], self.control[rows], self.geo.neighbour_sum
        commit = self.params.commit_share[rows, None]
        attack = commit * around(force * (control == attacker))
        own = force + self.posts[rows] * (attacker == DAMASCUS) + self.allied[rows]
        return attack / (own + commit * around(force, same_as=control) + MIN_DEFENCE)

    def zone_forces(self) -> tuple[np.ndarray, np.ndarray]:
        """(R,) HTS's force in the zone, and the opposition's: its own districts' and its
        fighters under HTS's administration (`allied`)."""
        zone = THEATRES.index("zone")
        hts, groups = self.by_controller(self.force)[zone, [HTS, OPPOSITION]]
        return hts, groups + district_total(self.allied)

    def share(self, area: str | np.ndarray, actor: int) -> np.ndarray:
        """(R,): share of the residents of an area (a theatre's name, or a (D,) mask such as the
        buffer zone) living in districts the actor controls."""
        people, control, everyone = self._residents_in(area)
        return district_total(people * (control == actor)) / everyone

    def shares(self) -> np.ndarray:
        """(T, 7, R): `share` of each actor in each theatre, theatres in the order of THEATRES
        (the same numbers as `share`, all at once)."""
        residents = self.people.residents
        runs = len(residents)
        bins = self._theatre_bins.ravel()
        everyone = np.bincount(bins, residents.ravel(), runs * len(THEATRES))
        everyone = everyone.reshape(runs, len(THEATRES))
        return self.by_controller(residents) / np.maximum(everyone.T, 1.0)[:, None, :]

    def by_controller(self, values: np.ndarray) -> np.ndarray:
        """(T, 7, R): the sum of `values` (R, D) over each theatre's districts each actor
        controls. `np.bincount` adds them one district after another, as `district_total`
        does (the same bits), each run's, theatre's and actor's apart."""
        runs, theatres, actors = len(values), len(THEATRES), len(ACTORS)
        bins = (self._theatre_bins * actors + self.control).ravel()
        sums = np.bincount(bins, values.ravel(), runs * theatres * actors)
        return sums.reshape(runs, theatres, actors).transpose(1, 2, 0)

    def _residents_in(self, area: str | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The residents and controllers of an area's districts, and its residents in all (at
        least 1, to divide by)."""
        columns = self.geo.theatre_columns(area) if isinstance(area, str) else np.flatnonzero(area)
        people = self.people.residents.take(columns, axis=1)
        return people, self.control.take(columns, axis=1), np.maximum(district_total(people), 1.0)

    # --- forces ---
    @order(Phase.FORCES)
    def wear_down(self, mask: np.ndarray, share: np.ndarray) -> None:
        """The force in the (R, D) `mask` loses `share` (R,) of itself (pressure, raids on it)."""
        self.force *= 1 - share[:, None] * mask

    def lose(self, lost: np.ndarray, rows: np.ndarray) -> None:
        """The force of each district of the given runs loses `lost` (one row per run of
        `rows`) thousand fighter-eq, at most what it has (fighters killed by shelling)."""
        self.force[rows] = np.maximum(self.force[rows] - lost, 0.0)

    @order(Phase.FORCES)
    def grow(self, mask: np.ndarray, rate: np.ndarray) -> None:
        """The force in the (R, D) `mask` grows by `rate` (R,) of itself (recruits, revenue)."""
        self.force *= 1 + rate[:, None] * mask

    @order(Phase.FORCES)
    def levy(self, actor: int, per_resident: np.ndarray, rate: np.ndarray) -> None:
        """The actor recruits among the residents of its districts: where its force falls short
        of `per_resident` (R,) fighters per resident, it makes up `rate` (R,) of the gap today,
        the recruits joining in each district in proportion to its residents."""
        people = self.people.residents * self.held(actor)
        residents = district_total(people)
        fighters = district_total(self.force * self.held(actor)) * FORCE_UNIT
        gap = np.maximum(per_resident * residents - fighters, 0.0)
        recruits = rate * gap / FORCE_UNIT
        self.force += people / np.maximum(residents, 1.0)[:, None] * recruits[:, None]

    @order(Phase.FORCES)
    def replenish(
        self, actor: int, within: np.ndarray, level: np.ndarray, rate: np.ndarray
    ) -> None:
        """The actor's force in the districts it holds of the (D,) `within` grows back towards
        `level` (R,) thousand in all, by `rate` (R,) of the shortfall a day, each district's in
        proportion to its force."""
        force = self.force * (self.held(actor) & within)
        total = district_total(force)
        gap = np.maximum(level - total, 0.0) * rate
        self.force += force / np.maximum(total, TINY)[:, None] * gap[:, None]

    @order(Phase.FORCES)
    def transfer(
        self, source: np.ndarray, weights: np.ndarray, rows: np.ndarray | slice = slice(None)
    ) -> None:
        """Move force: `source` (R, D, or one row per run of `rows`) leaves the districts it
        comes from, and its total goes to the districts in proportion to `weights`. Runs with no
        weight keep their force."""
        if not source.any():  # nothing moves (a third of the calls in a run)
            return
        total = district_total(weights)
        moving = np.where(total > 0, district_total(source), 0.0)
        self.force[rows] -= source * (total > 0)[:, None]
        self.force[rows] += weights / np.maximum(total, TINY)[:, None] * moving[:, None]

    @order(Phase.FORCES)
    def redeploy(
        self, actor: int, front: np.ndarray, share: np.ndarray, within: np.ndarray | None = None
    ) -> None:
        """The actor moves `share` (R,) of its force in the rear (its districts outside the (R, D)
        `front`, and inside the (D,) `within` theatres if given) to the front, in proportion to
        the front districts' own force. Only the runs with a share take part."""
        rows = runs_where(share > 0)
        if rows.size == 0:
            return
        force, held = self.force[rows], self.control[rows] == actor
        if within is not None:
            held &= within
        rear, front = held & ~front[rows], held & front[rows]
        self.transfer(force * rear * share[rows, None], force * front + TINY * front, rows)

    @order(Phase.POLICY)
    def reinforce_posts(self, amount: np.ndarray, most: np.ndarray) -> None:
        """Turkey adds up to `amount` (R,) troops to each of its posts that Damascus has not
        encircled (its district not taken), without taking any post past `most` (R,); a post
        already beyond it keeps what it has."""
        if not amount.any():  # most days Turkey guards none
            return
        room = np.maximum(most[:, None] - self.posts, 0.0)
        open_posts = self.geo.turkish_post & ~self.held(DAMASCUS)
        self.posts += np.minimum(amount[:, None], room) * open_posts

    @order(Phase.POLICY)
    def stand_firm(self, actor: int, resolve: np.ndarray) -> None:
        """From now on the actor's force counts `resolve` (R,) times in the defence of its
        districts (the opposition's: also its fighters under HTS, `allied`; 1: as it is); its
        losses are counted as they are."""
        self.resolve[:, actor] = resolve

    # --- districts changing hands ---
    def capture(self, won: np.ndarray, attacker: int, rows: np.ndarray) -> None:
        """The districts `won` ((len(rows), D) bool) of the given runs fall to `attacker`;
        taken from Damascus by HTS or the opposition, they count as `retaken`."""
        if attacker in (HTS, OPPOSITION):
            self.retaken[rows] += (won & (self.control[rows] == DAMASCUS)).sum(axis=1)
        self.control[rows] = np.where(won, attacker, self.control[rows])
        if won.any():
            self._known.clear()
        self.calendar.today.captured[rows] |= won

    @order(Phase.FORCES)
    def cede(self, mask: np.ndarray, to: int, kept: np.ndarray) -> None:
        """Districts in the (R, D) `mask` change hands without a fight; the new holder keeps
        `kept` (R,) of the old garrison. For districts without opposition fighters under HTS
        (`allied`): the groups' own (`sign_over`) and the Kurds' (a handover to Damascus)."""
        self.control = np.where(mask, to, self.control)
        self.force = np.where(mask, self.force * kept[:, None], self.force)
        self.calendar.today.ceded |= mask

    @rule("C12", "assumption")
    @order(Phase.FORCES)
    def sign_over(self, mask: np.ndarray, absorbed: np.ndarray, armed: np.ndarray) -> None:
        """Opposition groups sign the administration of the districts in the (R, D) `mask` over
        to HTS (C12: a cession). HTS takes `absorbed` (R,) of their fighters; `armed` (R,) of the
        rest keep their arms in the district under HTS's administration (`allied`: C12 says
        administration was handed over, not arms; assumption), and the others go home."""
        kept = self.force * mask * ((1 - absorbed) * armed)[:, None]
        self.allied += kept
        self.cede(mask, HTS, absorbed)
        self.cessions += mask.sum(axis=1)
