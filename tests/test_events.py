"""The event log: complete and exact (it agrees with the daily series and the summary), and a
run's events do not depend on the runs beside it."""

import re
from pathlib import Path

import numpy as np
import pytest

from sim.model import EscalationModel, events, record
from sim.model.geography import ACTORS, RUSSIA
from sim.model.scenario import load
from sim.model.streams import run_seeds

RUNS, HORIZON = 40, 420


@pytest.fixture(scope="module")
def logged():
    model = EscalationModel(load("power_vacuum")[0], RUNS, 3, record_every=1)
    model.run(HORIZON)
    recorder = model.recorder
    return model, recorder.events.columns(), recorder.daily_columns(), recorder.summary_columns()


def test_posture_events_rebuild_every_daily_posture(logged):
    model, events, daily, _ = logged
    for faction in model.factions:
        names = faction.posture_names()
        rebuilt = np.zeros((RUNS, HORIZON + 1), dtype=np.int8)  # every actor starts at rung 0
        mine = (events["actor"] == faction.name) & np.char.startswith(
            events["event"].astype(str), "posture_"
        )
        rows = zip(events["run"][mine], events["day"][mine], events["event"][mine], strict=True)
        for run, day, event in rows:
            rebuilt[run, day:] = names.index(event.removeprefix("posture_"))
        recorded = daily[f"posture_{faction.name}"].reshape(RUNS, -1)
        np.testing.assert_array_equal(rebuilt, recorded, err_msg=faction.name)


def test_capture_and_cession_events_rebuild_who_holds_every_district(logged):
    model, events, _, _ = logged
    control = np.tile(model.geography.controller, (RUNS, 1))
    changes = np.isin(events["event"], ["district_captured", "district_ceded"])
    ids = list(model.geography.ids)
    for run, district, actor, target in zip(
        events["run"][changes],
        events["district"][changes],
        events["actor"][changes],
        events["target"][changes],
        strict=True,
    ):
        assert control[run, ids.index(district)] == ACTORS.index(target)
        control[run, ids.index(district)] = ACTORS.index(actor)
    np.testing.assert_array_equal(control, model.world.territory.control)


def count(events, name: str) -> np.ndarray:
    return np.bincount(events["run"][events["event"] == name], minlength=RUNS)


def first_day(events, name: str) -> np.ndarray:
    days = np.full(RUNS, np.nan)  # never, as in the summary
    rows = np.flatnonzero(events["event"] == name)[::-1]  # the earliest is written last
    days[events["run"][rows]] = events["day"][rows]
    return days


def test_event_counts_and_days_agree_with_the_summary_and_the_series(logged):
    _, events, daily, summary = logged
    np.testing.assert_array_equal(count(events, "offensive_begins"), summary["offensives"])
    np.testing.assert_array_equal(count(events, "summit"), summary["summits"])
    np.testing.assert_array_equal(count(events, "truce_broken"), summary["truces_broken"])
    summits = daily["summit"].reshape(RUNS, -1).sum(axis=1)
    np.testing.assert_array_equal(count(events, "summit"), summits)
    deal = first_day(events, "kurd_damascus_deal")
    np.testing.assert_array_equal(deal, summary["kurd_damascus_deal_day"])
    launched = first_day(events, "ne_operation_begins")
    np.testing.assert_array_equal(launched >= 0, summary["ne_operation_day"] >= 0)
    assert (launched[launched >= 0] <= summary["ne_operation_day"][launched >= 0]).all()
    began = first_day(events, "offensive_begins")
    attacked = summary["first_offensive_day"]
    assert ((began >= 0) | np.isnan(attacked)).all() and (
        began[attacked >= 0] <= attacked[attacked >= 0]
    ).all()
    clash_days = first_day(events, "clash")
    level_6 = summary["first_day_level_6"]
    np.testing.assert_array_equal(clash_days, level_6)
    assert (count(events, "offensive_begins") > 0).any() and (count(events, "clash") > 0).any()


def test_every_truce_is_the_deal_s_or_a_summit_s(logged):
    """A truce begins on the deal's day (its postponement, in every run), on the day of a
    summit, or the day after a Russia-Turkey clash (Russia steps back), and on no other; one
    breaks down only in a run where one began."""
    model, events, _, _ = logged
    deal_day = model.spec.events.deal_day
    run, day = events["run"], events["day"]
    kind = events["event"]
    summits = set(zip(run[kind == "summit"], day[kind == "summit"], strict=True))
    truce = np.flatnonzero(kind == "truce")
    assert (day[truce] == deal_day).sum() == RUNS and (day[truce] != deal_day).any()
    later = [(run[k], day[k]) for k in truce if day[k] != deal_day]
    level_7 = (kind == "clash") & (events["value"] == 7)
    stepped_back = set(zip(run[level_7], day[level_7] + 1, strict=True))
    assert set(later) == (summits | stepped_back) - {(r, d) for r, d in summits if d == deal_day}
    broken = np.flatnonzero(kind == "truce_broken")
    assert all(run[k] in set(run[truce]) for k in broken)


def test_a_runs_events_are_the_same_alone_and_in_a_batch(logged):
    _, events, _, _ = logged
    position = 7
    alone = EscalationModel(load("power_vacuum")[0], seeds=[run_seeds(3, RUNS)[position]])
    alone.run(HORIZON)
    own = alone.recorder.events.columns()
    mine = events["run"] == position
    for column in ("seed", "day", "actor", "event", "district", "target"):
        np.testing.assert_array_equal(own[column], events[column][mine], err_msg=column)
    np.testing.assert_array_equal(own["value"], events["value"][mine])


def test_the_recorder_and_the_log_read_only_what_actors_publish():
    """The recorder and the event log read an actor's state only through `view`, which gives
    its `published` attributes (and its posture), read-only, and nothing else."""
    for module in (record, events):
        read = set(re.findall(r'faction\("\w+"\)\.(\w+)', Path(module.__file__).read_text()))
        assert read <= {"view"}, f"{module.__name__} reads {read - {'view'}}"
    model = EscalationModel("baseline", record_every=None, record_events=False)
    russia = model.faction(RUSSIA)
    assert not russia.view("frustration").flags.writeable
    assert russia.frustration.flags.writeable  # the actor's own array is untouched
    with pytest.raises(AttributeError, match="does not publish"):
        russia.view("breach_rate")
