"""Shared helpers for the tests."""

import numpy as np
import pytest

from sim.model import EscalationModel
from sim.model.scenario import load


def run_model(name: str, replicates: int, seed: int = 11, horizon: int | None = None, **kwargs):
    """Run a named scenario and return the model (daily records off unless asked for)."""
    kwargs.setdefault("record_every", None)
    model = EscalationModel(load(name)[0], replicates, seed, **kwargs)
    model.run(horizon)
    return model


@pytest.fixture(scope="session")
def baseline_1000():
    """The calibration run: baseline, 1,000 replicates, days 0-128."""
    model = EscalationModel(load("baseline")[0], 1000, seed=20190123, record_every=None)
    frustration = {}
    while model.day <= 128:
        model.step()
        frustration[model.day - 1] = np.median(model.faction("russia").frustration)
    return model.recorder.summary_columns(), frustration
