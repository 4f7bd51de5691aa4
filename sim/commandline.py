"""The command line's parts below its commands (`sim/cli.py`): the command group that makes
every error, usage errors and faults included, one `error:` line with its exit status, and the
arguments and options the commands share, with their help."""

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core

from sim.reports.listing import Format
from sim.reports.terminal import errors, printable


class OneLineErrors(typer.core.TyperGroup):
    """The command group, with usage errors (an unknown option, a missing argument, a value of
    the wrong type) reported as one `error:` line and exit status 2, like every other error."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        terminated = []

        def terminate(signum: int, frame: Any) -> None:
            """SIGTERM stops a command as Ctrl-C does (a claimed folder given back, a sweep's
            saved batches kept), with exit status 143."""
            terminated.append(signum)
            raise KeyboardInterrupt

        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, terminate) if main_thread else None
        try:
            status = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            status = 130
        except typer.exceptions.TyperException as error:  # usage errors and other CLI errors
            context = getattr(error, "ctx", None)
            where = f"{context.command_path}: " if context is not None else ""
            message = error.format_message() if hasattr(error, "format_message") else str(error)
            message = message or "a command is needed (`sim --help` lists them)"
            errors.print(f"error: {where}{printable(message)}")
            status = 2
        except (OSError, RecursionError, MemoryError) as error:
            status = fault(error)
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)
        status = status if isinstance(status, int) else 0
        if terminated and status == 130:
            status = 143
        if standalone_mode:
            sys.exit(status)
        return status


def fault(error: OSError | RecursionError | MemoryError) -> int:
    """One `error:` line for a fault that no command turned into one, and the exit status: 1
    for the machine's faults (a full disk, too little memory), 2 for the input's (a path that
    cannot be read or written, a folder where a file should be, a file nested too deeply)."""
    if isinstance(error, MemoryError):
        errors.print("error: not enough memory (fewer replicates or a smaller batch_size)")
        return 1
    if isinstance(error, RecursionError):
        errors.print("error: an input nested too deeply to read")
        return 2
    from sim.io.disk import MACHINE_FAULTS

    where = f"{error.filename}: " if error.filename else ""
    reason = error.strerror or str(error) or type(error).__name__
    errors.print(f"error: {printable(where + reason)}")
    return 1 if error.errno in MACHINE_FAULTS else 2


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """Bad input inside the block (a ValueError, a ResultsError) ends the command with one
    `error:` line (`fail`)."""
    from sim.io.disk import ResultsError

    try:
        yield
    except (ValueError, ResultsError) as error:
        fail(error)


def fail(problem: str | Exception) -> None:
    """One line on stderr; exit status 2, or the error's own (`ResultsError.status`: 1 for a
    fault of the machine such as a full disk)."""
    errors.print(f"error: {printable(str(problem))}")
    raise typer.Exit(getattr(problem, "status", 2))


CheckedFile = Annotated[
    Path,
    typer.Argument(
        help="a scenario file, a sweep file (one with a design table) or a calibration "
        "file (one with population, generations, targets, use or parameter tables)"
    ),
]
DiscoverOutcome = Annotated[
    str,
    typer.Option(
        help="true or false for each run, e.g. 'peak_level >= 6' or "
        "'ne_operation_day.notna()' (the summary's columns, see `sim outcomes`)"
    ),
]
ScenarioArg = Annotated[
    str | None,
    typer.Argument(help="a named scenario (see `sim scenarios`) or a scenario TOML file"),
]
Replicates = Annotated[int | None, typer.Option(min=1, help="runs (default: the scenario's)")]
Seed = Annotated[int | None, typer.Option(min=0, help="master seed (default: the scenario's)")]
Out = Annotated[
    Path | None, typer.Option(help="results folder (default: results/<scenario>-<time>/)")
]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="override a parameter: name=value (repeatable; see `sim params`)"),
]
SetFile = Annotated[
    Path | None,
    typer.Option(
        help="override parameters from the parameters table of a TOML file, e.g. a "
        "calibration's parameters.toml (--set wins over it), or draw them run by run from its "
        "sample table (a calibration's sample.toml)"
    ),
]
FromPosterior = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        help="a `sim calibrate` folder: each run takes the values of one particle of its "
        "posterior, drawn by weight from the run's seed",
    ),
]
RunSeeds = Annotated[
    list[int] | None,
    typer.Option(help="re-run exactly these run seeds (a `seed` column); replaces --replicates"),
]
FromSweep = Annotated[
    Path | None, typer.Option(help="re-run run --run of this sweep store, exactly as it was run")
]
FromRun = Annotated[
    Path | None, typer.Option(help="re-run run --run of this `sim run` folder, exactly")
]
RunNumber = Annotated[int | None, typer.Option("--run", help="the run to re-run (its `run`)")]
FormatOption = Annotated[
    Format,
    typer.Option("--format", help="table (for people), json or csv (for tools), or markdown"),
]
StoreOut = Annotated[Path | None, typer.Option(help="store (default: results/sweeps/<name>/)")]
Workers = Annotated[
    int | None,
    typer.Option(min=0, help="Dask workers on this machine (default: one per core; 0: in-process)"),
]
Scheduler = Annotated[
    str | None, typer.Option(help="address of an existing Dask scheduler, e.g. tcp://host:8786")
]
PosteriorWorkers = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=0,
        help="--posterior: Dask workers on this machine (default: one per core; 0: in-process)",
    ),
]
PosteriorScheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="--posterior: address of an existing Dask scheduler"),
]


def one_place(workers: int | None, scheduler: str | None) -> None:
    """A one-line error where a command is given both --workers and --scheduler."""
    if workers is not None and scheduler is not None:
        fail("--workers and --scheduler exclude each other")


def dask_or_here(workers: int | None, scheduler: str | None) -> contextlib.AbstractContextManager:
    """Where a command's runs go, by its --workers and --scheduler (`one_place`): a Dask client
    (`with` it), or None in this process for --workers 0."""
    from sim.sweeps.runner import dask_client

    one_place(workers, scheduler)
    if workers == 0:
        return contextlib.nullcontext()
    return dask_client(workers, scheduler)


Record = Annotated[
    str | None,
    typer.Option(
        help="what to record: summary, weekly or daily, each with +events for the event log "
        "(default: the file's)"
    ),
]
Verify = Annotated[
    bool,
    typer.Option(
        "--verify", help="only check a store (FILE is then the store's folder) against its manifest"
    ),
]
SensitivityStore = Annotated[
    Path | None,
    typer.Argument(help="a finished sweep's store (sobol or morris); or give --posterior"),
]
PosteriorOf = Annotated[
    Path | None,
    typer.Option(
        "--posterior",
        metavar="CALIBRATION_DIR",
        help="instead of a store: a `sim calibrate` folder; Shapley effects over its last "
        "generation (a Gaussian copula fitted to the weighted particles), in the scenario it "
        "calibrated (to its targets' last day)",
    ),
]
Permutations = Annotated[
    int,
    typer.Option(
        min=2,
        max=100_000,
        help="--posterior: random orders of the parameters (points: orders x (parameters - 1) x 4)",
    ),
]
PointRuns = Annotated[
    int,
    typer.Option(
        "--replicates", min=1, max=1000, help="--posterior: runs a point (their mean is taken)"
    ),
]
SensitivityOutcomes = Annotated[
    list[str] | None,
    typer.Option(
        help="a summary column (see `sim outcomes`) or an expression over them, e.g. "
        "'ne_operation_day.notna()'; repeat for several (default: six key outcomes)"
    ),
]
Check = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=10_000,
        help="instead, the coverage check: calibrate on K synthetic records (one run, its "
        "bands moved by the error model) made at values drawn from the prior, and test the "
        "truths' ranks in the "
        "posteriors against the uniform, each parameter and jointly (into "
        "<folder>-check-K/; 50 or more at a small budget)",
    ),
]
ResultsDir = Annotated[
    Path, typer.Argument(metavar="RESULTS_DIR", help="a `sim run` folder or a sweep store")
]
ReportOut = Annotated[
    Path | None, typer.Option("--out", help="the HTML file (default: RESULTS_DIR/report.html)")
]
Force = Annotated[bool, typer.Option("--force", help="replace an existing report file")]
WithAnalyses = Annotated[
    list[Path] | None,
    typer.Option(
        "--with",
        metavar="DIR",
        help="a `sim sensitivity` or `sim discover` folder of this sweep store, or a `sim "
        "sensitivity --posterior` folder, shown in the report (repeatable)",
    ),
]
DiscoveryOut = Annotated[
    Path | None,
    typer.Option(help="new folder (default: results/analysis/<sweep>-discovery)"),
]
StoryRun = Annotated[int | None, typer.Option("--run", min=0, help="the run to tell (its `run`)")]
SensitivityOut = Annotated[
    Path | None,
    typer.Option(
        help="new folder (default: results/analysis/<sweep>-sensitivity, or "
        "<calibration>-shapley with --posterior)"
    ),
]
Resamples = Annotated[
    int,
    typer.Option(min=10, max=10_000, help="a sweep's: bootstrap resamples for the intervals"),
]
CalibrationOut = Annotated[
    Path | None,
    typer.Option(help="folder (default: results/calibrations/<name>/; resumed if there)"),
]
ExploreTarget = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO | RESULTS_DIR",
        help="a named scenario or a scenario file to simulate live, or a `sim run` folder or "
        "sweep store to replay",
    ),
]
ExploreRun = Annotated[
    int | None,
    typer.Option("--run", min=0, help="the stored run to open (default: 0; the page picks others)"),
]
Port = Annotated[int, typer.Option(min=1, max=65535, help="the port to serve the page on")]
Host = Annotated[str, typer.Option(help="the address to listen on (127.0.0.1: this machine only)")]
StorySeed = Annotated[int | None, typer.Option(min=0, help="the run with this seed")]
Pick = Annotated[
    str | None,
    typer.Option(
        help="median: the typical run (closest to the medians of the key outcomes, the "
        "default); worst: the deadliest; first-clash: the first to reach level 6"
    ),
]
StoryFormat = Annotated[str, typer.Option("--format", help="text, markdown or json")]
EventsFormat = Annotated[
    str,
    typer.Option(
        "--format",
        help="log: the event log as it is; acled: ACLED's columns and vocabulary, with PLOVER's "
        "category (docs/outputs.md)",
    ),
]
EventsRun = Annotated[int | None, typer.Option("--run", min=0, help="only this run (its `run`)")]
EventsOut = Annotated[
    Path | None, typer.Option(help="a new CSV file (default: the standard output)")
]
