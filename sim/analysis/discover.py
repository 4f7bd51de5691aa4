"""Scenario discovery: under which parameter values does an outcome happen?

PRIM (EMA Workbench's `analysis.prim`) over a stored sweep's varied parameters, for a boolean
outcome written as an expression over the summary's columns (`peak_level >= 6`,
`ne_operation_day.notna()`); the chosen box, its stability over bootstrap resamples of the
runs, and feature scores (extra trees, from EMA Workbench) that rank the parameters.
"""

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.expressions import condition

with warnings.catch_warnings():  # EMA warns at import that its optional ipyparallel is missing
    warnings.simplefilter("ignore")
    from ema_workbench.analysis import feature_scoring, prim

if TYPE_CHECKING:
    from sim.sweeps.results import SweepResults

DENSITY = 0.8
"""The chosen box: the one with the most coverage among those at least this dense."""

BOOTSTRAPS = 20
"""Resamples of the runs for a box's stability."""


@dataclass
class Discovery:
    """What PRIM found: the peeling trajectory, the chosen box (its limits, coverage and
    density), how often each parameter was restricted over bootstrap resamples, and the
    parameters' feature scores."""

    outcome: str
    share: float  # of the runs with the outcome
    trajectory: pd.DataFrame  # coverage, density, mass, res_dim for each box peeled
    box: pd.DataFrame  # the parameters the box restricts: low, high
    ranges: pd.DataFrame  # every parameter's lowest and highest value in the runs
    coverage: float
    density: float
    stability: pd.Series  # share of resamples restricting each parameter
    scores: pd.Series  # feature scores, highest first

    def summary(self) -> str:
        """The box in one line."""
        limits = "; ".join(
            f"{name} {row.low:.3g}-{row.high:.3g}" for name, row in self.box.iterrows()
        )
        return (
            f"{self.outcome}: in {self.share:.0%} of the runs; box {limits or '(none)'}: "
            f"coverage {self.coverage:.2f}, density {self.density:.2f}"
        )


def discover(x: pd.DataFrame, y: np.ndarray, outcome: str, seed: int = 0) -> Discovery:
    """PRIM on parameters `x` (one row a run) for the boolean `y`. Whole-number parameters are
    taken as real numbers (EMA's PRIM, on pandas 3, cannot paste a box's real edge into an
    integer column)."""
    x = x.astype(float)
    if y.all() or not y.any():
        raise ValueError(
            f"--outcome {outcome!r}: true in {y.mean():.0%} of the runs: nothing to find"
        )
    trajectory, box_lims = _peel(x, y)
    chosen = _choose(trajectory)
    limits = box_lims[chosen]
    box = _restricted(limits, x)
    rng = np.random.default_rng(seed)
    restricted = pd.Series(0.0, index=x.columns)
    for _ in range(BOOTSTRAPS):
        rows = rng.integers(0, len(x), len(x))
        again = x.iloc[rows].reset_index(drop=True)
        if y[rows].all() or not y[rows].any():
            continue
        path, lims = _peel(again, y[rows])
        restricted[_restricted(lims[_choose(path)], again).index] += 1 / BOOTSTRAPS
    scores = feature_scoring.get_ex_feature_scores(x, y, random_state=seed)[0].iloc[:, 0]
    return Discovery(
        outcome=outcome,
        share=float(y.mean()),
        trajectory=trajectory[["coverage", "density", "mass", "res_dim"]],
        box=box,
        ranges=_ranges(x),
        coverage=float(trajectory.loc[chosen, "coverage"]),
        density=float(trajectory.loc[chosen, "density"]),
        stability=restricted.sort_values(ascending=False),
        scores=scores.sort_values(ascending=False),
    )


def _peel(x: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y).find_box()
    return box.peeling_trajectory.reset_index(drop=True), box.box_lims


def _choose(trajectory: pd.DataFrame) -> int:
    dense = trajectory[trajectory["density"] >= DENSITY]
    if dense.empty:
        return int(trajectory["density"].idxmax())
    return int(dense["coverage"].idxmax())


def _ranges(x: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's lowest and highest value."""
    return pd.DataFrame({"low": x.min(), "high": x.max()})


def _restricted(limits: pd.DataFrame, x: pd.DataFrame) -> pd.DataFrame:
    """The parameters a box restricts, with the box's low and high for each."""
    ranges = _ranges(x)
    box = limits.T.set_axis(["low", "high"], axis=1)
    return box[(box["low"] > ranges["low"]) | (box["high"] < ranges["high"])]


def discover_sweep(sweep: "SweepResults", expression: str, seed: int = 0) -> Discovery:
    """Scenario discovery on a finished sweep (`sim.results.open(...)`): PRIM over its varied
    parameters for the outcome `expression` (over the summary's columns)."""
    runs = sweep.finished_runs()
    return discover(runs[sweep.inputs], condition(runs, expression), expression, seed)
