"""Tables and progress bars for the terminal: listings as a table, JSON, CSV or Markdown, the
tables the analyses print, and the progress bar of a run or a sweep."""

import csv
import io
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Column, Table

if TYPE_CHECKING:
    import pandas as pd


def table(*headers: str | Column) -> Table:
    """A table whose cells wrap in a narrow terminal rather than cut a name short."""
    return Table(*(Column(h, overflow="fold") if isinstance(h, str) else h for h in headers))


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
    """Rows as a table, a JSON list of objects, CSV or Markdown (lists joined by spaces)."""
    if form is Format.json:
        return json.dumps(rows, indent=1)
    flat = [{k: " ".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in rows]
    if form is Format.markdown:
        return markdown(flat)
    if form is Format.csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(flat[0]) if flat else [])
        writer.writeheader()
        writer.writerows(flat)
        return out.getvalue().rstrip("\n")
    shown = table(*(flat[0] if flat else []))
    for row in flat:
        shown.add_row(*(_cell(v) for v in row.values()))
    return shown


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


HELD_OUT = ["held_out_coverage", "held_out_density"]

Rows = tuple[list[str], list[list[str]]]
"""A table as text: its headers and its rows of cells (the terminal's and the report's)."""


def discovery_rows(result: Any) -> tuple[Rows, Rows]:
    """Scenario discovery (`sim.analysis.discover`): the peeling path's boxes, and each
    parameter's box limits, range, stability and score."""
    path = ["box", "coverage", "density", "held-out coverage", "held-out density", "kept"]
    boxes = [
        [
            f"{i}{' (chosen)' if i == result.chosen else ''}",
            *(f"{row[c]:.2f}" for c in ["coverage", "density", *HELD_OUT]),
            f"{int(row['significant_dims'])} of {int(row['res_dim'])}",
        ]
        for i, row in result.trajectory.iterrows()
    ]
    parameters = []
    for name in result.scores.index:
        low, high, qp = (
            [f"{result.box.loc[name, c]:.3g}" for c in ["low", "high", "qp"]]
            if name in result.box.index
            else ("", "", "")
        )
        span = f"{result.ranges.loc[name, 'low']:.3g}-{result.ranges.loc[name, 'high']:.3g}"
        score = f"{result.scores[name]:.3f}"
        parameters.append([name, low, high, qp, span, f"{result.stability[name]:.0%}", score])
    headers = ["parameter", "low", "high", "qp", "range", "restricted", "score"]
    return (path, boxes), (headers, parameters)


def discovery_tables(result: Any) -> tuple[Table, Table]:
    """`discovery_rows` as tables for the terminal."""
    path, parameters = discovery_rows(result)
    return rich_table(path), rich_table(parameters)


def rich_table(rows: Rows) -> Table:
    """A table as text, for the terminal."""
    headers, cells = rows
    shown = table(*headers)
    for row in cells:
        shown.add_row(*row)
    return shown


def sensitivity_rows(result: Any) -> Rows:
    """Global sensitivity (`sim.analysis.sensitivity`): each outcome's share of chance (and
    Morris's noise floor) and its three strongest parameters with their indices."""
    shown = ("S1", "ST", "ST_adj") if result.method == "sobol" else ("mu_star", "sigma")
    form = ".2f" if result.method == "sobol" else ".3g"
    floors = ["noise floor"] if result.method == "morris" else []
    rows = []
    for row in result.chance.itertuples():
        drivers = result.drivers(row.outcome, top=3).dropna(subset=[result.main_index])
        first = [row.outcome, f"{row.chance_share:.0%}"]
        first += [f"{row.noise_floor:{form}}"] if floors else []
        if drivers.empty:
            rows.append([*first, "(constant in this sweep)", *[""] * len(shown), ""])
        for k, (_, d) in enumerate(drivers.iterrows()):
            cells = [
                f"{d[n]:{form}}" + (f"±{d[n + '_conf']:{form}}" if n + "_conf" in d else "")
                for n in shown
            ]
            change = f"{result.largest_change(row.outcome):.2f}" if k == 0 else ""
            rows.append([*(first if k == 0 else [""] * len(first)), d["parameter"], *cells, change])
    return ["outcome", "chance", *floors, "parameter", *shown, "vs N/2"], rows


def sensitivity_table(result: Any) -> Table:
    """`sensitivity_rows` as a table for the terminal."""
    return rich_table(sensitivity_rows(result))


def coverage_table(judged: "pd.DataFrame") -> Table:
    """The coverage check's verdict (`sim.analysis.coverage.verdict`), a parameter a row."""
    rows = table("parameter", "draws", "inside 50%", "inside 90%", "KS p-value", "passes")
    for row in judged.itertuples(index=False):
        inside = [f"{v:.0%}" for v in row[2:4]]
        rows.add_row(row.parameter, str(row.draws), *inside, f"{row.p_value:.3g}", str(row.passes))
    return rows


def posterior_table(priors: dict[str, tuple[float, float]], posterior: Any) -> Table:
    """Each calibrated parameter's prior range, posterior mean and 90% interval."""
    rows = table("parameter", "prior", "posterior mean", "90% interval")
    for name, (low, high) in priors.items():
        a, b = posterior.interval(name, 0.9)
        rows.add_row(name, f"{low:g}-{high:g}", f"{posterior.mean()[name]:.4g}", f"{a:.4g}-{b:.4g}")
    return rows


def runs_line(results: Any) -> str:
    """What a results folder (`sim.results.open`) holds: its runs, and a sweep's points."""
    manifest = results.manifest
    if "sweep" not in manifest:
        return f"{results.name}: {results.done:,} runs of one scenario"
    design = manifest["sweep"]["design"]
    return (
        f"{results.name}: {results.done:,} of {manifest['runs']:,} runs saved, "
        f"{manifest['points']:,} design points ({design['kind']}) x {manifest['replicates']} "
        "replicates"
    )


def quantile_table(summary: "pd.DataFrame", names: list[str]) -> Table:
    """Outcomes of a sweep's runs: how many runs have each, and its 10%, 50% and 90%."""
    rows = table("outcome", "runs with it", "10%", "50%", "90%")
    for name in names:
        values = summary[name].dropna()
        if values.empty:
            rows.add_row(name, "0", "", "", "")
            continue
        low, mid, high = values.quantile([0.1, 0.5, 0.9])
        rows.add_row(name, f"{len(values):,}", f"{low:,.3g}", f"{mid:,.3g}", f"{high:,.3g}")
    return rows


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
    return f"{spec.name}, horizon {spec.horizon}, {spec.replicates} runs"
