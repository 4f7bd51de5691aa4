"""Calibration with a posterior: ABC-SMC (pyabc) on the targets of the two calibration windows.

A calibration file names a scenario, the parameters to calibrate (default: those whose
defaults were fitted to the windows, C11, C12, P01-P05) with their prior ranges (default: the
registry's plausible ranges, uniform), the targets (`data/targets.toml`, each with its source)
and the budget. The record of 2019 is taken as one run of the model seen through an error
model (`LIKELIHOOD`): a run's value of a target counts fully inside the target's band and falls
off as a normal density of sd one half-band outside it (`Target.log_kernel`; a share target's run
value is 1 where its event happened, 0 where not). A particle's likelihood is the probability
that one of its runs matches the whole record so, the mean over its runs of the product of the
kernels: `replicates` runs estimate it without bias, so they set its precision, not what it is.
pyabc's `StochasticAcceptor` accepts a particle with a probability proportional to it, tempered
in the first generations and exact (temperature 1) in the last (Wilkinson 2013).

Particles are simulated many at a time, in one lockstep model: pyabc hands its sampler one
closure a particle (propose, simulate, accept), so `abc_smc.LockstepSampler` calls it twice: it
collects the next `batch` proposals (the model records them and answers a placeholder); then it
runs them all in one model, rewinds numpy's random state and calls the closure again, which
proposes the same values (the same draws) and now gets their real outputs. The particles are
the same whatever the batch (a batch of 1 is pyabc's single-core order), at a lockstep model's
speed. Each generation seeds numpy's global generator, which pyabc draws its proposals from,
from (seed, generation), so a resumed calibration goes on as an uninterrupted one would.
"""

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy.special import logsumexp

from sim.analysis.coverage import ranks as coverage_ranks
from sim.analysis.expressions import condition, numbers
from sim.analysis.posterior import Posterior, runnable
from sim.model.claims import ASSUMPTION, PATTERNS
from sim.model.params import PARAMETERS
from sim.model.scenario import (
    SEED_LIMIT,
    Scenario,
    ScenarioError,
    Strict,
    check,
    cut,
    load_named_in,
    read_text,
    read_toml,
    refuse_drawn,
)
from sim.sweeps.design import Varied, bounds, check_ranges
from sim.sweeps.runner import run_points

SQLITE = "sqlite:///"

TARGETS = files("sim.analysis") / "data" / "targets.toml"
"""The shipped targets: both calibration windows."""

FITTED = ("C11", "C12", *PATTERNS)
"""A parameter whose basis names one of these, and not `assumption`, was fitted to a calibration
window (see `fitted_parameters`)."""


Finite = Annotated[float, Field(allow_inf_nan=False)]


class Target(Strict):
    """One observed summary: a statistic of a particle's runs, and what the sources say."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    outcome: str = Field(min_length=1, description="a summary column or an expression over them")
    statistic: Literal["median", "share"]
    band: Annotated[list[Finite], Field(min_length=2, max_length=2)]
    day: int = Field(ge=0, le=3650, description="the last day the target needs")
    source: str = Field(min_length=1)
    observed: Finite | None = Field(None, description="default: the band's middle")

    @model_validator(mode="after")
    def _check(self) -> "Target":
        if not self.band[0] < self.band[1]:
            raise ValueError(f"band: empty or inverted {self.band}")
        return self

    @property
    def value(self) -> float:
        """The observed value."""
        return self.observed if self.observed is not None else sum(self.band) / 2

    @property
    def scale(self) -> float:
        """One unit of distance: the band's half-width."""
        return (self.band[1] - self.band[0]) / 2

    def observing(self, value: float) -> "Target":
        """The same target with a synthetic observation: `value`, its band as wide around it."""
        return self.model_copy(
            update={"observed": value, "band": [value - self.scale, value + self.scale]}
        )

    def miss(self, statistic: float) -> float:
        """How far a particle's statistic falls outside the band, in half-bands (0 inside: the
        sources give ranges and one-sided claims, not points)."""
        low, high = self.band
        return max(low - statistic, statistic - high, 0.0) / self.scale

    def log_kernel(self, values: np.ndarray) -> np.ndarray:
        """The error model's log-density of the record given runs' values (`LIKELIHOOD`): 0 inside
        the band, -miss^2 / 2 outside it (a normal fall-off of sd one half-band)."""
        low, high = self.band
        miss = np.maximum(np.maximum(low - values, values - high), 0.0) / self.scale
        return -0.5 * miss**2

    def recorded(self, value: float, rng: np.random.Generator) -> "Target":
        """A synthetic record of a run's value, drawn from the error model: the band, as wide,
        centred at the value moved by a draw of density proportional to the kernel (uniform over
        one half-band either side with the weight of its width, else a half-band and a half
        normal beyond it)."""
        flat = 2 / (2 + np.sqrt(2 * np.pi))  # the flat part's share of the kernel's area
        step = (
            rng.uniform(-1, 1)
            if rng.random() < flat
            else rng.choice([-1, 1]) * (1 + abs(rng.normal()))
        )
        return self.observing(value + step * self.scale)


class TargetFile(Strict):
    """A file of targets."""

    target: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "TargetFile":
        names = [t.name for t in self.target]
        if len(set(names)) < len(names):
            raise ValueError("target: two targets have the same name")
        return self


class Calibration(Strict):
    """One calibration file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    description: str = ""
    scenario: str = Field("baseline", description="a named scenario or a scenario file")
    parameters: Annotated[dict[str, Varied], Field(min_length=1)] | None = Field(
        None, description="parameters and prior ranges (default: those fitted to the windows)"
    )
    targets: str = Field("default", description="a targets file, or 'default' (both windows)")
    use: Annotated[list[str], Field(min_length=1)] | None = Field(
        None, description="the targets to use (default: all)"
    )
    held_out: list[str] = Field(
        [], description="targets of `use` not fitted, only predicted (the out-of-sample check)"
    )
    replicates: int = Field(16, ge=1, le=10_000, description="runs a particle")
    population: int = Field(100, ge=5, le=100_000, description="particles a generation")
    generations: int = Field(6, ge=1, le=100, description="ABC-SMC generations")
    seed: int = Field(0, ge=0, lt=SEED_LIMIT, description="seeds the proposals and the runs")
    batch: int = Field(256, ge=1, le=100_000, description="particles simulated in one model")
    predictive: int = Field(
        200, ge=10, le=100_000, description="posterior draws for the predictive check"
    )

    @model_validator(mode="after")
    def _check(self) -> "Calibration":
        if self.parameters is not None:
            check_ranges(self.parameters)
            for name, varied in self.parameters.items():
                if varied.levels is not None:
                    raise ValueError(
                        f"parameters.{name}.levels: a prior is a range (levels are for grid sweeps)"
                    )
        return self

    def priors(self) -> dict[str, tuple[float, float]]:
        """Each calibrated parameter's uniform prior range."""
        chosen = self.parameters if self.parameters is not None else fitted_parameters()
        return bounds(chosen)


def fitted_parameters() -> dict[str, Varied]:
    """The parameters whose defaults were fitted to a calibration window, over their ranges:
    their basis names a window's claim or pattern and no `assumption` (a rule resting on C12
    with an assumed value was not fitted); the ladder's thresholds are left out (they define
    outcomes)."""
    return {
        name: Varied()
        for name, p in PARAMETERS.items()
        if set(p.basis) & set(FITTED) and ASSUMPTION not in p.basis and not p.defines_outcome
    }


def read_targets(path: str | Path | None = None) -> list[Target]:
    """The targets of a file (default: the shipped ones), checked."""
    if path is None:
        source, text = str(TARGETS), TARGETS.read_text(encoding="utf-8")
    else:
        source, text = str(path), read_text(Path(path))
    return check(TargetFile, read_toml(text, source), source).target


@dataclass
class Problem:
    """What a calibration needs: the file, its scenario cut to the targets' last day, the
    targets fitted and the priors; `held_out`: targets only predicted, and `later` the scenario
    cut to their last day, if after the fitted ones'."""

    calibration: Calibration
    scenario: Scenario
    targets: list[Target]
    priors: dict[str, tuple[float, float]]
    text: str
    held_out: list[Target] = field(default_factory=list)
    later: Scenario | None = None

    @property
    def observed(self) -> dict[str, float]:
        return {t.name: t.value for t in self.targets}


def load(path: str | Path) -> Problem:
    """A calibration file with its scenario and targets; errors name the file and field."""
    path = Path(path)
    text = read_text(path)
    calibration = check(Calibration, read_toml(text, str(path)), str(path))
    target_file = None if calibration.targets == "default" else path.parent / calibration.targets
    try:
        targets = read_targets(target_file)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: targets: {error}") from None
    for key in ("use", "held_out"):
        unknown = sorted(set(getattr(calibration, key) or []) - {t.name for t in targets})
        if unknown:
            raise ValueError(f"{path}: {key}: unknown target {unknown[0]!r} (not in the targets)")
    if calibration.use is not None:
        targets = [t for t in targets if t.name in calibration.use]
    held_out = [t for t in targets if t.name in calibration.held_out]
    targets = [t for t in targets if t.name not in calibration.held_out]
    if not targets:
        raise ValueError(f"{path}: held_out: every target held out, none left to fit")
    scenario = load_named_in(calibration.scenario, path)[0]
    named = "parameters." if calibration.parameters else "the fitted parameters' "
    refuse_drawn(scenario, list(calibration.priors()), str(path), named)
    late = max(targets + held_out, key=lambda t: t.day)
    if late.day > scenario.horizon:
        raise ValueError(
            f"{path}: target {late.name}: day {late.day} is after {scenario.name}'s horizon "
            f"({scenario.horizon})"
        )
    fitted, later = (cut(scenario, day) for day in (max(t.day for t in targets), late.day))
    problem = Problem(calibration, fitted, targets, calibration.priors(), text, held_out, later)
    try:  # one run at the priors' middles: every target must give a number
        middle = {n: np.array([(low + high) / 2]) for n, (low, high) in problem.priors.items()}
        simulate(whole(problem), middle, np.array([0]), 1)
    except ValueError as error:
        raise ValueError(f"{path}: targets: {error}") from None
    return problem


def run_values(
    problem: Problem, values: dict[str, np.ndarray], keys: np.ndarray, replicates: int
) -> pd.DataFrame:
    """Each target's value in each run of some particles (one row a run, its particle's index
    in `particle`): particle k takes the values values[name][k] and runs `replicates` times with
    seeds from (seed, keys[k], replicate)."""
    summary = run_points(
        problem.scenario, problem.calibration.seed, keys, runnable(values), replicates
    )
    found = target_values(problem.targets, pd.DataFrame(summary), problem.scenario.horizon)
    return found.assign(particle=np.repeat(np.arange(len(keys)), replicates))


def target_values(targets: list[Target], runs: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Each target's value in each run of a summary table: a median target's outcome, a share
    target's 1 where its expression is true, 0 where not."""
    found = {}
    for target in targets:
        try:
            if target.statistic == "share":
                found[target.name] = condition(runs, target.outcome).astype(float)
            else:
                found[target.name] = numbers(runs, target.outcome, horizon)
        except ValueError as error:
            raise ValueError(f"{target.name}: {error}") from None
    return pd.DataFrame(found)


def statistics(targets: list[Target], runs: pd.DataFrame) -> pd.DataFrame:
    """The particles' statistics (one row each) from their runs' values (`run_values`): each
    target's median or share over the particle's runs, and the particle's `LOG_LIKELIHOOD`."""
    grouped = runs.groupby("particle")
    stats = {
        t.name: grouped[t.name].median() if t.statistic == "median" else grouped[t.name].mean()
        for t in targets
    }
    joint = pd.Series(sum(t.log_kernel(runs[t.name].to_numpy()) for t in targets))
    mean_exp = joint.groupby(runs["particle"].to_numpy()).agg(
        lambda x: logsumexp(x) - np.log(len(x))
    )
    return pd.DataFrame(stats | {LOG_LIKELIHOOD: mean_exp}).reset_index(drop=True)


def simulate(
    problem: Problem, values: dict[str, np.ndarray], keys: np.ndarray, replicates: int
) -> pd.DataFrame:
    """The particles' statistics (`statistics`) from their runs (`run_values`)."""
    return statistics(problem.targets, run_values(problem, values, keys, replicates))


def whole(problem: Problem) -> Problem:
    """The problem with its held-out targets among the fitted ones, run to their last day: what
    the predictive check runs."""
    targets = problem.targets + problem.held_out
    return replace(
        problem, targets=targets, held_out=[], scenario=problem.later or problem.scenario
    )


LOG_LIKELIHOOD = "log_likelihood"
"""A particle's statistic: the log of its likelihood (`LIKELIHOOD`) estimated from its runs."""

LIKELIHOOD = (
    "the probability that one run matches the record, each target within its band and a normal "
    "fall-off of sd one half-band outside it, estimated by the mean over the particle's runs"
)
"""What a calibration infers with: part of a calibration folder's identity, so that a folder
made with another measure (the first ones took the Euclidean norm of the misses of the runs'
medians outside the bands) is not resumed."""


def distance(targets: list[Target], statistics: Mapping[str, float]) -> float:
    """How far a particle's statistics (by target name: medians or shares over its runs) are
    from the targets: the Euclidean norm of their misses (`Target.miss`), 0 when every one is
    inside its band. The experiments' searches rank parameter sets by it."""
    return float(np.hypot.reduce([t.miss(statistics[t.name]) for t in targets]))


Evaluate = Callable[[list[dict[str, float]], np.ndarray], list[dict[str, float]]]
"""From proposals (and their keys) to their statistics: `evaluator`."""


def evaluator(problem: Problem, replicates: int, client: Any = None) -> Evaluate:
    """A function from proposals (and their keys) to their statistics: in this process, or split
    over the workers of a Dask client (the same numbers: a particle's runs depend only on its
    values and key)."""

    def evaluate(proposals: list[dict[str, float]], keys: np.ndarray) -> list[dict[str, float]]:
        values = {name: np.array([p[name] for p in proposals]) for name in problem.priors}
        if client is None:
            return simulate(problem, values, keys, replicates).to_dict("records")
        workers = max(len(client.scheduler_info()["workers"]), 1)
        parts = np.array_split(np.arange(len(keys)), workers)
        futures = [
            client.submit(
                simulate, problem, {n: v[part] for n, v in values.items()}, keys[part], replicates
            )
            for part in parts
            if len(part)
        ]
        return pd.concat(client.gather(futures), ignore_index=True).to_dict("records")

    return evaluate


def calibrate(
    problem: Problem, database: str, client: Any = None, evaluate: Evaluate | None = None
) -> Posterior:
    """ABC-SMC with a stochastic acceptor on the problem's targets (`LIKELIHOOD`) into a pyabc
    database (an SQLAlchemy address, e.g. sqlite:///path/abc.db); a database with generations
    already goes on from its last. `evaluate`: how proposals are simulated (default: the model,
    `evaluator`)."""
    import pyabc
    from pyabc.acceptor import StochasticAcceptor

    from sim.analysis.abc_smc import LockstepSampler, RunLikelihood, Tempering, highest_found

    c = problem.calibration
    prior = pyabc.Distribution(
        **{
            name: pyabc.RV("uniform", low, high - low)
            for name, (low, high) in problem.priors.items()
        }
    )
    evaluate = evaluate or evaluator(problem, c.replicates, client)
    placeholder = problem.observed | {LOG_LIKELIHOOD: 0.0}
    sampler = LockstepSampler(evaluate, placeholder, c.batch, c.seed)
    done = generations(database, create=True)
    if not done and database.startswith(SQLITE):  # stopped before generation 0: start anew
        Path(database.removeprefix(SQLITE)).unlink(missing_ok=True)
    stored = temperatures(database) if done else []
    abc = pyabc.ABCSMC(
        sampler.model,
        prior,
        RunLikelihood(LOG_LIKELIHOOD),
        population_size=c.population,
        sampler=sampler,
        eps=Tempering(c.generations, stored),
        acceptor=StochasticAcceptor(pdf_norm_method=highest_found),
    )
    history = abc.load(database, 1) if done else abc.new(database, problem.observed)
    remaining = c.generations - done
    if remaining > 0:
        abc.run(minimum_epsilon=0.0, max_nr_populations=remaining)  # all, at 1 as well
    return posterior_of(history, problem)


def temperatures(database: str) -> list[float]:
    """The temperatures of the generations a pyabc database holds."""
    import pyabc

    populations = pyabc.History(database, _id=1).get_all_populations()
    return [float(e) for e in populations.loc[populations["t"] >= 0, "epsilon"]]


def generations(database: str, create: bool = False) -> int:
    """The generations a pyabc database holds (0 for a new one, or one stopped before its
    first); a ValueError for one that is not a pyabc database. `create` makes a missing one."""
    import pyabc
    import sqlalchemy

    try:
        last = pyabc.History(database, _id=1, create=create).max_t  # -1: none finished
    except (sqlalchemy.exc.SQLAlchemyError, ValueError, OSError) as error:
        text = str(getattr(error, "orig", None) or error)  # SQLAlchemy's: the driver's words
        reason = text.splitlines()[0] if text else type(error).__name__
        raise ValueError(
            f"{database.removeprefix(SQLITE)}: not a pyabc database ({reason})"
        ) from None
    return last + 1 if last is not None and last >= 0 else 0


def saved(database: str) -> int:
    """The generations a pyabc database holds; 0 for none, a missing or an unreadable one."""
    try:
        return generations(database)
    except ValueError:
        return 0


def posterior_of(history: Any, problem: Problem) -> Posterior:
    """Every generation's particles from a pyabc history."""
    rows = []
    for t in range(history.max_t + 1):
        population = history.get_population(t=t)
        for particle in population.particles:
            rows.append(
                {"generation": t, "weight": particle.weight}
                | dict(particle.parameter)
                | {f"stat_{k}": float(v) for k, v in particle.sum_stat.items()}
            )
    frame = pd.DataFrame(rows)
    for t in range(history.max_t + 1):  # weights sum to one within each generation
        rows_t = frame["generation"] == t
        frame.loc[rows_t, "weight"] /= frame.loc[rows_t, "weight"].sum()
    populations = history.get_all_populations()  # t = -1: the prior sample that sets eps
    return Posterior(
        particles=frame,
        names=list(problem.priors),
        temperatures=[float(e) for e in populations.loc[populations["t"] >= 0, "epsilon"]],
        evaluations=int(populations["samples"].sum()),
        samples=[int(s) for s in populations.loc[populations["t"] >= 0, "samples"]],
    )


def predictive(problem: Problem, posterior: Posterior, draws: int) -> pd.DataFrame:
    """The posterior predictive check, held-out targets included: `draws` particles of the last
    generation, each run `replicates` times again (new keys), and each target's 5%, 50% and 95%
    over these runs against its observed value and band, with the share of runs inside the band
    (`in_band`: for a share target, the runs where its event went as recorded) and whether the
    target was `held_out`; a last row, "all bands", gives the share of runs inside every band at
    once."""
    every = whole(problem)
    picked = posterior.draw(draws, problem.calibration.seed)
    values = {name: picked[name].to_numpy(dtype=float) for name in problem.priors}
    keys = 2**52 + np.arange(draws)  # apart from the calibration's keys
    runs = run_values(every, values, keys, problem.calibration.replicates)
    rows = []
    met = np.ones(len(runs), dtype=bool)
    for t in every.targets:
        low, mid, high = np.quantile(runs[t.name], [0.05, 0.5, 0.95])
        in_band = ((runs[t.name] >= t.band[0]) & (runs[t.name] <= t.band[1])).to_numpy()
        met &= in_band
        rows.append(
            {
                "target": t.name,
                "source": t.source,
                "held_out": t in problem.held_out,
                "observed": t.value,
                "band_low": t.band[0],
                "band_high": t.band[1],
                "q05": low,
                "median": mid,
                "q95": high,
                "in_band": float(in_band.mean()),
            }
        )
    rows.append({"target": ALL_BANDS, "source": "every target at once", "in_band": met.mean()})
    return pd.DataFrame(rows)


ALL_BANDS = "all bands"
"""The predictive check's last row: the share of runs inside every band at once."""


def predicted(checked: pd.DataFrame) -> str:
    """The predictive check in a sentence: the share of posterior predictive runs inside the
    fitted targets' bands, inside all at once, and inside each held-out target's band."""
    rows, together = checked.iloc[:-1], checked.iloc[-1]["in_band"]
    fitted = rows.loc[~rows["held_out"].astype(bool), "in_band"]
    said = (
        f"posterior predictive runs in each fitted band: {fitted.min():.0%} to {fitted.max():.0%}"
        f", in all {len(rows)} bands at once: {together:.0%}"
    )
    held = rows[rows["held_out"].astype(bool)]
    if not held.empty:
        pairs = zip(held["target"], held["in_band"], strict=True)
        shares = ", ".join(f"{target} {share:.0%}" for target, share in pairs)
        said += f"; held out, runs in band: {shares}"
    return said


RESUMABLE = {"description", "batch", "predictive"}
"""Fields a resumed calibration may change: they change no particle (the batch changes only the
speed; the predictive check is drawn anew). The generations set the temperatures, so a
calibration with more is another one."""


def identity(problem: Problem) -> dict[str, Any]:
    """What a calibration folder's particles depend on: resuming with anything else is
    refused."""
    from sim.io.disk import code_digest

    return {
        "calibration": problem.calibration.model_dump(mode="json", exclude=RESUMABLE),
        "targets": [t.model_dump(mode="json") for t in problem.targets],
        "scenario": problem.scenario.model_dump(mode="json"),
        "model_code": code_digest(),
        "likelihood": LIKELIHOOD,
    }


def about_last(problem: Problem, posterior: Posterior) -> str:
    """What the last generation is, for the files written from it."""
    c, last = problem.calibration, posterior.last
    generation = int(last["generation"].max()) + 1
    return (
        f"calibration {c.name!r}: generation {generation} of {c.generations}, {len(last)} "
        f"particles, {c.replicates} runs each"
    )


def parameter_file(problem: Problem, posterior: Posterior) -> str:
    """The posterior mean as a TOML [parameters] table: a scenario's own table, or `sim run
    --set-file`."""
    lines = [
        f"# The posterior mean of {about_last(problem, posterior)}.",
        "# Written by `sim calibrate`; use it as a scenario's parameters_file or with",
        "# `sim run SCENARIO --set-file parameters.toml`.",
        "[parameters]",
    ]
    for name, value in posterior.mean().items():
        lines.append(
            f"{name} = {value:.6g}" if not PARAMETERS[name].integer else f"{name} = {value:g}"
        )
    return "\n".join(lines) + "\n"


def sample_file(problem: Problem, posterior: Posterior) -> str:
    """The last generation as a TOML [sample] table: a scenario naming it (`parameters_file`),
    or `sim run --set-file`, gives each run one particle, drawn by weight from its seed. Values
    are written exactly (Python's shortest round-trip form)."""
    sample = posterior.sample()
    rows = ",\n".join(f"  [{', '.join(repr(v) for v in row)}]" for row in sample.values)
    return (
        f"# The posterior sample of {about_last(problem, posterior)}.\n"
        "# Written by `sim calibrate`; a scenario naming it as its parameters_file, or\n"
        "# `sim run SCENARIO --set-file sample.toml`, gives each run one particle, drawn by\n"
        "# weight with a uniform number from the run's own seed.\n"
        "[sample]\n"
        f"source = {json.dumps(about_last(problem, posterior))}\n"
        f"names = {json.dumps(sample.names)}\n"
        f"weights = [{', '.join(repr(w) for w in sample.weights)}]\n"
        f"values = [\n{rows},\n]\n"
    )


Simulator = Callable[[Problem, int, Any], Evaluate]
"""From a problem, runs a particle and a Dask client (or None) to an `Evaluate`: `evaluator`."""


def coverage(
    problem: Problem, draws: int, client: Any = None, simulator: Simulator | None = None
) -> pd.DataFrame:
    """Simulation-based calibration (`sim.analysis.coverage`): `draws` parameter values (the
    truths) from the prior; at each, a synthetic record made as the likelihood says the real one
    was (`LIKELIHOOD`): one run of the model (its own key), each target's band moved by a draw
    from the error model (`Target.recorded`); a calibration on it (in memory); and each truth's
    rank in the last generation, with the joint (TARP) rank. One row per draw and parameter, and
    the joint one. `simulator`: how particles are simulated (default: the model, `evaluator`)."""
    c = problem.calibration
    simulator = simulator or evaluator
    rng = np.random.default_rng(c.seed)
    rows = []
    for k in range(draws):
        truth = {name: rng.uniform(low, high) for name, (low, high) in problem.priors.items()}
        truth = {n: float(round(v)) if PARAMETERS[n].integer else v for n, v in truth.items()}
        run = simulator(problem, 1, client)([truth], np.array([2**51 + k]))[0]  # one run's values
        targets = [t.recorded(float(run[t.name]), rng) for t in problem.targets]
        again = replace(problem, targets=targets, held_out=[])
        evaluate = simulator(again, c.replicates, client)
        with tempfile.TemporaryDirectory() as folder:
            last = calibrate(again, f"{SQLITE}{folder}/abc.db", client, evaluate).last
        last = last.assign(**{n: np.rint(last[n]) for n in truth if PARAMETERS[n].integer})
        weights = last["weight"].to_numpy(dtype=float)
        rows += coverage_ranks(k, truth, last, weights, problem.priors, rng)
    return pd.DataFrame(rows)
