"""Calibration (`sim calibrate`, ABC-SMC with pyabc): it recovers parameter values from
synthetic observations the model made at them; the lockstep sampler gives the same particles
whatever its batch and when resumed; the coverage check runs; bad input is one line."""

import json
import logging
import shutil

import numpy as np
import pandas as pd
import pytest

from sim.analysis import calibrate as abc
from sim.analysis.coverage import JOINT
from sim.io.disk import lock
from sim.model.scenario import load as load_scenario
from tests.sweeps import invoke

TRUTH = {"shelling_rate": 0.9, "killed_per_breach": 0.075}

CALIBRATION = """
name = "small"
scenario = "baseline"
use = ["breaches", "breach_killed", "breach_injured"]
replicates = {replicates}
population = {population}
generations = {generations}
seed = 4
batch = {batch}
predictive = 20

[parameters]
shelling_rate = {{}}
killed_per_breach = {{}}
"""


@pytest.fixture(autouse=True)
def quiet_pyabc():
    logging.getLogger("ABC").setLevel(logging.WARNING)


def write(tmp_path, population=30, generations=3, batch=256, name="small.toml", replicates=6):
    path = tmp_path / name
    values = {"population": population, "generations": generations, "batch": batch}
    path.write_text(CALIBRATION.format(replicates=replicates, **values))
    return path


def synthetic(problem: abc.Problem) -> abc.Problem:
    """The problem with its observations made by the model at TRUTH (64 runs, own seeds)."""
    values = {name: np.array([value]) for name, value in TRUTH.items()}
    made = abc.simulate(problem, values, np.array([2**50]), 64).iloc[0]
    targets = [t.observing(float(made[t.name])) for t in problem.targets]
    return abc.Problem(problem.calibration, problem.scenario, targets, problem.priors, problem.text)


def test_recovers_the_values_that_made_the_observations(tmp_path):
    problem = synthetic(abc.load(write(tmp_path)))
    posterior = abc.calibrate(problem, f"sqlite:///{tmp_path / 'abc.db'}")
    for name, value in TRUTH.items():
        low, high = posterior.interval(name, 0.9)
        assert low <= value <= high, (name, low, high)
    # the breaches pin shelling_rate down to about a third of its prior range (its 90% interval);
    # the deaths in them, a few dozen, less so
    low, high = posterior.interval("shelling_rate", 0.9)
    assert high - low < 0.35 * (1.5 - 0.2), (low, high)
    assert len(posterior.temperatures) == 3 and posterior.temperatures[-1] == 1.0
    assert posterior.temperatures == sorted(posterior.temperatures)[::-1]
    assert np.isclose(posterior.last["weight"].sum(), 1.0)
    # particles above the acceptor's normaliser weigh more, so even the first generation's
    # effective sample size may fall a little short of the population
    assert 25 < posterior.ess()[0] <= 30 and 3 < posterior.ess()[-1] <= 30


@pytest.mark.slow
def test_same_particles_whatever_the_batch_and_when_resumed(tmp_path):
    def particles(batch: int, generations: int, database: str) -> pd.DataFrame:
        name = f"c{batch}{generations}.toml"
        problem = abc.load(write(tmp_path, 8, generations, batch, name, replicates=2))
        return abc.calibrate(problem, f"sqlite:///{tmp_path / database}").particles

    whole = particles(256, 2, "a.db")
    # a database that stopped before its first generation starts anew
    problem = abc.load(write(tmp_path, 8, 2, 256, "c0.toml", replicates=2))
    import pyabc

    pyabc.ABCSMC(lambda p: {}, pyabc.Distribution(), population_size=8).new(
        f"sqlite:///{tmp_path / 'd.db'}", problem.observed
    )
    pd.testing.assert_frame_equal(whole, particles(256, 2, "d.db"))
    pd.testing.assert_frame_equal(whole, particles(3, 2, "b.db"))


@pytest.mark.slow
def test_a_calibration_stopped_and_resumed_is_the_uninterrupted_one(tmp_path):
    """Tempered (its first generation's temperature above 1), stopped after its first
    generation and resumed: the temperatures and particles of the uninterrupted one."""
    # 12 particles: the two are compared exactly, so one particle or temperature that differs
    # fails it whatever the population
    problem = abc.load(write(tmp_path, population=12, generations=3))
    whole = abc.calibrate(problem, f"sqlite:///{tmp_path / 'whole.db'}")
    assert whole.temperatures[0] > 1 and whole.temperatures[-1] == 1

    def stops(proposals: list[dict[str, float]], keys: np.ndarray) -> list[dict[str, float]]:
        if keys[0] >= 3 * 2**32:  # generation 1's keys (LockstepSampler._keys)
            raise RuntimeError("stopped")
        return abc.evaluator(problem, problem.calibration.replicates)(proposals, keys)

    database = f"sqlite:///{tmp_path / 'stopped.db'}"
    with pytest.raises(RuntimeError, match="stopped"):
        abc.calibrate(problem, database, None, stops)
    assert abc.generations(database) == 1
    resumed = abc.calibrate(problem, database)
    assert resumed.temperatures == whole.temperatures
    pd.testing.assert_frame_equal(whole.particles, resumed.particles)


@pytest.mark.slow
def test_the_command_writes_posterior_check_and_parameters(tmp_path):
    file = write(tmp_path, population=12, generations=2)
    out = tmp_path / "out"
    status, _, err = invoke("calibrate", file, "--out", out, "--workers", "0")
    assert status == 0, err
    names = {p.name for p in out.iterdir()}
    made = {"posterior.parquet", "predictive.parquet", "predictive.png", "parameters.toml"}
    assert made | {"sample.toml", "generations.parquet", "pairs.png"} < names
    generations = pd.read_parquet(out / "generations.parquet")
    assert list(generations["generation"]) == [0, 1]
    assert generations["temperature"].is_monotonic_decreasing
    assert (generations["accepted"] == 12).all() and (generations["ess"] <= 12 + 1e-9).all()
    assert (generations["simulated"] >= 12).all()
    np.testing.assert_allclose(generations["acceptance"], 12 / generations["simulated"])
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert (
        set(posterior["generation"]) == {0, 1}
        and (posterior.groupby("generation").size() == 12).all()
    )
    check = pd.read_parquet(out / "predictive.parquet")
    targets, together = check.iloc[:-1], check.iloc[-1]
    assert list(targets["target"]) == ["breaches", "breach_killed", "breach_injured"]
    assert (targets["q05"] <= targets["median"]).all()
    assert (targets["median"] <= targets["q95"]).all()
    # each band's share of the predictive draws; all bands at once can be no more than any one
    assert together["target"] == "all bands" and check["in_band"].between(0, 1).all()
    assert together["in_band"] <= targets["in_band"].min()
    run = tmp_path / "run"
    status, _, err = invoke(
        "run", "baseline", "--replicates", "1", "--set-file", out / "parameters.toml", "--out", run
    )
    assert status == 0, err
    used = json.loads((run / "manifest.json").read_text())["scenario"]["parameters"]
    assert set(used) == set(TRUTH)
    # a scenario can name the file; its own [parameters] win
    scenario = tmp_path / "calibrated.toml"
    scenario.write_text(
        'name = "calibrated"\ndescription = "d"\nparameters_file = "out/parameters.toml"\n'
        "[parameters]\nshelling_rate = 0.6\n"
    )
    status, _, err = invoke("validate", scenario)
    assert status == 0, err
    resolved = load_scenario(scenario)[0].parameters
    assert (
        resolved["shelling_rate"] == 0.6
        and resolved["killed_per_breach"] == used["killed_per_breach"]
    )
    # --posterior: each run takes one particle of the last generation, drawn with its seed
    drawn = tmp_path / "drawn"
    status, _, err = invoke(
        "run", "baseline", "--replicates", "4", "--posterior", out, "--out", drawn
    )
    assert status == 0, err
    values = json.loads((drawn / "manifest.json").read_text())["parameters"]
    last = posterior[posterior["generation"] == 1]
    particles = set(zip(last["shelling_rate"], last["killed_per_breach"], strict=True))
    runs = set(zip(values["shelling_rate"], values["killed_per_breach"], strict=True))
    assert runs <= particles and len(runs) > 1
    # sample.toml holds the same particles exactly: a scenario or --set-file draws the same
    named = tmp_path / "named"
    status, _, err = invoke(
        "run", "baseline", "--replicates", "4", "--set-file", out / "sample.toml", "--out", named
    )
    assert status == 0, err
    assert json.loads((named / "manifest.json").read_text())["parameters"] == values
    again = tmp_path / "again"
    assert invoke("run", "--from-run", drawn, "--run", "2", "--out", again)[0] == 0
    first, second = (pd.read_parquet(f / "summary.parquet") for f in (drawn, again))
    pd.testing.assert_frame_equal(
        first.iloc[[2]].drop(columns="run").reset_index(drop=True),
        second.drop(columns="run"),
        check_dtype=False,  # a day column is int32 where no run has a null, float otherwise
    )
    # the same command again: nothing to add, the same posterior
    status, _, err = invoke("calibrate", file, "--out", out, "--workers", "0")
    assert status == 0, err
    pd.testing.assert_frame_equal(posterior, pd.read_parquet(out / "posterior.parquet"))


@pytest.mark.slow
def test_the_coverage_check_runs_at_a_small_size(tmp_path):
    file = write(tmp_path, population=10, generations=2)
    status, stdout, err = invoke(
        "calibrate", file, "--check", "2", "--out", tmp_path / "cal", "--workers", "0"
    )
    assert status == 0, err
    found = pd.read_parquet(tmp_path / "cal-check-2" / "coverage.parquet")
    assert len(found) == 2 * (len(TRUTH) + 1) and set(found["parameter"]) == {*TRUTH, JOINT}
    assert found["rank"].between(0, 1).all()
    judged = pd.read_parquet(tmp_path / "cal-check-2" / "verdict.parquet")
    assert set(judged["parameter"]) == {*TRUTH, JOINT} and (judged["draws"] == 2).all()
    assert ("KS p-value" in stdout and "in 2 draws" in stdout) or "miscalibrated" in stdout


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("use = [", 'targets = "missing.toml"\nuse = ['), "missing.toml: cannot read"),
        (('use = ["breaches", ', 'use = ["breaches_sq", '), "unknown target 'breaches_sq'"),
        (('"breaches", "breach_killed", "breach_injured"', ""), "use: List should have at least 1"),
        (("seed = 4", 'seed = 4\nheld_out = ["nothing"]'), "held_out: unknown target 'nothing'"),
        (("use = [", 'use = ["nothing", '), "unknown target 'nothing'"),
        (("killed_per_breach = {}", "colour = {}"), "parameters.colour: unknown parameter"),
        (("killed_per_breach = {}", "killed_per_breach = { range = [0.5, 0.1] }"), "inverted"),
        (("population = 30", "population = 1"), "population"),
        (("killed_per_breach = {}", "killed_per_breach = { levels = 3 }"), "a prior is a range"),
        (("seed = 4", "seed = -1"), "seed"),
    ],
)
def test_bad_calibration_files_are_one_line(tmp_path, change, said):
    path = write(tmp_path)
    path.write_text(path.read_text().replace(*change))
    out = tmp_path / "out"
    status, _, err = invoke("calibrate", path, "--out", out, "--workers", "0")
    assert status == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_validate_knows_a_calibration_file_with_only_parameters(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text('name = "short"\n[parameters]\nshelling_rate = {}\n')
    status, stdout, err = invoke("validate", path)
    assert status == 0 and "calibration short" in stdout, err


def test_bad_targets_another_calibration_and_a_busy_folder_are_one_line(tmp_path):
    targets = tmp_path / "targets.toml"
    targets.write_text(
        '[[target]]\nname = "b"\noutcome = "breaches"\nstatistic = "median"\n'
        'band = [300, 100]\nday = 128\nsource = "C11"\n'
    )
    path = write(tmp_path)
    path.write_text(
        path.read_text().replace(
            'use = ["breaches", "breach_killed", "breach_injured"]', 'targets = "targets.toml"'
        )
    )
    status, _, err = invoke("calibrate", path, "--workers", "0")
    assert status == 2 and "targets.toml: target.0: band: empty or inverted" in err, err
    targets.write_text(
        '[[target]]\nname = "b"\noutcome = "colour"\nstatistic = "median"\n'
        'band = [100, 300]\nday = 128\nsource = "C11"\n'
    )
    status, _, err = invoke("calibrate", path, "--workers", "0", "--out", tmp_path / "no")
    assert status == 2 and "targets: b: --outcome 'colour'" in err, err
    assert not (tmp_path / "no").exists()
    out = tmp_path / "out"
    file = write(tmp_path, population=10, generations=1)
    assert invoke("calibrate", file, "--out", out, "--workers", "0")[0] == 0
    other = write(tmp_path, population=11, generations=1, name="other.toml")
    status, _, err = invoke("calibrate", other, "--out", out, "--workers", "0")
    assert status == 2 and "made by another calibration" in err, err
    with lock(out):
        status, _, err = invoke("calibrate", file, "--out", out, "--workers", "0")
    assert status == 2 and "another process is writing this folder" in err, err


def test_foreign_or_corrupt_folders_are_refused_and_left_as_they_were(reference, tmp_path):
    file = write(tmp_path, population=10, generations=1)
    store = tmp_path / "store"
    shutil.copytree(reference.folder, store)
    before = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    status, _, err = invoke("calibrate", file, "--out", store, "--workers", "0")
    assert status == 2 and "not a calibration folder" in err, err
    assert {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()} == before
    broken = tmp_path / "broken"
    assert invoke("calibrate", file, "--out", broken, "--workers", "0")[0] == 0
    (broken / "abc.db").write_bytes(b"not a database")
    status, _, err = invoke("calibrate", file, "--out", broken, "--workers", "0")
    assert status == 2 and "not a pyabc database" in err and len(err.splitlines()) == 1, err
    assert (broken / "abc.db").read_bytes() == b"not a database"  # not its own: kept
    (broken / "identity.json").write_text("{")
    status, _, err = invoke("calibrate", file, "--out", broken, "--workers", "0")
    assert status == 2 and "identity.json" in err, err


def test_a_statistic_inside_its_band_misses_nothing():
    target = abc.Target(
        name="x", outcome="breaches", statistic="median", band=[100, 200], day=1, source="C11"
    )
    assert target.miss(100) == target.miss(150) == target.miss(200) == 0
    assert target.miss(250) == 1.0 and target.miss(25) == 1.5  # in half-bands
    moved = target.observing(400.0)
    assert moved.band == [350, 450] and moved.value == 400 and moved.miss(440) == 0


def test_held_out_targets_are_predicted_not_fitted(tmp_path):
    """Fit on the article's window, predict a target of the offensive's: the calibration runs to
    day 128 only, the predictive check to the held-out target's day and reports its runs in
    band."""
    path = write(tmp_path, population=8, generations=1, replicates=2)
    path.write_text(
        path.read_text().replace(
            'use = ["breaches", "breach_killed", "breach_injured"]',
            'use = ["breaches", "breach_killed", "offensive_begins"]\n'
            'held_out = ["offensive_begins"]',
        )
    )
    problem = abc.load(path)
    assert [t.name for t in problem.targets] == ["breaches", "breach_killed"]
    assert [t.name for t in problem.held_out] == ["offensive_begins"]
    assert problem.scenario.horizon == 128 and abc.whole(problem).scenario.horizon == 250
    out = tmp_path / "out"
    status, stdout, err = invoke("calibrate", path, "--out", out, "--workers", "0")
    assert status == 0, err
    check = pd.read_parquet(out / "predictive.parquet").set_index("target")
    assert list(check.index) == ["breaches", "breach_killed", "offensive_begins", "all bands"]
    assert list(check["held_out"].iloc[:-1]) == [False, False, True]
    share = check.loc["offensive_begins", "in_band"]
    assert f"held out, runs in band: offensive_begins {share:.0%}" in " ".join(stdout.split())
    # the stats the particles were judged by are the fitted targets' only
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert "stat_offensive_begins" not in posterior and "stat_breaches" in posterior
    path.write_text(
        path.read_text().replace(
            'held_out = ["offensive_begins"]',
            'held_out = ["breaches", "breach_killed", "offensive_begins"]',
        )
    )
    status, _, err = invoke("calibrate", path, "--out", tmp_path / "none", "--workers", "0")
    assert status == 2 and "held_out: every target held out" in err, err
