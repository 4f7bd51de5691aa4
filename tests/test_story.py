"""`sim story` and `sim events`: a run's story and its log in ACLED's terms agree with the
run's event log and series, every event type has its template and its codes, and bad input is
one `error:` line."""

import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.model.agents import FACTIONS
from sim.model.events import EVENTS
from sim.model.geography import ACTORS, load
from sim.model.record import START_DATE
from sim.reports import acled, story
from tests.sweeps import cli as sim

RUNS = 20


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A baseline `sim run` folder of 20 runs."""
    out = tmp_path_factory.mktemp("story") / "baseline"
    result = sim("run", "baseline", "--replicates", RUNS, "--seed", 9, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


def log_of(folder, run: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's event log (its rows numbered from 0) and its daily series."""
    events = pq.read_table(folder / "events.parquet", filters=[("run", "==", run)]).to_pandas()
    daily = pq.read_table(folder / "daily.parquet", filters=[("run", "==", run)]).to_pandas()
    return events.reset_index(drop=True), daily.set_index("day")


def told(folder, *options: str | int) -> dict:
    result = sim("story", folder, "--format", "json", *options)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_event_type_and_posture_has_a_template_and_codes():
    assert set(story.TEMPLATES) == set(EVENTS)
    assert set(acled.EVENT_TYPES) == set(EVENTS)
    for faction in FACTIONS:
        assert set(story.POSTURES[ACTORS[faction.actor]]) == set(faction.posture_names())
    assert set(acled.ADMIN) == set(load().ids)
    assert set(story.NAMES) == set(acled.ACTORS_ACLED) == set(story.ADJECTIVES)


@pytest.mark.parametrize("pick", ["median", "worst"])
def test_every_line_agrees_with_the_event_log_and_the_series(baseline, pick):
    found = told(baseline, "--pick", pick)
    events, daily = log_of(baseline, found["run"])
    assert found["seed"] == int(daily["seed"].iloc[0])
    told_rows = sorted(row for line in found["lines"] for row in line["rows"])
    assert told_rows == list(range(len(events)))  # each row told by exactly one line
    names = dict(zip(load().ids, load().names, strict=True))
    days = [line["day"] for line in found["lines"]]
    assert days == sorted(days)
    for line in found["lines"]:
        rows = events.loc[line["rows"]]
        assert line["day"] == rows["day"].min() and line["last_day"] == rows["day"].max()
        assert line["date"] == str(START_DATE + timedelta(line["day"]))
        assert line["last_date"] == str(rows["date"].max())
        keys = rows[list(story.KEY)].astype(object).where(rows[list(story.KEY)].notna(), None)
        assert line["events"] == keys.to_dict("records")
        state = daily.loc[line["last_day"]]
        assert line["level"] == state["level"]
        assert line["killed"] == pytest.approx(state["killed"])
        assert line["displaced"] == pytest.approx(state["displaced"] + state["ne_displaced"])
        for district in rows["district"].dropna():
            assert names[district] in line["text"]
    last = daily.iloc[-1]
    assert found["horizon"]["killed"] == pytest.approx(last["killed"])


def test_the_picks_choose_as_they_say(baseline):
    summary = pd.read_parquet(baseline / "summary.parquet")
    assert (
        told(baseline, "--pick", "worst")["run"] == summary.loc[summary["killed"].idxmax(), "run"]
    )
    clashed = summary.dropna(subset=["first_day_level_6"])
    first = clashed.loc[clashed["first_day_level_6"].idxmin(), "run"]
    assert told(baseline, "--pick", "first-clash")["run"] == first
    assert told(baseline)["run"] == told(baseline, "--pick", "median")["run"]
    seed = int(summary.loc[summary["run"] == 7, "seed"].iloc[0])
    assert told(baseline, "--seed", seed)["run"] == 7 == told(baseline, "--run", 7)["run"]


def test_text_and_markdown_tell_the_same_lines(baseline):
    found = told(baseline, "--run", 3)
    text = sim("story", baseline, "--run", 3).stdout.splitlines()
    markdown = sim("story", baseline, "--run", 3, "--format", "markdown").stdout.splitlines()
    assert len(text) == len(found["lines"]) + 2  # the heading, the lines, the horizon
    for line, said, written in zip(found["lines"], text[1:], markdown[2:], strict=False):
        assert line["text"] in said and line["text"] in written
        assert said.startswith(story.when(line["day"]).split()[0])
    assert text[0].startswith("baseline, run 3 (seed ")


def test_acled_counts_per_month_and_type_are_the_event_logs(baseline, tmp_path):
    out = tmp_path / "acled.csv"
    result = sim("events", baseline, "--format", "acled", "--out", out)
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(out)
    log = pd.read_parquet(baseline / "events.parquet")
    log["event"] = log["event"].astype(str)
    coded = log[[acled.coded(e) is not None for e in log["event"]]].copy()
    coded["month"] = pd.to_datetime(coded["date"]).dt.to_period("M").astype(str)
    coded["event_type"] = [acled.coded(e)[0] for e in coded["event"]]
    written["month"] = written["event_date"].str[:7]
    for by in (["month", "event"], ["month", "event_type"]):
        expected = coded.groupby(by, dropna=False).size()
        assert written.groupby(by, dropna=False).size().sort_index().equals(expected.sort_index())
    assert {"posture_hts", "camp_flood"}.isdisjoint(written["event"])
    assert set(written["plover_event"]) <= {
        "MOBILIZE",
        "RETREAT",
        "ASSAULT",
        "CONCEDE",
        "CONSULT",
        "REJECT",
        "AGREE",
    }
    geo = load()
    for row in written.dropna(subset=["location"]).itertuples():
        at = geo.names.index(row.location)
        assert (row.latitude, row.longitude) == (geo.lat[at], geo.lon[at])
    killed = log.loc[log["event"] == "soldiers_killed", "value"].sum()
    assert written["fatalities"].sum() == killed
    captured = written[written["event"] == "district_captured"]
    by_damascus = captured["actor1"] == acled.ACTORS_ACLED["damascus"]
    assert (captured.loc[by_damascus, "sub_event_type"] == "Government regains territory").all()


def test_the_log_of_one_run_as_it_is(baseline):
    result = sim("events", baseline, "--run", 4)
    events, _ = log_of(baseline, 4)
    written = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert len(written) == len(events) and (written["run"] == 4).all()
    assert list(written["event"]) == list(events["event"].astype(str))


def test_a_sweep_store_with_events_tells_its_runs(events_store):
    store = events_store
    found = told(store.folder, "--run", 5)
    series = store.series.set_index(["run", "day"]).loc[5]
    for line in found["lines"]:
        recorded = series.loc[: line["last_day"]].iloc[-1]  # the week's record before it
        assert line["level"] == recorded["level"]
    told_rows = sorted(row for line in found["lines"] for row in line["rows"])
    assert told_rows == list(range(len(store.events.query("run == 5"))))
    result = sim("events", store.folder, "--format", "acled", "--run", 5)
    assert result.returncode == 0 and set(
        pd.read_csv(pd.io.common.StringIO(result.stdout))["run"]
    ) <= {5}


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (("story", "{tmp}"), "neither a `sim run` folder nor a sweep store"),
        (("story", "{tmp}/none"), "no such folder"),
        (("story", "{run}", "--run", "20"), "--run 20: it holds runs 0 to 19"),
        (("story", "{run}", "--pick", "best"), "--pick best: one of median, worst, first-clash"),
        (("story", "{run}", "--format", "html"), "--format html: one of text, markdown, json"),
        (("story", "{run}", "--run", "1", "--pick", "worst"), "exclude each other"),
        (("story", "{run}", "--seed", "1"), "--seed 1: no run has that seed"),
        (("events", "{run}", "--format", "gdelt"), "--format gdelt: one of log, acled"),
        (("events", "{run}", "--run", "20", "--out", "{tmp}/x.csv"), "--run 20"),
        (("events", "{run}", "--out", "{run}/x.csv"), "inside the results folder"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(baseline, tmp_path, arguments, said):
    before = sorted(baseline.iterdir()), sorted(tmp_path.iterdir())
    filled = [a.format(tmp=tmp_path, run=baseline) for a in arguments]
    result = sim(*filled)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert said in result.stderr
    assert (sorted(baseline.iterdir()), sorted(tmp_path.iterdir())) == before


def test_an_existing_out_file_is_never_overwritten(baseline, tmp_path):
    out = tmp_path / "events.csv"
    out.write_text("mine")
    result = sim("events", baseline, "--format", "acled", "--out", out)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert out.read_text() == "mine"


def test_the_acled_table_of_the_docs_is_the_packages():
    page = (Path(__file__).resolve().parents[1] / "docs" / "outputs.md").read_text()
    section = page.split("## The event log beside ACLED")[1].split("\n## ")[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| `")]
    documented = {cells[0].strip(" `"): [c.strip() for c in cells[1:]] for cells in rows}
    assert set(documented) == {e for e, codes in acled.EVENT_TYPES.items() if codes}
    for event, (kind, sub, plover) in documented.items():
        codes = acled.EVENT_TYPES[event]
        assert (kind or None, plover) == (codes[0], codes[2])
        if isinstance(codes[1], dict):  # one by actor: each named in the cell
            assert all(name in sub for name in codes[1].values())
        else:
            assert (sub or None) == codes[1]


def test_a_sweep_without_its_event_log_is_one_line(reference):
    for command in ("story", "events"):
        result = sim(command, reference.folder)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("error: ") and "did not record events" in result.stderr
