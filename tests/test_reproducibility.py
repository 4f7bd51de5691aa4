"""A run depends only on its seed and parameters: not on its batch, position or neighbours."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.model import EscalationModel, record
from sim.model.scenario import load
from sim.model.streams import run_seeds

HORIZON = 240  # past the first offensive, so fighting is covered too


def summary(model: EscalationModel) -> dict[str, np.ndarray]:
    model.run(HORIZON)
    return model.recorder.summary_columns()


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), position=st.integers(0, 63))
def test_a_run_in_a_batch_of_64_equals_the_same_seed_alone(seed, position):
    scenario = load("immediate_assault")[0]
    batch = summary(EscalationModel(scenario, 64, seed, record_every=None))
    own_seed = run_seeds(seed, 64)[position]
    alone = summary(EscalationModel(scenario, seeds=[own_seed], record_every=None))
    for name, values in alone.items():
        if name != "run":
            np.testing.assert_array_equal(batch[name][position], values[0], err_msg=name)


def test_a_runs_daily_series_in_a_batch_equals_it_alone_read_a_column_at_a_time(monkeypatch):
    """The recorder keeps a day as blocks of all runs' columns; read out whole, or one column
    at a time (a tiny `SERIES_CHUNK`), each run's series is its own, in its own types."""
    scenario = load("immediate_assault")[0]
    batch = EscalationModel(scenario, 5, 11, record_every=1)
    batch.run(60)
    whole = batch.recorder.series()
    monkeypatch.setattr(record, "SERIES_CHUNK", 1)
    by_column = batch.recorder.series()
    alone = EscalationModel(scenario, seeds=[run_seeds(11, 5)[3]], record_every=1)
    alone.run(60)
    own = alone.recorder.series()
    assert list(whole) == list(by_column) == list(own)
    assert whole["level"].dtype == whole["posture_russia"].dtype == np.int8
    assert whole["summit"].dtype == bool and whole["breaches"].dtype == np.int64
    for name, values in own.items():
        assert values.shape == (1, 61)
        np.testing.assert_array_equal(whole[name], by_column[name], err_msg=name)
        assert whole[name].dtype == by_column[name].dtype == values.dtype, name
        np.testing.assert_array_equal(whole[name][3], values[0], err_msg=name)


def test_parameters_differing_per_replicate_do_not_leak_between_runs():
    scenario = load("baseline")[0]
    effort = np.array([0.0, 0.3, 1.0])
    mixed = summary(EscalationModel(scenario, 3, 5, parameters={"turkey_effort": effort}))
    for k, value in enumerate(effort):
        seed = run_seeds(5, 3)[k]
        alone = EscalationModel(scenario, seeds=[seed], parameters={"turkey_effort": value})
        assert summary(alone)["breaches_day128"][0] == mixed["breaches_day128"][k]


@pytest.mark.slow
def test_same_seed_gives_byte_identical_parquet_files(tmp_path):
    runner = CliRunner()
    args = ["run", "baseline", "--replicates", "8", "--seed", "3", "--set", "truce_breakdown=0.1"]
    for out in ("a", "b"):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    for name in ("daily.parquet", "summary.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    different = runner.invoke(app, [*args[:-2], "--seed", "4", "--out", str(tmp_path / "c")])
    assert different.exit_code == 0
    assert (tmp_path / "c" / "daily.parquet").read_bytes() != (
        tmp_path / "a" / "daily.parquet"
    ).read_bytes()


def test_the_environment_is_the_locked_one_and_manifests_say_so(tmp_path):
    """sim.sh installs requirements.lock; the libraries a run's bits depend on are at the locked
    versions, and a run's manifest records them."""
    import json
    from importlib.metadata import version
    from pathlib import Path

    from sim.io.disk import installed_versions
    from tests.sweeps import invoke

    pins = {}
    for line in Path("requirements.lock").read_text().splitlines():
        name, sep, pinned = line.partition("==")
        if sep and not line.startswith((" ", "#")):
            pins[name.strip().lower()] = pinned.strip()
    for name in ("numpy", "scipy", "mesa", "pyarrow", "pandas", "pydantic"):
        assert version(name) == pins[name], name
    assert installed_versions()["numpy"] == pins["numpy"]
    out = tmp_path / "run"
    status, _, err = invoke("run", "baseline", "--replicates", "1", "--out", out)
    assert status == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["versions"]["numpy"] == pins["numpy"]
