"""Small line charts over days as SVG text, drawn without matplotlib so that a frame stays fast:
one line a run, or, for several runs, the median with a band from the lowest to the highest."""

from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 420, 150
"""A chart's size in pixels."""

LEFT, RIGHT, TOP, BOTTOM = 46, 8, 20, 22
"""The margins: axis labels on the left and bottom, the title on top."""


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


def chart(title: str, days: np.ndarray, lines: list[Line], top: float, last: int) -> str:
    """Lines over days 0..`last` on a scale from 0 to `top`, each day's median marked by a
    `circle.point` when there is a single line; the chart is an `svg.chart`."""
    top = top if top > 0 else 1.0
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: np.ndarray) -> np.ndarray:
        return LEFT + span_x * np.asarray(day) / max(last, 1)

    def y(value: np.ndarray) -> np.ndarray:
        return TOP + span_y * (1 - np.clip(np.asarray(value, float), 0, top) / top)

    def points(xs: np.ndarray, ys: np.ndarray) -> str:
        return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))

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
            outline = points(np.r_[x(days), x(days[::-1])], np.r_[y(high), y(low[::-1])])
            parts.append(f'<polygon points="{outline}" fill="{line.colour}" opacity="0.25"/>')
        parts.append(
            f'<polyline class="line" points="{points(x(days), y(middle))}" fill="none" '
            f'stroke="{line.colour}" stroke-width="1.6"><title>{escape(line.label)}</title>'
            "</polyline>"
        )
        if len(lines) == 1:
            parts.extend(
                f'<circle class="point" cx="{a:.1f}" cy="{b:.1f}" r="1.6" fill="{line.colour}"/>'
                for a, b in zip(x(days), y(middle), strict=True)
            )
        if len(lines) > 1:
            parts.append(
                f'<text x="{WIDTH - RIGHT}" y="{TOP + 10 + 11 * k}" text-anchor="end" '
                f'fill="{line.colour}">{escape(line.label)}</text>'
            )
    return "".join(parts) + "</svg>"
