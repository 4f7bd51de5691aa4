"""Sensitivity (`sim sensitivity`): SALib's Ishigami function through the sweeps' own path
(sweep file, design, lockstep batches, store, analysis) gives its known indices; a linear
function gives its known Morris effects; chance is told from cause; bad input is one line."""

import json
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from SALib.test_functions import Ishigami
from scipy.special import ndtri

from sim.analysis.expressions import numbers
from sim.analysis.sensitivity import analyse
from sim.io.disk import lock
from sim.model.params import PARAMETERS
from sim.model.streams import Streams
from sim.sweeps import runner
from tests.sweeps import invoke, run_in_process

NAMES = ["offensive_threshold", "shelling_rate", "coordination"]

# Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: its variance and indices (Sobol & Levitan 1999)
VARIANCE = 7**2 / 8 + 0.1 * np.pi**4 / 5 + 0.1**2 * np.pi**8 / 18 + 0.5
S1 = {"offensive_threshold": 0.3139, "shelling_rate": 0.4424, "coordination": 0.0}
ST = {"offensive_threshold": 0.5576, "shelling_rate": 0.4424, "coordination": 0.2437}

SWEEP = """
name = "{name}"
scenario = "baseline"
design = {design}
replicates = {replicates}
seed = 9
horizon = 1
batch_size = 4000

[parameters]
offensive_threshold = {{}}
shelling_rate = {{}}
coordination = {{}}
"""


def unit(values: np.ndarray, name: str) -> np.ndarray:
    """A parameter's values mapped from its registry range onto [0, 1]."""
    p = PARAMETERS[name]
    return (values - p.low) / (p.high - p.low)


def with_outcomes(function):
    """`run_batch` with two summary columns replaced by a known function of the parameters:
    `civilians_killed` by the function itself, `displaced_peak` by it plus noise of the
    function's variance drawn from each run's seed (so half its variance is chance)."""
    real = runner.run_batch

    def run_batch(**job):
        tables, seconds = real(**job)
        summary = tables["summary"]
        rows = summary["run"].to_numpy() - job["runs"][0]
        u = np.column_stack([unit(job["parameters"][n][rows], n) for n in NAMES])
        exact = function(u)
        draw = Streams(summary["seed"].to_numpy()).uniform(0, "test/noise")
        noisy = exact + np.sqrt(VARIANCE) * ndtri(draw)
        for name, values in (("civilians_killed", exact), ("displaced_peak", noisy)):
            at = summary.schema.get_field_index(name)
            summary = summary.set_column(at, summary.field(at), pa.array(values))
        tables["summary"] = summary
        return tables, seconds

    return run_batch


def ishigami(u: np.ndarray) -> np.ndarray:
    return Ishigami.evaluate(-np.pi + 2 * np.pi * u)


def linear(u: np.ndarray) -> np.ndarray:
    return 2 * u[:, 0] - u[:, 1]


def sweep_of(tmp_path, monkeypatch, function, design: str, replicates: int, name: str):
    monkeypatch.setattr(runner, "run_batch", with_outcomes(function))
    path = tmp_path / f"{name}.toml"
    path.write_text(SWEEP.format(name=name, design=design, replicates=replicates))
    return run_in_process(path, tmp_path / name)


def test_sobol_indices_of_ishigami_through_a_sweep(tmp_path, monkeypatch):
    store = sweep_of(tmp_path, monkeypatch, ishigami, '{ kind = "sobol", n = 1024 }', 2, "ishigami")
    found = analyse(store, ["civilians_killed", "displaced_peak"])
    exact = found.indices[found.indices["outcome"] == "civilians_killed"].set_index("parameter")
    for name in NAMES:
        assert abs(exact.loc[name, "S1"] - S1[name]) < 0.05, exact
        assert abs(exact.loc[name, "ST"] - ST[name]) < 0.05, exact
    assert (exact["ST_conf"] < 0.1).all()
    chance = found.chance.set_index("outcome")
    assert chance.loc["civilians_killed", "chance_share"] == 0  # the same in every replicate
    assert abs(chance.loc["displaced_peak", "chance_share"] - 0.5) < 0.05, chance
    assert abs(chance.loc["displaced_peak", "chance_in_means"] - 1 / 3) < 0.05, chance
    # with a third of the points' means chance, the raw indices are off; the adjusted ones not
    noisy = found.indices[found.indices["outcome"] == "displaced_peak"].set_index("parameter")
    assert (noisy["ST"] - pd.Series(ST)).abs().max() > 0.2
    for name in NAMES:
        assert abs(noisy.loc[name, "ST_adj"] - ST[name]) < 0.05, noisy
        assert abs(noisy.loc[name, "S1_adj"] - S1[name]) < 0.1, noisy
    sizes = sorted(found.convergence["base_samples"].unique())
    assert sizes == [16, 32, 64, 128, 256, 512, 1024]
    assert found.largest_change("civilians_killed") < 0.05


def test_morris_effects_of_a_linear_function(tmp_path, monkeypatch):
    store = sweep_of(tmp_path, monkeypatch, linear, '{ kind = "morris", n = 20 }', 1, "linear")
    found = analyse(store, ["civilians_killed"]).indices.set_index("parameter")
    assert np.allclose(found["mu_star"], [2, 1, 0]) and np.allclose(found["mu"], [2, -1, 0])
    assert np.allclose(found["sigma"], 0)


def test_morris_noise_floor_is_what_chance_gives_a_parameter_without_effect(tmp_path, monkeypatch):
    """With chance in the outcome, `coordination` (no effect) falls below the noise floor and
    the floor is about the mu* chance alone gives (Morris's step of 2/3 on 4 levels, 4
    replicates a point: E|difference of two point means| / step); without chance it is 0."""
    store = sweep_of(tmp_path, monkeypatch, linear, '{ kind = "morris", n = 40 }', 4, "noisy")
    found = analyse(store, ["civilians_killed", "displaced_peak"])
    floor = found.chance.set_index("outcome")["noise_floor"]
    assert floor["civilians_killed"] == 0
    noisy = found.indices[found.indices["outcome"] == "displaced_peak"].set_index("parameter")
    assert noisy.loc["coordination", "mu_star"] < floor["displaced_peak"]
    assert not noisy.loc["coordination", "above_noise"]
    expected = np.sqrt(2 / np.pi) * np.sqrt(2 * VARIANCE / 4) / (2 / 3)
    assert expected < floor["displaced_peak"] < 2 * expected, (floor, expected)


def test_an_outcome_is_a_number_a_run(reference):
    runs = reference.finished_runs()
    horizon = reference.manifest["scenario"]["horizon"]
    never = runs["first_offensive_day"].isna()
    days = numbers(runs, "first_offensive_day", horizon)
    assert (days[never.to_numpy()] == horizon + 1).all()
    happened = numbers(runs, "first_offensive_day.notna()", horizon)
    assert set(happened) <= {0.0, 1.0} and happened.sum() == (~never).sum()
    pd.testing.assert_series_equal(
        pd.Series(numbers(runs, "peak_level", horizon)),
        runs["peak_level"].astype(float),
        check_names=False,
    )


@pytest.mark.parametrize(
    ("outcome", "said"),
    [
        ("colour", "colour"),
        ("first_offensive_day - 1", "no value in"),
        ("peak_level.astype('str')", "not allowed"),
        ("peak_level > 100", "every outcome is constant"),
    ],
)
def test_bad_outcomes_are_one_line_and_write_nothing(reference, tmp_path, outcome, said):
    out = tmp_path / "analysis"
    status, _, err = invoke("sensitivity", reference.folder, "--outcome", outcome, "--out", out)
    assert status == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_wrong_design_and_unfinished_stores_are_one_line(reference, tmp_path, monkeypatch):
    lhs = sweep_of(tmp_path, monkeypatch, linear, '{ kind = "lhs", n = 8 }', 1, "lhs").folder
    status, _, err = invoke("sensitivity", lhs, "--out", tmp_path / "a")
    assert status == 2 and "a lhs design" in err and len(err.strip().splitlines()) == 1, err
    unfinished = tmp_path / "unfinished"
    shutil.copytree(reference.folder, unfinished)
    manifest = json.loads((unfinished / "manifest.json").read_text())
    manifest["batches"]["6"].update(status="pending")
    (unfinished / "manifest.json").write_text(json.dumps(manifest))
    with lock(unfinished):  # as a sweep writing it would
        status, _, err = invoke("sensitivity", unfinished, "--out", tmp_path / "b")
    assert status == 2 and "not finished" in err and "is writing it now" in err, err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_command_writes_its_tables_plot_and_manifest(reference, tmp_path):
    out = tmp_path / "analysis"
    status, _, err = invoke("sensitivity", reference.folder, "--out", out)
    assert status == 0, err
    assert {p.name for p in out.iterdir()} == {
        "indices.parquet",
        "second_order.parquet",
        "chance.parquet",
        "convergence.parquet",
        "manifest.json",
        "sensitivity.png",
    }
    indices = pd.read_parquet(out / "indices.parquet")
    assert len(indices) == 6 * 2 and {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["store_identity"] == reference.manifest["identity"]
    status, _, err = invoke("sensitivity", reference.folder, "--out", out)
    assert status == 2 and "already exists" in err
