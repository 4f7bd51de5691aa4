"""The state of the world for R replicates at once, and the mechanics every actor shares.

All state arrays have a leading replicate axis: district arrays are (R, D), per-run figures (R,).
People are tracked as residents of districts plus four pools: displaced inside Syria, in the
border camps, gone to Turkey, and civilians killed. Their sum never changes.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.claims import rule
from sim.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    KURDS,
    OPPOSITION,
    TURKEY,
    Geography,
    district_total,
)
from sim.params import ParameterSet
from sim.streams import Streams

CONTROLLERS = (TURKEY, DAMASCUS, HTS, OPPOSITION, KURDS)
"""The actors that hold districts (Russia and the US hold none)."""


@dataclass
class Today:
    """What happened on the current day; reset at the start of each day."""

    replicates: int
    breaches: np.ndarray = field(init=False)  # (R, 7, 7): breaches by actor i against actor j
    strikes: np.ndarray = field(init=False)  # (R,): Russian air strikes
    attacked: np.ndarray = field(init=False)  # (R, 7, 7): districts actor i attacked of actor j
    clashes: np.ndarray = field(init=False)  # (R, 7, 7) bool: direct clash between two states
    post_attacks: np.ndarray = field(init=False)  # (R,): attacks on districts with Turkish posts

    def __post_init__(self) -> None:
        r, n = self.replicates, len(ACTORS)
        self.breaches = np.zeros((r, n, n), dtype=np.int64)
        self.strikes = np.zeros(r, dtype=np.int64)
        self.attacked = np.zeros((r, n, n), dtype=np.int64)
        self.clashes = np.zeros((r, n, n), dtype=bool)
        self.post_attacks = np.zeros(r, dtype=np.int64)


class World:
    """District control, forces and people for a batch of replicates."""

    def __init__(self, geo: Geography, params: ParameterSet, streams: Streams, replicates: int):
        self.geo, self.params, self.streams = geo, params, streams
        r = replicates
        self.control = np.tile(geo.controller, (r, 1))
        self.force = np.tile(geo.force, (r, 1))
        self.residents = np.tile(geo.population, (r, 1))
        self.displaced = np.zeros(r)
        self.in_camps = np.zeros(r)
        self.left_for_turkey = np.zeros(r)
        self.civilians_killed = np.zeros(r)
        self.killed = np.zeros(r, dtype=np.int64)
        self.injured = np.zeros(r, dtype=np.int64)
        self.breaches = np.zeros(r, dtype=np.int64)
        self.cessions = np.zeros(r, dtype=np.int64)
        self.aid_delivered = np.zeros(r)
        self.us_presence = np.ones(r)
        self.relation = params.relation_start.copy()
        self.day = 0
        self.today = Today(r)
        self.yesterday = Today(r)

    def start_day(self, day: int) -> None:
        """Yesterday's events become `yesterday`; today starts empty."""
        self.day = day
        self.yesterday, self.today = self.today, Today(len(self.relation))

    # --- what the actors perceive ---
    def held(self, actor: int) -> np.ndarray:
        """(R, D) bool: districts the actor controls."""
        return self.control == actor

    def rebel_held(self) -> np.ndarray:
        """(R, D) bool: districts held by HTS or the opposition."""
        return self.held(HTS) | self.held(OPPOSITION)

    def neighbours_of(self, mask: np.ndarray) -> np.ndarray:
        """(R, D) count of each district's neighbours inside `mask`."""
        return self.geo.neighbour_sum(mask.astype(float))

    def neighbour_force(self, actor: int) -> np.ndarray:
        """(R, D): total force the actor holds in each district's neighbours."""
        return self.geo.neighbour_sum(self.force * self.held(actor))

    def same_side_sum(self, x: np.ndarray) -> np.ndarray:
        """(R, D): for each district, the sum of `x` over its neighbours held by the same actor."""
        return self.geo.neighbour_sum(x, same_as=self.control)

    def odds(self, attacker: int) -> np.ndarray:
        """(R, D) local odds of an attack on each district: the force the attacker's neighbouring
        districts commit (`commit_share` of theirs) over the district's own force plus what its
        same-side neighbours commit to its defence."""
        commit = self.params.commit_share[:, None]
        attack = commit * self.neighbour_force(attacker)
        return attack / (self.force + commit * self.same_side_sum(self.force) + 0.05)

    def share(self, theatre: str, actor: int) -> np.ndarray:
        """(R,): share of the theatre's residents living in districts the actor controls."""
        mask = self.geo.in_theatre(theatre)
        people = self.residents[:, mask]
        held = district_total(people * (self.control[:, mask] == actor))
        return held / np.maximum(district_total(people), 1.0)

    def people(self) -> np.ndarray:
        """(R,): residents + displaced + in camps + left for Turkey + civilians killed."""
        return (
            district_total(self.residents)
            + self.displaced
            + self.in_camps
            + self.left_for_turkey
            + self.civilians_killed
        )

    # --- mechanics shared by all actors ---
    @rule("C05", "C16")
    def flee(self, leaving: np.ndarray) -> None:
        """Residents flee ((R, D) people, C05): some reach the camps (C16), some Turkey."""
        p = self.params
        leaving = np.minimum(leaving, self.residents)
        self.residents -= leaving
        total = district_total(leaving)
        to_turkey = total * p.border_open
        to_camps = (total - to_turkey) * p.camp_share
        self.left_for_turkey += to_turkey
        self.in_camps += to_camps
        self.displaced += total - to_turkey - to_camps

    @rule("C16", "assumption")
    def deliver_aid(self, offensive: np.ndarray) -> None:
        """Aid reaches the displaced and the camps up to `aid_capacity` people a day, half as many
        during a Damascus offensive (assumption); fees HTS levies cut it by `aid_fee` (C16)."""
        p = self.params
        need = self.displaced + self.in_camps
        reach = p.aid_capacity * np.where(offensive, 0.5, 1.0)
        self.aid_delivered = np.minimum(need, reach) * (1 - p.aid_fee)

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

    @rule("C11")
    def breach_toll(self) -> None:
        """Today's breaches and strikes kill and injure at the calibrated rates (C11).

        Civilian deaths are taken from the zone's residents in proportion to where people live.
        """
        p, day, s = self.params, self.day, self.streams
        n = self.today.breaches.sum(axis=(1, 2)) + self.today.strikes
        civilians = s.poisson(day, "toll/civilians", n * p.killed_per_breach * p.civilian_share)
        fighters = s.poisson(day, "toll/fighters", n * p.killed_per_breach * (1 - p.civilian_share))
        self.injured += s.poisson(day, "toll/injured", n * p.injured_per_breach)
        self.killed += civilians + fighters
        self.breaches += n
        self._kill_residents(civilians[:, None] * self._zone_weights())

    def _zone_weights(self) -> np.ndarray:
        zone = self.residents * self.geo.in_theatre("zone")
        return zone / np.maximum(district_total(zone), 1.0)[:, None]

    def _kill_residents(self, deaths: np.ndarray) -> None:
        deaths = np.minimum(deaths, self.residents)
        self.residents -= deaths
        self.civilians_killed += district_total(deaths)

    @rule("C15", "assumption")
    def fight(
        self,
        attacker: int,
        targets: np.ndarray,
        boost: np.ndarray,
        purpose: str,
        counted: bool,
        from_outside: np.ndarray | None = None,
    ) -> np.ndarray:
        """Ground fighting for the `targets` ((R, D) bool) for one day; returns what was taken.

        Attack: each attacker district commits `commit_share` of its force to every targeted
        neighbour; `boost` (R,) multiplies its effect (air power, militias: C15). Defence: the
        district's force plus what neighbours held by the same side commit. Each side loses
        `attrition` x the other's effective force (Lanchester's square law); a target falls with
        daily chance capture_rate x ratio^2 / (1 + ratio^2), and a third of the committed force
        moves in. Residents flee and die. Combatant deaths count in `killed` when `counted`
        (fighting between the states' side and the rebels, not among rebels). `from_outside`
        ((R, D) or (D,)) adds force from beyond the map, such as Turkey's army across the border.
        """
        p, day, around = self.params, self.day, self.geo.neighbour_sum
        commit = p.commit_share[:, None] * self.force
        defender = self.control
        sent = commit * self.held(attacker)
        raw_attack = (around(sent) + (0.0 if from_outside is None else from_outside)) * targets
        attack = raw_attack * boost[:, None]
        support = self.same_side_sum(commit) * targets
        defence = (self.force + support) * targets
        attacker_lost = np.minimum(p.attrition[:, None] * defence, raw_attack)
        defender_lost = np.minimum(p.attrition[:, None] * attack, defence)
        ratio = attack / np.maximum(defence, 0.05)
        hazard = p.capture_rate[:, None] * ratio**2 / (1 + ratio**2)
        taken = targets & (self.streams.uniform(day, purpose, self.geo.size) < hazard)
        garrison = np.where(taken, (raw_attack - attacker_lost) / 3, 0.0)
        # losses and moves fall on each contributing district in proportion to what it sent
        attacker_share = (attacker_lost + garrison) / np.maximum(raw_attack, 1e-12)
        defender_share = defender_lost / np.maximum(defence, 1e-12)
        supporter_share = self.same_side_sum(defender_share)
        self.force = np.maximum(
            self.force
            - sent * around(attacker_share)
            - self.force * defender_share
            - commit * supporter_share,
            0.0,
        )
        self.force = np.where(taken, garrison, self.force)
        self.control = np.where(taken, attacker, self.control)
        for side in CONTROLLERS:
            self.today.attacked[:, attacker, side] += (targets & (defender == side)).sum(axis=1)
        if counted:
            dead = np.rint(district_total(attacker_lost + defender_lost) * 1000 * p.death_share)
            self.killed += dead.astype(np.int64)
            self.injured += np.rint(dead * p.injured_per_killed).astype(np.int64)
        self._kill_residents(self.residents * targets * p.contest_deaths[:, None])
        flight = np.where(taken, p.capture_flight[:, None], p.contest_flight[:, None])
        self.flee(self.residents * targets * flight)
        return taken
