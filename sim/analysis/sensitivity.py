"""Global sensitivity: which parameters drive an outcome, and how much of it is chance.

On a finished sweep of a Sobol design (Saltelli's sampling) or a Morris design, with SALib:
first-order and total Sobol indices (and second-order ones when the design has them), or
Morris's mu* and sigma, each with a bootstrap confidence interval, for each outcome. The indices
are computed on each design point's mean over its replicates.

Every design point has replicates, so each outcome's variance over the runs splits into the part
the parameters explain (the variance of the points' true means) and chance (the variance among
a point's replicates, their seeds): a one-way analysis of variance. A parameter cannot explain
more than the parameters' part. Convergence: the indices again on the first N/2, N/4, ... base
samples (or Morris trajectories), so a user sees whether N was enough.

Morris has a noise floor: the mu* a parameter with no effect would get from chance alone. It is
Morris's analysis of a null series that has a point mean's chance and nothing else (half the
difference between the means of a point's even and odd replicates), the mean over parameters of
mu* plus its interval's half-width; a parameter whose mu* is below it cannot be told from chance.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol
from scipy.stats import norm

from sim.analysis.expressions import numbers

if TYPE_CHECKING:
    from sim.sweeps.results import SweepResults

OUTCOMES = {
    "peak_level": "the highest escalation level",
    "first_offensive_day": "the first Damascus ground attack (never: the horizon + 1)",
    "ne_operation_day.notna()": "a north-east operation happens (share of runs)",
    "civilians_killed": "civilians killed by the horizon",
    "displaced_peak": "the peak of the north-west's displaced",
    "final_share_zone_hts": "HTS's share of the zone's people at the horizon",
}
"""The outcomes analysed unless others are named: expressions over the summary's columns."""

RESAMPLES = 200
"""Bootstrap resamples for the confidence intervals."""

CONFIDENCE = 0.95
"""Level of the confidence intervals (half-widths are reported)."""

RESAMPLE_SEED = 20190123
"""Seed of the bootstrap resamples, so that the intervals are the same each time."""

SMALLEST_BASE = 16
"""Convergence: the fewest base samples (or trajectories) the indices are computed on."""

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star"}
"""The design kinds analysed, and the index that ranks parameters in each."""


@dataclass
class Sensitivity:
    """The indices of each outcome, the chance/parameter split and the convergence."""

    method: str  # "sobol" or "morris"
    base_samples: int  # Sobol's N, or Morris's trajectories
    indices: pd.DataFrame  # outcome, parameter, S1, S1_conf, ST, ST_conf, S1_adj, ST_adj, or mu*...
    second_order: pd.DataFrame  # outcome, parameter, other, S2, S2_conf (empty if not sampled)
    chance: pd.DataFrame  # one row an outcome: variance, parameters and chance shares
    convergence: pd.DataFrame  # the indices on the first n base samples, for several n

    @property
    def main_index(self) -> str:
        """The index that ranks parameters: ST for Sobol, mu_star for Morris."""
        return MAIN_INDEX[self.method]

    def drivers(self, outcome: str, top: int = 5) -> pd.DataFrame:
        """The outcome's parameters ranked by the main index, highest first."""
        rows = self.indices[self.indices["outcome"] == outcome]
        return rows.sort_values(self.main_index, ascending=False).head(top)

    def largest_change(self, outcome: str) -> float:
        """Convergence in one figure: the largest change of a parameter's main index between
        the last two base-sample sizes (NaN with only one); for Morris, relative to the largest
        mu_star."""
        rows = self.convergence[self.convergence["outcome"] == outcome]
        sizes = sorted(rows["base_samples"].unique())
        if len(sizes) < 2:
            return float("nan")
        last, before = (
            rows[rows["base_samples"] == n].set_index("parameter")[self.main_index]
            for n in (sizes[-1], sizes[-2])
        )
        change = float((last - before).abs().max())
        return change if self.method == "sobol" else change / float(last.abs().max() or 1.0)


@dataclass(frozen=True)
class Anova:
    """A one-way analysis of variance of an outcome over its runs, a design point a group: each
    point's mean (`means`) and variance among its runs (`spreads`, NaN with one replicate)."""

    means: np.ndarray
    spreads: np.ndarray
    replicates: int
    total: float  # the variance over all the runs

    @classmethod
    def of(cls, values: np.ndarray, points: np.ndarray, replicates: int) -> "Anova":
        """The analysis of `values`, run k's at design point `points[k]`."""
        by_point = pd.Series(values).groupby(points)
        spreads = by_point.var(ddof=1).to_numpy() if replicates > 1 else np.array([np.nan])
        total = float(np.var(values, ddof=1)) if len(values) > 1 else float("nan")
        return cls(by_point.mean().to_numpy(), spreads, replicates, total)

    @property
    def within(self) -> float:
        """The mean variance among a point's replicates (chance; NaN with one replicate)."""
        return float(pd.Series(self.spreads).mean()) if self.replicates > 1 else float("nan")

    @property
    def between(self) -> float:
        """The variance of the points' sample means: explained + within / replicates."""
        return float(np.var(self.means, ddof=1)) if len(self.means) > 1 else float("nan")

    @property
    def explained(self) -> float:
        """The variance of the points' true means (the parameters' part), at least 0."""
        return max(self.between - self.within / self.replicates, 0.0)

    def explained_conf(self, resamples: int = RESAMPLES, seed: int = RESAMPLE_SEED) -> float:
        """The half-width at CONFIDENCE of `explained` (left unclipped), from its spread over
        bootstrap resamples of the points, each with its runs: sound when the points are
        independent draws (a random sample), not in a Saltelli or Morris design."""
        rng = np.random.default_rng(seed)
        drawn = rng.integers(0, len(self.means), (resamples, len(self.means)))
        within = np.nanmean(self.spreads[drawn], axis=1) if self.replicates > 1 else np.nan
        found = np.var(self.means[drawn], axis=1, ddof=1) - within / self.replicates
        return float(norm.ppf(0.5 + CONFIDENCE / 2) * np.std(found, ddof=1))

    def split(self) -> dict[str, float]:
        """`variance` over the runs, the `parameters_share` and `chance_share` of the parameters'
        part plus chance, and `chance_in_means`: the share of the points' means' variance that is
        not the parameters', in [0, 1]; NaN with one replicate."""
        explained, within, between = self.explained, self.within, self.between
        spread = explained + within
        return {
            "variance": self.total,
            "parameters_share": explained / spread if spread > 0 else float("nan"),
            "chance_share": within / spread if spread > 0 else float("nan"),
            "chance_in_means": 1 - explained / between if between > 0 else float("nan"),
        }


def chance_split(values: np.ndarray, points: np.ndarray, replicates: int) -> dict[str, float]:
    """How much of an outcome's variance over the runs is chance and how much the parameters
    (`Anova.split`)."""
    return Anova.of(values, points, replicates).split()


def null_series(values: np.ndarray, points: np.ndarray, even: np.ndarray) -> np.ndarray:
    """One value a design point with a point mean's chance and no effect of the parameters:
    half the difference between the means of its `even` and other replicates (all NaN with one
    replicate a point)."""
    frame = pd.DataFrame({"value": values, "point": points, "even": even})
    means = frame.pivot_table("value", "point", "even", aggfunc="mean").reindex(
        columns=[True, False]
    )
    return ((means[True] - means[False]) / 2).to_numpy()


def analyse(
    sweep: "SweepResults",
    outcomes: list[str] | None = None,
    resamples: int = RESAMPLES,
) -> Sensitivity:
    """Sobol or Morris sensitivity of a finished sweep (`sim.results.open(...)`) of that
    design kind, for the given outcomes (default: `OUTCOMES`). A ValueError says what is wrong:
    another design kind, an unknown or non-numeric outcome."""
    design = sweep.manifest["sweep"]["design"]
    kind = design["kind"]
    if kind not in MAIN_INDEX:
        raise ValueError(
            f"{sweep.folder}: a {kind} design: sensitivity indices need a sobol or morris "
            "design ([design] kind in the sweep file); `sim discover` takes any design"
        )
    runs = sweep.finished_runs()
    horizon = sweep.manifest["scenario"]["horizon"]
    names = sweep.varied
    values = sweep.design[names].to_numpy(dtype=float)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[low, high] for low, high in zip(values.min(0), values.max(0), strict=True)],
    }
    replicates = sweep.manifest["replicates"]
    points, even = runs["point"].to_numpy(), runs["replicate"].to_numpy() % 2 == 0
    chosen = outcomes or list(OUTCOMES)
    measured = {name: numbers(runs, name, horizon) for name in chosen}
    analyser = _Sobol(design, problem) if kind == "sobol" else _Morris(design, problem, values)
    indices, pairs, convergence, chance = [], [], [], []
    for name, per_run in measured.items():
        y = pd.Series(per_run).groupby(points).mean().to_numpy()
        split = {"outcome": name, **chance_split(per_run, points, replicates)}
        chance.append(split)
        if np.ptp(y) == 0:  # SALib divides by the spread
            indices.append(pd.DataFrame({"outcome": name, "parameter": names}))
            continue
        full, second = analyser.full(y, resamples)
        if kind == "morris":
            floor = analyser.noise_floor(null_series(per_run, points, even), resamples)
            split["noise_floor"] = floor
            full = full.assign(above_noise=full["mu_star"] > floor)
        indices.append(analyser.adjusted(full, split["chance_in_means"]).assign(outcome=name))
        pairs.append(second.assign(outcome=name))
        for n in analyser.sizes():
            part = full if n == analyser.base else analyser.indices(y, resamples, n)
            convergence.append(part.assign(outcome=name, base_samples=n))
    if not any(MAIN_INDEX[kind] in part for part in indices):
        raise ValueError(f"{sweep.folder}: every outcome is constant in this sweep: no indices")
    first = ["outcome", "parameter"]
    return Sensitivity(
        method=kind,
        base_samples=analyser.base,
        indices=_frame(indices, first),
        second_order=_frame(pairs, [*first, "other"]),
        chance=pd.DataFrame(chance),
        convergence=_frame(convergence, [*first, "base_samples"]),
    )


def _frame(parts: list[pd.DataFrame], first: list[str]) -> pd.DataFrame:
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=first)
    frame = pd.concat(parts, ignore_index=True)
    return frame[first + [c for c in frame.columns if c not in first]]


class _Design:
    """A design's rows come in blocks: one base sample (Saltelli) or one trajectory (Morris);
    the first n blocks are a design of n base samples (convergence)."""

    def __init__(self, design: dict[str, Any], problem: dict[str, Any], block: int) -> None:
        self.problem, self.block, self.base = problem, block, design["n"]

    def sizes(self) -> list[int]:
        """N, N/2, N/4, ... down to SMALLEST_BASE."""
        return _halvings(self.base)

    def indices(self, y: np.ndarray, resamples: int, base: int | None = None) -> pd.DataFrame:
        raise NotImplementedError

    def full(self, y: np.ndarray, resamples: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The indices on all the rows, and the pairs' second-order ones (none here)."""
        return self.indices(y, resamples), pd.DataFrame()

    @staticmethod
    def adjusted(found: pd.DataFrame, noise: float) -> pd.DataFrame:
        """The indices with chance taken out, where the method allows (here: as they are)."""
        return found


class _Sobol(_Design):
    """SALib's Sobol analysis of a Saltelli design."""

    def __init__(self, design: dict[str, Any], problem: dict[str, Any]) -> None:
        self.second = design["second_order"]
        d = problem["num_vars"]
        super().__init__(design, problem, 2 * d + 2 if self.second else d + 2)

    def indices(self, y: np.ndarray, resamples: int, base: int | None = None) -> pd.DataFrame:
        return self._table(self._analyse(y, resamples, base))

    def full(self, y: np.ndarray, resamples: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        found = self._analyse(y, resamples)  # once for both the indices and the pairs
        return self._table(found), self._pairs(found)

    def _table(self, found: dict) -> pd.DataFrame:
        return pd.DataFrame(
            {"parameter": self.problem["names"]}
            | {key: found[key] for key in ("S1", "S1_conf", "ST", "ST_conf")}
        )

    @staticmethod
    def adjusted(found: pd.DataFrame, noise: float) -> pd.DataFrame:
        """The indices with `S1_adj` and `ST_adj` (their intervals scaled alike, without the
        uncertainty of the chance estimate itself) beside them: shares of the parameters' part
        of the points' variance, the chance left in the means (`noise`) taken out. Chance
        adds about `noise` to every total index (Jansen's estimator) and dilutes the first
        order ones by 1 - noise; NaN with one replicate a point."""
        signal = 1 - noise if noise < 1 else float("nan")  # all chance: nothing to share
        return found.assign(
            S1_adj=found["S1"] / signal,
            S1_adj_conf=found["S1_conf"] / signal,
            ST_adj=(found["ST"] - noise) / signal,
            ST_adj_conf=found["ST_conf"] / signal,
        )

    def _pairs(self, found: dict) -> pd.DataFrame:
        if not self.second:
            return pd.DataFrame()
        names = self.problem["names"]
        i, j = np.triu_indices(len(names), k=1)
        return pd.DataFrame(
            {
                "parameter": np.array(names)[i],
                "other": np.array(names)[j],
                "S2": found["S2"][i, j],
                "S2_conf": found["S2_conf"][i, j],
            }
        )

    def _analyse(self, y: np.ndarray, resamples: int, base: int | None = None) -> dict:
        rows = (base or self.base) * self.block
        return sobol.analyze(
            self.problem,
            y[:rows],
            calc_second_order=self.second,
            num_resamples=resamples,
            conf_level=CONFIDENCE,
            seed=RESAMPLE_SEED,
        )


class _Morris(_Design):
    """SALib's Morris analysis: trajectories of D + 1 points."""

    def __init__(self, design: dict[str, Any], problem: dict[str, Any], x: np.ndarray) -> None:
        super().__init__(design, problem, problem["num_vars"] + 1)
        self.x, self.levels = x, design["morris_levels"]

    def indices(self, y: np.ndarray, resamples: int, base: int | None = None) -> pd.DataFrame:
        rows = (base or self.base) * self.block
        found = morris.analyze(
            self.problem,
            self.x[:rows],
            y[:rows],
            num_resamples=resamples,
            conf_level=CONFIDENCE,
            num_levels=self.levels,
            seed=RESAMPLE_SEED,
        )
        return pd.DataFrame(
            {"parameter": self.problem["names"]}
            | {key: np.asarray(found[key]) for key in ("mu_star", "mu_star_conf", "mu", "sigma")}
        )

    def noise_floor(self, null: np.ndarray, resamples: int) -> float:
        """The mu* of no effect: the mean over parameters of mu* plus its interval's half-width
        on the `null_series` (NaN with one replicate a point)."""
        if np.isnan(null).any():
            return float("nan")
        found = self.indices(null, resamples)
        return float((found["mu_star"] + found["mu_star_conf"]).mean())


def _halvings(base: int) -> list[int]:
    sizes = [base]
    while sizes[-1] // 2 >= SMALLEST_BASE:
        sizes.append(sizes[-1] // 2)
    return sizes[::-1]
