"""Speed and memory of the model: one run to day 560, and 10,000 replicates in one model object.

    .venv/bin/python benchmarks/bench_model.py            # both cases, each in its own process
    .venv/bin/python benchmarks/bench_model.py --case single|batch [--replicates N]

One run records as `sim run` does (daily series and event log); the batch records the summary
only, as a sweep does. Prints wall time, replicate-days per second and peak memory. One run is
timed ten times in its process and the best time kept (the host's speed drifts by more than the
differences sought; the first run's time, with what the first call of each numpy function
costs, is printed too).
"""

import argparse
import json
import resource
import subprocess
import sys
import time

from sim.model import EscalationModel
from sim.model.scenario import load

HORIZON = 560


def measure(replicates: int, daily: bool, repeat: int = 1) -> dict[str, float]:
    """Build and run a baseline model `repeat` times; return its figures (the best time)."""
    scenario = load("baseline")[0]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        model = EscalationModel(
            scenario, replicates, rng=1, record_every=1 if daily else None, record_events=daily
        )
        model.run(HORIZON)
        if daily:
            model.recorder.daily_columns()
        model.recorder.summary_columns()
        times.append(time.perf_counter() - start)
    seconds = min(times)
    return {
        "replicates": replicates,
        "daily_records": daily,
        "seconds": round(seconds, 3),
        "first_run_seconds": round(times[0], 3),
        "replicate_days_per_second": round(replicates * (HORIZON + 1) / seconds),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["single", "batch"])
    parser.add_argument("--replicates", type=int, default=10_000)
    args = parser.parse_args()
    if args.case == "single":
        print(json.dumps(measure(1, daily=True, repeat=10)))
        return
    if args.case == "batch":
        print(json.dumps(measure(args.replicates, daily=False)))
        return
    cases = [["--case", "single"], ["--case", "batch", "--replicates", str(args.replicates)]]
    print("| case | replicates | seconds (first run) | replicate-days/s | peak memory (MB) |")
    print("|---|---|---|---|---|")
    for case in cases:
        out = subprocess.run(
            [sys.executable, __file__, *case], capture_output=True, text=True, check=True
        )
        figures = json.loads(out.stdout)
        print(
            f"| {case[1]} | {figures['replicates']} "
            f"| {figures['seconds']} ({figures['first_run_seconds']}) "
            f"| {figures['replicate_days_per_second']:,} | {figures['peak_memory_mb']:,} |"
        )


if __name__ == "__main__":
    main()
