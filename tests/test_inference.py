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
from sim.analysis.coverage import verdict
from sim.model.scenario import load

NOISE = 4.0  # each run's value: normal around the parameter, this sd
BAND = [9.5, 10.5]
PRIOR = (-10.0, 30.0)
NAME = "shelling_rate"  # the toy's parameter borrows a registry name


@pytest.fixture(autouse=True)
def quiet_pyabc():
    logging.getLogger("ABC").setLevel(logging.WARNING)


def target(band: list[float]) -> abc.Target:
    """The toy's one target: the median of its runs' `x`."""
    return abc.Target(name="x", outcome="x", statistic="median", band=band, day=1, source="toy")


def simulator(noise: float) -> abc.Simulator:
    """The toy's simulator: each run's `x` normal around the parameter with sd `noise`, seeded by
    the particle's key."""

    def simulating(problem: abc.Problem, replicates: int, client: object) -> abc.Evaluate:
        def evaluate(proposals: list[dict[str, float]], keys: np.ndarray) -> list[dict]:
            theta = np.repeat([p[NAME] for p in proposals], replicates)
            draws = [
                np.random.default_rng([int(k), replicates]).normal(size=replicates) for k in keys
            ]
            particle = np.repeat(np.arange(len(keys)), replicates)
            runs = pd.DataFrame({"x": theta + noise * np.concatenate(draws), "particle": particle})
            return abc.statistics(problem.targets, runs).to_dict("records")

        return evaluate

    return simulating


def toy(
    replicates: int, band: list[float] = BAND, prior: tuple[float, float] = PRIOR, **budget: int
) -> abc.Problem:
    """The toy calibration problem (by default 400 particles, one generation)."""
    budget = {"population": 400, "generations": 1} | budget
    calibration = abc.Calibration(name="toy", replicates=replicates, seed=3, **budget)
    return abc.Problem(calibration, load("baseline")[0], [target(band)], {NAME: prior}, "")


def exact() -> tuple[float, float]:
    """The exact posterior's mean and sd: uniform prior times the probability that one run
    matches the record (the band, with the error model's normal fall-off)."""
    theta = np.linspace(*PRIOR, 2001)
    x = np.linspace(-30, 50, 4001)
    kernel = np.exp(target(BAND).log_kernel(x))
    likelihood = (stats.norm.pdf(x[None, :], theta[:, None], NOISE) * kernel).sum(axis=1)
    weight = likelihood / likelihood.sum()
    mean = float((weight * theta).sum())
    return mean, float(np.sqrt((weight * (theta - mean) ** 2).sum()))


def moments(replicates: int, tmp_path) -> tuple[float, float, float]:
    """A toy calibration's posterior mean, sd and effective sample size."""
    problem = toy(replicates)
    evaluate = simulator(NOISE)(problem, replicates, None)
    posterior = abc.calibrate(
        problem, f"sqlite:///{tmp_path / f'r{replicates}.db'}", None, evaluate
    )
    last = posterior.last
    w = last["weight"].to_numpy() / last["weight"].sum()
    mean = float((w * last[NAME]).sum())
    return mean, float(np.sqrt((w * (last[NAME] - mean) ** 2).sum())), posterior.ess()[-1]


@pytest.mark.slow
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


@pytest.mark.slow
def test_the_coverage_check_passes_a_calibration_of_the_toy():
    """Simulation-based calibration end to end: 50 truths from the prior, each with a synthetic
    record (one run, its band moved by the error model) and a calibration on it; a posterior
    that is the likelihood's gives ranks uniform (the error model dominates here: runs' sd 0.5,
    a band 2 wide)."""
    problem = toy(4, band=[4.0, 6.0], prior=(0.0, 10.0), population=50)
    found = abc.coverage(problem, 50, None, simulator(0.5))
    judged = verdict(found).set_index("parameter")
    assert (judged["draws"] == 50).all() and judged["passes"].all(), judged
