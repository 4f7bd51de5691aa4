"""The escalation model: seven actors on a district map, R replicates in lockstep.

    model = EscalationModel(scenario, replicates=1000, seed=7)
    model.run()                      # days 0 .. scenario.horizon
    model.recorder.summary_columns()

Each step is one day (day 0 = 17 Sept 2018, the Sochi agreement):
1. the day starts: yesterday's postures and shared signals are frozen in a `Snapshot`;
2. the scenario's events of the day, and the summits called yesterday;
3. every actor perceives, then every actor decides (any order: they read only yesterday);
4. the actors act, in a fixed order, changing the world only through its methods;
5. consequences: the toll of the breaches, aid, the Russia-Turkey relation, summits called;
6. the escalation ladder and the day's record.
"""

from collections.abc import Mapping, Sequence

import mesa
import numpy as np

from sim.model import geography
from sim.model.agents import FACTIONS
from sim.model.agents.base import Faction, Snapshot
from sim.model.agents.damascus import Posture as Damascus
from sim.model.agents.russia import Posture as Russia
from sim.model.agents.turkey import Posture as Turkey
from sim.model.claims import rule
from sim.model.malloc import reuse_freed_memory
from sim.model.params import ParameterSet
from sim.model.record import Recorder, check_memory
from sim.model.scenario import Scenario
from sim.model.streams import Streams, run_seeds
from sim.model.world import World


class EscalationModel(mesa.Model):
    """R runs of one scenario at once; run k has seed `seeds[k]` and its own parameter values."""

    def __init__(
        self,
        scenario: Scenario,
        replicates: int | None = None,
        seed: int | None = None,
        *,
        seeds: Sequence[int] | np.ndarray | None = None,
        parameters: Mapping[str, float | np.ndarray] | None = None,
        record_every: int | None = 1,
        record_events: bool = True,
    ) -> None:
        """Seeds are derived from (seed, run number) unless given one per run in `seeds`.
        `parameters` overrides the scenario's parameters, with a scalar or one value per run.
        The series is recorded every `record_every` days (1 daily, 7 weekly; None: summary only);
        the event log when `record_events`.
        """
        reuse_freed_memory()
        self.master_seed: int | None = None
        count = scenario.replicates if replicates is None else replicates
        runs = len(seeds) if seeds is not None else count
        check_memory(runs, scenario.horizon, record_every, record_events, "replicates")
        if seeds is None:
            self.master_seed = scenario.seed if seed is None else seed
            seeds = run_seeds(self.master_seed, runs)
        self.seeds = np.asarray(seeds, dtype=np.int64)
        if self.seeds.ndim != 1 or len(self.seeds) == 0:
            raise ValueError("replicates/seeds: a model needs at least one run (one seed a run)")
        super().__init__(rng=int(self.seeds[0]))  # Mesa's own generator; the rules use `streams`
        self.spec = scenario
        self.replicates = len(self.seeds)
        self.params = ParameterSet(self.replicates, {**scenario.parameters, **(parameters or {})})
        self.geography = geography.load()
        self.streams = Streams(self.seeds)
        self.world = World(self.geography, self.params, self.streams, self.replicates)
        self.day = 0
        self.factions: list[Faction] = [cls(self) for cls in FACTIONS]
        self._by_name = {f.name: f for f in self.factions}
        self.seen = Snapshot.of(self.factions)
        self.recorder = Recorder(self, every=record_every, events=record_events)

    def faction(self, name: str) -> Faction:
        """The actor with this name (see `sim.model.geography.ACTORS`)."""
        return self._by_name[name]

    def imposed(self, actor: str) -> np.ndarray:
        """(R,) bool: the scenario imposes an operation by this actor today."""
        on = any(
            op.actor == actor and op.day <= self.day < op.day + op.days
            for op in self.spec.events.operations
        )
        return np.full(self.replicates, on)

    def step(self) -> None:
        """One day."""
        self.world.start_day(self.day)
        self.seen = Snapshot.of(self.factions)
        self.scheduled_events()
        self.agents.do("perceive")
        self.agents.do("decide")
        for faction in self.factions:
            faction.act()
        self.consequences()
        self.recorder.record()
        self.day += 1

    def run(self, horizon: int | None = None) -> None:
        """Simulate days 0 .. horizon (default: the scenario's)."""
        last = self.spec.horizon if horizon is None else horizon
        while self.day <= last:
            self.step()

    def scheduled_events(self) -> None:
        """The scenario's events of the day (imposed operations are read by the actors), and
        the summits: scheduled ones and those called yesterday."""
        events, day = self.spec.events, self.day
        if events.deal_day == day:
            self.sochi_deal()
        meeting = np.flatnonzero(self.world.summits_due(day in events.summit_days))
        if meeting.size:
            self.faction("russia").attend_summit(meeting)
            self.faction("turkey").attend_summit(meeting)
        if day in events.flood_days:
            self.world.flood()

    @rule("C04", "C13", "C14")
    def sochi_deal(self) -> None:
        """The deal: the assault is postponed `postponement_days` (C04, C14) in exchange for
        Turkey's promise; the buffer zone is agreed (C13)."""
        self.faction("russia").hold_off(self.day + self.params.postponement_days)

    def consequences(self) -> None:
        """What the day's actions add up to: the toll of the breaches, aid, the relation, and
        the summits called for tomorrow (see `World`)."""
        world = self.world
        offensive = self.faction("damascus").posture >= Damascus.OFFENSIVE
        world.breach_toll()
        world.deliver_aid(offensive)
        backed = offensive & (self.faction("russia").posture == Russia.BACK_OFFENSIVE)
        operating = self.faction("turkey").posture == Turkey.NE_OPERATION
        world.settle_relation(backed, operating)
        world.call_summits()
