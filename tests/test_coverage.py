"""The coverage check can fail: on a model whose posterior is known exactly (a normal mean seen
through normal noise), the exact posterior passes, and one too narrow or shifted fails, in each
parameter and jointly."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.coverage import JOINT, rank, ranks, verdict

DRAWS = 200
BOUNDS = {"a": (-4.0, 4.0), "b": (-4.0, 4.0)}


def check(narrow: float = 1.0, shift: float = 0.0, seed: int = 1) -> pd.DataFrame:
    """The verdict on DRAWS draws: truth ~ N(0, 1) in each of two parameters, one observation
    ~ N(truth, 1), posterior N(x / 2, 1 / 2) (exact), its spread times `narrow` and its centre
    moved by `shift` of its spread; 500 equally weighted particles a draw."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(DRAWS):
        truth = dict(zip(BOUNDS, rng.normal(size=2), strict=True))
        observed = {n: v + rng.normal() for n, v in truth.items()}
        spread = np.sqrt(0.5)
        particles = pd.DataFrame(
            {n: observed[n] / 2 + spread * (shift + narrow * rng.normal(size=500)) for n in BOUNDS}
        )
        rows += ranks(k, truth, particles, np.ones(500), BOUNDS, rng)
    return verdict(pd.DataFrame(rows)).set_index("parameter")


def test_the_exact_posterior_passes():
    found = check()
    assert found["passes"].all(), found
    assert (found["draws"] == DRAWS).all() and set(found.index) == {"a", "b", JOINT}
    assert (found.loc[["a", "b"], "inside_90%"] - 0.9).abs().max() < 0.06


@pytest.mark.parametrize(("narrow", "shift"), [(0.5, 0.0), (1.0, 0.7)])
def test_a_posterior_too_narrow_or_shifted_fails(narrow, shift):
    found = check(narrow, shift)
    assert not found.loc["a", "passes"] and not found.loc["b", "passes"], found
    assert not found.loc[JOINT, "passes"], found


def test_a_rank_counts_weight_below_the_truth_and_half_the_ties():
    values, weights = np.array([1.0, 2.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0, 2.0])
    assert rank(2.0, values, weights) == pytest.approx(0.2 + 0.4 / 2)
    assert rank(0.0, values, weights) == 0 and rank(9.0, values, weights) == 1
