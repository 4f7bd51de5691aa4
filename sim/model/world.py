"""The state of the world for R replicates at once, and the only ways to change it.

All state arrays have a leading replicate axis: district arrays are (R, D), per-run figures (R,).
The actors read this state (as it stood at the end of yesterday while they perceive and decide)
and change it only through the methods below, in their `act`. People are tracked as residents of
districts plus six pools: displaced and in camps in the north-west and in the north-east, gone to
Turkey, and civilians killed. Their sum never changes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.model.claims import rule
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    OPPOSITION,
    RUSSIA,
    THEATRES,
    TURKEY,
    Geography,
    district_total,
    district_totals,
    runs_where,
)
from sim.model.params import ParameterSet
from sim.model.streams import Streams

REBELS = (HTS, OPPOSITION)

DENSITY_UNIT = 100_000.0
"""Civilian harm scales with a district's residents in units of this many people."""

FORCE_UNIT = 1000
"""Force is counted in thousands of fighter-equivalents: one unit is this many fighters."""

MIN_DEFENCE = 0.05
"""Thousand fighter-eq: no district counts as wholly undefended (keeps odds finite)."""

WEEK = 7
"""Days that sustained measures look back over (the ladder's levels 2 and 3, a week's flight,
Russia's breach rate)."""

TINY = 1e-12
"""Guards divisions by totals that can be zero; never large enough to change a result."""


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
    ceded: np.ndarray = field(init=False)  # (R, D) bool: handed over without a fight today
    displaced: np.ndarray = field(init=False)  # (R,): people who fled today
    soldiers_hit: np.ndarray = field(init=False)  # (R,) bool: Damascus hit a Turkish post
    summit: np.ndarray = field(init=False)  # (R,) bool: a Putin-Erdogan summit met today

    def __post_init__(self) -> None:
        r, n, d = self.replicates, len(ACTORS), self.districts
        self.breaches = np.zeros((r, n, n), dtype=np.int64)
        self.shelled = np.zeros((r, d), dtype=np.int64)
        self.strikes = np.zeros((r, d), dtype=np.int64)
        self.struck = np.zeros((r, n), dtype=np.int64)
        self.attacked = np.zeros((r, n, n), dtype=np.int64)
        self.clashes = np.zeros((r, n, n), dtype=bool)
        self.captured = np.zeros((r, d), dtype=bool)
        self.ceded = np.zeros((r, d), dtype=bool)
        self.displaced = np.zeros(r)
        self.soldiers_hit = np.zeros(r, dtype=bool)
        self.summit = np.zeros(r, dtype=bool)

    def total_breaches(self) -> np.ndarray:
        """(R,): all breaches of the day, Russian strikes included."""
        return self.breaches.sum(axis=(1, 2)) + self.strikes.sum(axis=1)


class World:
    """District control, forces, people and the Russia-Turkey relation for a batch of runs."""

    def __init__(self, geo: Geography, params: ParameterSet, streams: Streams, replicates: int):
        self.geo, self.params, self.streams = geo, params, streams
        r = replicates
        # worked out from control (see `_kept`): by actor number for `held`, by tuple otherwise
        self._known: dict[object, np.ndarray] = {}
        self.control = np.tile(geo.controller, (r, 1))
        self.dawn_control = self.control.copy()
        self.force = np.tile(geo.force, (r, 1))
        self.posts = params.post_garrison[:, None] * geo.turkish_post  # Turkish troops at posts
        self.allied = np.zeros((r, geo.size))  # opposition fighters where HTS administers (C12)
        self.resolve = np.ones((r, len(ACTORS)))  # how many times each actor's force defends
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
        self.breach_killed = np.zeros(r)  # in breaches and strikes: the article's measure (C11)
        self.breach_injured = np.zeros(r)
        self.breaches = np.zeros(r, dtype=np.int64)
        self.cessions = np.zeros(r, dtype=np.int64)
        self.aid_delivered = np.zeros(r)
        self.aid_need = np.zeros(r)
        self.us_presence = np.ones(r)
        self.relation = params.relation_start.copy()
        self.summit_called = np.zeros(r, dtype=bool)  # a summit to meet tomorrow
        self.last_summit = np.full(r, -(10**6))
        self.fled_week = np.zeros((WEEK, r))  # people who fled on each of the last seven days
        self.day = 0
        self._northeast = geo.theatre_columns("northeast")
        # each (run, district)'s theatre as a number of its own: run x T + theatre
        self._theatre_bins = geo.theatre + len(THEATRES) * np.arange(r)[:, None]
        self._zone = geo.in_theatre("zone")
        posts = geo.turkish_post  # (D,) the districts of Turkish posts, and their neighbours
        self._near_posts = posts | (geo.neighbour_count(posts[None, :])[0] > 0)
        self.today = Today(r, geo.size)
        self.yesterday = Today(r, geo.size)

    def start_day(self, day: int) -> None:
        """Yesterday's events become `yesterday`; today starts empty."""
        self.day = day
        self.yesterday, self.today = self.today, Today(len(self.relation), self.geo.size)
        self.dawn_control = self.control.copy()  # who held what as the day began

    # --- what the actors perceive ---
    @property
    def control(self) -> np.ndarray:
        """(R, D) who holds each district: an index into ACTORS, int8 (as the map's
        `controller`; arithmetic on it wraps past 127). Assigning it forgets what was worked
        out from it; `fight` changes it in place and forgets it itself."""
        return self._control

    @control.setter
    def control(self, value: np.ndarray) -> None:
        self._control = value
        self._control_changed()

    def _kept(self, key: object, work_out: Callable[..., np.ndarray], *args: object) -> np.ndarray:
        """What `work_out(*args)` finds from who holds what, kept until control changes (the
        rules ask for the same several times a day), read-only."""
        found = self._known.get(key)
        if found is None:
            self._known[key] = found = work_out(*args)
            found.flags.writeable = False
        return found

    def _control_changed(self) -> None:
        """Forget what was worked out from who holds what."""
        self._known.clear()

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
        district's own force, its Turkish post troops, the opposition fighters who stayed in it
        (`allied`) and what its same-side neighbours commit.
        A simpler reckoning than `fight`'s: each neighbour counts with all it could commit, not
        split over the several districts it may be attacking."""
        force, control, around = self.force[rows], self.control[rows], self.geo.neighbour_sum
        commit = self.params.commit_share[rows, None]
        attack = commit * around(force * (control == attacker))
        own = force + self.posts[rows] + self.allied[rows]
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
        runs = len(self.residents)
        bins = self._theatre_bins.ravel()
        everyone = np.bincount(bins, self.residents.ravel(), runs * len(THEATRES))
        everyone = everyone.reshape(runs, len(THEATRES))
        return self.by_controller(self.residents) / np.maximum(everyone.T, 1.0)[:, None, :]

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
        people = self.residents.take(columns, axis=1)
        return people, self.control.take(columns, axis=1), np.maximum(district_total(people), 1.0)

    def people(self) -> np.ndarray:
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

    # --- people ---
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
        self.today.displaced[rows] += nw + ne

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

    def _density(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        return self.residents[rows] / DENSITY_UNIT

    # --- breaches, strikes and their toll ---
    def shell(self, by: int, landed: np.ndarray, against: tuple[int, ...]) -> None:
        """Breaches by actor `by`: (R, D) counts landing in each district, booked against the
        district's controller (one of `against`, the sides it can be fired at)."""
        self.today.shelled += landed
        for side in against:
            self.today.breaches[:, by, side] += (landed * self.held(side)).sum(axis=1)

    @rule("C03", "C05", "assumption")
    def bombard(self, strikes: np.ndarray, rows: np.ndarray) -> None:
        """Russian air strikes (counts by district for the given runs; C03): each destroys
        `strike_damage` of the district's rebel fighters, `allied` included (those it kills count
        in `killed` as in a fight, on top of the article's toll per breach: `breach_toll`), kills
        `strike_lethality` civilians per 100,000 residents and makes `flight_per_strike` of them
        flee, before any front reaches them (C05)."""
        p, control = self.params, self.control[rows]
        self.today.strikes[rows] += strikes
        for side in REBELS:
            self.today.struck[rows, side] += (strikes * (control == side)).sum(axis=1)
        rebel = self.rebels(rows)
        damage = np.minimum(p.strike_damage[rows, None] * strikes, 1.0) * rebel
        fighters = self.force[rows] + self.allied[rows]
        self.count_fighters_lost(district_total(fighters * damage), rows)
        self.force[rows] *= 1 - damage
        self.allied[rows] *= 1 - damage
        lethality = p.strike_lethality[rows, None] * strikes
        self.breach_killed[rows] += self.kill_civilians(lethality * self._density(rows), rows)
        flight = 1 - np.exp(-p.flight_per_strike[rows, None] * strikes)
        self.flee(self.residents[rows] * flight, rows)

    @rule("assumption")
    def count_fighters_lost(self, lost: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """Fighting strength destroyed (`lost`, thousand fighter-eq, one figure a run of `rows`)
        counts `death_share` of itself as fighters killed and `injured_per_killed` injured for
        each (assumption): in a fight and under air strikes alike."""
        p = self.params
        dead = lost * FORCE_UNIT * p.death_share[rows]
        self.killed[rows] += dead
        self.injured[rows] += dead * p.injured_per_killed[rows]

    @rule("C11", "C05")
    def breach_toll(self) -> None:
        """Today's breaches, air strikes included (the article's count), kill and injure at the
        rates it gives (C11), the civilians among the dead where the shells, raids and strikes
        landed (a strike's own toll, scaled by density, comes on top: `bombard`). The zone's
        people flee heavy shelling (C05); the regime's cities, raided by HTS, do not empty."""
        p, day, s = self.params, self.day, self.streams
        n = self.today.total_breaches()
        civilians = s.poisson(day, "toll/civilians", n * p.killed_per_breach * p.civilian_share)
        fighters = s.poisson(day, "toll/fighters", n * p.killed_per_breach * (1 - p.civilian_share))
        injured = s.poisson(day, "toll/injured", n * p.injured_per_breach)
        self.injured += injured
        self.breach_injured += injured
        self.killed += fighters
        self.breaches += n
        landed = (self.today.shelled + self.today.strikes).astype(float)
        weights = landed / np.maximum(district_total(landed), 1.0)[:, None]
        self.breach_killed += fighters + self.kill_civilians(civilians[:, None] * weights)
        flight = 1 - np.exp(-p.flight_per_shell[:, None] * self.today.shelled * self._zone)
        self.flee(self.residents * flight)

    # --- forces and control ---
    def wear_down(self, mask: np.ndarray, share: np.ndarray) -> None:
        """The force in the (R, D) `mask` loses `share` (R,) of itself (pressure, raids on it)."""
        self.force *= 1 - share[:, None] * mask

    def grow(self, mask: np.ndarray, rate: np.ndarray) -> None:
        """The force in the (R, D) `mask` grows by `rate` (R,) of itself (recruits, revenue)."""
        self.force *= 1 + rate[:, None] * mask

    def levy(self, actor: int, per_resident: np.ndarray, rate: np.ndarray) -> None:
        """The actor recruits among the residents of its districts: where its force falls short
        of `per_resident` (R,) fighters per resident, it makes up `rate` (R,) of the gap today,
        the recruits joining in each district in proportion to its residents."""
        people = self.residents * self.held(actor)
        residents = district_total(people)
        fighters = district_total(self.force * self.held(actor)) * FORCE_UNIT
        gap = np.maximum(per_resident * residents - fighters, 0.0)
        recruits = rate * gap / FORCE_UNIT
        self.force += people / np.maximum(residents, 1.0)[:, None] * recruits[:, None]

    def supply(self, mask: np.ndarray, amount: np.ndarray) -> None:
        """Add `amount` (R,) thousand fighter-eq to each district of the (R, D) `mask`."""
        self.force += amount[:, None] * mask

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

    def reinforce_posts(self, amount: np.ndarray, most: np.ndarray) -> None:
        """Turkey adds `amount` (R,) troops to each of its posts, up to `most` (R,) a post."""
        posts = self.geo.turkish_post
        self.posts = np.where(posts, np.minimum(self.posts + amount[:, None], most[:, None]), 0.0)

    def stand_firm(self, actor: int, resolve: np.ndarray) -> None:
        """From now on the actor's force counts `resolve` (R,) times in the defence of its
        districts (the opposition's: also its fighters under HTS, `allied`; 1: as it is); its
        losses are counted as they are."""
        self.resolve[:, actor] = resolve

    def cede(self, mask: np.ndarray, to: int, kept: np.ndarray) -> None:
        """Districts in the (R, D) `mask` change hands without a fight; the new holder keeps
        `kept` (R,) of the old garrison. For districts without opposition fighters under HTS
        (`allied`): the groups' own (`sign_over`) and the Kurds' (a handover to Damascus)."""
        self.control = np.where(mask, to, self.control)
        self.force = np.where(mask, self.force * kept[:, None], self.force)
        self.today.ceded |= mask

    @rule("C12", "assumption")
    def sign_over(self, mask: np.ndarray, absorbed: np.ndarray, armed: np.ndarray) -> None:
        """Opposition groups sign the administration of the districts in the (R, D) `mask` over
        to HTS (C12: a cession). HTS takes `absorbed` (R,) of their fighters; `armed` (R,) of the
        rest keep their arms in the district under HTS's administration (`allied`: C12 says
        administration was handed over, not arms; assumption), and the others go home."""
        kept = self.force * mask * ((1 - absorbed) * armed)[:, None]
        self.allied += kept
        self.cede(mask, HTS, absorbed)
        self.cessions += mask.sum(axis=1)

    @rule("C15", "C05", "assumption")
    def fight(
        self,
        attacker: int,
        targets: np.ndarray,
        boost: np.ndarray,
        purpose: str,
        from_outside: np.ndarray | None = None,
    ) -> np.ndarray:
        """Ground fighting for the `targets` ((R, D) bool) for one day; returns what was taken.

        Attack: each attacker district commits `commit_share` of its force, split evenly over
        the targets it borders; `boost` (R,) multiplies its effect (air power, militias: C15).
        `from_outside` ((R, D) or (D,)) adds force from beyond the map (Turkey's army). Defence:
        the district's force, the Turkish troops at its post, the opposition fighters in it
        (`allied`), and `commit_share` of each same-side neighbour's force, split over the
        targets that neighbour borders; the holder's own force counts its `resolve` times
        (`stand_firm`), and the opposition's fighters under HTS the opposition's, as `boost`
        does for the attack. Each side loses `attrition` x the
        other's effective force (Lanchester's square law); a target falls with daily chance
        capture_rate x r / (1 + r), r = ratio^`capture_steepness`; `garrison_share` of the
        surviving attack moves in, and the surviving defenders fall back to their neighbours of
        the same holder (lost if there are none), the opposition's fighters under HTS with
        HTS's garrison.
        Fighters' deaths (`count_fighters_lost`) and civilians' (`ground_lethality`, scaled by
        the attack and the district's density) count in `killed`. Residents flee (C05). A
        Damascus attack on a post can hit Turkish soldiers (`post_clash`). Only the runs with a
        target take part: every step works run by run."""
        taken = np.zeros_like(targets)
        rows = runs_where(targets.any(axis=1))
        if rows.size == 0:
            return taken
        p, around = self.params, self.geo.neighbour_sum
        targets, boost = targets[rows], boost[rows][:, None]
        force, control, posts = self.force[rows], self.control[rows], self.posts[rows]
        allied = self.allied[rows]
        commit = p.commit_share[rows][:, None] * force
        as_count = targets.view(np.uint8)
        # attack: each attacker district splits what it commits over the targets it borders
        bordering = around(as_count) * (control == attacker)
        sent = np.where(bordering > 0, commit / np.maximum(bordering, 1), 0.0)
        outside = 0.0
        if from_outside is not None:
            outside = from_outside[rows] if from_outside.ndim == 2 else from_outside
        raw_attack = (around(sent) + outside) * targets
        attack = raw_attack * boost
        # defence: same-side neighbours split theirs over the targets of their side they border
        same = self.geo.same_side(control)  # one side's neighbours, for the sums below
        helping = around(as_count, same=same) * ~targets
        helps = np.where(helping > 0, commit / np.maximum(helping, 1), 0.0)
        resolve = np.take_along_axis(self.resolve[rows], control, axis=1)
        firm = force * (resolve - 1) + allied * (self.resolve[rows, OPPOSITION, None] - 1)
        present = (force + posts + allied + around(helps, same=same)) * targets
        defence = present + firm * targets
        attrition = p.attrition[rows][:, None]
        attacker_lost = np.minimum(attrition * defence, raw_attack)
        defender_lost = np.minimum(attrition * attack, defence)
        # the chance of capture, and its draw, only for the districts under attack
        fought, draws = self.streams.uniform_where(self.day, purpose, targets, rows)
        at = fought // targets.shape[1]
        ratio = (attack.ravel()[fought] / np.maximum(defence.ravel()[fought], MIN_DEFENCE)) ** (
            p.capture_steepness[rows][at]
        )
        hazard = p.capture_rate[rows][at] * ratio / (1 + ratio)
        won = np.zeros_like(targets)
        won.ravel()[fought] = draws < hazard
        garrison = np.where(
            won, (raw_attack - attacker_lost) * p.garrison_share[rows][:, None], 0.0
        )
        # losses and moves fall on each contributing district in proportion to what it sent
        attacker_share = (attacker_lost + garrison) / np.maximum(raw_attack, TINY)
        defender_share = defender_lost / np.maximum(defence, TINY)
        force = np.maximum(
            force
            - sent * around(attacker_share)
            - force * defender_share
            - helps * around(defender_share, same=same),
            0.0,
        )
        posts_lost = posts * defender_share * targets
        self.posts[rows] = posts - posts_lost
        allied = allied * (1 - defender_share)
        # the defenders of a captured district fall back to their side's unconquered neighbours
        # (same holder), the opposition's fighters under HTS (`allied`) with HTS's garrison
        shelter = around((~won).view(np.uint8), same=same)

        def fall_back(survivors: np.ndarray) -> np.ndarray:
            """What each unconquered district receives of its fallen neighbours' survivors."""
            split = np.where(shelter > 0, survivors / np.maximum(shelter, 1), 0.0)
            return around(split, same=same) * ~won

        survivors, allied_survivors = force * won, allied * won
        routed = np.where(shelter > 0, 0.0, survivors + allied_survivors)
        self.force[rows] = np.where(won, garrison, force + fall_back(survivors))
        self.allied[rows] = np.where(won, 0.0, allied + fall_back(allied_survivors))
        self.control[rows] = np.where(won, attacker, control)
        if won.any():
            self._control_changed()
        self.today.captured[rows] |= won
        self.today.attacked[rows, attacker] += districts_by_holder(targets, control)
        lost = attacker_lost + present * defender_share + routed
        self.count_fighters_lost(district_total(lost), rows)
        density = self._density(rows)
        self.kill_civilians(p.ground_lethality[rows][:, None] * attack * density, rows)
        flight = np.where(won, p.capture_flight[rows][:, None], p.contest_flight[rows][:, None])
        self.flee(self.residents[rows] * targets * flight, rows)
        if attacker == DAMASCUS:
            under_fire = (posts_lost > 0).any(axis=1)
            drawn = self.streams.bernoulli(
                self.day, f"{purpose}/post", p.post_clash[rows], rows, where=under_fire
            )
            hit = rows[drawn]
            self.clash(TURKEY, DAMASCUS, hit)
            self.today.soldiers_hit[hit] = True
        taken[rows] = won
        return taken

    # --- between states ---
    def clash(self, a: int, b: int, rows: np.ndarray) -> None:
        """A direct clash between two states' forces in the given runs (ladder 6 or 7)."""
        self.today.clashes[rows, a, b] = True

    @rule("assumption")
    def retaliate(self, rows: np.ndarray) -> None:
        """Turkey strikes back at Damascus's forces in and next to the districts of its posts
        (a clash between the two states, ladder level 6): they lose `retaliation_damage` of
        their force, the dead counted in `killed` (assumption: the article says nothing of the
        posts or of strikes between the two states)."""
        self.clash(TURKEY, DAMASCUS, rows)
        if rows.size == 0:
            return
        hit = self._near_posts & self.held(DAMASCUS)[rows]
        lost = self.force[rows] * hit * self.params.retaliation_damage[rows, None]
        self.force[rows] -= lost
        self.count_fighters_lost(district_total(lost), rows)

    def set_us_presence(self, presence: np.ndarray) -> None:
        """US presence in the north-east (C17), 1 = as in 2018."""
        self.us_presence = presence

    def strain_relation(self, amount: np.ndarray) -> None:
        """The Russia-Turkey relation loses `amount` (R,)."""
        self.relation = np.clip(self.relation - amount, 0.0, 1.0)

    def mend_relation(self, amount: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        """The relation gains `amount` in the given runs (a summit)."""
        self.relation[rows] = np.minimum(self.relation[rows] + amount, 1.0)

    @rule("C06", "C07", "C13", "C19", "assumption")
    def settle_relation(self, offensive: np.ndarray, operation: np.ndarray) -> None:
        """At the end of the day the relation drifts back towards its day-0 level at
        `relation_recovery` (C06, C07); it loses `offensive_strain` on a day of a Russian-backed
        offensive across the deal's lines (C13), `ne_strain` on a day of Turkey's north-east
        operation (C19: Moscow wants Damascus there), and `clash_shock` for a clash of the two
        states' forces (assumption)."""
        p, clashes = self.params, self.today.clashes
        clashed = clashes[:, TURKEY, DAMASCUS] | clashes[:, DAMASCUS, TURKEY]
        clashed |= clashes[:, RUSSIA, TURKEY] | clashes[:, TURKEY, RUSSIA]
        drift = p.relation_recovery * (p.relation_start - self.relation)
        strain = p.offensive_strain * offensive + p.ne_strain * operation + p.clash_shock * clashed
        self.relation = np.clip(self.relation + drift - strain, 0.0, 1.0)

    def call_summit(self, calling: np.ndarray) -> None:
        """Ask for a summit tomorrow in the (R,) `calling` runs."""
        self.summit_called |= calling

    @rule("C05", "C06", "C07", "assumption")
    def call_summits(self) -> None:
        """The two leaders call a summit for tomorrow (C06, C07) when the relation has fallen
        below `summit_relation`, or more than `surge_displaced` people fled in the last seven
        days (C05: fears of a humanitarian disaster); Turkey also calls one when its soldiers are
        hit (`Turkey.answer_attacks`)."""
        p = self.params
        self.fled_week[self.day % WEEK] = self.today.displaced
        surge = self.fled_week.sum(axis=0) > p.surge_displaced
        self.call_summit((self.relation < p.summit_relation) | surge)

    def summits_due(self, scheduled: bool) -> np.ndarray:
        """(R,) bool: a summit meets today: scheduled by the scenario, or called yesterday and at
        least `summit_gap` days after the last one (assumption)."""
        spaced = self.day - self.last_summit >= self.params.summit_gap
        due = np.full(len(self.relation), scheduled) | (self.summit_called & spaced)
        self.summit_called = np.zeros_like(self.summit_called)
        self.last_summit = np.where(due, self.day, self.last_summit)
        self.today.summit |= due
        return due

    # --- humanitarian ---
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


def districts_by_holder(mask: np.ndarray, control: np.ndarray) -> np.ndarray:
    """(n, 7): how many districts of the (n, D) `mask` each actor holds, by the (n, D)
    `control`, run by run (one count of run x actor codes: a third of the time of a sum per
    actor for 2,000 runs, a fifth for one; measured)."""
    runs, actors = len(mask), len(ACTORS)
    codes = (control + actors * np.arange(runs)[:, None])[mask]
    return np.bincount(codes, minlength=runs * actors).reshape(runs, actors)
