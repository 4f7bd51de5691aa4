"""What the calibration infers does not depend on `replicates`: on a toy model whose posterior is
known (one target, each run's value normal around the parameter), calibrations with 4 and 8 runs
a particle agree with each other and with the exact posterior within their Monte Carlo error. One
generation (temperature 1: rejection with the stochastic acceptor) gives independent draws, so
the effective sample size gives that error.
The band-of-medians distance the calibration used before failed this: the median of more runs
is less noisy, so its posterior narrowed as `replicates` grew."""

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import calibrate as abc
from sim.model.scenario import load

NOISE = 4.0  # each run's value: normal around the parameter, this sd
BAND = [9.5, 10.5]
PRIOR = (-10.0, 30.0)
NAME = "shelling_rate"  # the toy's parameter borrows a registry name


@pytest.fixture(autouse=True)
def quiet_pyabc():
    logging.getLogger("ABC").setLevel(logging.WARNING)


def toy(replicates: int) -> tuple[abc.Problem, abc.Evaluate]:
    """The toy calibration problem and its simulator, seeded by the particles' keys."""
    target = abc.Target(name="x", outcome="x", statistic="median", band=BAND, day=1, source="toy")
    calibration = abc.Calibration(
        name="toy", replicates=replicates, population=400, generations=1, seed=3
    )
    problem = abc.Problem(calibration, load("baseline")[0], [target], {NAME: PRIOR}, "")

    def evaluate(proposals: list[dict[str, float]], keys: np.ndarray) -> list[dict[str, float]]:
        theta = np.repeat([p[NAME] for p in proposals], replicates)
        noise = np.concatenate(
            [np.random.default_rng([int(k), replicates]).normal(size=replicates) for k in keys]
        )
        runs = pd.DataFrame(
            {"x": theta + NOISE * noise, "particle": np.repeat(np.arange(len(keys)), replicates)}
        )
        return abc.statistics(problem.targets, runs).to_dict("records")

    return problem, evaluate


def exact() -> tuple[float, float]:
    """The exact posterior's mean and sd: uniform prior times the probability that one run
    matches the record (the band, with the error model's normal fall-off)."""
    theta = np.linspace(*PRIOR, 2001)
    x = np.linspace(-30, 50, 4001)
    kernel = np.exp(
        abc.Target(
            name="x", outcome="x", statistic="median", band=BAND, day=1, source="toy"
        ).log_kernel(x)
    )
    likelihood = (stats.norm.pdf(x[None, :], theta[:, None], NOISE) * kernel).sum(axis=1)
    weight = likelihood / likelihood.sum()
    mean = float((weight * theta).sum())
    return mean, float(np.sqrt((weight * (theta - mean) ** 2).sum()))


def moments(replicates: int, tmp_path) -> tuple[float, float, float]:
    """A toy calibration's posterior mean, sd and effective sample size."""
    problem, evaluate = toy(replicates)
    posterior = abc.calibrate(
        problem, f"sqlite:///{tmp_path / f'r{replicates}.db'}", None, evaluate
    )
    last = posterior.last
    w = last["weight"].to_numpy() / last["weight"].sum()
    mean = float((w * last[NAME]).sum())
    return mean, float(np.sqrt((w * (last[NAME] - mean) ** 2).sum())), posterior.ess()[-1]


def test_doubling_the_runs_a_particle_keeps_the_posterior(tmp_path):
    true_mean, true_sd = exact()
    found = [moments(r, tmp_path) for r in (4, 8)]
    (m4, s4, n4), (m8, s8, n8) = found
    # Monte Carlo standard errors of the difference of two means and of two sds, independent
    # draws of these effective sizes from posteriors of the pooled sd
    pooled = (s4 + s8) / 2
    se_mean = pooled * np.sqrt(1 / n4 + 1 / n8)
    se_sd = pooled * np.sqrt(1 / (2 * n4) + 1 / (2 * n8))
    assert abs(m4 - m8) < 3 * se_mean, found
    assert abs(s4 - s8) < 3 * se_sd, found
    for mean, sd, ess in found:
        assert ess > 50, found
        assert abs(mean - true_mean) < 3 * true_sd / np.sqrt(ess), (found, true_mean)
        assert abs(sd - true_sd) < 3 * true_sd / np.sqrt(2 * ess), (found, true_sd)


def test_the_docs_quote_the_noise_floor_its_command_measured():
    """docs/calibration.md's noise floor is experiments/noise_floor.py's JSON."""
    root = Path(__file__).resolve().parents[1]
    found = json.loads((root / "experiments" / "results" / "noise_floor.json").read_text())
    text = " ".join((root / "docs" / "calibration.md").read_text(encoding="utf-8").split())
    quoted = [
        f"{found['repeats']} sets of {found['replicates']} runs",
        f"{found['runs_in_every_band']:.1%} of single runs fall inside all",
        f"over all {found['repeats'] * found['replicates']:,} runs is "
        f"{found['log_likelihood_pooled']:.2f}",
        f"median of {found['log_likelihood_median']:.2f} and a spread (sd) of "
        f"{found['log_likelihood_sd']:.2f}",
        f"0 in {found['distance_zero_share']:.0%} of the sets, with a median of "
        f"{found['distance_median']:.2f} and a 90th percentile of {found['distance_q90']:.2f}",
    ]
    for said in quoted:
        assert said in text, said
