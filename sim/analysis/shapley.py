"""Shapley effects over a calibration's posterior: how much of an outcome's variance each
calibrated parameter's remaining uncertainty accounts for.

A posterior's parameters are correlated (the windows pin down combinations of them, such as a
short patience or breaches that annoy more), so Sobol indices, which assume independent inputs,
do not apply; Shapley effects do (Owen 2014; Song, Nelson & Staum 2016): a parameter's effect is
its mean contribution to the explained variance over every order in which the parameters could
be learnt, so the effects are shares that add up to the variance the parameters explain, never
below zero in expectation, and a parameter with no effect of its own gets a share when it is
correlated with one that has (knowing it tells about the other).

SALib 1.6's `shapley` (Goda 2021) draws every input independently, so it cannot take a
dependent input distribution. This module implements Song, Nelson & Staum's random-permutation
estimator (their Algorithm 1 with one outer and `INNER` inner draws, as Owen & Prieur 2017
advise) on a Gaussian copula fitted to the weighted particles of the last generation
(`Copula.fit`): each parameter's marginal is the particles' weighted distribution function, the
dependence the weighted correlation of their normal scores, so that a draw of some parameters
given the others is a Gaussian draw of their scores. For each random order of the parameters
and each of its first j parameters, the conditional variance of the outcome with those j free
and the others fixed (an outer draw) is estimated from `INNER` points; the steps between
successive costs are the parameters' contributions (the last cost is the outcome's variance,
from an independent sample of `variance_points` draws).

The model is random: an outcome at a point is the mean over its runs, whose chance adds the
same variance (the mean variance among a point's runs over their number) to every cost and to
the outcome's variance. It is estimated from the runs of the variance sample (a one-way analysis
of variance, `sensitivity.Anova`) and taken out of each, so the effects add up to the
variance of the points' true means (the parameters' part), reported beside the chance part.
The intervals are normal ones over the random orders, plus the variance estimate's own error.

A share is an effect divided by the parameters' part, so where chance is nearly all of an
outcome's variance the shares divide by a number near zero and known only to within its error:
they, and their intervals, blow up. The parameters' part therefore carries its own interval (a
bootstrap over the variance sample's points, `Anova.explained_conf`), and the shares are given
only where that interval is clear of zero; otherwise the outcome is `chance-dominated`, its
shares are left empty with the reason, and its effects (in the outcome's units squared, with
their intervals) are what is left to read: each says how little a parameter can move it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import norm

from sim.analysis.expressions import numbers
from sim.analysis.posterior import read as read_posterior
from sim.analysis.posterior import runnable
from sim.analysis.sensitivity import CONFIDENCE, OUTCOMES, Anova
from sim.io.disk import read_sealed
from sim.model.scenario import Scenario
from sim.sweeps.runner import run_points

INNER = 3
"""Points a conditional variance is estimated from (one outer draw each: Song et al.'s choice
for random orders)."""

PERMUTATIONS = 400
"""Random orders of the parameters, by default."""

RUNS_A_POINT = 8
"""Runs a design point's outcome is the mean of, by default."""

BATCH_RUNS = 4096
"""Runs simulated in one lockstep model."""

CHANCE_DOMINATED = "chance-dominated"
"""An outcome whose variance is so nearly all chance that the parameters' part cannot be told
from zero: its effects are not given as shares of that part."""

DESIGN_KEYS = 2**53
"""The design points' keys start here, apart from the calibration's and its predictive check's."""


@dataclass
class Copula:
    """A joint distribution: normal scores of this `correlation`, each parameter's value its
    `marginal` (a function from normal scores to values) of its score."""

    correlation: np.ndarray
    marginals: list[Callable[[np.ndarray], np.ndarray]]

    @classmethod
    def fit(cls, values: np.ndarray, weights: np.ndarray) -> "Copula":
        """The Gaussian copula of weighted particles (one row each): each marginal the
        weighted distribution function (each particle at the middle of its weight, linear
        between them), the correlation the weighted one of the particles' normal scores."""
        weights = np.asarray(weights, dtype=float) / np.sum(weights)
        scores, marginals = np.empty_like(values, dtype=float), []
        for k, column in enumerate(np.asarray(values, dtype=float).T):
            order = np.argsort(column, kind="stable")
            middle = np.cumsum(weights[order]) - weights[order] / 2
            middle = middle.clip(1e-15, 1 - 1e-15)  # sums a rounding error beyond 0 or 1
            scores[order, k] = ndtri(middle)
            marginals.append(lambda z, p=middle, v=column[order]: np.interp(ndtr(z), p, v))
        covariance = np.atleast_2d(np.cov(scores.T, aweights=weights))
        spread = np.sqrt(np.diag(covariance))
        with np.errstate(invalid="ignore", divide="ignore"):
            correlation = covariance / np.outer(spread, spread)
        correlation = np.nan_to_num(correlation)  # a parameter the particles all share
        np.fill_diagonal(correlation, 1.0)
        return cls(correlation, marginals)

    @property
    def dimensions(self) -> int:
        return len(self.marginals)

    def draw(self, count: int, rng: np.random.Generator) -> np.ndarray:
        """`count` draws of the normal scores (one row each)."""
        return rng.multivariate_normal(np.zeros(self.dimensions), self.correlation, count)

    def given(
        self, scores: np.ndarray, free: np.ndarray, count: int, rng: np.random.Generator
    ) -> np.ndarray:
        """`count` draws of the scores of the `free` parameters (indices) given the others'
        in `scores` (one row), the others kept."""
        fixed = np.setdiff1d(np.arange(self.dimensions), free)
        r = self.correlation
        solved = np.linalg.pinv(r[np.ix_(fixed, fixed)])
        across = r[np.ix_(free, fixed)] @ solved
        mean = across @ scores[fixed]
        spread = r[np.ix_(free, free)] - across @ r[np.ix_(fixed, free)]
        drawn = np.tile(scores, (count, 1))
        drawn[:, free] = rng.multivariate_normal(mean, spread, count, method="eigh")
        return drawn

    def values(self, scores: np.ndarray) -> np.ndarray:
        """The parameters' values of normal scores (one row a point)."""
        return np.column_stack([m(scores[:, k]) for k, m in enumerate(self.marginals)])


@dataclass
class Design:
    """The points of Song et al.'s estimator, as normal scores: first `variance_points`
    independent draws, then for each order (a row of `orders`) and each j < d, `INNER` points
    with the order's first j parameters drawn given one outer draw of the others."""

    scores: np.ndarray
    orders: np.ndarray
    variance_points: int


def design(copula: Copula, permutations: int, variance_points: int, seed: int) -> Design:
    """A design of `permutations` random orders (`Design`)."""
    rng = np.random.default_rng(seed)
    d = copula.dimensions
    orders = np.array([rng.permutation(d) for _ in range(permutations)]).reshape(-1, d)
    blocks = [copula.draw(variance_points, rng)]
    for order in orders:
        for j in range(1, d):
            outer = copula.draw(1, rng)[0]
            blocks.append(copula.given(outer, order[:j], INNER, rng))
    return Design(np.vstack(blocks), orders, variance_points)


def effects(found: Design, y: np.ndarray, noise: float = 0.0) -> pd.DataFrame:
    """Each parameter's Shapley effect in the outcome's units squared (`shapley`, adding up
    to the outcome's variance less `noise`) and its half-width at `CONFIDENCE` (one row a
    parameter, in the copula's order); `y`: the outcome at the design's points."""
    m, d = found.orders.shape
    head = y[: found.variance_points]
    variance = np.var(head, ddof=1) - noise
    costs = y[found.variance_points :].reshape(m, d - 1, INNER).var(axis=2, ddof=1) - noise
    costs = np.hstack([np.zeros((m, 1)), costs, np.full((m, 1), variance)])
    contributions = np.empty((m, d))
    np.put_along_axis(contributions, found.orders, np.diff(costs, axis=1), axis=1)
    # the variance estimate's own error, in the orders where a parameter comes last
    last = np.bincount(found.orders[:, -1], minlength=d) / m
    squares = (head - head.mean()) ** 2
    error = contributions.var(axis=0, ddof=1) / m + last**2 * np.var(squares, ddof=1) / len(head)
    z = norm.ppf(0.5 + CONFIDENCE / 2)
    return pd.DataFrame({"shapley": contributions.mean(axis=0), "shapley_conf": z * np.sqrt(error)})


@dataclass
class PosteriorShapley:
    """Shapley effects over a calibration's posterior: one row an outcome and parameter
    (`indices`), each outcome's chance split (`chance`), the copula's correlation of the
    parameters' normal scores, and what was run."""

    indices: pd.DataFrame  # outcome, parameter, shapley, shapley_conf, share, share_conf
    chance: pd.DataFrame  # outcome, variance, parameters_share, chance_share, chance_in_means,
    # parameters_part, parameters_part_conf, chance_dominated, reason
    correlation: pd.DataFrame
    calibration: str  # the calibration's name
    particles: int  # in the last generation
    ess: float  # the last generation's effective sample size
    permutations: int
    points: int
    replicates: int


@dataclass
class Question:
    """What `answer` is asked, read and checked (`question`): the calibration's last generation,
    its identity, the scenario and seed it ran with, and the outcomes."""

    posterior: Any  # sim.analysis.posterior.Posterior
    identity: dict[str, Any]
    scenario: Scenario
    seed: int
    outcomes: list[str]


def question(folder: str | Path, outcomes: list[str] | None = None) -> Question:
    """The Shapley question over the `sim calibrate` folder `folder` for the outcomes (default:
    `sensitivity.OUTCOMES`), checked before any run is sent anywhere: a ValueError says what is
    wrong (not a calibration folder; an unknown or non-numeric outcome, found by one run at the
    posterior mean)."""
    posterior = read_posterior(folder)
    identity = read_sealed(Path(folder)).get("identity")
    if not isinstance(identity, dict) or "scenario" not in identity:
        raise ValueError(f"{folder}: manifest.json: no calibration identity (its scenario)")
    scenario = Scenario.model_validate(identity["scenario"])
    seed = identity["calibration"]["seed"]
    chosen = outcomes or list(OUTCOMES)
    middle = {name: np.array([posterior.mean()[name]]) for name in posterior.names}
    measured(scenario, seed, middle, 1, chosen)  # one run: an unknown outcome fails at once
    return Question(posterior, identity, scenario, seed, chosen)


def over_posterior(
    folder: str | Path,
    outcomes: list[str] | None = None,
    permutations: int = PERMUTATIONS,
    replicates: int = RUNS_A_POINT,
    client: Any = None,
) -> PosteriorShapley:
    """Shapley effects of the outcomes (default: `sensitivity.OUTCOMES`) over the last
    generation of the `sim calibrate` folder `folder`: `answer(question(folder, outcomes),
    ...)`."""
    return answer(question(folder, outcomes), permutations, replicates, client)


def answer(
    asked: Question,
    permutations: int = PERMUTATIONS,
    replicates: int = RUNS_A_POINT,
    client: Any = None,
) -> PosteriorShapley:
    """Shapley effects of the question's outcomes over its posterior's last generation, in the
    scenario the calibration ran (to its targets' last day), each point the mean of
    `replicates` runs, run in this process or on the workers of a Dask `client` (the same
    numbers)."""
    posterior, seed, chosen = asked.posterior, asked.seed, asked.outcomes
    names, last = posterior.names, posterior.last
    copula = Copula.fit(last[names].to_numpy(dtype=float), last["weight"].to_numpy())
    variance_points = permutations * max(len(names) - 1, 1)
    made = design(copula, permutations, variance_points, seed)
    values = dict(zip(names, copula.values(made.scores).T, strict=True))
    runs = measured(asked.scenario, seed, values, replicates, chosen, client)
    indices, chance = [], []
    for name in chosen:
        found, split = of_runs(made, runs[name], replicates)
        indices.append(found.assign(outcome=name, parameter=names))
        chance.append({"outcome": name, **split})
    first = ["outcome", "parameter"]
    table = pd.concat(indices, ignore_index=True)
    return PosteriorShapley(
        indices=table[first + [c for c in table.columns if c not in first]],
        chance=pd.DataFrame(chance),
        correlation=pd.DataFrame(copula.correlation, index=names, columns=names),
        calibration=asked.identity["calibration"]["name"],
        particles=len(last),
        ess=posterior.ess()[-1],
        permutations=permutations,
        points=len(made.scores),
        replicates=replicates,
    )


def of_runs(
    found: Design, values: np.ndarray, replicates: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An outcome's effects (`effects`, with each one's `share` of the parameters' part and its
    half-width) from its `values` in the runs of the design's points (point i's at i *
    replicates, ...), chance taken out; and its chance split (`Anova.split`) over the variance
    sample's runs, with the parameters' part and its half-width (`parameters_part`,
    `parameters_part_conf`) and whether the shares are left out (`chance_dominated`, with the
    `reason`)."""
    points = np.repeat(np.arange(len(found.scores)), replicates)
    y = pd.Series(values).groupby(points).mean().to_numpy()
    head = points < found.variance_points
    anova = Anova.of(values[head], points[head], replicates)
    effect = effects(found, y, anova.within / replicates if replicates > 1 else 0.0)
    part, error = anova.explained, anova.explained_conf()
    reason = shares_left_out(part, error, replicates)
    scale = float("nan") if reason else part
    shares = {"share": effect["shapley"] / scale, "share_conf": effect["shapley_conf"] / scale}
    split = anova.split() | {"parameters_part": part, "parameters_part_conf": error}
    split |= {"chance_dominated": reason.startswith(CHANCE_DOMINATED), "reason": reason}
    return effect.assign(**shares), split


def shares_left_out(part: float, error: float, replicates: int) -> str:
    """Why an outcome's effects are not given as shares of the parameters' part (`part`, with
    its half-width `error`), or "" where they are: that part must be clearly above its error
    (its interval clear of zero), else the shares divide by a number that may be nothing."""
    if replicates < 2:
        return "one run a point: chance cannot be told from the parameters"
    if part > error:
        return ""
    if part == error == 0:
        return "the outcome does not vary"
    return (
        f"{CHANCE_DOMINATED}: the parameters' part of the variance, {part:.3g}±{error:.2g}, "
        "cannot be told from zero"
    )


def measured(
    scenario: Scenario,
    seed: int,
    values: dict[str, np.ndarray],
    replicates: int,
    outcomes: list[str],
    client: Any = None,
) -> dict[str, np.ndarray]:
    """Each outcome in each run of the points `values` (point i's runs at i * replicates ...),
    simulated in lockstep batches of at most `BATCH_RUNS` runs (at least one a worker of the
    Dask `client`, if given). A run's seed depends on its point and replicate only, so where
    the batches run changes no number."""
    count = len(next(iter(values.values())))
    step = max(BATCH_RUNS // replicates, 1)
    if client is not None:
        workers = max(len(client.scheduler_info()["workers"]), 1)
        step = min(step, -(-count // workers))
    batches = []
    for start in range(0, count, step):
        part = {name: v[start : start + step] for name, v in values.items()}
        keys = DESIGN_KEYS + np.arange(start, min(start + step, count))
        batches.append((scenario, seed, keys, runnable(part), replicates))
    if client is None:
        found = [run_points(*batch) for batch in batches]
    else:
        found = client.gather([client.submit(run_points, *batch, pure=False) for batch in batches])
    runs = pd.concat(map(pd.DataFrame, found), ignore_index=True)
    return {name: numbers(runs, name, scenario.horizon) for name in outcomes}
