"""`sim explore`: the explorer's page rendered with `solara.render` (its widgets, what it shows
live and in replay against the stored numbers), and what `sim explore` refuses."""

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim import results
from sim.app import charts
from sim.app import page as explorer
from sim.app.charts import MOST_POINTS, Line, chart
from sim.app.serve import opened
from sim.app.sources import KNOBS, Live, Replay
from sim.app.views import FIGURES, page
from sim.io.tables import plain, to_table
from sim.model.geography import ACTORS
from sim.model.params import PARAMETERS
from sim.reports.map import COLOURS, control
from tests.browser import WATCH, browser_page, listening, served, stepped
from tests.sweeps import cli as sim

SEED = 5


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """Two baseline runs from master seed SEED, as `sim run` stores them."""
    out = tmp_path_factory.mktemp("explore") / "baseline"
    result = sim("run", "baseline", "--replicates", "2", "--seed", SEED, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    """A scenario file of its own: the baseline, renamed, to day 140, Turkey at 0.8 effort."""
    text = (Path(explorer.scenarios.named_scenarios()["baseline"])).read_text()
    text = text.replace('name = "baseline"', 'name = "from_file"').replace("560", "140")
    path = tmp_path / "file.toml"
    path.write_text(text.replace("[events]", "[parameters]\nturkey_effort = 0.8\n\n[events]"))
    return path


def shown(rc, tag: str = "div") -> str:
    """The page's drawn day (`tag` "div"), or its one-line complaint ("p")."""
    (found,) = [h for h in rc.find(solara.widgets.HTML).widgets if h.tag == tag]
    return found.unsafe_innerHTML


def live_shown(rc) -> str:
    """A live page's drawn day, or its one-line complaint instead."""
    complaint = [h for h in rc.find(solara.widgets.HTML).widgets if h.tag == "p"]
    return complaint[0].unsafe_innerHTML if complaint else shown(rc)


def number(html: str, name: str) -> int:
    """The number in `<span class="name">` of the page."""
    return int(re.search(rf'<span class="{name}">(\d+)</span>', html).group(1))


def figures_shown(html: str) -> dict[str, str]:
    """The day's figures of the page, by name."""
    return dict(re.findall(r'<td>([\w ]+)</td><td class="figure">([\d,]+)</td>', html))


def holders(html: str) -> list[str]:
    """Each district's holder as the map draws it, in map order."""
    return re.findall(r'class="district" id="district-[^"]+" data-holder="(\w+)"', html)


def test_the_sliders_carry_the_registry_ranges_and_the_scenario_values(monkeypatch):
    monkeypatch.setattr(explorer, "START", {"scenario": "immediate_assault", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    sliders = {s.label: s for s in rc.find(v.Slider).widgets}
    spec_values = explorer.scenarios.load("immediate_assault")[0].parameters
    for name in KNOBS:
        p = PARAMETERS[name]
        slider = sliders[name]
        assert (slider.min, slider.max) == (p.low, p.high), name
        assert slider.v_model == pytest.approx(spec_values.get(name, p.default)), name
        on_grid = (slider.v_model - p.low) / slider.step
        assert on_grid == pytest.approx(round(on_grid)), name  # the default is a slider stop
    for name in KNOBS:
        p = PARAMETERS[name]
        assert f"{p.unit} (range {p.low:,g} to {p.high:,g}): {p.doc}" in sliders[name].hint, name
    assert len(sliders) == len(KNOBS) + 2  # and the runs and the speed


def test_five_steps_show_day_five_its_map_and_six_levels(monkeypatch):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    assert number(shown(rc), "day") == 0
    for _ in range(5):
        rc.find(v.Btn, children=["Step"]).widget.click()
    html = shown(rc)
    assert number(html, "day") == 5
    assert len(holders(html)) == 41
    assert re.search(r"<title>Idlib city: held by hts\n[\d,]+ people, force [\d.]+ thousand", html)
    level_chart = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') :]
    level_chart = level_chart[: level_chart.index("</svg>")]
    assert level_chart.count('class="point"') == 6


def test_a_stepped_page_draws_what_a_fresh_frame_draws(monkeypatch):
    start = {"scenario": "immediate_assault", "values": {}, "seed": SEED}
    monkeypatch.setattr(explorer, "START", start)
    _, rc = solara.render(explorer.Page(), handle_error=False)
    live = Live("immediate_assault", SEED, 1, {})
    for day in range(1, 61):
        rc.find(v.Btn, children=["Step"]).widget.click()
        live.step()
        if day % 5 == 0:  # the map and events kept between steps are never stale
            assert shown(rc) == page(live.frame(), "immediate_assault"), day
    assert len(set(holders(shown(rc)))) > 2


def test_play_steps_until_paused(monkeypatch):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    rc.find(v.Slider, label="speed (days a second)").widget.v_model = explorer.SPEEDS[1]
    rc.find(v.Btn, children=["Play"]).widget.click()
    deadline = time.monotonic() + 60
    while number(shown(rc), "day") < 3:
        assert time.monotonic() < deadline, "play did not step"
        time.sleep(0.05)
    rc.find(v.Btn, children=["Pause"]).widget.click()
    time.sleep(0.5)  # a day under way finishes
    paused = number(shown(rc), "day")
    time.sleep(1)
    assert number(shown(rc), "day") == paused
    assert rc.find(v.Btn, children=["Play"]).widgets


def test_a_moved_slider_starts_again_with_its_value(monkeypatch):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Slider, label="turkey_effort").widget.v_model = 0.9
    assert number(shown(rc), "day") == 0
    rc.find(v.Slider, label="runs (a band of them)").widget.v_model = 3
    assert "the first of 3 runs" in shown(rc)


@pytest.mark.parametrize("value", [-1e9, 1e9])
def test_no_slider_value_makes_a_traceback(monkeypatch, value):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    for slider in rc.find(v.Slider).widgets:
        slider.v_model = value
    rc.find(v.Slider, label="turkey_effort").widget.v_model = float("nan")
    rc.find(v.TextField, label="seed").widget.v_model = "-3"
    html = live_shown(rc)
    assert "is not from 1 to 20" in html or "seed" in html or number(html, "day") == 0


def test_a_scenario_file_runs_live_from_the_file(monkeypatch, scenario_file, tmp_path):
    start = opened(str(scenario_file), None, ["air_strike_rate=0.5"], 3)
    assert start == {"scenario": str(scenario_file), "values": {"air_strike_rate": 0.5}, "seed": 3}
    monkeypatch.setattr(explorer, "START", start)
    _, rc = solara.render(explorer.Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    html = shown(rc)
    assert html.startswith("<h3>from_file: day") and number(html, "day") == 1
    assert "of 140," in html
    assert rc.find(v.Slider, label="turkey_effort").widget.v_model == 0.8
    assert rc.find(v.Slider, label="air_strike_rate").widget.v_model == 0.5
    assert str(scenario_file) in rc.find(v.Select, label="scenario").widget.items
    scenario_file.write_text("not a scenario")  # the page reads it again when it starts again
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert "not valid TOML" in live_shown(rc)


def test_an_impossible_setting_is_told_in_one_line():
    assert explorer.started("baseline", None, 1, {"turkey_effort": 7.0}) == (
        "explorer: parameters.turkey_effort: 7 is outside its range [0, 1]"
    )
    assert explorer.started("baseline", -1, 1, {}).startswith("--replicates/--seed: seed")
    assert explorer.started("baseline", None, 99, {}) == "runs: 99 is not from 1 to 20"


def test_a_seeded_live_run_shows_what_sim_run_stored(run_folder):
    live = Live("baseline", SEED, 1, {})
    for _ in range(30):
        live.step()
    frame = live.frame()
    stored = results.open(run_folder).table("series", 0)
    stored = stored[stored["day"] <= 30].reset_index(drop=True)
    assert frame.day == 30
    live_series = frame.series.drop(columns=["date"])
    assert live_series.equals(stored.drop(columns=["date"])[live_series.columns])


def test_a_live_frame_converted_day_by_day_is_the_whole_record():
    live = Live("immediate_assault", SEED, 3, {})
    for day in range(1, 120):
        live.step()
        if day % 7 == 0:
            live.frame()
    frame, recorder = live.frame(), live.model.recorder
    whole = plain(to_table(recorder.daily_columns(), "daily"))
    log = plain(to_table(recorder.events.columns(), "events"))
    assert frame.series.equals(whole) and list(frame.series.dtypes) == list(whole.dtypes)
    assert frame.events.equals(log) and list(frame.events.dtypes) == list(log.dtypes)
    assert log["run"].nunique() == 3 and log["day"].max() > 100


def test_a_seeded_live_page_shows_the_figures_sim_run_stored(monkeypatch, run_folder):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}, "seed": SEED})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    for _ in range(40):
        rc.find(v.Btn, children=["Step"]).widget.click()
    html = shown(rc)
    series = results.open(run_folder).table("series", 0)
    day = series[series["day"] == 40].iloc[0]
    page_figures = figures_shown(html)
    assert page_figures == {n.replace("_", " "): f"{day[n]:,.0f}" for n in FIGURES}
    assert int(page_figures["displaced"].replace(",", "")) > 0
    assert number(html, "level") == day["level"]


def test_replay_shows_the_stored_day(monkeypatch, run_folder):
    monkeypatch.setattr(explorer, "START", {"folder": str(run_folder), "run": 1})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    stored = results.open(run_folder)
    series, events = stored.table("series", 1), stored.table("events", 1)
    for day in (0, 120, 400, 560):
        rc.find(v.Slider, label="day").widget.v_model = day
        html = shown(rc)
        assert number(html, "day") == day
        level = series.loc[series["day"] == day, "level"].item()
        assert number(html, "level") == level
        held = control(events, [1], day)[0]
        assert holders(html) == [ACTORS[a] for a in held]
    assert len(set(holders(html))) > 1


def test_replay_of_a_sweep_run_shows_its_weekly_record(monkeypatch, events_store):
    monkeypatch.setattr(explorer, "START", {"folder": str(events_store.folder), "run": 3})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    stored = results.open(events_store.folder)
    series, events = stored.table("series", 3), stored.table("events", 3)
    rc.find(v.Slider, label="day").widget.v_model = 100  # recorded on days 0, 7, ..., 98, 105
    html = shown(rc)
    assert number(html, "day") == 100
    assert number(html, "level") == series.loc[series["day"] == 98, "level"].item()
    assert holders(html) == [ACTORS[a] for a in control(events, [3], 100)[0]]


def test_a_store_s_runs_are_chosen_on_the_page_on_the_day_shown(monkeypatch, events_store):
    folder = events_store.folder
    monkeypatch.setattr(explorer, "START", {"folder": str(folder), "run": 3})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    rc.find(v.Slider, label="day").widget.v_model = 105
    stored = results.open(folder)
    runs = stored.runs().set_index("run")
    chosen = rc.find(v.TextField, label="run").widget
    pages = {}
    for run in (5, 0):
        chosen.v_model = str(run)
        chosen.fire_event("keyup.enter", str(run))
        html = pages[run] = shown(rc)
        series, events = stored.table("series", run), stored.table("events", run)
        day = series[series["day"] == 105].iloc[0]
        assert f"run {run}: day" in html and number(html, "day") == 105
        page_figures = figures_shown(html)
        assert page_figures == {n.replace("_", " "): f"{day[n]:,.0f}" for n in FIGURES}
        assert holders(html) == [ACTORS[a] for a in control(events, [run], 105)[0]]
        card = dict(re.findall(r"<tr><td>(\w+)</td><td>([^<]+)</td></tr>", shown(rc, "table")))
        assert card["seed"] == str(runs.loc[run, "seed"])
        assert card["point"] == str(runs.loc[run, "point"])
        assert card["turkey_effort"] == f"{runs.loc[run, 'turkey_effort']:,.6g} share"
        assert set(card) == {"run", "point", "replicate", "seed", "turkey_effort", "coordination"}
    assert pages[5] != pages[0]
    chosen.v_model = "99"
    chosen.fire_event("keyup.enter", "99")
    assert shown(rc, "p") == f"run 99: it holds runs 0 to {runs.index.max()}"
    assert "run 0: day" in shown(rc)


def test_replay_plays_on_from_the_slider(run_folder):
    replay = Replay(results.open(run_folder), 0)
    replay.seek(1000)
    assert replay.day == replay.last == 560
    replay.seek(10)
    replay.step()
    frame = replay.frame()
    assert frame.day == 11 and frame.series["day"].max() == 11
    assert np.all(frame.events["day"] <= 11)


def drawn_lines(svg: str) -> list[list[str]]:
    """The points ("x,y") of each line of a chart or page, in order."""
    return [p.split() for p in re.findall(r'<polyline class="line" points="([^"]*)"', svg)]


def pixel(day: float, value: float, last: int, top: float) -> str:
    """Where a chart to day `last` on a scale to `top` draws `value` on `day`, as "x,y"."""
    span_x = charts.WIDTH - charts.LEFT - charts.RIGHT
    span_y = charts.HEIGHT - charts.TOP - charts.BOTTOM
    return f"{charts.LEFT + span_x * day / last:.1f},{charts.TOP + span_y * (1 - value / top):.1f}"


def test_long_charts_are_thinned_keeping_their_peaks_and_the_current_day():
    days = np.arange(5001)
    runs = np.random.default_rng(1).uniform(0, 1, (20, days.size))
    runs[:, 1234] = 3.0
    svg = chart("long", days, [Line(runs, "a", "#000"), Line(runs / 2, "b", "#111")], 4.0, 5000)
    lines = drawn_lines(svg)
    assert len(lines) == 2 and all(len(line) <= MOST_POINTS for line in lines)
    peak = pixel(1234, 3.0, 5000, 4.0)
    assert peak in lines[0]
    assert lines[0][-1] == pixel(5000, np.median(runs[:, -1]), 5000, 4.0)  # the current day
    bands = re.findall(r'<polygon points="([^"]*)"', svg)
    assert all(len(band.split()) <= 2 * MOST_POINTS for band in bands)
    assert peak in bands[0].split()
    assert list(charts.kept(np.arange(MOST_POINTS, dtype=float))) == list(range(MOST_POINTS))


def test_a_replayed_horizon_is_drawn_with_few_points_a_line(run_folder):
    replay = Replay(results.open(run_folder), 1, day=560)
    html = page(replay.frame(), replay.name)
    assert len(drawn_lines(html)) >= 5
    assert all(len(line) <= MOST_POINTS for line in drawn_lines(html))
    assert html.count('class="point"') <= MOST_POINTS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "error: nosuch: neither a named scenario"),
        (["baseline", "--set", "turkey_effort=7"], "error: --set: parameters.turkey_effort: 7"),
        (["baseline", "--run", "1"], "error: --run: baseline is a scenario"),
        (["RUN", "--run", "9"], "--run 9: it holds runs 0 to 1"),
        (["RUN", "--set", "turkey_effort=0.5"], "error: --set, --seed: a stored run is"),
        (["RUN", "--seed", "3"], "error: --set, --seed: a stored run is replayed"),
        (["STORE"], "the sweep did not record events (record = weekly)"),
        (["nosuch.toml"], "error: nosuch.toml: neither a named scenario"),
        (["BROKEN"], "broken.toml: not valid TOML"),
        (["OUTSIDE"], "outside.toml: parameters.turkey_effort: 7 is outside its range"),
        (["FILE", "--run", "1"], "file.toml is a scenario, not a results folder"),
    ],
)
def test_bad_input_at_start_is_one_line_and_status_2(
    run_folder, reference, scenario_file, args, message
):
    folder = scenario_file.parent
    (folder / "broken.toml").write_text('name = "broken"\nhorizon = = 3\n')
    outside = scenario_file.read_text().replace("turkey_effort = 0.8", "turkey_effort = 7")
    (folder / "outside.toml").write_text(outside)
    folders = {"RUN": str(run_folder), "STORE": str(reference.folder), "FILE": str(scenario_file)}
    folders |= {"BROKEN": str(folder / "broken.toml"), "OUTSIDE": str(folder / "outside.toml")}
    result = sim("explore", *[folders.get(a, a) for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@contextlib.contextmanager
def explored(*args: str | Path) -> Iterator[str]:
    """`sim explore ARGS` on a free loopback port (`served`), its address once it answers.
    Checks that it says its address and listens on loopback only."""
    with served(*args) as (url, process):
        assert process.stdout.readline().strip().startswith(f"explorer: {url}")
        assert listening(process.pid) == {"127.0.0.1"}
        yield url


def wait_for_day(page, day: int) -> None:
    page.wait_for_function(f"document.querySelector('span.day')?.textContent === '{day}'")


def test_the_explorer_in_a_browser_steps_plays_and_draws_the_map(tmp_path):
    with browser_page(1400, 1100) as page, explored("baseline") as url:
        page.add_init_script(WATCH)
        page.goto(url)
        wait_for_day(page, 0)
        steps = [stepped(page) for _ in range(5)]
        wait_for_day(page, 5)
        split = ", ".join(f"{name} {np.median([s[name] for s in steps]):.0f}" for name in steps[0])
        print(f"a step in the browser, median ms: {split}")
        assert page.locator("path.district").count() == 41
        assert page.locator("svg.chart").first.locator("circle.point").count() == 6
        page.locator(".v-select").first.click()
        page.locator(".v-list-item", has_text="immediate_assault").click()
        wait_for_day(page, 0)
        speed = page.get_by_role("slider").nth(1)  # after the runs
        speed.focus()
        speed.press("End")
        page.get_by_role("button", name="Play").click()
        try:
            page.wait_for_function("Number(document.querySelector('span.day')?.textContent) >= 60")
        except Exception as error:
            raise AssertionError(page.inner_text("body")[-2500:]) from error
        page.get_by_role("button", name="Pause").click()
        assert int(page.locator("span.peak").inner_text()) >= 4
        told = page.locator("ol.events").inner_text()
        assert "Damascus takes" in told or "offensive" in told
        page.screenshot(path=tmp_path / "explorer.png", full_page=True)
        assert (tmp_path / "explorer.png").stat().st_size > 10_000


def test_the_explorer_replays_a_stored_run_in_a_browser(run_folder):
    stored = results.open(run_folder)
    series, events = stored.table("series", 1), stored.table("events", 1)
    day = 45
    assert not np.array_equal(
        control(events, [1], day), control(stored.table("events", 0), [0], day)
    )
    with browser_page(1400, 1100) as page, explored(run_folder, "--run", "1") as url:
        page.goto(url)
        wait_for_day(page, 0)
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(day):
            slider.press("ArrowRight")
        wait_for_day(page, day)
        level = series.loc[series["day"] == day, "level"].item()
        assert int(page.locator("span.level").inner_text()) == level
        assert fills_shown(page) == [COLOURS[ACTORS[a]] for a in control(events, [1], day)[0]]
        chosen = page.get_by_label("run", exact=True)
        chosen.fill("0")
        chosen.press("Enter")
        page.wait_for_function("document.querySelector('h3')?.textContent.includes('run 0:')")
        assert int(page.locator("span.day").inner_text()) == day
        held = control(stored.table("events", 0), [0], day)[0]
        assert fills_shown(page) == [COLOURS[ACTORS[a]] for a in held]


def fills_shown(page) -> list[str]:
    """Each district's colour on the page's map, in map order."""
    return page.locator("path.district").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
