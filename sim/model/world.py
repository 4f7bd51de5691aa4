"""The state of the world for R replicates at once, and the mechanics every actor shares.

All state arrays have a leading replicate axis: district arrays are (R, D), per-run figures (R,).
People are tracked as residents of districts plus four pools: displaced inside Syria, in the
border camps, gone to Turkey, and civilians killed. Their sum never changes.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.model.claims import rule
from sim.model.geography import (
    ACTORS,
    DAMASCUS,
    HTS,
    KURDS,
    OPPOSITION,
    TURKEY,
    Geography,
    district_total,
)
from sim.model.params import ParameterSet
from sim.model.streams import Streams

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

    def neighbours_of(self, mask: np.ndarray) -> np.ndarray:
        """(R, D) count of each district's neighbours inside `mask`."""
        return self.geo.neighbour_count(mask)

    def odds(self, attacker: int, rows: np.ndarray) -> np.ndarray:
        """(len(rows), D) local odds of an attack on each district of the given runs: the force
        the attacker's neighbouring districts commit (`commit_share` of theirs) over the
        district's own force plus what its same-side neighbours commit to its defence."""
        force, control, around = self.force[rows], self.control[rows], self.geo.neighbour_sum
        commit = self.params.commit_share[rows, None]
        attack = commit * around(force * (control == attacker))
        return attack / (force + commit * around(force, same_as=control) + 0.05)

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
    def flee(self, leaving: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Residents flee ((R, D) people, or those of the given runs, C05): some reach the camps
        (C16), some Turkey."""
        p, rows = self.params, slice(None) if rows is None else rows
        leaving = np.minimum(leaving, self.residents[rows])
        self.residents[rows] -= leaving
        total = district_total(leaving)
        to_turkey = total * p.border_open[rows]
        to_camps = (total - to_turkey) * p.camp_share[rows]
        self.left_for_turkey[rows] += to_turkey
        self.in_camps[rows] += to_camps
        self.displaced[rows] += total - to_turkey - to_camps

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

    def _kill_residents(self, deaths: np.ndarray, rows: np.ndarray | None = None) -> None:
        rows = slice(None) if rows is None else rows
        deaths = np.minimum(deaths, self.residents[rows])
        self.residents[rows] -= deaths
        self.civilians_killed[rows] += district_total(deaths)

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
        Only the runs with a target take part: every step works run by run.
        """
        taken = np.zeros_like(targets)
        rows = np.flatnonzero(targets.any(axis=1))
        if rows.size == 0:
            return taken
        p, around = self.params, self.geo.neighbour_sum
        targets, boost = targets[rows], boost[rows][:, None]
        force, control = self.force[rows], self.control[rows]
        commit = p.commit_share[rows][:, None] * force
        sent = commit * (control == attacker)
        outside = 0.0
        if from_outside is not None:
            outside = from_outside[rows] if from_outside.ndim == 2 else from_outside
        raw_attack = (around(sent) + outside) * targets
        attack = raw_attack * boost
        defence = (force + around(commit, same_as=control)) * targets
        attrition = p.attrition[rows][:, None]
        attacker_lost = np.minimum(attrition * defence, raw_attack)
        defender_lost = np.minimum(attrition * attack, defence)
        ratio = attack / np.maximum(defence, 0.05)
        hazard = p.capture_rate[rows][:, None] * ratio**2 / (1 + ratio**2)
        draws = self.streams.uniform(self.day, purpose, self.geo.size, rows=rows)
        won = targets & (draws < hazard)
        garrison = np.where(won, (raw_attack - attacker_lost) / 3, 0.0)
        # losses and moves fall on each contributing district in proportion to what it sent
        attacker_share = (attacker_lost + garrison) / np.maximum(raw_attack, 1e-12)
        defender_share = defender_lost / np.maximum(defence, 1e-12)
        force = np.maximum(
            force
            - sent * around(attacker_share)
            - force * defender_share
            - commit * around(defender_share, same_as=control),
            0.0,
        )
        self.force[rows] = np.where(won, garrison, force)
        self.control[rows] = np.where(won, attacker, control)
        for side in CONTROLLERS:
            self.today.attacked[rows, attacker, side] += (targets & (control == side)).sum(axis=1)
        if counted:
            lost = district_total(attacker_lost + defender_lost)
            dead = np.rint(lost * 1000 * p.death_share[rows])
            self.killed[rows] += dead.astype(np.int64)
            self.injured[rows] += np.rint(dead * p.injured_per_killed[rows]).astype(np.int64)
        residents = self.residents[rows]
        self._kill_residents(residents * targets * p.contest_deaths[rows][:, None], rows)
        flight = np.where(won, p.capture_flight[rows][:, None], p.contest_flight[rows][:, None])
        self.flee(self.residents[rows] * targets * flight, rows)
        taken[rows] = won
        return taken
