"""A `sim run`: the scenario's model run to its horizon with a progress bar, and its folder
written (daily, summary and events, manifest.json, overview.png)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.model import scenario as scenarios
from sim.model.scenario import Scenario
from sim.reports import files
from sim.reports.files import release, staged
from sim.reports.listing import counted_runs, progress_bar


@dataclass
class Request:
    """What `sim run` was asked: a scenario and its changes, or a stored run to re-run."""

    scenario: str | None = None
    replicates: int | None = None
    seed: int | None = None
    sets: list[str] = field(default_factory=list)
    set_file: Path | None = None
    posterior: Path | None = None
    run_seed: list[int] | None = None
    from_sweep: Path | None = None
    from_run: Path | None = None
    run_number: int | None = None

    @property
    def rerun(self) -> bool:
        return bool(self.from_sweep or self.from_run)


def resolve(
    request: Request, warn: Callable[[str], None]
) -> tuple[Scenario, str, list[int] | None]:
    """The scenario a request runs (with the parameters of --set-file, --posterior and --set,
    its replicates and seed), its text and the run seeds (None: the scenario's); a ValueError
    says what is wrong, `warn` hears of a stored run made by another model."""
    stored_options = (request.replicates, request.seed, request.run_seed)
    if request.rerun and any(option is not None for option in stored_options):
        raise ValueError("--from-sweep/--from-run: the stored run sets the runs and seed")
    if request.rerun and (request.set_file is not None or request.posterior is not None):
        raise ValueError("--from-sweep/--from-run: the stored run sets the scenario and parameters")
    if request.run_number is not None and not request.rerun:
        raise ValueError("--run: give --from-sweep DIR or --from-run DIR too")
    run_seed = request.run_seed
    if request.rerun:
        spec, text, run_seed = stored(request, warn)
    elif request.scenario is None:
        raise ValueError(
            "run: give a scenario, or --from-sweep DIR (or --from-run DIR) and --run K"
        )
    else:
        spec, text = scenarios.load(request.scenario)
    spec = with_changes(spec, request)
    for value in run_seed or []:
        if not 0 <= value < scenarios.SEED_LIMIT:
            raise ValueError(f"--run-seed {value}: a seed is a whole number from 0 to 2**63 - 1")
    return spec, text, run_seed


def with_changes(spec: Scenario, request: Request) -> Scenario:
    """The scenario with the request's --set-file, --posterior, --set, replicates and seed."""
    from sim.analysis.posterior import read as read_posterior

    if request.set_file is not None:
        spec = scenarios.with_file(spec, request.set_file)
    if request.posterior is not None:
        sample = read_posterior(request.posterior).sample()
        spec = scenarios.with_sample(spec, sample, "--posterior")
    spec = scenarios.with_overrides(spec, parse_sets(request.sets), "--set")
    return scenarios.with_runs(spec, request.replicates, request.seed)


def parse_sets(sets: list[str]) -> dict[str, float]:
    """`--set name=value` pairs as parameter overrides."""
    overrides: dict[str, float] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item}: expected name=value")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--set {item}: value {value!r} is not a number") from None
    return overrides


def stored(request: Request, warn: Callable[[str], None]) -> tuple[Scenario, str, list[int]]:
    """The scenario (with the run's parameters), its text and seed of a stored run."""
    from sim.sweeps.results import stored_run

    if request.from_sweep and request.from_run:
        raise ValueError("--from-sweep and --from-run exclude each other")
    number = request.run_number
    if number is None:
        raise ValueError("--from-sweep/--from-run: say which run with --run K")
    if request.scenario is not None or request.sets:
        raise ValueError("--from-sweep/--from-run: the stored run sets the scenario and parameters")
    folder = request.from_sweep or request.from_run
    spec, parameters, seed, warnings = stored_run(folder, number, sweep=bool(request.from_sweep))
    for warning in warnings:
        warn(warning)
    spec = scenarios.with_overrides(spec, parameters, f"{folder}: run {number}")
    return spec, f"# re-run of run {number} of {folder}\n", [seed]


def simulate(spec: Scenario, run_seed: list[int] | None, console: Console):
    """Run the scenario's model (its replicates and seed, or the given run seeds) to its
    horizon with a progress bar on `console`."""
    from sim.model import EscalationModel
    from sim.sweeps.runner import freeze_libraries, reuse_freed_memory

    reuse_freed_memory()
    freeze_libraries()
    model = EscalationModel(spec, spec.replicates, seeds=run_seed or None)
    label = f"{spec.name}: {counted_runs(model.replicates)}"
    with progress_bar(console, label, "days") as progress:
        task = progress.add_task("days", total=spec.horizon + 1)
        while model.day <= spec.horizon:
            model.step()
            progress.advance(task)
    return model


def record(
    folder: Path,
    spec: Scenario,
    run_seed: list[int] | None,
    text: str,
    command: list[str],
    started: datetime,
    console: Console,
) -> None:
    """Run the scenario (`simulate`) and write its runs into a claimed folder, given back if
    anything fails; `text` is the scenario's file, `command` the command line."""
    try:
        from sim.reports.plots import overview

        model = simulate(spec, run_seed, console)
        with staged(folder) as written:
            files.write_run(written, model, text, command, started)
            overview(
                model.recorder.daily_columns(),
                model.replicates,
                written / "overview.png",
                spec.name,
            )
    except BaseException:
        release(folder)  # a no-op where results were written into it meanwhile
        raise


def run_sweep(
    run: Any, folder: Path, workers: int | None, scheduler: str | None, console: Console
) -> str | Exception | None:
    """Run a sweep's pending batches (`SweepRun.execute`) with a progress bar on `console`:
    None when done, "stopped" for Ctrl-C (the saved batches kept), or what went wrong."""
    from distributed import KilledWorker

    from sim.io.disk import ResultsError

    left = run.runs_to_go()
    with progress_bar(console, run.sweep.name, "runs  {task.fields[rate]}") as progress:
        task = progress.add_task("runs", total=run.runs, completed=run.runs - left, rate="")

        def advance(runs: int) -> None:
            progress.advance(task, runs)
            speed = progress.tasks[task].speed
            progress.update(task, rate=f"{speed:,.0f} runs/s" if speed else "")

        try:
            run.execute(workers=workers, scheduler=scheduler, on_batch=advance)
        except KeyboardInterrupt:
            return "stopped"
        except ResultsError as error:
            return error
        except (ValueError, OSError, TimeoutError, KilledWorker) as error:  # a batch that failed
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            return (
                f"{folder}: a batch failed ({reason}); the batches saved before are kept: "
                "run the same command to resume"
            )
    return None
