"""The event log: one row per thing that happened, run by run and day by day.

Each day the log compares the actors' postures with yesterday's `Snapshot` and reads what the
world recorded in `Today`, so it says exactly what the daily series says, and a run's events do
not depend on the runs beside it. Columns: run, seed, day, date, actor, event, district, target,
value (see `EVENTS` for what each event's columns hold).
"""

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import postures_of
from sim.model.geography import ACTORS, DAMASCUS, KURDS, RUSSIA, TURKEY
from sim.model.ladder import CLASH_LEVEL, PAIRS

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel

EVENTS: dict[str, str] = {
    "posture_<name>": "the actor takes up posture <name> (see `sim.model.agents`); value: its "
    "rung in the actor's list of postures, from 0",
    "offensive_begins": "Damascus goes on the ground offensive; value: the run's offensive count",
    "offensive_ends": "Damascus's offensive stops; value: the days it lasted",
    "district_captured": "the actor takes the district by force from target",
    "district_ceded": "the district passes to the actor from target without a fight (a cession "
    "to HTS, C12, or a Kurdish handover to Damascus, C19)",
    "idlib_city_struck": "Russian air strikes on Idlib city (C03); target: who holds it; value: "
    "strikes that day",
    "summit": "Putin and Erdogan meet (actor russia, target turkey); value: 1 scheduled by the "
    "scenario, 0 called by the model",
    "truce": "a truce begins: Russia backs no offensive while it holds (the deal's postponement, "
    "C04, a summit's truce, C07, or Russia stepping back after a clash with Turkey; actor "
    "russia, target turkey)",
    "truce_broken": "a truce breaks down: Russia's frustration past its patience (actor russia)",
    "clash": "the forces of two states clash; value: the ladder level (6 or 7)",
    "soldiers_killed": "fire by the actor kills Turkish soldiers (target turkey); value: how many",
    "ne_operation_begins": "Turkey launches its north-east operation (target kurds)",
    "ne_operation_ends": "Turkey's north-east operation ends (target kurds); value: its days",
    "kurd_damascus_deal": "the Kurdish forces let Damascus in (C19); value: districts handed over",
    "camp_flood": "a winter flood in the border camps (C16; no actor)",
}
"""Every kind of event; `posture_<name>` stands for one event per posture name."""

COLUMNS = ("run", "seed", "day", "actor", "event", "district", "target", "value")
"""The log's columns (and `date`, added with the day when written)."""

NONE = -1  # no district or no actor


class EventLog:
    """Collects the events of a batch of runs as arrays, day by day."""

    def __init__(self, model: "EscalationModel") -> None:
        self.model = model
        self.names: list[str] = [n for n in EVENTS if n != "posture_<name>"]
        for faction in model.factions:
            self.names += [f"posture_{p}" for p in faction.posture_names()]
        self.names = list(dict.fromkeys(self.names))
        self._code = {name: k for k, name in enumerate(self.names)}
        self._rows: list[tuple[np.ndarray, ...]] = []
        r = model.replicates
        self._started = np.zeros(r, dtype=np.int64)  # day the current offensive began
        self._operating_since = np.zeros(r, dtype=np.int64)

    def _add(self, event: str, runs, actor, district=NONE, target=NONE, value=np.nan) -> None:
        """Events of one kind today in the given runs; the other arguments are one value for
        all of them or one per run."""
        runs = np.asarray(runs, dtype=np.int64)
        if runs.size == 0:
            return

        def column(x, dtype: type) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=dtype), runs.shape)

        codes = (self.model.day, self._code[event], actor, district, target)
        self._rows.append((runs, *(column(x, np.int64) for x in codes), column(value, float)))

    def record(self) -> None:
        """Log today's events (called once a day, after the actors acted). Each kind is looked
        for only if it happened in some run today: most days, nothing does."""
        m, world, today = self.model, self.model.world, self.model.world.today
        now = postures_of(m.factions)  # a row per faction, as in `m.seen`
        changed = now != m.seen.postures
        moved = set()
        rows = np.flatnonzero(changed.any(axis=1))  # most days, no actor changes
        for row in sorted(rows, key=lambda r: m.factions[r].actor):  # in the order of ACTORS
            faction = m.factions[row]
            moved.add(faction.actor)
            for rung, name in enumerate(faction.posture_names()):
                runs = np.flatnonzero(changed[row] & (now[row] == rung))
                self._add(f"posture_{name}", runs, faction.actor, value=rung)
        if DAMASCUS in moved:
            self._offensive(m.seen.posture(DAMASCUS), m.faction(DAMASCUS).view("posture"))
        if TURKEY in moved:
            self._operation(m.seen.posture(TURKEY), m.faction(TURKEY).view("posture"))
        for event, mask in (("district_captured", today.captured), ("district_ceded", today.ceded)):
            if not mask.any():
                continue
            runs, districts = np.nonzero(mask)
            former = world.territory.dawn_control[runs, districts]
            self._add(event, runs, world.territory.control[runs, districts], districts, former)
        city = world.geo.index("idlib_city")
        struck = today.strikes[:, city]
        if struck.any():
            runs = np.flatnonzero(struck)
            target = world.territory.dawn_control[runs, city]
            self._add("idlib_city_struck", runs, RUSSIA, city, target, struck[runs])
        if today.summit.any():
            scheduled = float(m.day in m.spec.events.summit_days)
            summits = np.flatnonzero(today.summit)
            self._add("summit", summits, RUSSIA, target=TURKEY, value=scheduled)
        begun = m.faction(RUSSIA).view("truce_since") == m.day
        if begun.any():
            self._add("truce", np.flatnonzero(begun), RUSSIA, target=TURKEY)
        broken = m.faction(RUSSIA).view("truce_broken")
        if broken.any():
            self._add("truce_broken", np.flatnonzero(broken), RUSSIA)
        if today.clashes.any():
            for k, (a, b) in enumerate(PAIRS):
                clashed = today.clashes[:, a, b] | today.clashes[:, b, a]
                self._add("clash", np.flatnonzero(clashed), a, target=b, value=CLASH_LEVEL[k])
        for by in np.flatnonzero(today.soldiers_killed.any(axis=0)):
            dead = today.soldiers_killed[:, by]
            runs = np.flatnonzero(dead)
            self._add("soldiers_killed", runs, by, target=TURKEY, value=dead[runs])
        inviting = m.faction(KURDS).view("inviting")
        if inviting.any():
            deal = np.flatnonzero(inviting)
            handed = (today.ceded[deal] & (world.territory.control[deal] == DAMASCUS)).sum(axis=1)
            self._add("kurd_damascus_deal", deal, KURDS, target=DAMASCUS, value=handed)
        if m.day in m.spec.events.flood_days:
            self._add("camp_flood", np.arange(m.replicates), NONE)

    def _offensive(self, before: np.ndarray, now: np.ndarray) -> None:
        was, on = before >= postures.Damascus.OFFENSIVE, now >= postures.Damascus.OFFENSIVE
        day = self.model.day
        begins, ends = np.flatnonzero(on & ~was), np.flatnonzero(was & ~on)
        self._started[begins] = day
        count = self.model.faction(DAMASCUS).view("offensives_begun")[begins]  # today's included
        self._add("offensive_begins", begins, DAMASCUS, value=count)
        self._add("offensive_ends", ends, DAMASCUS, value=day - self._started[ends])

    def _operation(self, before: np.ndarray, now: np.ndarray) -> None:
        was, on = before == postures.Turkey.NE_OPERATION, now == postures.Turkey.NE_OPERATION
        day = self.model.day
        begins, ends = np.flatnonzero(on & ~was), np.flatnonzero(was & ~on)
        self._operating_since[begins] = day
        self._add("ne_operation_begins", begins, TURKEY, target=KURDS)
        lasted = day - self._operating_since[ends]
        self._add("ne_operation_ends", ends, TURKEY, target=KURDS, value=lasted)

    def columns(self) -> dict[str, np.ndarray]:
        """The log as columns, ordered by run, then day, then as recorded. Actor, event,
        district and target are strings (None where they do not apply)."""
        m = self.model
        if self._rows:
            runs, days, events, actors, districts, targets, values = (
                np.concatenate(c) for c in zip(*self._rows, strict=True)
            )
        else:
            runs = days = events = actors = districts = targets = np.zeros(0, dtype=np.int64)
            values = np.zeros(0)
        order = np.lexsort((days, runs))  # stable: same-day events keep their order
        names = np.array(self.names, dtype=object)
        actor_names = np.array([*ACTORS, None], dtype=object)
        district_names = np.array([*m.geography.ids, None], dtype=object)
        return {
            "run": runs[order],
            "seed": m.seeds[runs[order]],
            "day": days[order].astype(np.int32),
            "actor": actor_names[actors[order]],
            "event": names[events[order]],
            "district": district_names[districts[order]],
            "target": actor_names[targets[order]],
            "value": values[order],
        }
