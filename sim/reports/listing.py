"""Tables and progress bars for the terminal: listings as a table, JSON, CSV or Markdown (the
registries', the scenarios'; the analyses' in `sim.reports.findings`), what a file holds, and
the progress bar of a run or a sweep."""

import csv
import io
import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table


def table(*headers: str | Column) -> Table:
    """A table whose cells wrap in a narrow terminal rather than cut a name short."""
    return Table(*(Column(h, overflow="fold") if isinstance(h, str) else h for h in headers))


def counted_runs(count: int) -> str:
    """`1 run`, `2,000 runs`: a count of runs as a title or a label says it."""
    return f"{count} run" if count == 1 else f"{count:,} runs"


def progress_bar(console: Console, label: str, unit: str) -> Progress:
    """A progress bar on `console`: the label, the bar, done of total, `unit` (it may show a
    task's fields) and the time left; gone when done (the last line says what was written),
    and none at all where the console is not a terminal (piped: no bar, no blank line)."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


class Format(StrEnum):
    """How a listing is printed."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def listing(rows: list[dict[str, Any]], form: Format) -> Table | str:
    """Rows as a table, a JSON list of objects, CSV or Markdown (lists joined by spaces); in
    JSON and CSV a missing number (NaN) is null or empty."""
    if form is Format.json:
        return json.dumps(plain(rows), indent=1)
    flat = [{k: " ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
    if form is Format.markdown:
        return markdown(flat)
    if form is Format.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(flat[0]) if flat else [])
        writer.writeheader()
        writer.writerows(plain(flat))
        return out.getvalue().rstrip("\n")
    shown = table(*(flat[0] if flat else []))
    for row in flat:
        shown.add_row(*(_cell(v) for v in row.values()))
    return shown


def plain(value: Any) -> Any:
    """A value as JSON and CSV take it, lists and dicts throughout: numpy's numbers as Python's,
    NaN as None."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


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


def runs_line(results: Any) -> str:
    """What a results folder (`sim.results.open`) holds: its runs, and a sweep's points."""
    manifest = results.manifest
    if "sweep" not in manifest:
        return f"{results.name}: {counted_runs(results.done)} of one scenario"
    design = manifest["sweep"]["design"]
    return (
        f"{results.name}: {results.done:,} of {manifest['runs']:,} runs saved, "
        f"{manifest['points']:,} design points ({design['kind']}) x {manifest['replicates']} "
        "replicates"
    )


def outcome_rows(table_name: str, form: Format) -> list[dict[str, Any]]:
    """The outcome registry's columns of a table (daily, summary or events): kind, unit,
    meaning, what null means, whether a key outcome."""
    from sim.model.outcomes import declarations

    return [
        {
            "column": f"`{outcome.name}`" if form is Format.markdown else outcome.name,
            "kind": str(outcome.kind),
            "unit": outcome.unit,
            "meaning": outcome.description,
            "null means": outcome.null,
            "key": outcome.key,
        }
        for outcome in declarations(table_name)
    ]


def scenario_rows(form: Format) -> tuple[list[dict[str, Any]], list[str]]:
    """The named scenarios (a name and description a row for a table, every field otherwise),
    and the errors of those that do not load."""
    from sim.model import scenario as scenarios

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
    return rows, broken


def parameter_rows() -> list[dict[str, Any]]:
    """The parameter registry: default, plausible range, unit and basis of every parameter."""
    from sim.model.claims import cited
    from sim.model.params import PARAMETERS

    return [
        {
            "name": p.name,
            "default": p.default,
            "low": p.low,
            "high": p.high,
            "unit": p.unit,
            "basis": [cited(source) for source in p.basis],
            "kind": p.kind,
            "integer": p.integer,
            "defines outcome": p.defines_outcome,
            "meaning": p.doc,
        }
        for p in PARAMETERS.values()
    ]


def parameter_kinds() -> str:
    """How many parameters rest on each kind of basis (`Param.kind`), in one line."""
    from collections import Counter

    from sim.model.params import PARAMETERS

    counts = Counter(p.kind for p in PARAMETERS.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda c: -c[1]))
    return f"{len(PARAMETERS)} parameters: {kinds}"


def claim_lines() -> list[str]:
    """Each claim of the source and each later pattern, then the rules and parameters that
    rest on it, as console markup (the claim's id in bold)."""
    from sim.model.claims import ASSUMPTION, SOURCES
    from sim.model.params import PARAMETERS
    from sim.model.rules import all_rules

    rules = all_rules()
    lines = []
    for claim_id, text in [*SOURCES.items(), (ASSUMPTION, "not in the source")]:
        lines.append(f"[bold]{claim_id}[/bold] {text}")
        lines += [
            escape(f"    rule      {name}")
            for name, sources in rules.items()
            if claim_id in sources
        ]
        lines += [
            escape(f"    parameter {p.name} = {p.default:g}")
            for p in PARAMETERS.values()
            if claim_id in p.basis
        ]
    return lines


CALIBRATION_KEYS = {"population", "generations", "targets", "use"}
"""Keys only a calibration file has (`sim.analysis.calibrate.Calibration`)."""


def is_calibration_file(path: Path) -> bool:
    """Whether a file reads as TOML with a calibration's keys (asked of a file that is not a
    sweep file)."""
    from sim.model.scenario import peek

    data = peek(path)
    tables = isinstance(data.get("parameters"), dict) and any(
        isinstance(v, dict) for v in data["parameters"].values()
    )  # a scenario's parameters are numbers, a calibration's are tables
    return bool(CALIBRATION_KEYS & set(data)) or tables


def describe(file: Path) -> str:
    """What a scenario, sweep or calibration file holds, checked without running it (loading a
    calibration runs its scenario once); a ValueError says what is wrong."""
    from sim.model import scenario as scenarios
    from sim.sweeps import design as sweeps

    if sweeps.is_sweep_file(file):
        plan, spec, _, _ = sweeps.load(file)
        runs = plan.point_count() * plan.replicates
        return (
            f"sweep {plan.name} of {spec.name}: {plan.point_count():,} points x "
            f"{plan.replicates} replicates = {runs:,} runs"
        )
    if is_calibration_file(file):
        from sim.analysis import calibrate as abc

        problem = abc.load(file)
        c = problem.calibration
        return (
            f"calibration {c.name} of {problem.scenario.name}: "
            f"{len(problem.priors)} parameters, {len(problem.targets)} targets "
            f"({len(problem.held_out)} more held out), "
            f"{c.generations} generations of {c.population} particles x {c.replicates} runs"
        )
    spec, _ = scenarios.load(file)
    return f"{spec.name}, horizon {spec.horizon}, {counted_runs(spec.replicates)}"
