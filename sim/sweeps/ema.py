"""The EMA Workbench adapter: the model as an EMA model, an evaluator that runs a whole sample in
lockstep, and stored sweeps as EMA's (experiments, outcomes).

    from sim.ema import model, perform_experiments

    experiments, outcomes = perform_experiments(model("power_vacuum", replicates=10), 200)

`sim.ema.perform_experiments` is EMA's, with `LockstepEvaluator` as the evaluator unless one is
given: the whole sample runs in lockstep batches (seconds, not minutes). EMA's own
`perform_experiments` and evaluators work too, one experiment at a time.

Uncertainties are the registry's parameters over their plausible ranges, leaving out those that
define an outcome (`defines_outcome`) and those the scenario sets itself. Outcomes are the
summary's outcome columns (`sim.model.outcomes`), one value per replicate (EMA's ArrayOutcome;
a ScalarOutcome with one replicate); "never happened" is NaN. A replicate's seed depends only on
the master seed, the experiment's parameter values and the replicate, so a sample gives the same
numbers through any evaluator, in any batch.
"""

import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

with warnings.catch_warnings():  # EMA warns at import that its optional ipyparallel is missing
    warnings.simplefilter("ignore")
    import ema_workbench
    from ema_workbench import ArrayOutcome, IntegerParameter, Model, RealParameter, ScalarOutcome
    from ema_workbench.em_framework.evaluators import BaseEvaluator

from sim.model.outcomes import summary_outcomes
from sim.model.params import PARAMETERS
from sim.model.scenario import Scenario, check_runs
from sim.model.scenario import load as load_scenario
from sim.sweeps.runner import run_points

BATCH_RUNS = 2000
"""Runs a lockstep batch holds (as a sweep's default batch)."""


def uncertain(scenario: Scenario) -> list[str]:
    """The parameters to explore: all but those that define an outcome or that the scenario
    sets or draws from its sample."""
    return [
        name
        for name, p in PARAMETERS.items()
        if not p.defines_outcome and name not in scenario.parameters and name not in scenario.drawn
    ]


class EscalationEMAModel(Model):
    """An EMA model of a scenario: each experiment is `replicates` runs of the lockstep model."""

    def __init__(
        self,
        scenario: Scenario,
        replicates: int,
        seed: int,
        uncertainties: Sequence[str],
        outcomes: Sequence[str],
    ) -> None:
        super().__init__(scenario.name, function=self._one)
        self.scenario, self.replicates, self.seed = scenario, replicates, seed
        self.uncertainties = [
            IntegerParameter(n, int(PARAMETERS[n].low), int(PARAMETERS[n].high))
            if PARAMETERS[n].integer
            else RealParameter(n, PARAMETERS[n].low, PARAMETERS[n].high)
            for n in uncertainties
        ]
        kind = ScalarOutcome if replicates == 1 else ArrayOutcome
        self.outcomes = [kind(name) for name in outcomes]

    def _one(self, **values: float) -> dict[str, np.ndarray]:
        """EMA's function: one experiment (the evaluators call it one at a time)."""
        return {k: v[0] for k, v in self.run_experiments([values]).items()}

    def run_experiments(self, experiments: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
        """Outcomes (experiments, replicates) of several experiments, run in lockstep batches
        of at most BATCH_RUNS runs (a scalar per experiment with one replicate)."""
        names = [o.name for o in self.outcomes]
        per_batch = max(BATCH_RUNS // self.replicates, 1)
        parts = [
            self._batch(experiments[i : i + per_batch], names)
            for i in range(0, len(experiments), per_batch)
        ]
        return {name: np.concatenate([part[name] for part in parts]) for name in names}

    def _batch(self, experiments: Sequence[dict[str, Any]], names: list[str]) -> dict:
        known = [p.name for p in self.uncertainties]
        values = [{k: float(e[k]) for k in known if k in e} for e in experiments]
        r, n = self.replicates, len(values)
        points = {k: np.array([v[k] for v in values]) for k in values[0]}
        keys = np.array([experiment_key(v) for v in values])
        summary = run_points(self.scenario, self.seed, keys, points, r)
        shape = (n,) if r == 1 else (n, r)
        return {name: summary[name].astype(float).reshape(shape) for name in names}


def experiment_key(values: dict[str, float]) -> int:
    """A number that stands for an experiment's parameter values (below 2**53)."""
    text = json.dumps({k: float(v) for k, v in sorted(values.items())})
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 11


def model(
    scenario: str | Path | Scenario = "baseline",
    replicates: int = 10,
    seed: int | None = None,
    uncertainties: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
) -> EscalationEMAModel:
    """The EMA model of a scenario (a name, a file or an object): its uncertainties (default:
    `uncertain(scenario)`), its outcomes (default: every summary outcome), `replicates` runs an
    experiment, the master seed (default: the scenario's)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)[0]
    check_runs("sim.ema.model", replicates=replicates, seed=seed)
    names = list(uncertainties or uncertain(scenario))
    bad = [n for n in names if n not in PARAMETERS]
    if bad:
        raise ValueError(f"uncertainties: {bad[0]}: unknown parameter (see `sim params`)")
    known = summary_outcomes()
    wanted = list(outcomes or known)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ValueError(f"outcomes: {unknown[0]}: not a summary outcome (see `sim outcomes`)")
    master = scenario.seed if seed is None else seed
    return EscalationEMAModel(scenario, replicates, master, names, wanted)


class LockstepEvaluator(BaseEvaluator):
    """An EMA evaluator for `sim.ema` models: the whole sample runs in lockstep batches of
    thousands of runs, instead of one experiment at a time (EMA hands a model one experiment at
    a time, so only an evaluator can batch them). The outcomes are the same as through any other
    evaluator."""

    def initialize(self) -> None:
        """Nothing to start."""

    def finalize(self) -> None:
        """Nothing to stop."""

    def evaluate_experiments(
        self, experiments: Iterable[Any], callback: Callable, **kwargs: Any
    ) -> None:
        """Run every experiment, model by model, and report each to EMA's callback."""
        models = {m.name: m for m in self._msis}
        pending = list(experiments)
        for name, model_ in models.items():
            mine = [e for e in pending if e.model_name == name]
            if not mine:
                continue
            values = [dict(e.scenario) | dict(e.policy) for e in mine]
            results = model_.run_experiments(values)
            for i, experiment in enumerate(mine):
                model_.outcomes_output = {k: v[i] for k, v in results.items()}
                callback(experiment, model_.outcomes_output)
                model_.reset_model()


def from_sweep(sweep: Any) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sweep store or a `sim run` folder (`sim.results.open(...)`) as EMA's (experiments,
    outcomes): one row a run, with the varied parameters (`boxable`), `point` and `replicate`
    (in a store) and `seed`; NaN for never."""
    runs = sweep.runs()
    experiments = boxable(runs.drop(columns=["run", *sweep.outcomes]))
    experiments["model"] = sweep.manifest["scenario"]["name"]
    outcomes = {name: runs[name].to_numpy(dtype=float, na_value=np.nan) for name in sweep.outcomes}
    return experiments, outcomes


def perform_experiments(models: Any, scenarios: Any = 0, **options: Any) -> Any:
    """EMA Workbench's `perform_experiments`, with `LockstepEvaluator` as the evaluator unless
    one is given: `perform_experiments(sim.ema.model("power_vacuum", replicates=10), 200)`
    runs the whole sample in lockstep batches (seconds, where EMA's default evaluator hands the
    model one experiment at a time), and returns the experiments `boxable`. Every other option
    is EMA's."""
    if isinstance(scenarios, bool | float) or (isinstance(scenarios, int) and scenarios < 0):
        raise ValueError(f"scenarios: {scenarios!r}: a number of experiments (or EMA's samples)")
    evaluator = options.pop("evaluator", None) or LockstepEvaluator(models)
    found = ema_workbench.perform_experiments(models, scenarios, evaluator=evaluator, **options)
    if isinstance(found, tuple) and isinstance(found[0], pd.DataFrame):
        return (boxable(found[0]), *found[1:])
    return found


def boxable(experiments: pd.DataFrame) -> pd.DataFrame:
    """The experiments with the registry's whole-number parameters as floats (whole numbers
    still): EMA's PRIM pastes a box's edge, such as 8.5, into a parameter's column, which
    pandas refuses for an integer column."""
    whole = [c for c in experiments if c in PARAMETERS and PARAMETERS[c].integer]
    return experiments.astype(dict.fromkeys(whole, float))
