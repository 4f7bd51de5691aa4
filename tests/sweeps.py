"""A small sweep for the tests of sweeps and of the store: its file, and ways to run it."""

import contextlib
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import sim.results
from sim.cli import app
from sim.sweeps import design as sweeps
from sim.sweeps.runner import SweepRun

SWEEP = """
name = "small"
scenario = "baseline"
design = {{ kind = "sobol", n = 4, second_order = true }}
replicates = 2
seed = 5
horizon = 140
batch_size = {batch_size}
record = "weekly"

[parameters]
turkey_effort = {{ range = "registry" }}
coordination = {{ range = [0.1, 0.9] }}
"""


def write_sweep(folder: Path, batch_size: int = 7, **changes: str) -> Path:
    text = SWEEP.format(batch_size=batch_size)
    for key, value in changes.items():
        text = text.replace(key, value)
    path = folder / f"sweep-{batch_size}-{len(changes)}.toml"
    path.write_text(text)
    return path


def run_in_process(path: Path, out: Path, **execute) -> sim.results.SweepResults:
    with SweepRun(*sweeps.load(path), out) as run:
        run.execute(**({"workers": 0} | execute))
    return sim.results.open(out)


def process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m sim ARGS` in a process of its own: the console entry point, end to end."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`sim ARGS` in this process (a process costs two seconds of imports), its result shaped
    as a finished process's."""
    with contextlib.chdir(cwd or Path.cwd()):
        status, out, err = invoke(*args)
    return subprocess.CompletedProcess(["sim", *map(str, args)], status, out, err)


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """The `sim` command line in this process: (exit status, stdout, stderr)."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr
