"""The command line's first second: `sim --help`, and `sim run baseline --replicates 1`, each as
a whole process (interpreter start, imports, the work, exit), the best of several.

    .venv/bin/python benchmarks/bench_startup.py [--repeat N]

Prints the best wall time of each, and how long `import sim.cli` takes in a fresh interpreter.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIM = [sys.executable, "-m", "sim"]


def best(command: list[str], repeat: int) -> float:
    """The best wall time of `command` run `repeat` times (each in a fresh folder)."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            subprocess.run(command, cwd=folder, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    cases = {
        "sim --help": [*SIM, "--help"],
        "sim run baseline --replicates 1": [*SIM, "run", "baseline", "--replicates", "1"],
        "import sim.cli": [sys.executable, "-c", "import sim.cli"],
        "python alone": [sys.executable, "-c", "pass"],
    }
    for name, command in cases.items():
        print(f"{name:34s} {best(command, repeat):6.2f} s (best of {repeat})")
    print(f"python {sys.version.split()[0]} at {Path(sys.executable).parent}")


if __name__ == "__main__":
    main()
