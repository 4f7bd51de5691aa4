"""`sim report`: one self-contained HTML file about a `sim run` folder or a sweep store, for
readers who will not open Parquet: where the results came from, the district map, the charts
(matplotlib, inlined as SVG: no script, no network) and the outcome table."""

import html
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

import sim
from sim.io.disk import ResultsError, code_digest, write_atomic
from sim.model.geography import ACTORS, load
from sim.model.outcomes import Kind, by_column, key_outcomes
from sim.model.params import PARAMETERS
from sim.model.record import day_to_date
from sim.reports import findings, plots
from sim.reports import map as districts
from sim.reports.analyses import DISCOVERY, SENSITIVITY, SHAPLEY, read_analysis
from sim.reports.listing import runs_line
from sim.reports.story import Pick, picked, span, story, toll, when
from sim.sweeps.results import Results, SweepResults, open_verified

REPORT = "report.html"
"""The report's file name in the results folder, unless `--out` says otherwise."""

TABLE_OUTCOMES = [*key_outcomes(), "offensives", "kurd_damascus_deal_day", "killed"]
TABLE_OUTCOMES += ["left_for_turkey", "summits", "truces_broken", "turkish_soldiers_killed"]
"""The outcome table's rows: the key outcomes, then a few more a reader asks about."""

LIBRARIES = ("numpy", "scipy", "pandas", "pyarrow", "mesa", "matplotlib")
"""The libraries named in the provenance block (every installed version is listed below it)."""

EVENT_DAYS = {
    "first Damascus offensive": "first_offensive_day",
    "Turkey's north-east operation": "ne_operation_day",
    "Kurdish-Damascus deal": "kurd_damascus_deal_day",
}


def write_report(
    folder: Path, out: Path | None, force: bool, analyses: Sequence[Path] = ()
) -> Path:
    """Write the report of a run folder or a sweep store, with the analysis folders named in
    `analyses` (`read_analysis`), to `out` (default: REPORT in the folder), never over an
    existing file unless `force`; returns where it went."""
    target = out or folder / REPORT
    if target.is_dir():
        raise ResultsError(f"{target}: a folder; --out names the report's file")
    if target.exists() and not force:
        raise ResultsError(f"{target}: already exists; give --force to replace it")
    if not target.parent.is_dir():
        raise ResultsError(f"{target.parent}: no such folder")
    results = open_verified(folder)
    found = [read_analysis(path, results) for path in analyses]
    text = render(results, found).encode()
    try:
        write_atomic(target, lambda file: file.write(text))
    except OSError as error:
        raise ResultsError(f"{target}: cannot write it: {error.strerror}", error) from None
    return target


def render(results: Results, analyses: Sequence[tuple[str, Any]] = ()) -> str:
    """The report as one HTML page, with its `analyses` (`read_analysis`); a sweep's always
    has their section, saying how to add them if there are none."""
    sections = [
        ("provenance", "Where these results come from", provenance(results)),
        ("map", "The districts", maps(results)),
        ("escalation", "Escalation", escalation(results)),
        ("events", "When the turning points came", turning_points(results)),
        ("control", "Who holds the people", over_time(results, "control")),
        ("displaced", "Displaced people and camps", over_time(results, "displaced")),
        ("casualties", "Casualties", over_time(results, "casualties")),
        ("outcomes", "Outcomes", outcome_table(results)),
        ("story", "The story of the typical run", told(results)),
    ]
    sweep = isinstance(results, SweepResults)
    if sweep:
        sections.append(("parameters", "Outcomes against the varied parameters", varied(results)))
    if sweep or analyses:
        sections.append(("analyses", "Sensitivity and scenario discovery", shown(analyses)))
    kind = "sweep" if sweep else "run"
    contents = "".join(f'<li><a href="#{key}">{title}</a></li>' for key, title, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{title}</h2>{part}</section>' for key, title, part in sections
    )
    return PAGE.format(
        title=html.escape(f"{results.name}: {kind} report"),
        style=STYLE,
        lead=html.escape(
            f"{results.done:,} runs of the {'sweep' if sweep else 'scenario'} {results.name}, "
            f"days 0-{results.horizon} "
            f"({day_to_date(0):%d %b %Y} to {day_to_date(results.horizon):%d %b %Y})."
        ),
        contents=contents,
        body=body,
        version=html.escape(sim.__version__),
    )


def svg(fig: Figure, key: str) -> str:
    """A figure as inline SVG (text as text, ids made unique by `key`), then closed."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": key}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def figure(fig: Figure, key: str, caption: str, kind: str = "chart") -> str:
    """A figure with its caption, as HTML."""
    drawn = svg(fig, key)
    if kind == "map":
        drawn = _named_districts(drawn)
    return f'<figure class="{kind}">{drawn}<figcaption>{html.escape(caption)}</figcaption></figure>'


def _named_districts(drawn: str) -> str:
    """Each district's shape with its name as a tooltip (an SVG title)."""
    geography = load()

    def titled(match: re.Match) -> str:
        name = geography.names[geography.index(match[2])]
        return f"{match[1]}<title>{html.escape(name)}</title>"

    return re.sub(r'(<g id="district-([a-z0-9_]+)-[msz]\d+">)', titled, drawn)


def note(text: str) -> str:
    """A paragraph of explanation, as HTML."""
    return f'<p class="note">{html.escape(text)}</p>'


def provenance(results: Results) -> str:
    """The scenario, the parameters that differ from the defaults, seeds and versions."""
    manifest, scenario = results.manifest, results.manifest["scenario"]
    sweep = isinstance(results, SweepResults)
    made = (manifest["identity"] if sweep else manifest).get("model_code", "")
    rows = [
        ("scenario", f"{scenario['name']}: {scenario.get('description', '')}"),
        ("scenario events", ", ".join(f"{k} {v}" for k, v in scenario["events"].items())),
        ("runs", runs_line(results)),
        ("parameters changed", _changed(results) or "none: every parameter at its default"),
        ("seeds", _seeds(results)),
        ("package", f"idlib-escalation {manifest.get('package_version', '?')}"),
        ("model code (SHA-256)", f"{made}" + ("" if made == code_digest() else " (changed since)")),
        ("git commit", str(manifest.get("git_commit") or "not a git checkout")),
        ("libraries", _libraries(manifest.get("versions", {}))),
    ]
    cells = "".join(f"<tr><th>{k}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    versions = ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())
    return (
        f'<table class="provenance">{cells}</table>'
        f"<details><summary>every installed library</summary><p>{html.escape(versions)}</p>"
        "</details>"
    )


def _changed(results: Results) -> str:
    """The parameters set away from their defaults, and those the runs vary or draw."""
    sweep = isinstance(results, SweepResults)
    values = (
        results.manifest["scenario"].get("parameters", {})
        if sweep
        else results.manifest["parameters"]
    )
    said = []
    for name, value in values.items():
        default = PARAMETERS[name].default
        if isinstance(value, list):
            said.append(f"{name} drawn run by run ({min(value):.3g} to {max(value):.3g})")
        elif value != default:
            said.append(f"{name} = {value:.4g} (default {default:.4g})")
    if sweep:
        for name, spec in results.manifest["sweep"]["parameters"].items():
            p = PARAMETERS[name]
            span = (p.low, p.high) if spec.get("range") == "registry" else spec.get("range")
            said.append(f"{name} varied over {span} (default {p.default:.4g})")
    return "; ".join(said)


def _seeds(results: Results) -> str:
    """The master seed, and the first run seeds (a run folder) or the seed scheme (a sweep)."""
    if isinstance(results, SweepResults):
        return f"master seed {results.manifest['sweep']['seed']}; {results.manifest['seed_scheme']}"
    seeds = results.manifest["seeds"]
    shown = ", ".join(map(str, seeds[:5])) + (", ..." if len(seeds) > 5 else "")
    return f"master seed {results.manifest['master_seed']}; run seeds {shown}"


def _libraries(versions: dict[str, str]) -> str:
    """The versions of the main libraries (`LIBRARIES`)."""
    return ", ".join(f"{name} {versions[name]}" for name in LIBRARIES if name in versions)


def typical_run(results: Results) -> tuple[int, str]:
    """The typical run (`sim story --pick median`) and why it was chosen."""
    return picked(results.summary, Pick.median, results.folder)


def told(results: Results) -> str:
    """The typical run's story (`sim story`), where the results hold its event log and series."""
    if not (results.recorded("events") and results.recorded("series")):
        return note("The story needs the event log and the series, and these results lack one.")
    run, why = typical_run(results)
    lines = story(results, run, why)
    items = "".join(
        f"<li><b>{html.escape(span(line))}</b>: {html.escape(line.text)}. "
        f"<small>({html.escape(toll(line))})</small></li>"
        for line in lines.lines
    )
    head = f"Run {run} (seed {lines.seed}), {why}, told from its event log by templates."
    end = f"By {when(lines.end.day)}, the horizon: {toll(lines.end)}."
    return f"<p>{html.escape(head)}</p><ol>{items}</ol><p>{html.escape(end)}</p>"


def maps(results: Results) -> str:
    """The typical run's map at the start, the middle and the horizon (a run folder), and the
    share of runs in which each actor holds each district at the horizon."""
    if not results.recorded("events"):
        record = results.manifest["sweep"]["record"]
        day0 = districts.control_map({"day 0": load().controller}, "Who holds each district")
        return note(
            f"This store did not record the event log (record = {record}), and who holds each "
            "district is rebuilt from it: only the day-0 map is shown. Record it with "
            'record = "summary+events".'
        ) + figure(day0, "map-day0", districts.CAPTION, "map")
    parts = []
    sweep = isinstance(results, SweepResults)
    if not sweep:
        run, _ = typical_run(results)
        days = (0, results.horizon // 2, results.horizon)
        panels = {
            f"day {d} ({day_to_date(d):%d %b %Y})": districts.control(results.events, [run], d)[0]
            for d in days
        }
        title = f"Who holds each district in run {run}, the typical run"
        caption = (
            f"Run {run} is the run closest to the medians of the key outcomes. {districts.CAPTION}"
        )
        parts.append(figure(districts.control_map(panels, title), "map-run", caption, "map"))
        close = districts.control_map(panels, f"{title}: the north-west", districts.NORTH_WEST)
        parts.append(figure(close, "map-close", districts.CAPTION, "map"))
    runs = results.summary["run"].tolist()
    held = districts.control(results.events, runs, results.horizon)
    shares = {a: (held == k).mean(axis=0) for k, a in enumerate(ACTORS) if (held == k).any()}
    fig = districts.share_map(shares, len(runs), results.horizon)
    pooled = "All the sweep's runs together, every design point. " if sweep else ""
    parts.append(figure(fig, "map-share", pooled + districts.CAPTION, "map"))
    return "".join(parts)


def _series_missing(results: Results) -> str | None:
    """A note for a store that recorded no series, or None."""
    if results.recorded("series"):
        return None
    record = results.manifest["sweep"]["record"]
    return note(
        f"This store recorded no series over time (record = {record}): record weekly or "
        "daily to see it here."
    )


def escalation(results: Results) -> str:
    """The escalation fan chart: the level's median and band, and who holds the zone."""
    missing = _series_missing(results)
    if missing:
        return missing
    series = results.series
    columns = ["day", "level", *(f"zone_share_{a}" for a in ACTORS)]
    daily = {c: series[c].to_numpy(dtype=float) for c in columns}
    fig = plots.overview_figure(daily, results.done, results.manifest["scenario"]["name"])
    caption = "The theatre's escalation level (rungs of the ladder) by day, over the runs."
    return figure(fig, "escalation", caption)


def turning_points(results: Results) -> str:
    """The days of the first offensive, the north-east operation and the deal, over the runs."""
    fig = plots.event_days(results.summary, EVENT_DAYS, results.horizon)
    caption = "The day each turning point first came, over the runs; runs without it are counted."
    return figure(fig, "event-days", caption)


def _held(series: pd.DataFrame, prefix: str) -> dict[str, str]:
    """{actor: its share column} for the actors that ever rule any of a theatre's people."""
    return {a: f"{prefix}{a}" for a in ACTORS if (series[f"{prefix}{a}"] > 0).any()}


def over_time(results: Results, topic: str) -> str:
    """The series of a topic (control, displaced or casualties) by day, with bands."""
    missing = _series_missing(results)
    if missing:
        return missing
    series = results.series
    thousands = "people (thousands)"
    panels: dict[str, list[plots.Band]] = {
        "control": [
            ("Idlib zone", "share of its residents (%)", _held(series, "zone_share_"), 100),
            ("North-east", "share of its residents (%)", _held(series, "ne_share_"), 100),
        ],
        "displaced": [
            (
                "North-west",
                thousands,
                {"displaced": "displaced", "in camps": "in_camps", "to Turkey": "left_for_turkey"},
                1e-3,
            ),
            (
                "North-east",
                thousands,
                {"displaced": "ne_displaced", "in camps": "ne_in_camps"},
                1e-3,
            ),
        ],
        "casualties": [
            (
                "Killed and injured so far",
                "people",
                {"killed": "killed", "civilians killed": "civilians_killed", "injured": "injured"},
                1,
            )
        ],
    }
    fig = plots.bands(series, panels[topic], results.done)
    return figure(fig, topic, "Median over the runs by day, with the band of 10-90% of runs.")


def _value(value: float, kind: Kind) -> str:
    """An outcome's value for the table: a day with its date, a share in %, else a number."""
    if kind is Kind.DAY:
        return f"day {value:.0f} ({day_to_date(round(value)):%d %b %Y})"
    if kind is Kind.SHARE:
        return f"{value:.0%}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def outcome_table(results: Results) -> str:
    """The outcomes' median and 10-90% over the runs, with how many runs had each."""
    kinds = by_column("summary")
    rows = []
    for name in TABLE_OUTCOMES:
        outcome = kinds[name]
        values = results.summary[name].dropna().astype(float)
        cells = [name, outcome.description, outcome.unit, f"{len(values):,} of {results.done:,}"]
        if values.empty:
            cells += ["", "", ""]
        else:
            cells += [_value(v, outcome.kind) for v in values.quantile([0.1, 0.5, 0.9])]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("outcome", "meaning", "unit", "runs with it", "10%", "median", "90%")
    )
    return (
        f'<table class="outcomes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table>"
        + note(
            "Quantiles over the runs in which the outcome happened (a day column is empty in a "
            "run where its event never came)."
        )
    )


def varied(results: Results) -> str:
    """Each key outcome against each parameter the sweep varies."""
    kinds = by_column("summary")
    runs = results.summary.copy()
    outcomes = {}
    for name in key_outcomes():
        outcome = kinds[name]
        if outcome.kind is Kind.DAY:
            runs[name] = runs[name].astype(float).fillna(results.horizon + 1)
            outcomes[name] = f"{name} (day; never: {results.horizon + 1})"
        else:
            outcomes[name] = f"{name} ({outcome.unit})"
    inputs = {name: f"{name} ({PARAMETERS[name].unit})" for name in results.inputs}
    fig = plots.against_parameters(runs, outcomes, inputs)
    caption = (
        "Each dot a run (at most 2,000 of them drawn); the line is the median of all runs over "
        "eight bins of the parameter's range."
    )
    return figure(fig, "varied", caption)


def shown(analyses: Sequence[tuple[str, Any]]) -> str:
    """The analyses given with --with, each with its table(s) and figure, or a note saying how
    to add them."""
    if not analyses:
        return note(
            "No analysis given. Run `sim sensitivity STORE` (a Sobol or Morris sweep) or `sim "
            "discover STORE --outcome EXPR`, and name their folders with `sim report STORE "
            "--with DIR`."
        )
    parts = {SENSITIVITY: sensitivity_part, DISCOVERY: discovery_part, SHAPLEY: shapley_part}
    return "".join(
        parts[kind](result, f"analysis-{k}") for k, (kind, result) in enumerate(analyses)
    )


def sensitivity_part(result: Any, key: str) -> str:
    """A sensitivity analysis: each outcome's chance share (and Morris's noise floor) and
    strongest parameters, as `sim sensitivity` prints them, and its bar chart."""
    method = result.method.capitalize()
    head = f"<h3>{method} sensitivity, {result.base_samples} base samples</h3>"
    floor = (
        " The noise floor is the mu* a parameter of no effect gets from chance alone: a "
        "parameter below it cannot be told from chance."
        if result.method == "morris"
        else " ST_adj is ST with the chance left in the design points' means taken out."
    )
    said = note(
        "Chance: the share of the outcome's variance among a point's replicates (their seeds). "
        "Indices with their 95% bootstrap half-widths; vs N/2: the largest change of the main "
        "index from half the samples." + floor
    )
    caption = "The strongest parameters of each outcome, with 95% intervals."
    return (
        head
        + html_table(findings.sensitivity(result).seen("indices"), "sensitivity")
        + said
        + figure(plots.sensitivity(result), key, caption)
    )


def shapley_part(result: Any, key: str) -> str:
    """Shapley effects over a calibration's posterior: each outcome's chance share and each
    parameter's effect and share, as `sim sensitivity --posterior` prints them, and its bar
    chart."""
    found = findings.posterior_sensitivity(result)
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in found.lines)
    said = note(
        "Chance: the share of the outcome's variance among a point's runs (their seeds). Effect: "
        "the parameter's Shapley effect (the outcome's units squared); share: its part of the "
        "variance the parameters explain; each with its 95% half-width."
    )
    caption = "Each parameter's Shapley share of the parameters' part, with 95% intervals."
    return (
        f"<h3>Shapley effects over the posterior of {html.escape(result.calibration)}</h3>"
        f"<ul>{lines}</ul>"
        + html_table(found.seen("shapley"), "shapley")
        + said
        + figure(plots.shapley(result), key, caption)
    )


def discovery_part(result: Any, key: str) -> str:
    """A scenario discovery: the box, its rule, held-out coverage and density and the null's
    restriction rate, as `sim discover` prints them, its tables and its peeling trajectory."""
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in result.lines())
    found = findings.discovery(result)
    caption = "Each box of PRIM's peeling: coverage against density, the chosen box ringed."
    return (
        f"<h3>Scenario discovery: {html.escape(result.outcome)}</h3><ul>{lines}</ul>"
        + html_table(found.seen("parameters"), "discovery")
        + "<details><summary>every box of the peeling</summary>"
        + html_table(found.seen("trajectory"), "trajectory")
        + "</details>"
        + figure(plots.discovery(result), key, caption)
    )


def html_table(rows: findings.Rows, kind: str) -> str:
    """A table as people read it (`Findings.seen`: rows of text by column) as HTML."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in (rows[0] if rows else {}))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row.values()) + "</tr>"
        for row in rows
    )
    return f'<table class="{kind}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em;
  color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; padding: 0; list-style: none; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left;
  vertical-align: top; }
table.provenance th { width: 13em; }
table.outcomes td:nth-child(n+4) { white-space: nowrap; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<p>{lead}</p>
<nav><ul>{contents}</ul></nav>
{body}
<footer><p class="note">Made by <code>sim report</code> (idlib-escalation {version}); charts
drawn with matplotlib, inlined as SVG.</p></footer>
</body>
</html>
"""
