"""The escalation model: seven actors on a district map, R replicates in lockstep.

    model = EscalationModel("baseline", replicates=1000, rng=7)
    model.run()                      # days 0 .. scenario.horizon
    model.recorder.summary_columns()

Each step is one day (day 0 = 17 Sept 2018, the Sochi agreement):
1. the day starts: yesterday's postures and shared signals are frozen in a `Snapshot`;
2. the scenario's events of the day, and the summits called yesterday;
3. every actor perceives, then every actor decides (any order: they read only yesterday);
4. the actors act: each gives its orders against the morning's world, and the world carries
   them out together, phase by phase (`sim.model.world.orders`: their order cannot matter);
5. consequences: the toll of the breaches, aid, the Russia-Turkey relation, summits called;
6. the escalation ladder and the day's record.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import mesa
import numpy as np

from sim.model import geography
from sim.model.agents import FACTIONS, postures
from sim.model.agents.base import Faction, Snapshot
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, RUSSIA, TURKEY
from sim.model.params import ParameterSet
from sim.model.record import RecordedData, Recorder, check_memory
from sim.model.scenario import SEED_LIMIT, Scenario, check_runs
from sim.model.scenario import load as load_scenario
from sim.model.streams import Streams, run_seeds
from sim.model.world import World
from sim.model.world.orders import act_together

SCENARIO_SEED = "scenario"
"""`rng`'s default: the scenario's own master seed, so that a run is reproducible by default."""


class EscalationModel(mesa.Model):
    """R runs of one scenario at once; run k has seed `seeds[k]` and its own parameter values.

    Built as Mesa models are: `EscalationModel(scenario="baseline", rng=None, turkey_effort=0.8)`
    takes keyword parameters from the registry, and `mesa.batch_run` can drive it (one run per
    model; `running` turns False after the horizon; `datacollector` holds the daily records).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = "baseline",
        replicates: int = 1,
        rng: int | np.random.Generator | str | None = SCENARIO_SEED,
        *,
        seeds: Sequence[int] | np.ndarray | None = None,
        parameters: Mapping[str, float | np.ndarray] | None = None,
        record_every: int | None = 1,
        record_events: bool = True,
        **values: float | np.ndarray,
    ) -> None:
        """`scenario` is a scenario object, a named scenario or a scenario file. `replicates`
        runs go in lockstep (one by default, as a Mesa model is one run; the command line runs
        the scenario's `replicates`). Seeds are derived from (master seed, run number): the
        master seed is `rng` (an integer, or drawn from a numpy Generator), the scenario's own
        by default, or fresh entropy for `rng=None` (Mesa's convention; kept in
        `master_seed`). `seeds` gives one seed per run instead. `parameters` and keyword
        `values` override the scenario's parameters, with a scalar or one value per run, except
        those each run draws from the scenario's `sample` (by its seed). The
        series is recorded every `record_every` days (1 daily, 7 weekly; None: summary only);
        the event log when `record_events`.
        """
        check_runs("EscalationModel", replicates=replicates, seeds=seeds, record_every=record_every)
        if not isinstance(scenario, Scenario):
            scenario = load_scenario(scenario)[0]
        runs = len(seeds) if seeds is not None else replicates
        check_memory(runs, scenario.horizon, record_every, record_events, "replicates")
        self.master_seed: int | None = None
        if seeds is None:
            self.master_seed = master_seed(rng, scenario)
            seeds = run_seeds(self.master_seed, runs)
        self.seeds = np.asarray(seeds, dtype=np.int64)
        super().__init__(rng=int(self.seeds[0]))  # Mesa's own generator; the rules use `streams`
        self.spec = scenario
        self.replicates = len(self.seeds)
        given = {**(parameters or {}), **values}
        drawn = scenario.sample.per_run(self.seeds) if scenario.sample else {}
        both = sorted(set(given) & set(drawn))
        if both:
            raise ValueError(f"{both[0]}: drawn from the scenario's sample; it cannot also be set")
        overrides = {**scenario.parameters, **drawn, **given}
        self.params = ParameterSet(self.replicates, overrides)
        self.geography = geography.load()
        self.streams = Streams(self.seeds)
        self.world = World(self.geography, self.params, self.streams, self.replicates)
        self.day = 0
        self._all_runs, self._no_run = (
            np.ones(self.replicates, bool),
            np.zeros(self.replicates, bool),
        )
        for mask in (self._all_runs, self._no_run):
            mask.flags.writeable = False  # `imposed` hands them out
        self.factions: list[Faction] = [cls(self) for cls in FACTIONS]
        self._by_actor = {f.actor: f for f in self.factions}
        self.seen = Snapshot.of(self.factions)
        self.recorder = Recorder(self, every=record_every, events=record_events)
        self.datacollector = RecordedData(self.recorder)

    def faction(self, actor: int) -> Faction:
        """The agent of an actor (by its number: `sim.model.geography.RUSSIA`, ...)."""
        return self._by_actor[actor]

    def imposed(self, actor: int) -> np.ndarray:
        """(R,) bool: the scenario imposes an operation by this actor today."""
        on = any(
            op.actor == geography.ACTORS[actor] and op.day <= self.day < op.day + op.days
            for op in self.spec.events.operations
        )
        return self._all_runs if on else self._no_run

    def step(self) -> None:
        """One day."""
        self.world.start_day(self.day)
        self.seen = Snapshot.of(self.factions)
        self.scheduled_events()
        self.agents.do("perceive")
        self.agents.do("decide")
        act_together(self.world.calendar, [(f.actor, f.act) for f in self.factions])
        self.consequences()
        self.recorder.record()
        self.datacollector.collect(self)
        self.day += 1
        self.running = self.day <= self.spec.horizon

    def run(self, horizon: int | None = None) -> None:
        """Simulate days 0 .. horizon (default: the scenario's)."""
        last = self.spec.horizon if horizon is None else horizon
        while self.day <= last:
            self.step()

    def scheduled_events(self) -> None:
        """The scenario's events of the day (imposed operations are read by the actors), and
        the summits: scheduled ones and those called yesterday that Russia accepts."""
        events, day = self.spec.events, self.day
        if events.deal_day == day:
            self.sochi_deal()
        relations = self.world.relations
        accepted = self.faction(RUSSIA).accepts_summit(relations.summit_called)
        meeting = geography.runs_where(relations.summits_due(day in events.summit_days, accepted))
        if meeting.size:
            self.faction(RUSSIA).attend_summit(meeting)
            self.faction(TURKEY).attend_summit(meeting)
        if day in events.flood_days:
            self.world.people.flood()

    @rule("C04", "C13", "C14")
    def sochi_deal(self) -> None:
        """The deal: the assault is postponed (C04, C14: a truce, which holds as long as Russia's
        frustration lets it) in exchange for Turkey's promise; the buffer zone is agreed
        (C13)."""
        self.faction(RUSSIA).begin_truce()

    def consequences(self) -> None:
        """What the day's actions add up to: the toll of the breaches, the day's flight, the
        displaced going home, aid, the relation, and the summits called for tomorrow (see
        `sim.model.world`)."""
        world = self.world
        offensive = self.faction(DAMASCUS).posture >= postures.Damascus.OFFENSIVE
        world.combat.breach_toll()
        world.people.depart()
        world.people.return_home()
        world.people.deliver_aid(offensive)
        backed = offensive & (self.faction(RUSSIA).posture == postures.Russia.BACK_OFFENSIVE)
        operating = self.faction(TURKEY).posture == postures.Turkey.NE_OPERATION
        world.relations.settle(backed, operating)
        world.relations.call_summits()


def master_seed(rng: int | np.random.Generator | str | None, scenario: Scenario) -> int:
    """The master seed `rng` stands for (see `EscalationModel`)."""
    if isinstance(rng, str) and rng == SCENARIO_SEED:
        return scenario.seed
    if rng is None:
        return int(np.random.SeedSequence().entropy % SEED_LIMIT)  # type: ignore[operator]
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(SEED_LIMIT))
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool) and 0 <= rng < SEED_LIMIT:
        return int(rng)
    raise ValueError(
        f"rng: {rng!r} is not a seed (a whole number from 0 to 2**63 - 1), a numpy "
        "Generator, None (fresh entropy) or 'scenario'"
    )
