"""The calibration's noise floor at the registry's defaults: how much the measure a particle is
judged by moves from one set of runs to the next, the parameters fixed.

At the defaults (which meet all 15 bands on 1,000 runs, docs/ODD.md), `--repeats` sets of
`--replicates` runs each (new seeds each set) to day 365 on the 15 targets of both windows:

- the log-likelihood `sim calibrate` weighs a particle by (`calibrate.LIKELIHOOD`, the mean over
  the set's runs of the probability that one run matches the record): its spread over the sets
  is the noise of the estimate, which pyabc's stochastic acceptor tolerates (it decides only how
  often a particle is accepted, not what is inferred); the pooled estimate over all the runs is
  the log-likelihood itself;
- the band-of-medians distance the calibration used before (the Euclidean norm of how far each
  set's medians or shares fall outside the bands, in half-bands, `calibrate.distance`): its
  share of zeros, median and 90th percentile, the floor below which an acceptance threshold
  chases noise, and what made `replicates` define that calibration's answer.

It writes experiments/results/noise_floor.json and prints the figures docs/calibration.md gives
(about 2 min of CPU at the defaults):

    PYTHONPATH=. .venv/bin/python experiments/noise_floor.py
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

from sim.analysis import calibrate
from sim.model.params import PARAMETERS

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "results" / "noise_floor.json"
CALIBRATION = HERE / "calibrate_baseline.toml"
KEYS = 2**53
"""Where the sets' keys start: apart from calibrations' and the predictive check's."""


def measure(repeats: int, replicates: int, seed: int) -> dict:
    """The figures at the defaults of calibrate_baseline.toml's parameters."""
    problem = calibrate.load(CALIBRATION)
    problem.calibration = problem.calibration.model_copy(update={"seed": seed})
    defaults = {name: np.full(repeats, PARAMETERS[name].default) for name in problem.priors}
    runs = calibrate.run_values(problem, defaults, KEYS + np.arange(repeats), replicates)
    sets = calibrate.statistics(problem.targets, runs)
    loglik = sets[calibrate.LOG_LIKELIHOOD].to_numpy()
    joint = sum(t.log_kernel(runs[t.name].to_numpy()) for t in problem.targets)
    distance = np.array([calibrate.distance(problem.targets, row) for _, row in sets.iterrows()])
    return {
        "repeats": repeats,
        "replicates": replicates,
        "seed": seed,
        "targets": len(problem.targets),
        "runs_in_every_band": float(np.mean(joint == 0)),
        "log_likelihood_pooled": float(logsumexp(joint) - np.log(len(joint))),
        "log_likelihood_median": float(np.median(loglik)),
        "log_likelihood_sd": float(np.std(loglik, ddof=1)),
        "log_likelihood_q10": float(np.quantile(loglik, 0.1)),
        "distance_zero_share": float(np.mean(distance == 0)),
        "distance_median": float(np.median(distance)),
        "distance_q90": float(np.quantile(distance, 0.9)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100, help="sets of runs")
    parser.add_argument("--replicates", type=int, default=16, help="runs a set")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    found = measure(args.repeats, args.replicates, args.seed)
    found["seconds"] = round(time.perf_counter() - start, 1)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(found, indent=1) + "\n")
    for key, value in found.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
