"""The escalation model: seven actors on a district map, R replicates in lockstep.

    model = EscalationModel(scenario, replicates=1000, seed=7)
    model.run()                      # days 0 .. scenario.horizon
    model.recorder.summary_columns()

Each step is one day (day 0 = 17 Sept 2018, the Sochi agreement):
1. the scenario's events of the day; 2. every actor perceives; 3. every actor decides (reading
yesterday's postures only); 4. the actors act, in a fixed order; 5. consequences (the toll of
the breaches, aid); 6. the escalation ladder and the day's record.
"""

from collections.abc import Mapping, Sequence

import mesa
import numpy as np

from sim.model import geography
from sim.model.agents import FACTIONS
from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import ACTORS
from sim.model.malloc import reuse_freed_memory
from sim.model.params import ParameterSet
from sim.model.record import Recorder
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
    ) -> None:
        """Seeds are derived from (seed, run number) unless given one per run in `seeds`.
        `parameters` overrides the scenario's parameters, with a scalar or one value per run.
        The series is recorded every `record_every` days (1 daily, 7 weekly; None: summary only).
        """
        reuse_freed_memory()
        self.master_seed: int | None = None
        if seeds is None:
            self.master_seed = scenario.seed if seed is None else seed
            count = scenario.replicates if replicates is None else replicates
            seeds = run_seeds(self.master_seed, count)
        self.seeds = np.asarray(seeds, dtype=np.int64)
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
        self.postures_yesterday = np.zeros((len(ACTORS), self.replicates), dtype=np.int8)
        self.recorder = Recorder(self, every=record_every)

    def faction(self, name: str) -> Faction:
        """The actor with this name (see `sim.geography.ACTORS`)."""
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
        self.scheduled_events()
        self.agents.do("perceive")
        for faction in self.factions:
            self.postures_yesterday[faction.index] = faction.posture
        self.agents.do("decide")
        self.agents.do("act")
        self.world.breach_toll()
        self.world.deliver_aid(self.faction("damascus").posture == 1)
        self.recorder.record()
        self.day += 1

    def run(self, horizon: int | None = None) -> None:
        """Simulate days 0 .. horizon (default: the scenario's)."""
        last = self.spec.horizon if horizon is None else horizon
        while self.day <= last:
            self.step()

    def scheduled_events(self) -> None:
        """The scenario's events of the day (imposed operations are read by the actors)."""
        events, day = self.spec.events, self.day
        if events.deal_day == day:
            self.sochi_deal()
        if day in events.summit_days:
            self.faction("russia").attend_summit()
            self.faction("turkey").attend_summit()
        if day in events.flood_days:
            self.world.flood()

    @rule("C04", "C13", "C14")
    def sochi_deal(self) -> None:
        """The deal: the assault is postponed `postponement_days` (C04, C14) in exchange for
        Turkey's promise; the buffer zone is agreed (C13)."""
        self.faction("russia").hold_off(self.day + self.params.postponement_days)
