"""The `sim` command line: run a scenario, check a scenario file, list scenarios, claims and
parameters."""

import contextlib
import csv
import io
import json
import os
import signal
import sys
import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table

from sim.model import scenario as scenarios
from sim.model.claims import ASSUMPTION, SOURCES, cited
from sim.model.params import PARAMETERS


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


app = typer.Typer(
    cls=OneLineErrors,
    help="Escalation around Idlib and north-east Syria after January 2019 (agent-based, Mesa).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# no markup: paths and names from the user are printed as they are ("[/x]" is not a style);
# piped into a file or a program, tables are as wide as they need (never cut a name short)
PIPED_WIDTH = 1000
console = Console(
    soft_wrap=True,
    markup=False,
    highlight=False,
    width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPED_WIDTH,
)
errors = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)  # one line a message


def table(*headers: str | Column) -> Table:
    """A table whose cells wrap in a narrow terminal rather than cut a name short."""
    return Table(*(Column(h, overflow="fold") if isinstance(h, str) else h for h in headers))


def printable(text: str) -> str:
    """User text made safe to echo: control characters (escape sequences, new lines) shown as
    escapes, so a message stays one line and cannot drive the terminal."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def say(message: str) -> None:
    """One line on stdout, control characters escaped (it may hold the user's paths)."""
    console.print(printable(message))


def note(message: str) -> None:
    """One line on stderr that the command goes on after."""
    errors.print(f"note: {printable(message)}")


def fail(problem: str | Exception) -> None:
    """One line on stderr; exit status 2, or the error's own (`ResultsError.status`: 1 for a
    fault of the machine such as a full disk)."""
    errors.print(f"error: {printable(str(problem))}")
    raise typer.Exit(getattr(problem, "status", 2))


def parse_sets(sets: list[str]) -> dict[str, float]:
    """`--set name=value` pairs as parameter overrides."""
    overrides: dict[str, float] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep:
            fail(f"--set {item}: expected name=value")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            fail(f"--set {item}: value {value!r} is not a number")
    return overrides


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


@app.command()
def run(
    scenario: ScenarioArg = None,
    replicates: Replicates = None,
    seed: Seed = None,
    out: Out = None,
    set_: Sets = None,
    set_file: SetFile = None,
    posterior: FromPosterior = None,
    run_seed: RunSeeds = None,
    from_sweep: FromSweep = None,
    from_run: FromRun = None,
    run_number: RunNumber = None,
) -> None:
    """Run a scenario; write daily, summary and events (.parquet), manifest.json, overview.png.
    With --from-sweep or --from-run and --run, re-run one stored run instead."""
    from sim.analysis.posterior import read as read_posterior
    from sim.io.disk import ResultsError
    from sim.model.record import check_memory
    from sim.reports.files import claim, release, staged, write_run
    from sim.reports.plots import overview

    started = datetime.now().astimezone()
    stored_options = (replicates, seed, run_seed)
    if (from_sweep or from_run) and any(option is not None for option in stored_options):
        fail("--from-sweep/--from-run: the stored run sets the runs and seed")
    if (from_sweep or from_run) and (set_file is not None or posterior is not None):
        fail("--from-sweep/--from-run: the stored run sets the scenario and parameters")
    if run_number is not None and not (from_sweep or from_run):
        fail("--run: give --from-sweep DIR or --from-run DIR too")
    try:
        if from_sweep or from_run:
            spec, text, run_seed = stored(from_sweep, from_run, run_number, scenario, set_)
        elif scenario is None:
            fail("run: give a scenario, or --from-sweep DIR (or --from-run DIR) and --run K")
        else:
            spec, text = scenarios.load(scenario)
        if set_file is not None:
            spec = scenarios.with_file(spec, set_file)
        if posterior is not None:
            spec = scenarios.with_sample(spec, read_posterior(posterior).sample(), "--posterior")
        spec = scenarios.with_overrides(spec, parse_sets(set_ or []), "--set")
        spec = scenarios.with_runs(spec, replicates, seed)
        for value in run_seed or []:
            if not 0 <= value < scenarios.SEED_LIMIT:
                fail(f"--run-seed {value}: a seed is a whole number from 0 to 2**63 - 1")
        runs = len(run_seed) if run_seed else spec.replicates
        check_memory(runs, spec.horizon, 1, True, "--replicates" if replicates else scenario)
        folder = claim(out, Path("results") / f"{spec.name}-{started:%Y%m%d-%H%M%S}", note)
    except (ValueError, ResultsError) as error:  # ScenarioError is a ValueError
        fail(error)
    try:
        model = simulate(spec, run_seed)
        with staged(folder) as files:
            write_run(files, model, text, sys.argv, started)
            overview(
                model.recorder.daily_columns(), model.replicates, files / "overview.png", spec.name
            )
    except ResultsError as error:
        release(folder)  # a no-op where results were written into it meanwhile
        fail(error)
    except BaseException:
        release(folder)
        raise
    say(
        f"wrote {folder}/ (daily.parquet, summary.parquet, events.parquet, manifest.json, "
        "overview.png)"
    )


def stored(
    from_sweep: Path | None,
    from_run: Path | None,
    number: int | None,
    scenario: str | None,
    sets: list[str] | None,
) -> tuple[scenarios.Scenario, str, list[int]]:
    """The scenario (with the run's parameters), its text and seed of a stored run; warnings
    (a changed model) on stderr."""
    from sim.sweeps.results import stored_run

    if from_sweep and from_run:
        fail("--from-sweep and --from-run exclude each other")
    if number is None:
        fail("--from-sweep/--from-run: say which run with --run K")
    if scenario is not None or sets:
        fail("--from-sweep/--from-run: the stored run sets the scenario and parameters")
    folder = from_sweep or from_run
    spec, parameters, seed, warnings = stored_run(folder, number, sweep=from_sweep is not None)
    for warning in warnings:
        errors.print(f"warning: {printable(warning)}")
    spec = scenarios.with_overrides(spec, parameters, f"{folder}: run {number}")
    return spec, f"# re-run of run {number} of {folder}\n", [seed]


def simulate(spec: scenarios.Scenario, run_seed: list[int] | None):
    """Run the scenario's model (its replicates and seed, or the given run seeds) to its
    horizon with a progress bar on stderr."""
    from sim.model import EscalationModel
    from sim.sweeps.runner import reuse_freed_memory

    reuse_freed_memory()
    model = EscalationModel(spec, spec.replicates, seeds=run_seed or None)
    with Progress(
        TextColumn(f"{spec.name}: {model.replicates} runs"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,  # gone when done: the last line says what was written
        disable=not errors.is_terminal,  # piped: no bar, no blank line
    ) as progress:
        task = progress.add_task("days", total=spec.horizon + 1)
        while model.day <= spec.horizon:
            model.step()
            progress.advance(task)
    return model


@app.command()
def validate(
    file: Annotated[
        Path,
        typer.Argument(
            help="a scenario file, a sweep file (one with a design table) or a calibration "
            "file (one with population, generations, targets, use or parameter tables)"
        ),
    ],
) -> None:
    """Check a scenario file, or a sweep or calibration file and its scenario, without running
    them."""
    from sim.sweeps import design as sweeps

    try:
        if sweeps.is_sweep_file(file):
            plan, spec, _, _ = sweeps.load(file)
            runs = plan.point_count() * plan.replicates
            say(
                f"{file}: ok (sweep {plan.name} of {spec.name}: {plan.point_count():,} points x "
                f"{plan.replicates} replicates = {runs:,} runs)"
            )
            return
        if is_calibration_file(file):
            from sim.analysis import calibrate as abc

            problem = abc.load(file)
            c = problem.calibration
            say(
                f"{file}: ok (calibration {c.name} of {problem.scenario.name}: "
                f"{len(problem.priors)} parameters, {len(problem.targets)} targets, "
                f"{c.generations} generations of {c.population} particles x {c.replicates} runs)"
            )
            return
        spec, _ = scenarios.load(file)
    except ValueError as error:  # ScenarioError is a ValueError
        fail(error)
    say(f"{file}: ok ({spec.name}, horizon {spec.horizon}, {spec.replicates} runs)")


CALIBRATION_KEYS = {"population", "generations", "targets", "use"}
"""Keys only a calibration file has (`sim.analysis.calibrate.Calibration`)."""


def is_calibration_file(path: Path) -> bool:
    """Whether a file reads as TOML with a calibration's keys (asked of a file that is not a
    sweep file)."""
    data = scenarios.peek(path)
    tables = isinstance(data.get("parameters"), dict) and any(
        isinstance(v, dict) for v in data["parameters"].values()
    )  # a scenario's parameters are numbers, a calibration's are tables
    return bool(CALIBRATION_KEYS & set(data)) or tables


class Format(StrEnum):
    """How a listing is printed."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


FormatOption = Annotated[
    Format,
    typer.Option("--format", help="table (for people), json or csv (for tools), or markdown"),
]


def show(rows: list[dict[str, Any]], form: Format) -> None:
    """Print rows as a table, a JSON list of objects, or CSV (lists joined by spaces)."""
    if form is Format.json:
        console.print(json.dumps(rows, indent=1))
        return
    flat = [{k: " ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
    if form is Format.markdown:
        console.print(markdown(flat))
        return
    if form is Format.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(flat[0]) if flat else [])
        writer.writeheader()
        writer.writerows(flat)
        console.print(out.getvalue().rstrip("\n"))
        return
    shown = table(*(flat[0] if flat else []))
    for row in flat:
        shown.add_row(*(_cell(v) for v in row.values()))
    console.print(shown)


def markdown(rows: list[dict[str, Any]]) -> str:
    """Rows as a Markdown table."""
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])] if rows else []
    lines += ["| " + " | ".join(_cell(v) for v in row.values()) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A value as a table shows it: yes or nothing for a flag, short numbers."""
    if isinstance(value, bool):
        return "yes" if value else ""
    return f"{value:g}" if isinstance(value, float) else str(value)


@app.command()
def outcomes(
    table: Annotated[str, typer.Option(help="daily (the series), summary or events")] = "summary",
    form: FormatOption = Format.table,
) -> None:
    """The columns a run writes, from the outcome registry: kind, unit, meaning, what null means."""
    from sim.model.outcomes import TABLES, declarations

    if table not in TABLES:
        fail(f"--table {table}: one of {', '.join(TABLES)}")
    rows = [
        {
            "column": f"`{outcome.name}`" if form is Format.markdown else outcome.name,
            "kind": str(outcome.kind),
            "unit": outcome.unit,
            "meaning": outcome.description,
            "null means": outcome.null,
            "key": outcome.key,
        }
        for outcome in declarations(table)
    ]
    show(rows, form)


@app.command(name="scenarios")
def list_scenarios(form: FormatOption = Format.table) -> None:
    """List the named scenarios."""
    rows, broken = [], []
    for name, path in scenarios.named_scenarios().items():
        try:
            spec, _ = scenarios.load(path)
        except scenarios.ScenarioError as error:
            broken.append(str(error))
            continue
        description = " ".join(spec.description.split())
        if form is Format.table:
            rows.append({"name": name, "description": description})
        else:
            rows.append({"name": name, "file": str(path)} | spec.model_dump(mode="json"))
    show(rows, form)
    if broken:
        fail(broken[0] + (f" (and {len(broken) - 1} more broken)" if len(broken) > 1 else ""))


@app.command()
def claims() -> None:
    """Each claim of the source and each later pattern (external), with the rules and
    parameters that rest on it."""
    from sim.model.rules import all_rules

    rules = all_rules()
    for claim_id, text in [*SOURCES.items(), (ASSUMPTION, "not in the source")]:
        console.print(f"[bold]{claim_id}[/bold] {text}", markup=True)
        for name, sources in rules.items():
            if claim_id in sources:
                console.print(f"    rule      {name}")
        for p in PARAMETERS.values():
            if claim_id in p.basis:
                console.print(f"    parameter {p.name} = {p.default:g}")


@app.command()
def params(form: FormatOption = Format.table) -> None:
    """The parameter registry: default, plausible range, unit and basis of every parameter."""
    rows = [
        {
            "name": p.name,
            "default": p.default,
            "low": p.low,
            "high": p.high,
            "unit": p.unit,
            "basis": [cited(source) for source in p.basis],
            "integer": p.integer,
            "defines outcome": p.defines_outcome,
            "meaning": p.doc,
        }
        for p in PARAMETERS.values()
    ]
    show(rows, form)


StoreOut = Annotated[Path | None, typer.Option(help="store (default: results/sweeps/<name>/)")]
Workers = Annotated[
    int | None,
    typer.Option(min=0, help="Dask workers on this machine (default: one per core; 0: in-process)"),
]
Scheduler = Annotated[
    str | None, typer.Option(help="address of an existing Dask scheduler, e.g. tcp://host:8786")
]
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


@app.command()
def sweep(
    file: Annotated[Path, typer.Argument(help="sweep TOML file (see experiments/)")],
    out: StoreOut = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    record: Record = None,
    verify: Verify = False,
) -> None:
    """Run a sweep into a resumable store; the same command again resumes it."""
    from sim.io.disk import ResultsError
    from sim.sweeps import design as sweeps
    from sim.sweeps.runner import SweepRun

    if verify:
        verify_store(file)
        return
    if workers is not None and scheduler is not None:
        fail("--workers and --scheduler exclude each other")
    try:
        plan, scenario, text, scenario_text = sweeps.load(file)
        if record is not None:
            plan = sweeps.with_record(plan, record, "--record")
        folder = out or Path("results") / "sweeps" / plan.name
        run = SweepRun(plan, scenario, text, scenario_text, folder)
    except (scenarios.ScenarioError, ResultsError) as error:
        fail(error)
    except ValueError as error:  # a batch too big for this machine's memory
        fail(f"{file}: {error}")
    with run:
        for index, problem in run.redone.items():
            errors.print(f"warning: batch {index} will run again: {printable(problem)}")
        execute(run, folder, workers, scheduler)
    say(f"done: {run.runs:,} runs in {folder}/ (read with sim.results.open)")


def execute(run, folder: Path, workers: int | None, scheduler: str | None) -> None:
    """Run a sweep's pending batches with a progress bar; Ctrl-C stops it, keeping what is saved."""
    from distributed import KilledWorker

    from sim.io.disk import ResultsError

    left = run.runs_to_go()
    say(
        f"{run.sweep.name}: {run.points:,} points x {run.sweep.replicates} replicates = "
        f"{run.runs:,} runs in {len(run.batches)} batches; {left:,} runs to go -> {folder}/"
    )
    with Progress(
        TextColumn(run.sweep.name),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs  {task.fields[rate]}"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,  # gone when done: the last line says what was written
        disable=not errors.is_terminal,  # piped: no bar, no blank line
    ) as progress:
        task = progress.add_task("runs", total=run.runs, completed=run.runs - left, rate="")

        def advance(runs: int) -> None:
            progress.advance(task, runs)
            speed = progress.tasks[task].speed
            progress.update(task, rate=f"{speed:,.0f} runs/s" if speed else "")

        problem = None
        try:
            run.execute(workers=workers, scheduler=scheduler, on_batch=advance)
        except KeyboardInterrupt:
            problem = "stopped"
        except ResultsError as error:
            problem = error
        except (ValueError, OSError, TimeoutError, KilledWorker) as error:  # a batch that failed
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            problem = (
                f"{folder}: a batch failed ({reason}); the batches saved before are kept: "
                "run the same command to resume"
            )
    # the progress bar is gone: the message is the last line
    if problem == "stopped":
        done = run.runs - run.runs_to_go()
        errors.print(
            printable(
                f"stopped: {done:,} of {run.runs:,} runs saved in {folder}/; "
                "run the same command to resume"
            )
        )
        raise typer.Exit(130)
    if problem:
        fail(problem)


def verify_store(folder: Path) -> None:
    """Check every saved batch of a store against its manifest; one line either way."""
    found = verified(folder)
    batches = found.manifest["batches"]
    done = sum(b["status"] == "done" for b in batches.values())
    say(
        f"{folder}: {done} of {len(batches)} batches saved, each file as the manifest says "
        f"({found.done:,} of {found.manifest['runs']:,} runs)"
    )


def verified(folder: Path):
    """A sweep store whose saved files all match its manifest (SHA-256), or a one-line error."""
    import sim.results
    from sim.io.disk import ResultsError

    try:
        found = sim.results.open(folder)
        bad = found.verify()
    except ResultsError as error:
        fail(error)
    if bad:
        index, problem = next(iter(bad.items()))
        fail(
            f"{folder}: {len(bad)} saved batches do not match the manifest "
            f"(batch {index}: {problem}); run the sweep again to redo them"
        )
    return found


@app.command()
def discover(
    folder: Annotated[Path, typer.Argument(help="a finished sweep's store")],
    outcome: Annotated[
        str,
        typer.Option(
            help="true or false for each run, e.g. 'peak_level >= 6' or "
            "'ne_operation_day.notna()' (the summary's columns, see `sim outcomes`)"
        ),
    ],
) -> None:
    """Scenario discovery: the parameter ranges under which OUTCOME happens (PRIM, peeled on a
    random half of the design points; the box chosen, and its coverage and density measured,
    on the other half), how stable they are over bootstrap resamples of the design points, and
    which parameters separate it (feature scores); a null parameter of pure noise is the floor
    for both."""
    from sim.analysis.discover import discover_sweep
    from sim.io.disk import ResultsError

    HELD_OUT = ["held_out_coverage", "held_out_density"]

    found = verified(folder)
    try:
        result = discover_sweep(found, outcome)
    except (ValueError, ResultsError) as error:
        fail(error)
    for line in result.lines():
        say(line)
    path = table("box", "coverage", "density", "held-out coverage", "held-out density", "kept")
    for i, row in result.trajectory.iterrows():
        path.add_row(
            f"{i}{' (chosen)' if i == result.chosen else ''}",
            *(f"{row[c]:.2f}" for c in ["coverage", "density", *HELD_OUT]),
            f"{int(row['significant_dims'])} of {int(row['res_dim'])}",
        )
    console.print(path)
    rows = table("parameter", "low", "high", "qp", "range", "restricted", "score")
    for name in result.scores.index:
        low, high, qp = (
            [f"{result.box.loc[name, c]:.3g}" for c in ["low", "high", "qp"]]
            if name in result.box.index
            else ("", "", "")
        )
        span = f"{result.ranges.loc[name, 'low']:.3g}-{result.ranges.loc[name, 'high']:.3g}"
        rows.add_row(
            name, low, high, qp, span, f"{result.stability[name]:.0%}", f"{result.scores[name]:.3f}"
        )
    console.print(rows)


@app.command()
def sensitivity(
    folder: Annotated[Path, typer.Argument(help="a finished sweep's store (sobol or morris)")],
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            help="a summary column (see `sim outcomes`) or an expression over them, e.g. "
            "'ne_operation_day.notna()'; repeat for several (default: six key outcomes)"
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="new folder (default: results/analysis/<sweep>-sensitivity)"),
    ] = None,
    resamples: Annotated[
        int, typer.Option(min=10, max=10_000, help="bootstrap resamples for the intervals")
    ] = 200,
) -> None:
    """Global sensitivity (SALib) of a Sobol or Morris sweep: each outcome's indices with 95%
    bootstrap intervals, how much of its variance is chance (the seed) and how much the
    parameters, and the indices on half the samples (convergence); writes indices, chance and
    convergence (.parquet), manifest.json and sensitivity.png."""
    from sim.analysis.sensitivity import OUTCOMES, analyse
    from sim.io.disk import ResultsError
    from sim.reports import plots
    from sim.reports.files import claim, release, staged, write_analysis

    started = datetime.now().astimezone()
    found = verified(folder)
    try:
        result = analyse(found, outcome, resamples)
    except (ValueError, ResultsError) as error:
        fail(error)
    outputs = {
        "indices.parquet": result.indices,
        "chance.parquet": result.chance,
        "convergence.parquet": result.convergence,
    }
    if not result.second_order.empty:
        outputs["second_order.parquet"] = result.second_order
    outputs["sensitivity.png"] = plots.sensitivity(result)
    try:
        name = found.manifest["sweep"]["name"]
        target = claim(out, Path("results") / "analysis" / f"{name}-sensitivity", note)
    except ResultsError as error:
        fail(error)
    about = {
        "analysis": f"{result.method} sensitivity (SALib)",
        "store": str(folder),
        "store_identity": found.manifest["identity"],
        "outcomes": {name: OUTCOMES.get(name, "") for name in result.chance["outcome"]},
        "base_samples": result.base_samples,
        "resamples": resamples,
        "started": started.isoformat(timespec="seconds"),
    }
    try:
        with staged(target) as files:
            write_analysis(files, outputs, about, sys.argv)
    except ResultsError as error:
        release(target)
        fail(error)
    shown = ("S1", "ST", "ST_adj") if result.method == "sobol" else ("mu_star", "sigma")
    form = ".2f" if result.method == "sobol" else ".3g"
    floors = ["noise floor"] if result.method == "morris" else []
    rows = table("outcome", "chance", *floors, "parameter", *shown, "vs N/2")
    for row in result.chance.itertuples():
        drivers = result.drivers(row.outcome, top=3).dropna(subset=[result.main_index])
        first = [row.outcome, f"{row.chance_share:.0%}"]
        first += [f"{row.noise_floor:{form}}"] if floors else []
        if drivers.empty:
            rows.add_row(*first, "(constant in this sweep)")
        for k, (_, d) in enumerate(drivers.iterrows()):
            cells = [
                f"{d[n]:{form}}" + (f"±{d[n + '_conf']:{form}}" if n + "_conf" in d else "")
                for n in shown
            ]
            change = f"{result.largest_change(row.outcome):.2f}" if k == 0 else ""
            rows.add_row(*(first if k == 0 else [""] * len(first)), d["parameter"], *cells, change)
    console.print(rows)
    say(f"wrote {target}/ ({', '.join(outputs)}, manifest.json)")


def coverage_check(problem, draws: int, folder: Path, client, about: dict[str, Any]) -> None:
    """`sim calibrate --check K`: the coverage check into a new <folder>-check-K/."""
    from sim.analysis import calibrate as abc
    from sim.analysis.coverage import ALPHA, verdict
    from sim.io.disk import ResultsError
    from sim.reports import plots
    from sim.reports.files import claim, release, staged, write_analysis

    try:
        target = claim(None, folder.with_name(f"{folder.name}-check-{draws}"), note)
    except ResultsError as error:
        fail(error)
    try:
        with client as dask:
            found = abc.coverage(problem, draws, dask)
        judged = verdict(found)
        with staged(target) as files:
            outputs = {
                "coverage.parquet": found,
                "verdict.parquet": judged,
                "coverage.png": plots.coverage(found),
            }
            write_analysis(files, outputs, about | {"draws": draws}, sys.argv)
    except (ValueError, ResultsError) as error:
        release(target)
        fail(error)
    except BaseException:
        release(target)
        raise
    rows = table("parameter", "draws", "inside 50%", "inside 90%", "KS p-value", "passes")
    for row in judged.itertuples(index=False):
        inside = [f"{v:.0%}" for v in row[2:4]]
        rows.add_row(row.parameter, str(row.draws), *inside, f"{row.p_value:.3g}", str(row.passes))
    console.print(rows)
    failed = judged.loc[~judged["passes"], "parameter"].tolist()
    say(
        f"miscalibrated (ranks not uniform, p < {ALPHA}): {', '.join(failed)}"
        if failed
        else f"no sign of miscalibration at p < {ALPHA} in {draws} draws"
    )
    say(f"wrote {target}/ ({', '.join(outputs)}, manifest.json)")


@app.command()
def calibrate(
    file: Annotated[Path, typer.Argument(help="calibration TOML file (see experiments/)")],
    out: Annotated[
        Path | None,
        typer.Option(help="folder (default: results/calibrations/<name>/; resumed if there)"),
    ] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    check: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=10_000,
            help="instead, the coverage check: calibrate on K synthetic observations (with band "
            "noise) made at values drawn from the prior, and test the truths' ranks in the "
            "posteriors against the uniform, each parameter and jointly (into "
            "<folder>-check-K/; 50 or more at a small budget)",
        ),
    ] = None,
) -> None:
    """Calibrate with ABC-SMC (pyabc) on the targets of both windows: the posterior of every
    generation (posterior.parquet), the posterior predictive check (predictive.parquet,
    predictive.png), the posterior mean (parameters.toml), the last generation as a sample a
    scenario can draw from run by run (sample.toml) and manifest.json. pyabc's database
    (abc.db) makes it resumable: the same command again goes on from the last generation."""
    from sim.analysis import calibrate as abc
    from sim.io.disk import (
        LOCK,
        ResultsError,
        lock,
        read_json,
        refuse_inside_results,
        write_atomic,
    )
    from sim.reports import plots
    from sim.reports.files import write_analysis
    from sim.sweeps.runner import dask_client

    started = datetime.now().astimezone()
    if workers is not None and scheduler is not None:
        fail("--workers and --scheduler exclude each other")
    try:
        problem = abc.load(file)
    except ValueError as error:  # ScenarioError is a ValueError
        fail(error)
    folder = out or Path("results") / "calibrations" / problem.calibration.name
    about = {"calibration_file": problem.text, "identity": abc.identity(problem)}
    client = (
        dask_client(workers, scheduler)
        if workers != 0 or scheduler is not None
        else contextlib.nullcontext()
    )
    if check is not None:
        coverage_check(problem, check, folder, client, about)
        return
    new = not folder.exists()
    identity = folder / "identity.json"
    try:
        if new:
            refuse_inside_results(folder)
        folder.mkdir(parents=True, exist_ok=True)
        others = {p.name for p in folder.iterdir()} - {LOCK}
        if others and not identity.is_file():
            raise ResultsError(
                f"{folder}: not a calibration folder (it holds other files); choose another --out"
            )
        held = lock(folder)
    except ResultsError as error:
        fail(error)
    except OSError as error:
        fail(f"{folder}: cannot use the folder: {error.strerror}")
    database = f"{abc.SQLITE}{(folder / 'abc.db').resolve()}"
    failed = None
    with held:
        try:
            known = read_json(identity, "identity") if identity.is_file() else None
        except ResultsError as error:
            fail(f"{error}; the calibration folder cannot be resumed, choose another --out")
        if known is not None and known != about["identity"]:
            fail(
                f"{folder}: made by another calibration (its parameters, targets, scenario, "
                "seed, population, runs a particle, distance or model code); choose another --out"
            )
        text = json.dumps(about["identity"], indent=1).encode()
        write_atomic(identity, lambda file: file.write(text))
        ours = [identity] if known is None else []  # what this command made, if it fails early
        ours += [folder / "abc.db"] if not (folder / "abc.db").exists() else []
        try:
            with client as dask:
                posterior = abc.calibrate(problem, database, dask)
            check_table = abc.predictive(problem, posterior, problem.calibration.predictive)
        except (ValueError, ResultsError) as error:
            failed = f"{file}: {error}"
            if not abc.saved(database):  # nothing to resume: take back what it made
                for path in [*ours, *([folder / LOCK] if new else [])]:
                    path.unlink(missing_ok=True)
        if failed is None:
            outputs = {
                "posterior.parquet": posterior.particles,
                "predictive.parquet": check_table,
                "predictive.png": plots.predictive(check_table),
                "parameters.toml": abc.parameter_file(problem, posterior),
                "sample.toml": abc.sample_file(problem, posterior),
            }
            about |= {"started": started.isoformat(timespec="seconds")}
            write_analysis(folder, outputs, about | {"epsilons": posterior.epsilons}, sys.argv)
    if failed is not None:
        if new:
            folder.rmdir()
        fail(failed)
    rows = table("parameter", "prior", "posterior mean", "90% interval")
    for name, (low, high) in problem.priors.items():
        a, b = posterior.interval(name, 0.9)
        rows.add_row(name, f"{low:g}-{high:g}", f"{posterior.mean()[name]:.4g}", f"{a:.4g}-{b:.4g}")
    console.print(rows)
    inside = int(check_table["inside"].sum())
    ess = posterior.ess()[-1]
    if ess < problem.calibration.population / 10:
        errors.print(
            f"warning: the last generation's effective sample size is {ess:.1f} particles of "
            f"{problem.calibration.population}: the posterior rests on a few; calibrate fewer "
            "parameters"
        )
    say(
        f"{len(posterior.epsilons)} generations, {posterior.evaluations:,} particles simulated, "
        f"effective sample size {ess:.0f}; "
        f"posterior predictive 5-95% holds {inside} of {len(check_table)} observed targets; "
        f"wrote {folder}/ ({', '.join(outputs)}, manifest.json)"
    )


@app.command()
def results(folder: Annotated[Path, typer.Argument(help="a sweep's store")]) -> None:
    """A short table of a sweep: runs, points and outcome quantiles."""
    from sim.io.disk import ResultsError
    from sim.model.outcomes import key_outcomes

    found = verified(folder)
    try:
        summary = found.summary
    except ResultsError as error:
        fail(error)
    manifest = found.manifest
    say(
        f"{manifest['sweep']['name']}: {len(summary):,} of {manifest['runs']:,} runs saved, "
        f"{manifest['points']:,} points x {manifest['replicates']} replicates"
    )
    rows = table("outcome", "runs with it", "10%", "50%", "90%")
    for name in key_outcomes():
        values = summary[name].dropna()
        if values.empty:
            rows.add_row(name, "0", "", "", "")
            continue
        low, mid, high = values.quantile([0.1, 0.5, 0.9])
        rows.add_row(name, f"{len(values):,}", f"{low:,.3g}", f"{mid:,.3g}", f"{high:,.3g}")
    console.print(rows)
