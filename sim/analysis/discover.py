"""Scenario discovery: under which parameter values does an outcome happen?

PRIM (EMA Workbench's `analysis.prim`) over a stored sweep's varied parameters, for a boolean
outcome written as an expression over the summary's columns (`peak_level >= 6`,
`ne_operation_day.notna()`). Three guards against finding noise:

- the design points are split at random into two halves (a point's runs together): PRIM peels
  on the runs of one, and each box of its trajectory, with only the edges whose quasi-p-value
  on that half is at most QP_LIMIT, is measured on the other ("held-out" coverage and density),
  which chooses the box (DENSITY, CONFIDENCE_Z); the box is peeled once more over only the
  parameters it restricts (`_fit`);
- a null parameter, pure noise drawn once a design point, is varied with the others: how often
  PRIM restricts it is the floor a real parameter must beat;
- stability is counted over bootstrap resamples of design points (a point's runs together, as
  its replicates share its parameters), each peeling on its resample and choosing its box on
  the points it left out.

Feature scores (extra trees, from EMA Workbench) rank the parameters, the null among them.
"""

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.expressions import condition
from sim.analysis.sensitivity import chance_split

with warnings.catch_warnings():  # EMA warns at import that its optional ipyparallel is missing
    warnings.simplefilter("ignore")
    from ema_workbench.analysis import feature_scoring, prim
    from ema_workbench.analysis.prim_util import PRIMObjectiveFunctions

if TYPE_CHECKING:
    from sim.sweeps.results import SweepResults

DENSITY = 0.8
"""The chosen box: the most held-out coverage among boxes at least this dense on held-out
points."""

CONFIDENCE_Z = 1.645
"""If no box is that dense: the box with the highest lower 90% (Wilson) bound of its held-out
density, so that a small box that is dense by chance does not win."""

OBJECTIVE = PRIMObjectiveFunctions.ORIGINAL
"""PRIM's peel: the one that leaves the densest box (Friedman and Fisher 1999), down to EMA's
minimum mass of 5% whether or not the density still rises on the peeling half; where to stop
along that trajectory is the held-out half's choice. (EMA's default, LENIENT1, stops at the
first peel that gains nothing, which on a small half is often a dip of chance.)"""

BOOTSTRAPS = 20
"""Resamples of the design points for each parameter's stability."""

QP_LIMIT = 0.05
"""A box keeps a restriction only if its quasi-p-value (Bryant and Lempert 2010, one-sided
binomial, from EMA Workbench) is at most this: a narrower range that chance would give as
often is dropped."""

NULL = "null (noise)"
"""The null parameter's column: uniform noise on [0, 1], one value a design point."""


@dataclass
class Discovery:
    """What PRIM found: the peeling trajectory (with each box's held-out coverage and density),
    the chosen box and the rule that chose it, its limits and EMA's quasi-p-values, how often
    each parameter (the null included) was restricted over bootstrap resamples of the design
    points, and the feature scores."""

    outcome: str
    share: float  # of the runs with the outcome
    trajectory: pd.DataFrame  # PRIM's coverage, density, mass, res_dim; significant_dims and
    # held_out_coverage, _density, _runs of each box with only its significant restrictions
    chosen: int  # the chosen box's row in `trajectory`
    rule: str  # which rule chose it
    box: pd.DataFrame  # the parameters the box restricts: low, high, qp (quasi-p-value)
    ranges: pd.DataFrame  # every parameter's lowest and highest value in the runs
    coverage: float  # held out, the box as restricted (box)
    density: float  # held out, the box as restricted (box)
    held_out: np.ndarray  # (runs,) bool: the runs of the held-out design points
    halves: tuple[int, int]  # design points peeled on, held out
    peeled: list[str]  # the parameters the trajectory peels (the second peeling's)
    stability: pd.Series  # share of resamples restricting each parameter, the null's included
    scores: pd.Series  # feature scores, highest first

    def summary(self) -> str:
        """The box in one line."""
        limits = "; ".join(
            f"{name} {row.low:.3g}-{row.high:.3g}" for name, row in self.box.iterrows()
        )
        return (
            f"{self.outcome}: in {self.share:.0%} of the runs; box {self.chosen} "
            f"{limits or '(none)'}: held-out coverage {self.coverage:.2f}, "
            f"held-out density {self.density:.2f}"
        )

    def lines(self) -> list[str]:
        """What the command line says above its tables: the box, the rule that chose it, the
        halves, and how often the null parameter was restricted."""
        whole = self.trajectory.loc[0, "held_out_density"]
        return [
            self.summary() + f" (the whole space: {whole:.2f})",
            f"chosen by {self.rule}",
            f"peeled on {self.halves[0]} design points ({(~self.held_out).sum()} runs), chosen "
            f"and measured on the other {self.halves[1]} ({self.held_out.sum()} runs), drawn at "
            f"random; the trajectory peels {', '.join(self.peeled)}",
            f"a box keeps the restrictions of quasi-p-value (qp) {QP_LIMIT} or less on the "
            f"peeling half; restricted: in how many of {BOOTSTRAPS} resamples of the design "
            "points",
            f"{NULL} restricted in {self.stability[NULL]:.0%} of the resamples: the floor a "
            "parameter must beat",
        ]


def discover(
    x: pd.DataFrame,
    y: np.ndarray,
    outcome: str,
    seed: int = 0,
    points: np.ndarray | None = None,
) -> Discovery:
    """PRIM on parameters `x` (one row a run) for the boolean `y`; `points` gives each run's
    design point (default: a point each). Whole-number parameters are taken as real numbers
    (EMA's PRIM, on pandas 3, cannot paste a box's real edge into an integer column)."""
    if y.all() or not y.any():
        raise ValueError(
            f"--outcome {outcome!r}: true in {y.mean():.0%} of the runs: nothing to find"
        )
    rng = np.random.default_rng(seed)
    point = np.unique(np.arange(len(x)) if points is None else points, return_inverse=True)[1]
    count = int(point.max()) + 1
    x = x.astype(float).reset_index(drop=True).assign(**{NULL: rng.random(count)[point]})
    halves = rng.random(count) < 0.5
    held_out = halves[point]
    fit = _fit(x, y, point, (~held_out).astype(int), held_out)
    if fit is None:
        raise ValueError(
            f"--outcome {outcome!r}: too few design points with and without it to hold half out"
        )
    restricted = pd.Series(0.0, index=x.columns)
    for _ in range(BOOTSTRAPS):
        drawn = design_point_draw(rng, point)
        again = _fit(x, y, point, drawn, drawn == 0)
        if again is not None:
            restricted[again.box.index] += 1 / BOOTSTRAPS
    scores = feature_scoring.get_ex_feature_scores(x, y, random_state=seed)[0].iloc[:, 0]
    return Discovery(
        outcome=outcome,
        share=float(y.mean()),
        trajectory=fit.trajectory,
        chosen=fit.chosen,
        rule=fit.rule,
        box=fit.box,
        ranges=pd.DataFrame({"low": x.min(), "high": x.max()}),
        coverage=fit.coverage,
        density=fit.density,
        held_out=held_out,
        halves=(int((~halves).sum()), int(halves.sum())),
        peeled=list(fit.parameters),
        stability=restricted.sort_values(ascending=False),
        scores=scores.sort_values(ascending=False),
    )


def design_point_draw(rng: np.random.Generator, point: np.ndarray) -> np.ndarray:
    """(runs,) how many times a bootstrap resample of the design points draws each run: the
    runs of a point (numbered 0, 1, ...) all as often as the point."""
    count = int(point.max()) + 1
    return np.bincount(rng.integers(0, count, count), minlength=count)[point]


@dataclass
class _Fit:
    """One PRIM fit: its trajectory measured on held-out runs, the chosen box and its rule, the
    box's significant restrictions and their held-out coverage and density."""

    trajectory: pd.DataFrame
    chosen: int
    rule: str
    box: pd.DataFrame
    coverage: float
    density: float
    parameters: pd.Index  # the parameters peeled


def _fit(
    x: pd.DataFrame, y: np.ndarray, point: np.ndarray, weights: np.ndarray, held_out: np.ndarray
) -> _Fit | None:
    """PRIM on the runs with `weights` (how many times each run is used: 1 on the peeling half,
    a bootstrap's repeats), its boxes measured on the `held_out` runs and one chosen; then
    peeled again, on the same runs, over only the parameters that box restricts: a parameter
    whose peels took out the runs that show a real edge, and whose restriction was then dropped
    as no better than chance, no longer keeps that edge loose. None if either side lacks runs
    with or without the outcome."""
    rows = np.repeat(np.arange(len(x)), weights)
    if y[rows].all() or not y[rows].any() or y[held_out].all() or not y[held_out].any():
        return None
    clustering = design_effect(y[held_out], point[held_out])
    first = _pass(x, y, rows, held_out, clustering)
    if first.box.empty or len(first.box) == x.shape[1]:
        return first
    return _pass(x[first.box.index], y, rows, held_out, clustering)


def _pass(
    x: pd.DataFrame,
    y: np.ndarray,
    rows: np.ndarray,
    held_out: np.ndarray,
    clustering: float,
) -> _Fit:
    """One PRIM peeling of the runs `rows` over the parameters `x`: each box of its trajectory,
    its restrictions of a quasi-p-value above QP_LIMIT dropped, measured on the `held_out` runs
    (whose design effect is `clustering`), and one chosen."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peeled = prim.Prim(
            x.iloc[rows].reset_index(drop=True), y[rows], obj_function=OBJECTIVE
        ).find_box()
    trajectory = peeled.peeling_trajectory.reset_index(drop=True)
    trajectory = trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    boxes = [_significant(peeled, i) for i in range(len(trajectory))]
    test, hit = x[held_out], y[held_out]
    inside = np.array([_inside(test, box) for box in boxes])  # (boxes, held-out runs)
    found, size = (inside & hit).sum(axis=1), inside.sum(axis=1)
    trajectory["significant_dims"] = [len(box) for box in boxes]
    trajectory["held_out_coverage"] = found / hit.sum()
    trajectory["held_out_density"] = found / np.maximum(size, 1)
    trajectory["held_out_runs"] = size
    chosen, rule = _choose(trajectory, clustering)
    coverage, density = trajectory.loc[chosen, ["held_out_coverage", "held_out_density"]]
    box = boxes[chosen]
    return _Fit(trajectory, chosen, rule, box, float(coverage), float(density), x.columns)


def design_effect(y: np.ndarray, point: np.ndarray) -> float:
    """Kish's design effect of runs that come in design points: 1 + (m - 1) rho, m the mean
    runs a point and rho the intraclass correlation of the outcome (the parameters' share of
    its variance in a one-way analysis of variance). n runs weigh as n / design effect
    independent ones: as one run a point where a point's runs always agree, as n runs where
    they vary as freely as the runs of different points."""
    runs = float(np.bincount(np.unique(point, return_inverse=True)[1]).mean())
    if runs < 2:
        return 1.0
    rho = chance_split(y.astype(float), point, round(runs))["parameters_share"]
    return 1 + (runs - 1) * (0.0 if np.isnan(rho) else rho)


def _inside(x: pd.DataFrame, box: pd.DataFrame) -> np.ndarray:
    """(runs,) bool: which runs of `x` a box (low and high for each parameter) holds."""
    values = x[box.index].to_numpy()
    return ((values >= box["low"].to_numpy()) & (values <= box["high"].to_numpy())).all(axis=1)


def _choose(trajectory: pd.DataFrame, clustering: float = 1.0) -> tuple[int, str]:
    """The chosen box's row and the rule that chose it (see DENSITY and CONFIDENCE_Z); the
    bound counts the held-out runs at their design effect, `clustering`."""
    dense = trajectory[trajectory["held_out_density"] >= DENSITY]
    if not dense.empty:
        rule = (
            f"the most held-out coverage among boxes of held-out density >= {DENSITY} "
            "(the densest of those that tie)"
        )
        best = dense.sort_values(["held_out_coverage", "held_out_density"], kind="stable")
        return int(best.index[-1]), rule
    n = trajectory["held_out_runs"] / clustering
    p, z = trajectory["held_out_density"], CONFIDENCE_Z
    bound = (p + z * z / (2 * n) - z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (
        1 + z * z / n
    )
    rule = (
        f"no box reaches a held-out density of {DENSITY}: the highest lower 90% bound of the "
        "held-out density"
    )
    return int(bound.fillna(0.0).idxmax()), rule


def _significant(peeled: prim.PrimBox, chosen: int) -> pd.DataFrame:
    """Box `chosen` with only the edges whose quasi-p-value (EMA's, one an edge) is at most
    QP_LIMIT: low, high and the larger qp of the kept edges, for each parameter it restricts."""
    first, limits = peeled.box_lims[0], peeled.box_lims[chosen]
    rows = []
    for name, (low_qp, high_qp) in peeled.p_values[chosen].items():
        keep_low = 0 <= low_qp <= QP_LIMIT and limits[name].iloc[0] > first[name].iloc[0]
        keep_high = 0 <= high_qp <= QP_LIMIT and limits[name].iloc[1] < first[name].iloc[1]
        if keep_low or keep_high:
            edges = [
                (limits if keep else first)[name].iloc[i]
                for i, keep in [(0, keep_low), (1, keep_high)]
            ]
            kept = [qp for qp, keep in [(low_qp, keep_low), (high_qp, keep_high)] if keep]
            rows.append((name, *edges, max(kept)))
    box = pd.DataFrame(rows, columns=["parameter", "low", "high", "qp"])
    return box.set_index("parameter").rename_axis(None)


def discover_sweep(sweep: "SweepResults", expression: str, seed: int = 0) -> Discovery:
    """Scenario discovery on a finished sweep (`sim.results.open(...)`): PRIM over its varied
    parameters for the outcome `expression` (over the summary's columns)."""
    runs = sweep.finished_runs()
    y = condition(runs, expression)
    return discover(runs[sweep.inputs], y, expression, seed, runs["point"].to_numpy())
