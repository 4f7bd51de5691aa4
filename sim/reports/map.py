"""The district map, drawn with matplotlib for the report (and the browser explorer).

The map data (`sim/model/data/districts.toml`) gives each district a point, not a border. A
district's shape here is its Voronoi cell: the land nearer its point than any other district's,
clipped to the convex hull of all the points widened by `MARGIN` and to a disc of `REACH` around
its own point (so that the sparse north-east does not swell into empty steppe). The shapes are
therefore Voronoi cells, not real administrative borders, and every map says so. The Turkish
border is drawn along the outer edges, facing north or west, of the districts the map data flags
as bordering Turkey (`turkish_border`): an outline of those cells, not the surveyed line.

`svg_map` draws one day's map as SVG text without matplotlib (the explorer draws one a frame);
`control_map` and `share_map` draw the report's figures.

Who holds a district on a day is not in the daily series; it is rebuilt from the day-0 map and
the event log's captures and cessions (`control`), as `tests/test_events.py` checks it can be.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon
from scipy.spatial import ConvexHull, Voronoi

from sim.model.geography import ACTORS, Geography, load
from sim.reports.listing import counted_runs

MARGIN = 0.15
"""How far beyond the outermost district points the map reaches, in degrees of latitude."""

REACH = 0.45
"""The farthest a district's shape reaches from its point, in degrees of latitude (~50 km)."""

COLOURS: dict[str, str] = {
    "russia": "#CC79A7",
    "turkey": "#0072B2",
    "damascus": "#D55E00",
    "hts": "#555555",
    "opposition": "#009E73",
    "kurds": "#F0E442",
    "us": "#56B4E9",
}
"""One colour per actor (Okabe-Ito, readable by colour-blind readers), on every map."""

NORTH_WEST = (35.75, 37.35, 35.05, 36.55)
"""The Idlib zone and its surroundings (west, east, south, north, in degrees): the close-up."""

LANDMARKS = ("idlib_city", "aleppo_city", "raqqa", "qamishli")
"""The districts named on every map, for orientation."""

CAPTION = (
    "District shapes are Voronoi cells of the map's district points (clipped to the points' "
    "outline), not real borders; the Turkish border is the outer edge of the districts flagged "
    "as bordering Turkey."
)

_SCALE = np.cos(np.radians(36.0))  # a degree of longitude against one of latitude at 36 N


@dataclass(frozen=True)
class Shapes:
    """Each district's cell (an (N, 2) array of longitude, latitude) and the border's segments."""

    geography: Geography
    cells: tuple[np.ndarray, ...]
    border: tuple[np.ndarray, ...]  # (2, 2) segments, longitude and latitude


@cache
def shapes() -> Shapes:
    """The shipped map's district shapes (computed once)."""
    geography = load()
    points = np.column_stack([geography.lon * _SCALE, geography.lat])
    outline = _widened_hull(points, MARGIN)
    cells = [_clip(cell, outline) for cell in _voronoi_cells(points)]
    cells = [_clip(cell, _disc(point, REACH)) for cell, point in zip(cells, points, strict=True)]
    border = [
        segment
        for k, cell in enumerate(cells)
        if geography.turkish_border[k]
        for segment in _outer_edges(cell, cells, k)
    ]
    unproject = np.array([1 / _SCALE, 1.0])
    return Shapes(
        geography,
        tuple(cell * unproject for cell in cells),
        tuple(segment * unproject for segment in border),
    )


def _voronoi_cells(points: np.ndarray) -> list[np.ndarray]:
    """Each point's Voronoi cell as a counter-clockwise polygon; far sentinel points around
    them make every real cell bounded."""
    centre = points.mean(axis=0)
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    far = centre + 100 * np.column_stack([np.cos(angles), np.sin(angles)])
    voronoi = Voronoi(np.vstack([points, far]))
    cells = []
    for k in range(len(points)):
        vertices = voronoi.vertices[voronoi.regions[voronoi.point_region[k]]]
        cells.append(_counter_clockwise(vertices))
    return cells


def _counter_clockwise(vertices: np.ndarray) -> np.ndarray:
    """A convex polygon's vertices in counter-clockwise order."""
    centre = vertices.mean(axis=0)
    order = np.argsort(np.arctan2(vertices[:, 1] - centre[1], vertices[:, 0] - centre[0]))
    return vertices[order]


def _widened_hull(points: np.ndarray, margin: float) -> np.ndarray:
    """The convex hull of discs of radius `margin` around the points (counter-clockwise)."""
    corners = points[ConvexHull(points).vertices]
    around = np.vstack([_disc(corner, margin) for corner in corners])
    return around[ConvexHull(around).vertices]  # scipy lists 2-D hulls counter-clockwise


def _disc(centre: np.ndarray, radius: float, sides: int = 48) -> np.ndarray:
    """A regular polygon of `sides` around `centre` (counter-clockwise)."""
    angles = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    return centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])


def _clip(polygon: np.ndarray, window: np.ndarray) -> np.ndarray:
    """The part of a convex polygon inside a convex, counter-clockwise `window`
    (Sutherland-Hodgman)."""
    for start, end in zip(window, np.roll(window, -1, axis=0), strict=True):
        edge = end - start

        def inside(p: np.ndarray, start=start, edge=edge) -> float:
            return edge[0] * (p[1] - start[1]) - edge[1] * (p[0] - start[0])

        kept = []
        for p, q in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
            side_p, side_q = inside(p), inside(q)
            if side_p >= 0:
                kept.append(p)
            if (side_p >= 0) != (side_q >= 0):
                kept.append(p + (q - p) * side_p / (side_p - side_q))
        polygon = np.array(kept)
    return polygon


def _outer_edges(cell: np.ndarray, cells: list[np.ndarray], k: int) -> list[np.ndarray]:
    """The edges of cell k that no other cell lies beyond and that face north or west."""
    found = []
    for p, q in zip(cell, np.roll(cell, -1, axis=0), strict=True):
        along = q - p
        if np.hypot(*along) < 1e-9:
            continue
        outward = np.array([along[1], -along[0]]) / np.hypot(*along)  # counter-clockwise cell
        beyond = (p + q) / 2 + 1e-4 * outward
        shared = any(_inside(beyond, other) for j, other in enumerate(cells) if j != k)
        if not shared and (outward[1] > 0.1 or (outward[0] < -0.1 and outward[1] > -0.1)):
            found.append(np.array([p, q]))
    return found


def _inside(point: np.ndarray, polygon: np.ndarray) -> bool:
    """Whether a point lies inside a convex, counter-clockwise polygon."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    offsets = point - polygon
    return bool(np.all(edges[:, 0] * offsets[:, 1] - edges[:, 1] * offsets[:, 0] >= 0))


def control(events: pd.DataFrame, runs: list[int], day: int) -> np.ndarray:
    """(len(runs), D): the actor (its number in ACTORS) holding each district at the end of
    `day` in each of `runs`, from the day-0 map and the event log's captures and cessions."""
    geography = load()
    held = np.tile(geography.controller, (len(runs), 1)).astype(int)
    row = {run: r for r, run in enumerate(runs)}
    changes = events[
        events["event"].isin(["district_captured", "district_ceded"])
        & (events["day"] <= day)
        & events["run"].isin(runs)
    ]
    column = {district: k for k, district in enumerate(geography.ids)}
    for run, district, actor in changes[["run", "district", "actor"]].itertuples(index=False):
        held[row[run], column[district]] = ACTORS.index(actor)
    return held


def _district(ax: Axes, shapes: Shapes, k: int, colour: str, key: str) -> None:
    """One district's shape, its SVG group's id `district-<id>-<key>`."""
    polygon = Polygon(shapes.cells[k], closed=True, facecolor=colour, edgecolor="#9a9a9a")
    polygon.set_linewidth(0.6)
    polygon.set_gid(f"district-{shapes.geography.ids[k]}-{key}")
    ax.add_patch(polygon)


def _marks(ax: Axes, shapes: Shapes) -> list:
    """The buffer zone (hatched), Turkish posts, camps and the border; their legend entries."""
    geography = shapes.geography
    for k in np.flatnonzero(geography.buffer_zone):
        ax.add_patch(
            Polygon(shapes.cells[k], closed=True, fill=False, hatch="///", edgecolor="#222222")
        ).set_linewidth(0)
    for segment in shapes.border:
        ax.plot(segment[:, 0], segment[:, 1], color="#b00020", linewidth=2.2)
    posts, camps = geography.turkish_post, geography.camps
    ax.plot(geography.lon[posts], geography.lat[posts], "^", color="#0072B2", mec="white", ms=7)
    ax.plot(geography.lon[camps], geography.lat[camps], "s", color="#8B4513", mec="white", ms=7)
    for place in LANDMARKS:
        k = geography.index(place)
        ax.annotate(
            geography.names[k],
            (geography.lon[k], geography.lat[k]),
            fontsize=6.5,
            xytext=(3, -8),
            textcoords="offset points",
        )
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_aspect(1 / _SCALE)
    ax.autoscale_view()
    return [
        Patch(facecolor="white", edgecolor="#222222", hatch="///", label="Sochi buffer zone"),
        Line2D([], [], marker="^", ls="", color="#0072B2", mec="white", label="Turkish post"),
        Line2D([], [], marker="s", ls="", color="#8B4513", mec="white", label="border camps"),
        Line2D([], [], color="#b00020", linewidth=2.2, label="Turkish border"),
    ]


def _panels(count: int, columns: int, size: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """A figure of `count` map panels of `size` inches, `columns` a row, those left over
    hidden."""
    columns = min(count, columns)
    rows = -(-count // columns)
    figsize = (size[0] * columns, size[1] * rows + 0.9)
    fig, axes = plt.subplots(rows, columns, figsize=figsize, layout="constrained")
    axes = list(np.ravel(axes))
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def _finish(fig: Figure, handles: list, title: str) -> Figure:
    """The legend under the panels and the title over them."""
    fig.legend(handles=handles, loc="outside lower center", ncol=6, fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=11)
    return fig


def control_map(
    panels: dict[str, np.ndarray], title: str, extent: tuple[float, ...] | None = None
) -> Figure:
    """Maps coloured by who holds each district, one per panel (title: (D,) actor numbers),
    of the whole map or of `extent` (west, east, south, north, in degrees); every district's
    SVG group is `district-<id>-m<panel number>` (`-z<panel number>` for an extent)."""
    geography = shapes().geography
    columns, size, key = (2, (6.4, 3.3), "m") if extent is None else (3, (4.3, 4.6), "z")
    fig, axes = _panels(len(panels), columns, size)
    held = set()
    for p, (ax, (label, holders)) in enumerate(zip(axes, panels.items(), strict=True)):
        for k in range(geography.size):
            _district(ax, shapes(), k, COLOURS[ACTORS[holders[k]]], f"{key}{p}")
        held |= {int(h) for h in holders}
        marks = _marks(ax, shapes())
        if extent is not None:
            ax.set_xlim(*extent[:2])
            ax.set_ylim(*extent[2:])
        ax.set_title(label, fontsize=10)
    actors = [Patch(color=COLOURS[ACTORS[a]], label=ACTORS[a]) for a in sorted(held)]
    return _finish(fig, actors + marks, title)


def share_map(shares: dict[str, np.ndarray], runs: int, day: int) -> Figure:
    """One map per actor: the share of `runs` in which it holds each district at the end of
    `day` (shares: actor -> (D,) in 0-1), with a colour bar in % of runs; every district's SVG
    group is `district-<id>-s<panel number>`."""
    geography = shapes().geography
    fig, axes = _panels(len(shares), 2, (6.4, 3.3))
    for p, (ax, (actor, share)) in enumerate(zip(axes, shares.items(), strict=True)):
        scale = LinearSegmentedColormap.from_list(actor, ["#ffffff", COLOURS[actor]])
        for k in range(geography.size):
            _district(ax, shapes(), k, scale(share[k]), f"s{p}")
        marks = _marks(ax, shapes())
        ax.set_title(f"held by {actor}", fontsize=10)
        bar = fig.colorbar(ScalarMappable(Normalize(0, 100), scale), ax=ax, shrink=0.8)
        bar.set_label(f"% of the {counted_runs(runs)}", fontsize=8)
    said = f"Who holds each district on day {day}: share of {counted_runs(runs)}"
    return _finish(fig, marks, said)


def svg_map(holders: np.ndarray, notes: Sequence[str] = (), width: int = 640) -> str:
    """One day's map as SVG text, fast (no matplotlib), drawn as `control_map` draws it: each
    district's shape (a `path.district` with `data-holder`) in its holder's colour (`holders`:
    (D,) actor numbers), the buffer zone hatched, Turkish posts, camps, the border and the
    landmarks; hovering a district shows its name, holder and `notes[k]`, if given."""
    head, outlines, marks = _svg_drawing(width)
    geography = shapes().geography
    parts = [head]
    for d in range(geography.size):
        holder = ACTORS[int(holders[d])]
        note = f"\n{notes[d]}" if notes else ""
        parts.append(
            f'<path class="district" id="district-{geography.ids[d]}" data-holder="{holder}" '
            f'd="{outlines[d]}" fill="{COLOURS[holder]}" stroke="#9a9a9a" '
            f'stroke-width="0.6"><title>{escape(geography.names[d])}: held by {holder}'
            f"{escape(note)}</title></path>"
        )
    return "".join(parts) + marks


@cache
def _svg_drawing(width: int) -> tuple[str, tuple[str, ...], str]:
    """What `svg_map` draws alike every day, `width` pixels wide: the SVG's opening, each
    district's outline (path data) and the marks drawn over the districts, closing the SVG."""
    found = shapes()
    geography = found.geography
    every = np.vstack(found.cells)
    (west, south), (east, north) = every.min(axis=0), every.max(axis=0)
    k = width / ((east - west) * _SCALE)

    def xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (lon - west) * _SCALE * k, (north - lat) * k

    def path(points: np.ndarray) -> str:
        x, y = xy(points[:, 0], points[:, 1])
        return "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True)) + "Z"

    height = (north - south) * k
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="district-map" width="{width + 40}" '
        f'height="{height + 16:.0f}" viewBox="-8 -8 {width + 40} {height + 16:.0f}">'
        '<defs><pattern id="buffer-zone" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line y2="6" stroke="#222222"/></pattern></defs>'
    )
    outlines = tuple(path(cell) for cell in found.cells)
    lines = ['<g pointer-events="none" fill="url(#buffer-zone)">']
    lines += [f'<path d="{outlines[d]}"/>' for d in np.flatnonzero(geography.buffer_zone)]
    lines.append('</g><g stroke="#b00020" stroke-width="2.2">')
    for segment in found.border:
        (x0, x1), (y0, y1) = xy(segment[:, 0], segment[:, 1])
        lines.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"/>')
    lines.append('</g><g pointer-events="none" stroke="white" font-size="10">')
    x, y = xy(geography.lon, geography.lat)
    for d in np.flatnonzero(geography.turkish_post):
        lines.append(f'<path class="post" d="M{x[d]:.1f},{y[d] - 5:.1f}l5,9h-10Z" fill="#0072B2"/>')
    for d in np.flatnonzero(geography.camps):
        lines.append(
            f'<rect class="camp" x="{x[d] - 4:.1f}" y="{y[d] - 4:.1f}" width="8" height="8" '
            'fill="#8B4513"/>'
        )
    for place in LANDMARKS:
        d = geography.index(place)
        lines.append(
            f'<text x="{x[d] + 4:.1f}" y="{y[d] + 12:.1f}" stroke="none">'
            f"{escape(geography.names[d])}</text>"
        )
    return head, outlines, "".join(lines) + "</g></svg>"
