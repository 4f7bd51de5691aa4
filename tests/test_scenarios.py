"""Each named scenario runs and differs from baseline in the direction its story says."""

import numpy as np
import pytest

from sim.model.scenario import load, named_scenarios

from .conftest import run_model

NAMES = (
    "baseline",
    "delayed_assault",
    "immediate_assault",
    "power_vacuum",
    "coordinated_transition",
    "hts_consolidation",
    "humanitarian_shock",
)
REPLICATES = 150


@pytest.fixture(scope="module")
def outcomes():
    """Summary columns and final world of every named scenario, 150 runs to the horizon."""
    found = {}
    for name in NAMES:
        model = run_model(name, REPLICATES, seed=7, record_every=1)
        days = model.recorder.days
        found[name] = {
            "summary": model.recorder.summary_columns(),
            "world": model.world,
            "hts_share": np.stack([d["zone_share_hts"] for d in days], axis=1),
            "aid": np.stack([d["aid_delivered"] for d in days], axis=1),
        }
    return found


def test_the_seven_named_scenarios_ship_and_validate():
    assert set(NAMES) <= set(named_scenarios())
    for name in NAMES:
        spec, _ = load(name)
        assert spec.name == name


def started_before(summary, column: str, day: int) -> np.ndarray:
    first = summary[column]
    return (first >= 0) & (first < day)


def test_immediate_assault_reaches_ground_fighting_early(outcomes):
    assault = outcomes["immediate_assault"]["summary"]
    baseline = outcomes["baseline"]["summary"]
    assert started_before(assault, "first_day_level_4", 60).mean() > 0.9
    assert started_before(baseline, "first_day_level_4", 60).mean() < 0.1
    assert np.median(assault["civilians_killed"]) > 2 * np.median(baseline["civilians_killed"])


def test_delayed_assault_pushes_the_offensive_later(outcomes):
    def first_offensive(name):
        first = outcomes[name]["summary"]["first_offensive_day"]
        return np.where(first < 0, 10_000, first)

    assert np.median(first_offensive("delayed_assault")) > np.median(first_offensive("baseline"))
    assert (first_offensive("delayed_assault") >= 300).all()


def test_power_vacuum_brings_a_turkish_operation_more_often(outcomes):
    vacuum = outcomes["power_vacuum"]["summary"]["ne_operation_day"] >= 0
    coordinated = outcomes["coordinated_transition"]["summary"]["ne_operation_day"] >= 0
    assert vacuum.mean() > coordinated.mean() + 0.5


def test_coordinated_transition_turns_the_kurds_to_damascus(outcomes):
    coordinated = outcomes["coordinated_transition"]["summary"]
    baseline = outcomes["baseline"]["summary"]
    assert (coordinated["kurd_damascus_deal_day"] >= 0).mean() > 0.95
    assert np.mean(coordinated["final_share_northeast_damascus"]) > np.mean(
        baseline["final_share_northeast_damascus"]
    )


def test_hts_consolidation_gives_hts_more_of_the_zone(outcomes):
    """With no Turkish effort HTS takes the zone faster: a higher share on day 100."""
    consolidated = outcomes["hts_consolidation"]["hts_share"][:, 100]
    baseline = outcomes["baseline"]["hts_share"][:, 100]
    assert consolidated.mean() > baseline.mean() + 0.02


def test_humanitarian_shock_cuts_aid_and_pushes_people_to_turkey(outcomes):
    shock, baseline = outcomes["humanitarian_shock"], outcomes["baseline"]
    assert shock["aid"].sum(axis=1).mean() < 0.85 * baseline["aid"].sum(axis=1).mean()
    assert shock["world"].left_for_turkey.mean() > baseline["world"].left_for_turkey.mean()
