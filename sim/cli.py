"""The `sim` command line: run a scenario, check a scenario file, list scenarios, claims and
parameters."""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sim import scenario as scenarios
from sim.claims import ASSUMPTION, CLAIMS
from sim.params import PARAMETERS

app = typer.Typer(
    help="Escalation around Idlib and north-east Syria after January 2019 (agent-based, Mesa).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)


def fail(message: str) -> None:
    """One line on stderr, exit status 2."""
    errors.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


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
    str, typer.Argument(help="a named scenario (see `sim scenarios`) or a scenario TOML file")
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
RunSeeds = Annotated[
    list[int] | None,
    typer.Option(help="re-run exactly these run seeds (a `seed` column); replaces --replicates"),
]


@app.command()
def run(
    scenario: ScenarioArg,
    replicates: Replicates = None,
    seed: Seed = None,
    out: Out = None,
    set_: Sets = None,
    run_seed: RunSeeds = None,
) -> None:
    """Run a scenario; write daily.parquet, summary.parquet, manifest.json and overview.png."""
    from sim.model import EscalationModel
    from sim.output import ResultsError, prepare, write_run
    from sim.plots import overview

    started = datetime.now().astimezone()
    try:
        spec, text = scenarios.load(scenario)
        spec = scenarios.with_overrides(spec, parse_sets(set_ or []), "--set")
        folder = out or Path("results") / f"{spec.name}-{started:%Y%m%d-%H%M%S}"
        prepare(folder)
    except (scenarios.ScenarioError, ResultsError) as error:
        fail(str(error))
    model = EscalationModel(spec, replicates, seed, seeds=run_seed or None)
    with Progress(
        TextColumn(f"{spec.name}: {model.replicates} runs"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeRemainingColumn(),
        console=errors,
    ) as progress:
        task = progress.add_task("days", total=spec.horizon + 1)
        while model.day <= spec.horizon:
            model.step()
            progress.advance(task)
    write_run(folder, model, text, sys.argv, started)
    daily = model.recorder.daily_columns()
    overview(daily, model.replicates, folder / "overview.png", spec.name)
    console.print(f"wrote {folder}/ (daily.parquet, summary.parquet, manifest.json, overview.png)")


@app.command()
def validate(file: Annotated[Path, typer.Argument(help="scenario TOML file")]) -> None:
    """Check a scenario file against the schema and the parameter registry."""
    try:
        spec, _ = scenarios.load(file)
    except scenarios.ScenarioError as error:
        fail(str(error))
    console.print(f"{file}: ok ({spec.name}, horizon {spec.horizon}, {spec.replicates} runs)")


@app.command(name="scenarios")
def list_scenarios() -> None:
    """List the named scenarios."""
    table = Table("name", "description")
    for name, path in scenarios.named_scenarios().items():
        spec, _ = scenarios.load(path)
        table.add_row(name, " ".join(spec.description.split()))
    console.print(table)


@app.command()
def claims() -> None:
    """Each claim of the source, with the rules and parameters that rest on it."""
    from sim.rules import all_rules

    rules = all_rules()
    for claim_id, text in [*CLAIMS.items(), (ASSUMPTION, "not in the source")]:
        console.print(f"[bold]{claim_id}[/bold] {text}")
        for name, cited in rules.items():
            if claim_id in cited:
                console.print(f"    rule      {name}")
        for p in PARAMETERS.values():
            if claim_id in p.basis:
                console.print(f"    parameter {p.name} = {p.default:g}")


@app.command()
def params() -> None:
    """The parameter registry: default, plausible range, unit and basis of every parameter."""
    table = Table("name", "default", "range", "unit", "basis", "meaning")
    for p in PARAMETERS.values():
        basis = " ".join(p.basis)
        table.add_row(p.name, f"{p.default:g}", f"{p.low:g} - {p.high:g}", p.unit, basis, p.doc)
    console.print(table)
