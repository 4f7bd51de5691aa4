"""The shipped defaults of the calibrated parameters: the best particle of an ABC posterior.

`sim calibrate experiments/calibrate_baseline.toml` leaves a posterior of 300 particles, each
judged on 16 runs, too few to tell the particles that meet every band from those that were
lucky. This script runs every particle of the last generation `--screen` times, then the
`--keep` best of them `--check` times, and prints the best of those as a [parameters] table:
the one whose statistics fall least outside the targets' bands (`Target.miss`), and of those
inside all bands the one nearest their middles (in half-bands). The registry's defaults of the
calibrated parameters are its values, rounded; tests/test_calibration.py then checks them on
its own 1,000 runs.

    .venv/bin/python experiments/defaults_from_posterior.py \\
        experiments/calibrate_baseline.toml results/calibrations/calibrate_baseline
"""

import argparse
import time

import numpy as np
import pandas as pd

from sim.analysis import calibrate, posterior

SCREEN_KEYS = 2**50
CHECK_KEYS = 2**51
"""Where the screening's and the check's particle keys start: away from the calibration's own
(its generations draw keys from (generation + 2) * 2**32), so that these runs are new. (The
coverage check's synthetic observations also start at 2**51: the same seeds, another use.)"""


def judge(
    problem: calibrate.Problem,
    particles: pd.DataFrame,
    runs: int,
    keys: int,
    targets: list[calibrate.Target] | None = None,
) -> pd.DataFrame:
    """The particles with their statistics over `runs` runs each, how far outside the bands of
    `targets` (default: the problem's) (`miss`) and how far from the bands' middles
    (`off_middle`), best first."""
    values = {name: particles[name].to_numpy() for name in problem.priors}
    stats = calibrate.simulate(problem, values, keys + np.arange(len(particles)), runs)
    stats.index = particles.index
    targets = problem.targets if targets is None else targets
    miss = [calibrate.distance(targets, row) for _, row in stats.iterrows()]
    off = [
        np.hypot.reduce([(row[t.name] - t.value) / t.scale for t in targets])
        for _, row in stats.iterrows()
    ]
    judged = particles[list(problem.priors)].join(stats).assign(miss=miss, off_middle=off)
    return judged.sort_values(["miss", "off_middle"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("calibration", help="the calibration file")
    parser.add_argument("folder", help="its `sim calibrate` folder")
    parser.add_argument("--screen", type=int, default=200, help="runs a particle, first pass")
    parser.add_argument("--keep", type=int, default=40, help="particles checked again")
    parser.add_argument("--check", type=int, default=1000, help="runs a particle, second pass")
    args = parser.parse_args()
    problem = calibrate.load(args.calibration)
    last = posterior.read(args.folder).last
    start = time.perf_counter()
    screened = judge(problem, last, args.screen, SCREEN_KEYS)
    checked = judge(problem, screened.head(args.keep), args.check, CHECK_KEYS)
    pd.set_option("display.width", 200)
    print(checked[["miss", "off_middle", *problem.priors]].to_string())
    best = checked.iloc[0]
    print(f"\n# best of {len(last)} particles ({time.perf_counter() - start:.0f} s)")
    for t in problem.targets:
        print(f"# {t.name:20s} {best[t.name]:12.4g}  band {t.band}")
    print("[parameters]")
    for name in problem.priors:
        print(f"{name} = {best[name]:.4g}")


if __name__ == "__main__":
    main()
