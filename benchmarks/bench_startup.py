"""The command line's first second: `sim --help`, and `sim run baseline --replicates 1`, each as
a whole process (interpreter start, imports, the work, exit), the best of several.

    .venv/bin/python benchmarks/bench_startup.py [--repeat N] [--against TREE]

Each command runs the code of the source tree this script lies in (`PYTHONPATH` set to it), in
a fresh folder. With `--against TREE` (another checkout, e.g. a `git worktree` of an older
commit) each run of a command is followed by the same command on TREE, alternately, so that the
two are timed in the same minutes. Prints the best wall time and the best CPU time (user and
system, the process and its children: less swayed by a busy host) of each, and the load
average before and after.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CASES = {
    "sim --help": ["-m", "sim", "--help"],
    "sim run baseline --replicates 1": ["-m", "sim", "run", "baseline", "--replicates", "1"],
    "import sim.cli": ["-c", "import sim.cli"],
    "python alone": ["-c", "pass"],
}


def timed(arguments: list[str], tree: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one Python process running `arguments` with `tree`'s code, in a
    fresh folder."""
    environment = os.environ | {"PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as folder:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, *arguments],
            cwd=folder,
            env=environment,
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best(arguments: list[str], trees: list[Path], repeat: int) -> list[tuple[float, float]]:
    """The best wall and best CPU time of `arguments` on each tree, the trees taken in turn."""
    times: list[list[tuple[float, float]]] = [[] for _ in trees]
    for _ in range(repeat):
        for found, tree in zip(times, trees, strict=True):
            found.append(timed(arguments, tree))
    return [(min(w for w, _ in found), min(c for _, c in found)) for found in times]


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another source tree, timed alternately")
    args = parser.parse_args()
    trees = [HERE] + ([args.against.resolve()] if args.against else [])
    print(f"load average {load_average()}; python {sys.version.split()[0]}; best of {args.repeat}")
    print(f"{'':34s}" + "".join(f"{tree.name:>28.28s}" for tree in trees))
    for name, arguments in CASES.items():
        figures = best(arguments, trees, args.repeat)
        cells = "".join(f"{wall:10.2f} s wall {cpu:5.2f} s CPU" for wall, cpu in figures)
        print(f"{name:34s}{cells}")
    print(f"load average {load_average()}")


if __name__ == "__main__":
    main()
