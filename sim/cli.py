"""The `sim` command line: each command parses its arguments, calls one function of the layers
below and prints what it found (`sim/commandline.py` holds the shared options and the error
handling, `sim.reports` the tables and messages)."""

import gc
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from sim import commandline as opt
from sim.reports.listing import Format, listing
from sim.reports.terminal import console, errors, note, printable, say, warn, written

app = typer.Typer(
    cls=opt.OneLineErrors,
    help="Escalation around Idlib and north-east Syria after January 2019 (agent-based, Mesa).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """The `sim` command as a process (`python -m sim`, the `sim` script). At its end every object
    is frozen out of the garbage collector's sight, which the shutdown's collections would walk
    (0.4-0.5 s of CPU on a busy host, measured) to free memory the process gives back anyway."""
    try:
        app()
    finally:
        gc.freeze()


@app.command()
def run(
    scenario: opt.ScenarioArg = None,
    replicates: opt.Replicates = None,
    seed: opt.Seed = None,
    out: opt.Out = None,
    set_: opt.Sets = None,
    set_file: opt.SetFile = None,
    posterior: opt.FromPosterior = None,
    run_seed: opt.RunSeeds = None,
    from_sweep: opt.FromSweep = None,
    from_run: opt.FromRun = None,
    run_number: opt.RunNumber = None,
) -> None:
    """Run a scenario; write daily, summary, events, columns (.parquet), manifest, overview.
    With --from-sweep or --from-run and --run, re-run one stored run instead."""
    from sim.model.record import check_memory
    from sim.reports.files import claim
    from sim.reports.runs import Request, record, resolve

    started = datetime.now().astimezone()
    asked = Request(scenario, replicates, seed, set_ or [], set_file, posterior, run_seed)
    asked.from_sweep, asked.from_run, asked.run_number = from_sweep, from_run, run_number
    with opt.one_line_errors():  # ScenarioError is a ValueError
        spec, text, run_seed = resolve(asked, warn)
        runs = len(run_seed) if run_seed else spec.replicates
        check_memory(runs, spec.horizon, 1, True, "--replicates" if replicates else scenario)
        folder = claim(out, Path("results") / f"{spec.name}-{started:%Y%m%d-%H%M%S}", note)
        record(folder, spec, run_seed, text, sys.argv, started, errors)
    say(
        f"wrote {folder}/ (daily.parquet, summary.parquet, events.parquet, columns.parquet, "
        "manifest.json, overview.png)"
    )


@app.command()
def validate(file: opt.CheckedFile) -> None:
    """Check a scenario file, or a sweep or calibration file and its scenario, without running
    them."""
    from sim.reports.listing import describe

    with opt.one_line_errors():  # ScenarioError is a ValueError
        say(f"{file}: ok ({describe(file)})")


@app.command()
def outcomes(
    table: Annotated[str, typer.Option(help="daily (the series), summary or events")] = "summary",
    form: opt.FormatOption = Format.table,
) -> None:
    """The columns a run writes, from the outcome registry: kind, unit, meaning, what null means."""
    from sim.model.outcomes import TABLES
    from sim.reports.listing import outcome_rows

    if table not in TABLES:
        opt.fail(f"--table {table}: one of {', '.join(TABLES)}")
    console.print(listing(outcome_rows(table, form), form))


@app.command(name="scenarios")
def list_scenarios(form: opt.FormatOption = Format.table) -> None:
    """List the named scenarios."""
    from sim.reports.listing import scenario_rows

    rows, broken = scenario_rows(form)
    console.print(listing(rows, form))
    if broken:
        opt.fail(broken[0] + (f" (and {len(broken) - 1} more broken)" if len(broken) > 1 else ""))


@app.command()
def claims() -> None:
    """Each claim of the source and each later pattern (external), with the rules and
    parameters that rest on it."""
    from sim.reports.listing import claim_lines

    for line in claim_lines():
        console.print(line, markup=True)


@app.command()
def params(form: opt.FormatOption = Format.table) -> None:
    """The parameter registry: default, plausible range, unit and basis of every parameter."""
    from sim.reports.listing import parameter_kinds, parameter_rows

    console.print(listing(parameter_rows(), form))
    if form is Format.table:
        say(parameter_kinds())


@app.command()
def sweep(
    file: Annotated[Path, typer.Argument(help="sweep TOML file (see experiments/)")],
    out: opt.StoreOut = None,
    workers: opt.Workers = None,
    scheduler: opt.Scheduler = None,
    record: opt.Record = None,
    verify: opt.Verify = False,
) -> None:
    """Run a sweep into a resumable store; the same command again resumes it."""
    from sim.io.disk import ResultsError
    from sim.model.scenario import ScenarioError
    from sim.sweeps import design as sweeps
    from sim.sweeps.runner import SweepRun

    if verify:
        verify_store(file)
        return
    opt.one_place(workers, scheduler)
    try:
        plan, scenario, text, scenario_text = sweeps.load(file)
        if record is not None:
            plan = sweeps.with_record(plan, record, "--record")
        folder = out or Path("results") / "sweeps" / plan.name
        run = SweepRun(plan, scenario, text, scenario_text, folder)
    except (ScenarioError, ResultsError) as error:
        opt.fail(error)
    except ValueError as error:  # a batch too big for this machine's memory
        opt.fail(f"{file}: {error}")
    with run:
        for index, problem in run.redone.items():
            warn(f"batch {index} will run again: {problem}")
        execute(run, folder, workers, scheduler)
    say(f"done: {run.runs:,} runs in {folder}/ (read with sim.results.open)")


def execute(run, folder: Path, workers: int | None, scheduler: str | None) -> None:
    """Run a sweep's pending batches with a progress bar; Ctrl-C stops it, keeping what is saved."""
    from sim.reports.runs import run_sweep

    say(
        f"{run.sweep.name}: {run.points:,} points x {run.sweep.replicates} replicates = "
        f"{run.runs:,} runs in {len(run.batches)} batches; {run.runs_to_go():,} runs to go "
        f"-> {folder}/"
    )
    problem = run_sweep(run, folder, workers, scheduler, errors)
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
        opt.fail(problem)


def verify_store(folder: Path) -> None:
    """Check every saved batch of a store against its manifest; one line either way."""
    found = verified(folder, sweep=True)
    batches = found.manifest["batches"]
    done = sum(b["status"] == "done" for b in batches.values())
    say(
        f"{folder}: {done} of {len(batches)} batches saved, each file as the manifest says "
        f"({found.done:,} of {found.manifest['runs']:,} runs)"
    )


def verified(folder: Path, sweep: bool):
    """Results (a sweep store, if `sweep`) whose files all match its manifest (SHA-256), or a
    one-line error."""
    from sim.sweeps.results import open_verified

    with opt.one_line_errors():
        return open_verified(folder, sweep)


@app.command()
def discover(
    folder: Annotated[Path, typer.Argument(help="a finished sweep's store")],
    outcome: opt.DiscoverOutcome,
    out: opt.DiscoveryOut = None,
    form: opt.FormatOption = Format.table,
) -> None:
    """Scenario discovery: the parameter ranges under which OUTCOME happens (PRIM, peeled on a
    random half of the design points, the box chosen and measured on the other), their
    stability over bootstrap resamples and feature scores, a null parameter of noise the floor
    for both; writes trajectory, box, parameters, runs (.parquet), manifest, discovery.png."""
    from sim.analysis.discover import discover_sweep
    from sim.reports import analyses, findings

    made = {"store": folder, "argv": sys.argv, "started": datetime.now().astimezone()}
    found = verified(folder, sweep=True)
    with opt.one_line_errors():
        result = discover_sweep(found, outcome)
        target, outputs = analyses.discovery(found, result, out, made, note)
    findings.discovery(result).show(form)
    findings.told(written(target, outputs), form)


@app.command()
def sensitivity(
    folder: opt.SensitivityStore = None,
    posterior: opt.PosteriorOf = None,
    outcome: opt.SensitivityOutcomes = None,
    out: opt.SensitivityOut = None,
    resamples: opt.Resamples = 200,
    permutations: opt.Permutations = 400,
    replicates: opt.PointRuns = 8,
    workers: opt.PosteriorWorkers = None,
    scheduler: opt.PosteriorScheduler = None,
    form: opt.FormatOption = Format.table,
) -> None:
    """Global sensitivity (SALib) of a Sobol or Morris sweep: each outcome's indices with 95%
    bootstrap intervals, how much of its variance is chance (the seed) and how much the
    parameters, and the indices on half the samples (convergence); writes indices, chance and
    convergence (.parquet), manifest.json and sensitivity.png. With --posterior instead: Shapley
    effects over a calibration's posterior (correlated parameters; runs on Dask as `sim
    calibrate`'s); writes shapley, chance and correlation (.parquet), manifest, shapley.png."""
    from sim.analysis.sensitivity import analyse
    from sim.reports import analyses, findings

    if (folder is None) == (posterior is None):
        opt.fail("name a sweep store (FOLDER) or a calibration folder (--posterior), one of them")
    made = {"store": folder, "resamples": resamples, "argv": sys.argv}
    made["started"] = datetime.now().astimezone()
    if posterior is not None:
        sizes = (permutations, replicates, opt.dask_or_here(workers, scheduler))
        return over_posterior(posterior, outcome, out, sizes, made, form)
    if workers is not None or scheduler is not None:
        opt.fail("--workers, --scheduler: with --posterior only (a sweep is analysed as stored)")
    found = verified(folder, sweep=True)
    with opt.one_line_errors():
        result = analyse(found, outcome, resamples)
        target, outputs = analyses.sensitivity(found, result, out, made, note)
    findings.sensitivity(result).show(form)
    findings.told(written(target, outputs), form)


def over_posterior(
    folder: Path,
    outcomes: list[str] | None,
    out: Path | None,
    sizes: tuple[int, int, Any],
    made: dict,
    form: Format,
) -> None:
    """Shapley effects over a posterior (`sim sensitivity --posterior`); Dask once it is checked."""
    from sim.analysis import shapley
    from sim.reports import analyses, findings

    permutations, replicates, client = sizes
    with opt.one_line_errors():
        asked = shapley.question(folder, outcomes)
        with client as dask:
            result = shapley.answer(asked, permutations, replicates, dask)
            target, outputs = analyses.posterior_sensitivity(folder, result, out, made, note)
    findings.posterior_sensitivity(result).show(form)
    findings.told(written(target, outputs), form)


@app.command()
def calibrate(
    file: Annotated[Path, typer.Argument(help="calibration TOML file (see experiments/)")],
    out: opt.CalibrationOut = None,
    workers: opt.Workers = None,
    scheduler: opt.Scheduler = None,
    check: opt.Check = None,
    form: opt.FormatOption = Format.table,
) -> None:
    """Calibrate with ABC-SMC (pyabc) on the targets: a particle is weighed by the probability
    that one of its runs matches the record (each band, with a normal fall-off outside it).
    Writes every generation's posterior (posterior.parquet) and temperature, ESS and acceptance
    (generations.parquet), pairs.png, the predictive check, held-out targets included
    (predictive.parquet/.png: runs in each band, in all), the posterior mean (parameters.toml),
    the last generation as a run-by-run sample (sample.toml) and manifest.json; pyabc's abc.db
    makes it resumable (the same command goes on)."""
    from sim.analysis import calibrate as abc
    from sim.reports import analyses, findings

    made = {"started": datetime.now().astimezone(), "argv": sys.argv, "label": str(file)}
    client = opt.dask_or_here(workers, scheduler)
    with opt.one_line_errors():  # ScenarioError is a ValueError
        problem = abc.load(file)
    folder = out or Path("results") / "calibrations" / problem.calibration.name
    with opt.one_line_errors():
        if check is not None:
            found = analyses.coverage_check(problem, check, folder, client, sys.argv, note)
            return findings.coverage_check(check, *found, form)
        posterior, checked, outputs = analyses.calibration(problem, folder, client, made)
    findings.calibrated(problem, posterior, checked, written(folder, outputs), form)


@app.command()
def story(
    folder: opt.ResultsDir,
    run_number: opt.StoryRun = None,
    seed: opt.StorySeed = None,
    pick: opt.Pick = None,
    form: opt.StoryFormat = "text",
) -> None:
    """One run told as a dated timeline in plain language, made by templates from its event
    log: each line with the level and the toll (killed, displaced) so far, and the rows of the
    event log it tells."""
    from sim.reports.story import tell

    with opt.one_line_errors():
        typer.echo(tell(folder, run_number, seed, pick, form))


@app.command()
def events(
    folder: opt.ResultsDir,
    form: opt.EventsFormat = "log",
    run_number: opt.EventsRun = None,
    out: opt.EventsOut = None,
) -> None:
    """The event log as CSV: as it is, or in ACLED's columns and vocabulary (--format acled)."""
    from sim.reports.acled import export

    with opt.one_line_errors():
        typer.echo(export(folder, form, run_number, out), nl=False)
    if out is not None:
        note(f"wrote {out}")


@app.command()
def results(folder: opt.ResultsDir, form: opt.FormatOption = Format.table) -> None:
    """A short table of a sweep store or a `sim run` folder: its runs (and points) and the key
    outcomes' quantiles."""
    from sim.model.outcomes import key_outcomes
    from sim.reports import findings

    found = verified(folder, sweep=False)
    with opt.one_line_errors():
        summary = found.summary
    findings.sweep_results(found, summary, key_outcomes()).show(form)


@app.command()
def report(
    folder: opt.ResultsDir,
    out: opt.ReportOut = None,
    force: opt.Force = False,
    with_: opt.WithAnalyses = None,
) -> None:
    """One self-contained HTML report of a `sim run` folder or a sweep store (and the analyses
    given by --with): provenance, map, charts (inline SVG), outcomes; default report.html."""
    from sim.reports.report import write_report

    with opt.one_line_errors():
        say(f"wrote {write_report(folder, out, force, with_ or [])}")


@app.command()
def explore(
    target: opt.ExploreTarget = "baseline",
    run_number: opt.ExploreRun = None,
    set_: opt.Sets = None,
    seed: opt.Seed = None,
    port: opt.Port = 8765,
    host: opt.Host = "127.0.0.1",
) -> None:
    """The explorer in the browser: a scenario live, or a stored run replayed (until Ctrl-C)."""
    from sim.app.serve import opened, serve

    with opt.one_line_errors():
        start = opened(target, run_number, set_ or [], seed)
    say(f"explorer: http://{host}:{port}/ (Ctrl-C stops it)")
    serve(start, host, port)
