"""What the page shows of a `Frame`: the map, the charts, the postures and the last events told
as `sim story` tells them. Pure functions of the frame, as text, so that the page and the
benchmark draw the same."""

from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from sim.app.charts import Line, chart
from sim.app.sources import Frame
from sim.model.geography import ACTORS
from sim.model.ladder import LEVELS
from sim.model.outcomes import by_column
from sim.model.params import PARAMETERS
from sim.reports.map import CAPTION, COLOURS, control, svg_map
from sim.reports.story import NAMES, asof, phrase, sentence, when

TOLL = {"killed": "#444444", "civilians_killed": "#b00020"}
PEOPLE = {"displaced": "#E69F00", "in_camps": "#8B4513", "ne_displaced": "#56B4E9"}
"""The columns of the toll and people charts, with their colours."""

EVENTS_SHOWN = 10
"""How many of the last events the page tells."""


def values(frame: Frame, column: str) -> np.ndarray:
    """A series column as (runs, days)."""
    return frame.series[column].to_numpy(dtype=float).reshape(frame.runs, -1)


def days(frame: Frame) -> np.ndarray:
    """The days of the frame's series."""
    return np.sort(frame.series["day"].unique())


def holders(frame: Frame) -> np.ndarray:
    """(D,) the actor holding each district at the end of the frame's day, first run."""
    return control(frame.events, [frame.first_run], frame.day)[0]


def level_chart(frame: Frame) -> str:
    """The escalation level over the days so far."""
    line = Line(values(frame, "level"), "level", "#333333")
    return chart("escalation level (0-7)", days(frame), [line], len(LEVELS) - 1, frame.last)


def share_chart(frame: Frame, theatre: str) -> str:
    """Each actor's share of the zone (`theatre` "zone") or the north-east ("ne"), those that
    hold any of it."""
    lines = [
        Line(values(frame, f"{theatre}_share_{actor}"), actor, COLOURS[actor])
        for actor in ACTORS
        if frame.series[f"{theatre}_share_{actor}"].max() > 0
    ]
    meaning = by_column("daily")[f"{theatre}_share_russia"].description
    title = meaning.replace("the actor", "each actor") + " (0-1)"
    return chart(title, days(frame), lines, 1.0, frame.last)


def people_chart(frame: Frame, columns: dict[str, str], title: str) -> str:
    """Columns of people (the toll, the displaced) over the days so far."""
    lines = [Line(values(frame, name), name.replace("_", " "), c) for name, c in columns.items()]
    top = max(float(np.nanmax(line.values)) for line in lines)
    return chart(title, days(frame), lines, top, frame.last)


def charts(frame: Frame) -> list[str]:
    """Every chart of the page, in order."""
    return [
        level_chart(frame),
        share_chart(frame, "zone"),
        share_chart(frame, "ne"),
        people_chart(frame, TOLL, "killed so far (people)"),
        people_chart(frame, PEOPLE, "displaced and in camps (people)"),
    ]


FIGURES = (
    "killed",
    "civilians_killed",
    "displaced",
    "in_camps",
    "ne_displaced",
    "left_for_turkey",
)
"""The first run's figures of the day the page lists, by their series column."""


def figures(frame: Frame) -> dict[str, str]:
    """The first run's `FIGURES` on the frame's day, whole numbers with thousands separators."""
    row = today(frame)
    return {name.replace("_", " "): f"{row[name]:,.0f}" for name in FIGURES}


def today(frame: Frame) -> pd.Series:
    """The first run's series on the frame's day."""
    return asof(frame.first_series, frame.day)


def postures(frame: Frame) -> dict[str, str]:
    """Each actor's posture on the frame's day (the first run)."""
    row = today(frame)
    return {NAMES[actor]: str(row[f"posture_{actor}"]).replace("_", " ") for actor in ACTORS}


def told(frame: Frame, count: int = EVENTS_SHOWN) -> list[str]:
    """The first run's last `count` distinct events up to the frame's day, latest first, each
    a dated sentence from `sim story`'s templates; an event told alike on several days (air
    strikes, say) is one line that says on how many days since when."""
    series = frame.first_series
    events = frame.events[frame.events["run"] == frame.first_run]
    found: dict[str, list[int]] = {}
    for _, event in events.iloc[::-1].iterrows():
        day = int(event["day"])
        text = sentence(phrase(event, asof(series, day)))
        if text not in found and len(found) == count:
            break
        found.setdefault(text, []).append(day)
    return [
        f"{when(days[0])}: {text}"
        + (f" (on {len(days)} days since {when(days[-1])})" if len(days) > 1 else "")
        for text, days in found.items()
    ]


RUN_IDS = ("run", "point", "replicate", "seed")
"""What names a stored run: its number, its design point and replicate (in a store), its seed."""


def run_card(run: dict, inputs: list[str]) -> str:
    """A stored run (a record of `runs()`) as table rows: what names it, then the values of the
    parameters that differ from run to run (`inputs`), with their units."""
    ids = [(name, f"{run[name]:d}") for name in RUN_IDS if name in run]
    values = [(name, f"{run[name]:,.6g} {PARAMETERS[name].unit}") for name in inputs]
    rows = ids + values
    return "".join(f"<tr><td>{name}</td><td>{escape(value)}</td></tr>" for name, value in rows)


def heading(frame: Frame, title: str) -> str:
    """The title line: the day, its date, today's level and the peak so far."""
    level = int(today(frame)["level"])
    peak = int(values(frame, "level")[0].max())
    return (
        f'<h3>{escape(title)}: day <span class="day">{frame.day}</span> of {frame.last}, '
        f'{when(frame.day)} &mdash; level <span class="level">{level}</span>, {LEVELS[level]} '
        f'(peak so far <span class="peak">{peak}</span>)</h3>'
    )


def map_part(frame: Frame, held: np.ndarray) -> str:
    """The map of who holds each district (`held`: `holders`), with its legend and caption."""
    legend = "".join(
        f'<span style="background:{COLOURS[a]}">&nbsp;&nbsp;&nbsp;</span> {a} ' for a in ACTORS
    )
    runs = frame.runs
    shown = f"the first of {runs} runs; charts: median and range" if runs > 1 else "one run"
    return (
        f'<div class="map">{svg_map(held, frame.notes)}</div><p>{legend}<br><small>Map: {shown}. '
        f"{escape(CAPTION)} Hatched: the Sochi buffer zone; triangles: Turkish posts; "
        "squares: border camps; red: the Turkish border.</small></p>"
    )


def charts_part(frame: Frame) -> str:
    """Every chart, side by side."""
    return f'<div class="charts">{"".join(charts(frame))}</div>'


def tables(frame: Frame) -> str:
    """The day's figures and each actor's posture."""
    rows = "".join(f"<tr><td>{a}</td><td>{p}</td></tr>" for a, p in postures(frame).items())
    counts = "".join(
        f'<tr><td>{name}</td><td class="figure">{value}</td></tr>'
        for name, value in figures(frame).items()
    )
    return (
        f'<h4>The day (people)</h4><table class="figures">{counts}</table>'
        f'<h4>Postures</h4><table class="postures">{rows}</table>'
    )


def events_part(lines: list[str]) -> str:
    """The last events (`told`), latest first."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<h4>Last events</h4><ol class="events">{items}</ol>'


@dataclass(frozen=True)
class Log:
    """What the page shows of a frame's event log, which changes on fewer days than the rest:
    who holds each district (`holders`) and the last events told (`told`)."""

    holders: np.ndarray
    lines: list[str]


def logged(frame: Frame) -> Log:
    """What the page shows of the frame's event log."""
    return Log(holders(frame), told(frame))


def page(frame: Frame, title: str, log: Log | None = None) -> str:
    """The whole frame as HTML: the heading, the map, the charts, the day's figures and
    postures, and the last events; `log` is what it shows of the event log, if drawn before
    (`logged`)."""
    log = log or logged(frame)
    return "".join(
        [
            heading(frame, title),
            map_part(frame, log.holders),
            charts_part(frame),
            tables(frame),
            events_part(log.lines),
        ]
    )
