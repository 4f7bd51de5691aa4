"""`sim explore`: the explorer's page rendered with `solara.render` (its widgets, what it shows
live and in replay against the stored numbers), and what `sim explore` refuses."""

import re
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara

from sim.app import page as explorer
from sim.app.sources import KNOBS, Live, Replay
from sim.model.geography import ACTORS
from sim.model.params import PARAMETERS
from sim.reports.map import control
from sim.sweeps.stored import open_runs
from tests.sweeps import cli as sim

SEED = 5


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """Two baseline runs from master seed SEED, as `sim run` stores them."""
    out = tmp_path_factory.mktemp("explore") / "baseline"
    result = sim("run", "baseline", "--replicates", "2", "--seed", SEED, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def shown(rc) -> str:
    """The page's drawn day (the HTML widget's text)."""
    return rc.find(solara.widgets.HTML).widget.unsafe_innerHTML


def number(html: str, name: str) -> int:
    """The number in `<span class="name">` of the page."""
    return int(re.search(rf'<span class="{name}">(\d+)</span>', html).group(1))


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
        slider = sliders[f"{name} ({p.unit})"]
        assert (slider.min, slider.max) == (p.low, p.high), name
        assert slider.v_model == pytest.approx(spec_values.get(name, p.default)), name
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
    level_chart = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') :]
    level_chart = level_chart[: level_chart.index("</svg>")]
    assert level_chart.count('class="point"') == 6


def test_a_moved_slider_starts_again_with_its_value(monkeypatch):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    p = PARAMETERS["turkey_effort"]
    rc.find(v.Slider, label=f"turkey_effort ({p.unit})").widget.v_model = 0.9
    assert number(shown(rc), "day") == 0
    rc.find(v.Slider, label="runs (a band of them)").widget.v_model = 3
    assert "the first of 3 runs" in shown(rc)


@pytest.mark.parametrize("value", [-1e9, 1e9])
def test_no_slider_value_makes_a_traceback(monkeypatch, value):
    monkeypatch.setattr(explorer, "START", {"scenario": "baseline", "values": {}})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    for slider in rc.find(v.Slider).widgets:
        slider.v_model = value
    rc.find(v.Slider, label="turkey_effort (share)").widget.v_model = float("nan")
    rc.find(v.TextField, label="seed").widget.v_model = "-3"
    html = shown(rc)
    assert "is not from 1 to 20" in html or "seed" in html or number(html, "day") == 0


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
    stored = open_runs(run_folder).table("series", 0)
    stored = stored[stored["day"] <= 30].reset_index(drop=True)
    assert frame.day == 30
    live_series = frame.series.drop(columns=["date"])
    assert live_series.equals(stored.drop(columns=["date"])[live_series.columns])


def test_replay_shows_the_stored_day(monkeypatch, run_folder):
    monkeypatch.setattr(explorer, "START", {"folder": str(run_folder), "run": 1})
    _, rc = solara.render(explorer.Page(), handle_error=False)
    stored = open_runs(run_folder)
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


def test_replay_plays_on_from_the_slider(run_folder):
    replay = Replay(run_folder, 0)
    replay.seek(1000)
    assert replay.day == replay.last == 560
    replay.seek(10)
    replay.step()
    frame = replay.frame()
    assert frame.day == 11 and frame.series["day"].max() == 11
    assert np.all(frame.events["day"] <= 11)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "error: nosuch: neither a named scenario"),
        (["baseline", "--set", "turkey_effort=7"], "error: --set: parameters.turkey_effort: 7"),
        (["baseline", "--run", "1"], "error: --run: baseline is a scenario"),
        (["RUN", "--run", "9"], "--run 9: it holds runs 0 to 1"),
        (["RUN", "--set", "turkey_effort=0.5"], "error: --set: a stored run is replayed"),
    ],
)
def test_bad_input_at_start_is_one_line_and_status_2(run_folder, args, message):
    result = sim("explore", *[str(run_folder) if a == "RUN" else a for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
