"""Shared helpers for the tests."""

import numpy as np
import pytest

from sim.model import EscalationModel
from sim.model.geography import RUSSIA
from sim.model.scenario import load

CALIBRATION_SEED = 20190123

REFERENCE_OUTCOME = "relation_low < 0.65"
"""An outcome the reference sweep holds in some runs and not in others."""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` (and the notebooks, experiments/conftest.py) first, each group in its
    file's order: pytest-xdist hands tests out in this order, so that no long test starts last
    and keeps one worker busy alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def run_model(name: str, replicates: int, seed: int = 11, horizon: int | None = None, **kwargs):
    """Run a named scenario and return the model (daily records and events off unless asked)."""
    kwargs.setdefault("record_every", None)
    kwargs.setdefault("record_events", False)
    model = EscalationModel(load(name)[0], replicates, seed, **kwargs)
    model.run(horizon)
    return model


@pytest.fixture(scope="session")
def baseline_1000():
    """The calibration run: baseline, 1,000 replicates, days 0-365 (both windows), with
    Russia's median frustration by day."""
    model = EscalationModel(
        load("baseline")[0], 1000, CALIBRATION_SEED, record_every=None, record_events=False
    )
    frustration = {}
    while model.day <= 365:
        model.step()
        frustration[model.day - 1] = np.median(model.faction(RUSSIA).frustration)
    return model.recorder.summary_columns(), frustration


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """The small sweep of `tests/sweeps.py` run once, uninterrupted, in this process."""
    from tests.sweeps import run_in_process, write_sweep

    folder = tmp_path_factory.mktemp("reference")
    return run_in_process(write_sweep(folder), folder / "store")


@pytest.fixture(scope="session")
def reference_discovery(reference):
    """PRIM on the reference sweep for REFERENCE_OUTCOME (`sim.analysis.discover_sweep`)."""
    from sim.analysis.discover import discover_sweep

    return discover_sweep(reference, REFERENCE_OUTCOME)


@pytest.fixture(scope="session")
def events_store(tmp_path_factory):
    """The small sweep of `tests/sweeps.py` recording the event log beside the weekly series."""
    from tests.sweeps import run_in_process, write_sweep

    folder = tmp_path_factory.mktemp("events")
    path = write_sweep(folder, **{'"weekly"': '"weekly+events"'})
    return run_in_process(path, folder / "store")
