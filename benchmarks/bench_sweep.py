"""A large sweep of `baseline` to day 560 with summaries and weekly series, as `sim sweep` runs
it, against the Mesa-native way (one model object per run through `mesa.batch_run`).

    .venv/bin/python benchmarks/bench_sweep.py --runs 100000 --workers 2
    .venv/bin/python benchmarks/bench_sweep.py --runs 10000 --workers 1 2 --mesa-sample 100

For each worker count it prints the wall time, runs per second and the peak memory of the whole
process tree (the CLI, the Dask scheduler and its workers), then the runs per second of
`mesa.batch_run` on the first runs of the same design, and the ratio.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import mesa
import psutil

from sim.model import EscalationModel
from sim.sweeps import design as sweeps

SWEEP = """
name = "bench"
scenario = "baseline"
design = {{ kind = "lhs", n = {points} }}
replicates = 100
seed = 11
record = "weekly"
batch_size = {batch_size}

[parameters]
turkey_effort = {{ range = "registry" }}
coordination = {{ range = "registry" }}
us_pullout_delay = {{ range = "registry" }}
"""


def peak_tree_memory(process: subprocess.Popen, peak: list[float]) -> None:
    """Poll the resident memory of a process and all its children until it ends."""
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree) / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.5)


def run_sweep(path: Path, workers: int) -> tuple[float, float]:
    """Wall seconds and peak MB of `sim sweep` with this many workers."""
    out = path.parent / f"store-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0.0]
    watcher = threading.Thread(target=peak_tree_memory, args=(process, peak))
    watcher.start()
    _, err = process.communicate()
    watcher.join()
    if process.returncode:
        raise SystemExit(err.decode())
    return time.perf_counter() - start, peak[0]


def mesa_batch_run(path: Path, sample: int) -> float:
    """Runs per second of mesa.batch_run, one EscalationModel (one run) per design value, over
    the first values of the design's first parameter, two seeds each."""
    sweep, scenario, _, _ = sweeps.load(path)
    name, values = next(iter(sweep.design_points().items()))
    start = time.perf_counter()
    mesa.batch_run(
        EscalationModel,
        parameters={"scenario": scenario.name, name: list(values[: sample // 2])},
        rng=[1, 2],
        number_processes=1,
        display_progress=False,
    )
    return 2 * (sample // 2) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="a multiple of 100")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument(
        "--mesa-sample", type=int, default=40, help="runs of mesa.batch_run to compare (0: none)"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    path = folder / "bench.toml"
    path.write_text(SWEEP.format(points=args.runs // 100, batch_size=args.batch_size))
    print(f"sweep: {args.runs:,} runs of baseline to day 560, summary + weekly series")
    print("| workers | seconds | runs/s | peak memory, all processes (MB) |")
    print("|---|---|---|---|")
    rates = []
    for workers in args.workers:
        seconds, peak = run_sweep(path, workers)
        rates.append(args.runs / seconds)
        print(f"| {workers} | {seconds:,.0f} | {rates[-1]:,.1f} | {peak:,.0f} |", flush=True)
    if args.mesa_sample >= 2:
        native = mesa_batch_run(path, args.mesa_sample)
        print(
            f"mesa.batch_run, one model per run, 1 process, {args.mesa_sample} runs of the same "
            f"design: {native:,.2f} runs/s"
        )
        print(
            f"ratio, sweep with {args.workers[-1]} workers / mesa.batch_run: "
            f"{rates[-1] / native:,.0f}x"
        )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
