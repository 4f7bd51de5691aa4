"""`sim report`: one self-contained HTML page of a run folder or a sweep store, its district
map, and what it refuses; and the page in a real browser (headless Chromium, no network)."""

import html
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path as MplPath

from sim.io import disk
from sim.model.geography import ACTORS, load
from sim.model.outcomes import P04_DISTRICTS
from sim.reports import map as districts
from sim.reports.report import write_report
from sim.reports.story import Pick, picked
from sim.sweeps.results import Results
from tests.browser import browser_page
from tests.sweeps import cli as sim
from tests.sweeps import run_in_process, write_sweep


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A baseline run folder (six runs to day 560) with its report."""
    out = tmp_path_factory.mktemp("report") / "baseline"
    result = sim("run", "baseline", "--replicates", "6", "--seed", "9", "--out", out)
    assert result.returncode == 0, result.stderr
    result = sim("report", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out / 'report.html'}"
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The small sweep of `tests/sweeps.py` as a Morris design, its weekly series and event log
    kept."""
    folder = tmp_path_factory.mktemp("report-store")
    morris = {'kind = "sobol", n = 4, second_order = true': 'kind = "morris", n = 8'}
    changes = {'"weekly"': '"weekly+events"', **morris}
    path = write_sweep(folder, **changes)
    return run_in_process(path, folder / "store").folder


def district_groups(page: str) -> list[list[str]]:
    """The district ids of each map figure's SVG, in order."""
    maps = re.findall(r'<figure class="map">(.*?)</figure>', page, flags=re.S)
    return [re.findall(r'<g id="district-([a-z0-9_]+)-[msz]\d+">', found) for found in maps]


def test_a_run_report_is_one_page_with_provenance_maps_and_every_section(run_folder):
    page = (run_folder / "report.html").read_text()
    # nothing fetched: no script, stylesheet, image file or frame; only the page's own anchors
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)|src=", page)
    assert not re.search(r"href=\"(?!#|data:image/png;base64,)", page)
    assert re.findall(r"<a href=\"([^\"]+)\"", page) == [
        f"#{key}"
        for key in (
            "provenance",
            "map",
            "escalation",
            "events",
            "control",
            "displaced",
            "casualties",
            "outcomes",
            "story",
        )
    ]
    assert "<h1>baseline: run report</h1>" in page
    manifest = pd.read_json(run_folder / "manifest.json", typ="series")
    for said in ("master seed 9", manifest["model_code"], manifest["git_commit"]):
        assert said in page
    assert f"numpy {manifest['versions']['numpy']}" in page
    assert "none: every parameter at its default" in page
    # the typical run at day 0, the middle and the horizon, whole and the north-west close up;
    # then each holder's share of runs
    groups = district_groups(page)
    assert len(groups) == 3
    assert groups[0] == groups[1] == list(load().ids) * 3
    assert len(groups[2]) % load().size == 0 and len(groups[2]) >= 3 * load().size
    assert "Voronoi cells" in page and "not real borders" in page
    summary = pd.read_parquet(run_folder / "summary.parquet")
    run, _ = picked(summary, Pick.median, run_folder)
    assert f"in run {run}, the typical run" in page
    story = page[page.index('<section id="story">') :]
    assert f"Run {run} (seed " in story and story.count("<li>") >= 3  # told line by line
    # every axis and colour bar labelled, with its unit
    for label in ("% of the 6 runs", "people (thousands)", "share of its residents (%)"):
        assert label in page
    assert "escalation level (rung 0-7)" in page and "date it first happened" in page
    rows = re.findall(r"<tr><td>([a-z_0-9]+)</td>", page)
    assert rows[:3] == ["peak_level", "days_level_4_plus", "first_offensive_day"]


def test_who_holds_each_district_is_rebuilt_from_the_events_as_the_summary_says(run_folder):
    events = pd.read_parquet(run_folder / "events.parquet")
    summary = pd.read_parquet(run_folder / "summary.parquet")
    held = districts.control(events, list(summary["run"]), 345)
    geography = load()
    for district in P04_DISTRICTS:
        damascus = held[:, geography.index(district)] == ACTORS.index("damascus")
        expected = summary[f"damascus_holds_{district}_day345"].to_numpy(dtype=bool)
        np.testing.assert_array_equal(damascus, expected, err_msg=district)
    assert (held != geography.controller).any()  # districts did change hands
    np.testing.assert_array_equal(districts.control(events, [0], -1)[0], geography.controller)


def test_district_shapes_cover_their_own_point_only_and_the_border_is_flagged_districts():
    shapes = districts.shapes()
    geography = shapes.geography
    assert len(shapes.cells) == geography.size
    points = np.column_stack([geography.lon, geography.lat])
    for k, cell in enumerate(shapes.cells):
        inside = MplPath(cell).contains_points(points)
        assert list(inside) == [j == k for j in range(geography.size)], geography.ids[k]
    flagged = [shapes.cells[k] for k in np.flatnonzero(geography.turkish_border)]
    assert len(shapes.border) > 10
    for segment in shapes.border:  # an edge of a district flagged as bordering Turkey
        assert any(
            all(np.isclose(cell, end).all(axis=1).any() for end in segment) for cell in flagged
        )
    ends = np.vstack(shapes.border)
    assert ends[:, 1].max() > geography.lat.max()  # north of the northernmost point
    assert ends[:, 0].min() < geography.lon[geography.turkish_border].min()  # and west


def test_a_sweep_report_plots_outcomes_against_the_varied_parameters(reference, tmp_path):
    out = tmp_path / "sweep.html"
    result = sim("report", reference.folder, "--out", out)
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert "<h1>small: sweep report</h1>" in page
    assert "turkey_effort varied over" in page and "coordination varied over" in page
    assert 'id="parameters"' in page and "coordination (share)" in page
    # the store keeps no event log: the map says so and shows day 0 only
    assert "did not record the event log (record = weekly)" in page
    assert district_groups(page) == [list(load().ids)]


def test_a_sweep_with_events_and_no_series_maps_its_runs_and_says_what_is_missing(tmp_path):
    store = run_in_process(
        write_sweep(tmp_path, **{'"weekly"': '"summary+events"'}), tmp_path / "s"
    )
    result = sim("report", store.folder)
    assert result.returncode == 0, result.stderr
    page = (store.folder / "report.html").read_text()
    assert page.count("recorded no series over time (record = summary+events)") == 4
    assert "All the sweep&#x27;s runs together" in page and "on day 140: share of 48 runs" in page
    groups = district_groups(page)
    assert len(groups) == 1 and len(groups[0]) >= 3 * load().size
    assert 'id="events"' in page and 'id="parameters"' in page


def test_bad_input_is_one_line_and_writes_nothing(run_folder, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    analysis = tmp_path / "analysis"
    analysis.mkdir()
    (analysis / "manifest.json").write_text('{"files": {}}')
    before = (run_folder / "report.html").read_bytes()
    cases = [
        ((empty,), "neither a `sim run` folder nor a sweep store (no manifest.json)"),
        ((analysis,), "neither a `sim run` folder nor a sweep store (not the manifest"),
        ((tmp_path / "missing",), "no such folder"),
        ((run_folder,), "report.html: already exists; give --force to replace it"),
        ((run_folder, "--out", tmp_path / "no" / "r.html"), f"{tmp_path / 'no'}: no such folder"),
        ((run_folder, "--out", empty), "a folder; --out names the report's file"),
    ]
    for arguments, said in cases:
        result = sim("report", *arguments)
        assert result.returncode == 2, arguments
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
        assert said in result.stderr, result.stderr
    assert list(empty.iterdir()) == [] and sorted(p.name for p in analysis.iterdir()) == [
        "manifest.json"
    ]
    assert (run_folder / "report.html").read_bytes() == before
    edited = tmp_path / "edited"
    shutil.copytree(run_folder, edited)
    (edited / "report.html").unlink()
    with (edited / "summary.parquet").open("ab") as file:
        file.write(b"\0")
    result = sim("report", edited)
    assert result.returncode == 2 and "summary.parquet" in result.stderr
    assert not (edited / "report.html").exists()


@pytest.mark.parametrize("kind", ["run_folder", "store"])
def test_a_report_checks_and_reads_each_file_once(kind, request, tmp_path, monkeypatch):
    """The report and the typical run's story in it read the folder through one reader: each
    file's SHA-256 is computed once and each table read from disk once."""
    folder = request.getfixturevalue(kind)
    hashed, read = [], []
    sha256 = disk.sha256
    monkeypatch.setattr(disk, "sha256", lambda path: hashed.append(path) or sha256(path))

    def counted(dataset):
        return lambda self, table="summary": read.append(table) or dataset(self, table)

    for kind_of_results in Results.__subclasses__():
        monkeypatch.setattr(kind_of_results, "dataset", counted(kind_of_results.dataset))
    write_report(folder, tmp_path / "report.html", force=False)
    page = (tmp_path / "report.html").read_text()
    assert "told from its event log" in page  # the story was told
    stored = list(folder.rglob("*.parquet"))
    assert sorted(hashed) == sorted(stored) and len(stored) >= 4
    assert sorted(read) == ["events", "series", "summary"]


def test_a_sweep_report_shows_the_sensitivity_and_discovery_it_is_given(
    store, reference, run_folder, tmp_path
):
    """`sim report STORE --with DIR`: the Morris table with its noise floor and the PRIM box
    with its rule, held-out coverage and density and the null's restriction rate, as the
    analyses wrote them, each with its figure; an analysis of another store is refused."""
    expression = "relation_low < 0.65"
    analyses = tmp_path / "sensitivity", tmp_path / "discovery"
    for args in (
        ["sensitivity", store, "--resamples", "20", "--out", analyses[0]],
        ["discover", store, "--outcome", expression, "--out", analyses[1]],
    ):
        result = sim(*args)
        assert result.returncode == 0, result.stderr
    out = tmp_path / "report.html"
    result = sim("report", store, "--out", out, "--with", analyses[0], "--with", analyses[1])
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    part = page[page.index('<section id="analyses">') :]
    chance = pd.read_parquet(analyses[0] / "chance.parquet").set_index("outcome")
    indices = pd.read_parquet(analyses[0] / "indices.parquet")
    assert "<h3>Morris sensitivity, 8 base samples</h3>" in part and "<th>noise floor</th>" in part
    for outcome, row in chance.iterrows():
        cells = f"<td>{outcome}</td><td>{row['chance_share']:.0%}</td><td>{row['noise_floor']:.3g}"
        assert cells in part, outcome
    top = indices[indices["outcome"] == "peak_level"].sort_values("mu_star").iloc[-1]
    assert f"<td>{top['parameter']}</td><td>{top['mu_star']:.3g}±{top['mu_star_conf']:.3g}" in part
    found = json.loads((analyses[1] / "manifest.json").read_text())
    restricted = pd.read_parquet(analyses[1] / "parameters.parquet").set_index("parameter")
    for said in (
        f"box {found['chosen']} ",
        f"held-out coverage {found['coverage']:.2f}, held-out density {found['density']:.2f}",
        f"chosen by {html.escape(found['rule'])}",
        f"null (noise) restricted in {restricted.loc['null (noise)', 'restricted']:.0%}",
        f"<td>{found['chosen']} (chosen)</td>",
    ):
        assert said in part, said
    assert len(re.findall(r'<figure class="chart">', part)) == 2
    other = tmp_path / "other"
    assert sim("sensitivity", reference.folder, "--resamples", "20", "--out", other).returncode == 0
    for folder, with_, said in (
        (store, other, "an analysis of another sweep"),
        (store, run_folder, "not a `sim sensitivity` or `sim discover` folder"),
        (run_folder, analyses[0], "a `sim run` folder has no sweep to analyse"),
    ):
        result = sim("report", folder, "--out", tmp_path / "bad.html", "--with", with_)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
        assert said in result.stderr
    assert not (tmp_path / "bad.html").exists()


def test_force_replaces_a_report(run_folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    (copy / "report.html").write_text("old")
    result = sim("report", copy, "--force")
    assert result.returncode == 0, result.stderr
    assert (copy / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (copy / "report.html").stat().st_mode & 0o777 == 0o644


def test_the_report_opens_in_a_browser_offline_with_every_figure_drawn(run_folder):
    with browser_page(1200, 900) as page:
        asked, complaints = [], []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else (asked.append(route.request.url), route.abort())
            ),
        )
        page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: complaints.append(str(error)))
        page.goto((run_folder / "report.html").as_uri())
        drawn = page.evaluate(
            """() => Array.from(document.querySelectorAll('figure svg')).map(svg => {
                const box = svg.getBoundingClientRect();
                const images = Array.from(svg.querySelectorAll('image'));
                return {width: box.width, height: box.height, marks: svg.querySelectorAll(
                    'path, use, text').length, images: images.map(i => [
                    i.getAttribute('xlink:href').slice(0, 5), i.getBBox().width])};
            })"""
        )
        shapes = page.evaluate(
            """() => Array.from(document.querySelectorAll('figure.map svg')).map(svg =>
                Array.from(svg.querySelectorAll('g[id^="district-"]')).map(g => {
                    const box = g.getBBox();
                    return [g.id.split('-')[1], box.width > 0 && box.height > 0,
                            g.querySelector('title').textContent];
                }))"""
        )
    assert asked == [] and complaints == []
    assert len(drawn) == 8  # three maps and five charts
    for figure in drawn:
        assert figure["width"] > 300 and figure["height"] > 150 and figure["marks"] > 20
        assert all(href == "data:" and width > 0 for href, width in figure["images"])
    assert sum(len(f["images"]) for f in drawn) >= 3  # the share map's colour bars
    geography = load()
    assert [s[0] for s in shapes[0]] == [s[0] for s in shapes[1]] == list(geography.ids) * 3
    for panel in shapes:
        assert len(panel) % geography.size == 0
        assert all(visible for _, visible, _ in panel)
        assert {(d, name) for d, _, name in panel} == set(
            zip(geography.ids, geography.names, strict=True)
        )
