"""Does a posterior say what it knows? Checks that can fail.

Simulation-based calibration (Talts et al. 2018): draw a parameter value (the truth) from the
prior, make synthetic observations with the model at it, calibrate on them, and find the truth's
rank in the posterior: the weighted share of posterior mass below it. Over many draws, a
calibrated posterior gives ranks uniform on [0, 1]; too narrow a posterior piles them at 0 and
1, a shifted one to one side, too wide a one in the middle. The joint check is TARP (Lemos et
al. 2023): for a random reference point in the prior's box, the share of posterior mass nearer
to it than the truth is, uniform too when the posterior is calibrated in all its dimensions at
once. Each set of ranks is tested against the uniform (Kolmogorov-Smirnov); the central 50% and
90% intervals' coverage is read off the same ranks.
"""

import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.01
"""A check fails when its Kolmogorov-Smirnov p-value is below this."""

JOINT = "joint (TARP)"
"""The `parameter` of the joint check's rows."""


def rank(truth: float, values: np.ndarray, weights: np.ndarray) -> float:
    """The truth's rank in a weighted sample: the share of its weight below the truth, ties
    counted half (whole-number parameters tie)."""
    share = weights / weights.sum()
    return float(share[values < truth].sum() + share[values == truth].sum() / 2)


def ranks(
    draw: int,
    truth: dict[str, float],
    particles: pd.DataFrame,
    weights: np.ndarray,
    bounds: dict[str, tuple[float, float]],
    rng: np.random.Generator,
) -> list[dict[str, float]]:
    """One draw's rows: each parameter's rank of its truth in the posterior `particles` (one
    column a parameter), and the joint (TARP) rank for a reference point drawn by `rng`
    uniformly from the prior's box (`bounds`; distances in units of each range)."""
    names = list(truth)
    rows = [
        {"draw": draw, "parameter": name, "truth": truth[name]}
        | {"rank": rank(truth[name], particles[name].to_numpy(), weights)}
        for name in names
    ]
    low, high = (np.array([bounds[n][i] for n in names]) for i in (0, 1))
    unit = (particles[names].to_numpy(dtype=float) - low) / (high - low)
    truth_unit = (np.array([truth[n] for n in names]) - low) / (high - low)
    reference = rng.random(len(names))
    nearer = np.linalg.norm(unit - reference, axis=1) < np.linalg.norm(truth_unit - reference)
    joint = float(weights[nearer].sum() / weights.sum())
    rows.append({"draw": draw, "parameter": JOINT, "truth": np.nan, "rank": joint})
    return rows


def verdict(found: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's (and the joint check's) ranks over the draws: how many, the coverage of
    the central 50% and 90% intervals, the Kolmogorov-Smirnov statistic and p-value against the
    uniform, and whether it passes (p >= ALPHA)."""
    rows = []
    for name, group in found.groupby("parameter", sort=False):
        r = group["rank"].to_numpy()
        test = stats.kstest(r, "uniform")
        rows.append(
            {
                "parameter": name,
                "draws": len(r),
                "inside_50%": float(np.mean(np.abs(r - 0.5) <= 0.25)),
                "inside_90%": float(np.mean(np.abs(r - 0.5) <= 0.45)),
                "ks": float(test.statistic),
                "p_value": float(test.pvalue),
                "passes": bool(test.pvalue >= ALPHA),
            }
        )
    return pd.DataFrame(rows)
