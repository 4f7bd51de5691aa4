"""Small line charts over days as SVG text, drawn without matplotlib so that a frame stays fast:
one line a run, or, for several runs, the median with a band from the lowest to the highest;
a long series is thinned to at most `MOST_POINTS` points a line."""

from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 420, 150
"""A chart's size in pixels."""

LEFT, RIGHT, TOP, BOTTOM = 46, 8, 20, 22
"""The margins: axis labels on the left and bottom, the title on top."""

MOST_POINTS = 300
"""The most points a chart draws a line (or a band's edge) with, whatever the days and runs."""


@dataclass(frozen=True)
class Line:
    """One quantity: its values, (runs, days), its label and colour."""

    values: np.ndarray
    label: str
    colour: str


def compact(value: float) -> str:
    """A number for an axis: 1.2k, 35k, 1.5M, 0.5."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def kept(values: np.ndarray, most: int = MOST_POINTS) -> np.ndarray:
    """The indices of a line's `values` that it is drawn with: all of them up to `most`;
    beyond, the lowest and the highest of each of `most // 2 - 1` stretches of days, and the
    first and the last, so that no peak is lost and the current day is drawn as it is."""
    count = len(values)
    if count <= most:
        return np.arange(count)
    stretches = most // 2 - 1
    size = -(-count // stretches)
    padded = np.pad(values, (0, stretches * size - count), mode="edge").reshape(stretches, size)
    starts = np.arange(stretches) * size
    extremes = np.r_[starts + padded.argmin(axis=1), starts + padded.argmax(axis=1)]
    return np.unique(np.r_[0, np.minimum(extremes, count - 1), count - 1])


def chart(title: str, days: np.ndarray, lines: list[Line], top: float, last: int) -> str:
    """Lines over days 0..`last` on a scale from 0 to `top`, each day drawn (`kept`) marked by a
    `circle.point` when there is a single line; the chart is an `svg.chart`."""
    top = top if top > 0 else 1.0
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: np.ndarray) -> np.ndarray:
        return LEFT + span_x * np.asarray(day) / max(last, 1)

    def y(value: np.ndarray) -> np.ndarray:
        return TOP + span_y * (1 - np.clip(np.asarray(value, float), 0, top) / top)

    def points(xs: np.ndarray, ys: np.ndarray) -> str:
        return " ".join(map("{:.1f},{:.1f}".format, xs.tolist(), ys.tolist()))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{HEIGHT}" font-size="10"><text x="{LEFT}" y="12" font-weight="bold">'
        f"{escape(title)}</text>"
    ]
    for tick in (0, top / 2, top):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e0e0e0"/><text x="{LEFT - 4}" y="{y(tick) + 3:.1f}" '
            f'text-anchor="end">{compact(tick)}</text>'
        )
    for tick, anchor in ((0, "start"), (last // 2, "middle"), (last, "end")):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}">day {tick}</text>'
        )
    for k, line in enumerate(lines):
        middle = np.median(line.values, axis=0)
        if len(line.values) > 1:
            low, high = line.values.min(axis=0), line.values.max(axis=0)
            up, down = kept(high), kept(low)[::-1]
            outline = points(np.r_[x(days[up]), x(days[down])], np.r_[y(high[up]), y(low[down])])
            parts.append(f'<polygon points="{outline}" fill="{line.colour}" opacity="0.25"/>')
        drawn = kept(middle)
        xs, ys = x(days[drawn]), y(middle[drawn])
        parts.append(
            f'<polyline class="line" points="{points(xs, ys)}" fill="none" '
            f'stroke="{line.colour}" stroke-width="1.6"><title>{escape(line.label)}</title>'
            "</polyline>"
        )
        if len(lines) == 1:
            circle = '<circle class="point" cx="{:.1f}" cy="{:.1f}" r="1.6" fill="%s"/>'
            parts.extend(map((circle % line.colour).format, xs.tolist(), ys.tolist()))
        if len(lines) > 1:
            parts.append(
                f'<text x="{WIDTH - RIGHT}" y="{TOP + 10 + 11 * k}" text-anchor="end" '
                f'fill="{line.colour}">{escape(line.label)}</text>'
            )
    return "".join(parts) + "</svg>"
