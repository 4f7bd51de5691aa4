"""One run told as a dated timeline in plain language (`sim story`), made by templates from its
event log, with the escalation level and the toll so far from its series at every line.

Each event type has its template (`TEMPLATES`, one per type of `sim.model.events.EVENTS`; the
actors' postures in `POSTURES`). An event is told on its day together with the others of that
day, or, if its template names a spell, grouped with the events of the same spell, actor and
target that follow it within `GAP` days ("Russian air strikes on Idlib city on 21 days
between ..."). Every row of the run's event log is told by exactly one line, which names it.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.io.disk import ResultsError
from sim.model.geography import load
from sim.model.ladder import LEVELS
from sim.model.outcomes import key_outcomes
from sim.model.record import START_DATE
from sim.sweeps import results

GAP = 30
"""Events of one spell further apart than this many days start a new line."""

KEY = ("run", "day", "event", "actor", "district", "target")
"""The columns that name one row of an event log (no two rows share them)."""

NAMES = {
    "russia": "Russia",
    "turkey": "Turkey",
    "damascus": "Damascus",
    "hts": "HTS",
    "opposition": "the opposition",
    "kurds": "the Kurdish forces",
    "us": "the United States",
}
"""How the story names each actor."""

ADJECTIVES = {
    "russia": "Russian",
    "turkey": "Turkish",
    "damascus": "Syrian government",
    "hts": "HTS",
    "opposition": "opposition",
    "kurds": "Kurdish",
    "us": "US",
}
"""The actor's forces, as in "Turkish and Syrian government forces clash"."""


class Pick(StrEnum):
    """Which run `sim story` tells when none is named."""

    median = "median"  # the typical run: closest to the medians of the key outcomes
    worst = "worst"  # the deadliest: most killed
    first_clash = "first-clash"  # the first to reach level 6 (clashes between states)


class StoryFormat(StrEnum):
    """How a story is printed."""

    text = "text"
    markdown = "markdown"
    json = "json"


@dataclass(frozen=True)
class Template:
    """How an event is told: `one` alone (a dict picks the text by the event's value), or, for
    a `spell`, `many` for a line that groups several. Fields: {actor}, {target}, {district},
    {value}, {nth} (the value as an ordinal); in `many` also {count}, {districts}, {how} (how
    many were ceded) and {tally} (how many moves to each posture)."""

    one: str | dict[float, str]
    spell: str = ""
    many: str = ""


TERRITORY = "{actor} takes {count} districts from {target}, {how} ({districts})"

TEMPLATES: dict[str, Template] = {
    "posture_<name>": Template("", "posture", "{actor} changes posture {count} times ({tally})"),
    "offensive_begins": Template("Damascus opens a {offensive}{support} (its {nth})"),
    "offensive_ends": Template("Damascus's offensive stops after {value} days"),
    "district_captured": Template("{actor} takes {district} from {target}", "territory", TERRITORY),
    "district_ceded": Template("{target} cedes {district} to {actor}", "territory", TERRITORY),
    "idlib_city_struck": Template(
        "Russian air strikes on Idlib city",
        "strikes",
        "Russian air strikes on Idlib city on {count} days",
    ),
    "summit": Template(
        {1: "Putin and Erdogan meet, as scheduled", 0: "Putin and Erdogan meet at short notice"}
    ),
    "truce": Template("Russia agrees a truce with Turkey and backs no offensive while it holds"),
    "truce_broken": Template("the truce breaks down: Russia's patience runs out"),
    "clash": Template("{actor_forces} and {target_forces} forces clash"),
    "soldiers_killed": Template("{actor_forces} fire kills {value} Turkish soldiers"),
    "ne_operation_begins": Template(
        "Turkey launches its operation against the Kurdish forces in the north-east"
    ),
    "ne_operation_ends": Template("Turkey ends its north-east operation after {value} days"),
    "kurd_damascus_deal": Template(
        "the Kurdish forces let Damascus in, handing over {value} districts"
    ),
    "camp_flood": Template("winter floods hit the border camps"),
}
"""One template per event type of `sim.model.events.EVENTS` (a test checks it)."""

POSTURES: dict[str, dict[str, str]] = {
    "russia": {
        "restraint": "Russia holds back",
        "pressure": "Russia presses Turkey to act on the deal",
        "air_strikes": "Russia turns to air strikes",
        "back_offensive": "Russia backs a ground offensive",
    },
    "turkey": {
        "hold": "Turkey holds its positions",
        "comply": "Turkey works to carry out the deal",
        "guard_posts": "Turkey reinforces its observation posts",
        "ne_operation": "Turkey turns to the north-east",
    },
    "damascus": {
        "shelling": "Damascus returns to shelling",
        "offensive": "Damascus goes on the ground offensive",
        "assault": "Damascus goes for a full-scale assault",
    },
    "hts": {"raid": "HTS raids", "expand": "HTS expands", "defend": "HTS digs in to defend"},
    "opposition": {
        "hold": "the opposition holds",
        "fight": "the opposition fights",
        "cede": "the opposition cedes ground to HTS",
    },
    "kurds": {
        "hold": "the Kurdish forces hold",
        "resist": "the Kurdish forces resist",
        "invite_damascus": "the Kurdish forces invite Damascus in",
    },
    "us": {
        "stay": "the United States stays",
        "withdrawing": "the United States begins to withdraw",
        "gone": "the last US forces are gone",
    },
}
"""What each actor's move to each of its postures is told as (a test checks every posture)."""

ROUTINE = {"hts": {"raid", "expand"}, "opposition": {"hold", "fight", "cede"}}
"""Postures an actor moves between often: told as spells, not day by day."""

TOLD_WITH = {
    "posture_offensive": "offensive_begins",
    "posture_assault": "offensive_begins",
    "posture_shelling": "offensive_ends",
    "posture_ne_operation": "ne_operation_begins",
    "posture_invite_damascus": "kurd_damascus_deal",
}
"""A move to a posture said by another event of its actor that day (the line names both)."""

geography = cache(load)
"""The map (district names), read once."""

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@dataclass
class Line:
    """One line of a story: its days, its text, the state at its last day and its rows."""

    day: int
    last_day: int
    text: str
    rows: list[int]
    level: int = 0
    killed: float = 0.0
    displaced: float = 0.0
    keys: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Story:
    """A run's story: which run and why, its lines, and the state at the horizon."""

    name: str
    run: int
    seed: int
    why: str
    lines: list[Line]
    end: Line


def tell(folder: Path, run: int | None, seed: int | None, pick: str | None, form: str) -> str:
    """The story of one run of a `sim run` folder or a sweep store: run `run`, the run of
    `seed`, or the one `pick` chooses (the typical one if none is given), as `form` (a
    `StoryFormat`); a ValueError or ResultsError says what is wrong."""
    chosen_pick = None if pick is None else option(Pick, pick, "--pick")
    shape = option(StoryFormat, form, "--format")
    stored = results.open(folder)
    chosen, why = choose(stored, run, seed, chosen_pick)
    return render(story(stored, chosen, why), shape)


def option[E: StrEnum](kind: type[E], value: str, name: str) -> E:
    """An option's value as one of an enumeration's, or a ValueError naming them."""
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name} {value}: one of {', '.join(kind)}") from None


def choose(
    stored: results.Results, run: int | None, seed: int | None, pick: Pick | None
) -> tuple[int, str]:
    """The run to tell and why it was chosen; a ValueError or ResultsError if none fits."""
    if sum(x is not None for x in (run, seed, pick)) > 1:
        raise ValueError("--run, --seed and --pick exclude each other")
    summary, where = stored.summary, stored.folder
    if run is not None:
        stored.check_run(run)
        return run, "chosen by --run"
    if seed is not None:
        found = summary.loc[summary["seed"] == seed, "run"]
        if found.empty:
            raise ResultsError(f"{where}: --seed {seed}: no run has that seed")
        return int(found.iloc[0]), "chosen by --seed"
    return picked(summary, pick or Pick.median, where)


def picked(summary: pd.DataFrame, pick: Pick, where: Path) -> tuple[int, str]:
    """The run `pick` chooses among a summary's runs (the first of equals)."""
    if pick is Pick.worst:
        return int(summary.loc[summary["killed"].idxmax(), "run"]), "the deadliest run"
    if pick is Pick.first_clash:
        days = pd.to_numeric(summary["first_day_level_6"], errors="coerce")
        if days.isna().all():
            raise ResultsError(f"{where}: --pick first-clash: no run reaches level 6")
        return int(summary.loc[days.idxmin(), "run"]), "the first run to reach level 6"
    distance = np.zeros(len(summary))
    for name in key_outcomes():
        values = pd.to_numeric(summary[name], errors="coerce").astype(float)
        values = values.fillna(values.max() + 1 if values.notna().any() else 0)  # never: last
        spread = values.quantile(0.9) - values.quantile(0.1)
        distance += np.abs(values - values.median()).to_numpy() / (spread or 1.0)
    chosen = int(summary["run"].iloc[int(np.argmin(distance))])
    return chosen, "the typical run (closest to the medians of the key outcomes)"


def story(stored: results.Results, run: int, why: str) -> Story:
    """Run `run` of a results folder told line by line (see the module's doc)."""
    events, series = stored.table("events", run), stored.table("series", run)
    if series.empty:
        raise ResultsError(f"{stored.folder}: run {run} has no series")
    groups = spells(events)
    alone = {rows[0] for rows in groups if len(rows) == 1}  # told on its day, with the others
    lines = [spell_line(events, rows) for rows in groups if len(rows) > 1]
    lines += days(events, series, alone)
    lines.sort(key=lambda line: (line.day, line.rows[0]))
    for line in lines:
        state(line, series)
        line.keys = [_key(events.loc[row]) for row in line.rows]
    last = int(series["day"].iloc[-1])
    end = state(Line(last, last, "the horizon", []), series)
    seed = int(series["seed"].iloc[0])
    return Story(stored.name, run, seed, why, lines, end)


def template(row: pd.Series) -> Template:
    """The template of an event (a move to a posture: its actor's phrase)."""
    if row["event"] in TEMPLATES:
        return TEMPLATES[row["event"]]
    actor, name = row["actor"], row["event"].removeprefix("posture_")
    general = TEMPLATES["posture_<name>"]
    routine = name in ROUTINE.get(actor, ())
    return Template(POSTURES[actor][name], general.spell if routine else "", general.many)


def spells(events: pd.DataFrame) -> list[list[int]]:
    """The rows of the events told in spells, a list a spell: same spell, actor and target,
    each event within `GAP` days of the one before."""
    found: dict[tuple, list[list[int]]] = {}
    for row, event in events.iterrows():
        shape = template(event)
        if not shape.spell:
            continue
        groups = found.setdefault((shape.spell, event["actor"], event["target"]), [])
        if groups and event["day"] - events.loc[groups[-1][-1], "day"] <= GAP:
            groups[-1].append(row)
        else:
            groups.append([row])
    return [rows for groups in found.values() for rows in groups]


def spell_line(events: pd.DataFrame, rows: list[int]) -> Line:
    """One line for the events of a spell."""
    told = events.loc[rows]
    first, last = int(told["day"].iloc[0]), int(told["day"].iloc[-1])
    names, ids = geography().names, geography().ids
    tally = told["event"].str.removeprefix("posture_").value_counts(sort=False)
    fields = {
        "actor": NAMES.get(told["actor"].iloc[0]),
        "target": NAMES.get(told["target"].iloc[0]),
        "count": spoken(len(rows)),
        "districts": ", ".join(names[ids.index(d)] for d in told["district"] if d),
        "how": ceded(int((told["event"] == "district_ceded").sum()), len(rows)),
        "tally": ", ".join(f"{n.replace('_', ' ')} {k}" for n, k in tally.items()),
    }
    return Line(first, last, sentence(template(told.iloc[0]).many.format(**fields)), rows)


def days(events: pd.DataFrame, series: pd.DataFrame, alone: set[int]) -> list[Line]:
    """One line a day for the events told day by day, and those `alone` in their spell, in
    the log's order."""
    daily = events[[not template(e).spell or row in alone for row, e in events.iterrows()]]
    lines = []
    for day, told in daily.groupby("day", sort=True):
        said = set(zip(told["event"], told["actor"], strict=True))
        parts = [
            phrase(event, asof(series, int(day)))
            for _, event in told.iterrows()
            if (TOLD_WITH.get(event["event"]), event["actor"]) not in said
        ]
        lines.append(Line(int(day), int(day), sentence("; ".join(parts)), list(told.index)))
    return lines


def phrase(event: pd.Series, day: pd.Series | None = None) -> str:
    """One event told by its template; `day` is the series that day (postures)."""
    text = template(event).one
    value = event["value"]
    if isinstance(text, dict):
        text = text[value]
    whole = int(value) if pd.notna(value) else 0
    fields = {
        "actor": NAMES.get(event["actor"]),
        "target": NAMES.get(event["target"]),
        "actor_forces": ADJECTIVES.get(event["actor"]),
        "target_forces": ADJECTIVES.get(event["target"]),
        "district": geography().names[geography().ids.index(event["district"])]
        if event["district"]
        else "",
        "value": whole,
        "nth": ORDINALS[whole - 1] if 0 < whole <= len(ORDINALS) else f"number {whole}",
        "offensive": "ground offensive",
        "support": "",
    }
    if day is not None:
        if day["posture_damascus"] == "assault":
            fields["offensive"] = "full-scale assault"
        if day["posture_russia"] == "back_offensive":
            fields["support"] = " with Russian air support"
    return text.format(**fields)


def sentence(text: str) -> str:
    """The text with a capital first letter."""
    return text[:1].upper() + text[1:]


def asof(series: pd.DataFrame, day: int) -> pd.Series:
    """The series' last record on or before `day` (a weekly series records every 7th day)."""
    at = int(np.searchsorted(series["day"].to_numpy(), day, side="right")) - 1
    return series.iloc[max(at, 0)]


def state(line: Line, series: pd.DataFrame) -> Line:
    """The line with the level and the toll so far at its last day."""
    day = asof(series, line.last_day)
    line.level = int(day["level"])
    line.killed = float(day["killed"])
    line.displaced = float(day["displaced"] + day["ne_displaced"])
    return line


def _key(event: pd.Series) -> dict[str, Any]:
    return {name: (int(event[name]) if name in ("run", "day") else event[name]) for name in KEY}


def when(day: int) -> str:
    """A model day as a date, "29 Apr 2019"."""
    return f"{START_DATE + timedelta(days=day):%-d %b %Y}"


def span(line: Line) -> str:
    """The line's date, or its first and last dates."""
    if line.day == line.last_day:
        return when(line.day)
    first, last = START_DATE + timedelta(line.day), START_DATE + timedelta(line.last_day)
    year = f" {first:%Y}" if first.year != last.year else ""
    return f"{first:%-d %b}{year} to {when(line.last_day)}"


def ceded(n: int, of: int) -> str:
    """How many of a line's districts were ceded rather than taken by force."""
    if n == 0:
        return "by force"
    return "all ceded" if n == of else f"{spoken(n)} of them ceded"


def spoken(n: int) -> str:
    """A small count in words, a larger one in figures."""
    return COUNTS[n] if n < len(COUNTS) else f"{n:,}"


def ranges(rows: list[int]) -> str:
    """Row numbers with runs shortened: "3-5, 9"."""
    parts, start = [], None
    for k, row in enumerate(rows):
        start = row if start is None else start
        if k + 1 == len(rows) or rows[k + 1] != row + 1:
            parts.append(f"{start}-{row}" if row != start else f"{row}")
            start = None
    return ", ".join(parts)


def render(told: Story, form: StoryFormat) -> str:
    """A story as text, Markdown or JSON."""
    if form is StoryFormat.json:
        return json.dumps(as_json(told), indent=1)
    head = f"{told.name}, run {told.run} (seed {told.seed}): {told.why}"
    rows = [(span(line), line.text, toll(line), ranges(line.rows)) for line in told.lines]
    end = f"By {when(told.end.day)}, the horizon: {toll(told.end)}."
    if form is StoryFormat.markdown:
        body = [
            f"- **{when_}** — {text}. *({state_}; events {rows_})*"
            for when_, text, state_, rows_ in rows
        ]
        return "\n".join([f"# {head}", "", *body, "", end])
    body = [f"{when_} — {text}. ({state_}; events {rows_})" for when_, text, state_, rows_ in rows]
    return "\n".join([head, *body, end])


def toll(line: Line) -> str:
    """The level and the toll at a line."""
    return (
        f"level {line.level}, {LEVELS[line.level]}; {line.killed:,.0f} killed, "
        f"{line.displaced:,.0f} displaced"
    )


def as_json(told: Story) -> dict[str, Any]:
    """A story as JSON: each line with its dates, text, state and the keys of its rows."""
    return {
        "name": told.name,
        "run": told.run,
        "seed": told.seed,
        "chosen": told.why,
        "lines": [
            {
                "date": str(START_DATE + timedelta(line.day)),
                "last_date": str(START_DATE + timedelta(line.last_day)),
                "day": line.day,
                "last_day": line.last_day,
                "text": line.text,
                "level": line.level,
                "killed": line.killed,
                "displaced": line.displaced,
                "rows": line.rows,
                "events": line.keys,
            }
            for line in told.lines
        ],
        "horizon": {
            "date": str(START_DATE + timedelta(told.end.day)),
            "level": told.end.level,
            "killed": told.end.killed,
            "displaced": told.end.displaced,
        },
    }
