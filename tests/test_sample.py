"""Parameters drawn run by run from a weighted sample (a calibration's posterior): in a scenario
file, with `--set-file`, and under a sweep's design."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.model import EscalationModel
from sim.model.scenario import ScenarioError, load
from sim.model.streams import run_seeds
from sim.reports.files import write_analysis
from sim.sweeps.ema import uncertain
from tests.sweeps import cli, run_in_process, write_sweep

SAMPLE = """[sample]
source = "a test"
names = ["shelling_rate", "operation_days"]
weights = [0.0, 1.0, 3.0]
values = [[0.9, 10], [0.2, 40.4], [0.4, 100]]
"""

SCENARIO = 'name = "drawn"\ndescription = "d"\nhorizon = 140\nparameters_file = "sample.toml"\n'


def write(folder, sample=SAMPLE, scenario=SCENARIO):
    (folder / "sample.toml").write_text(sample)
    path = folder / "drawn.toml"
    path.write_text(scenario)
    return path


def write_calibration(folder, posterior):
    """A calibration folder at its least: posterior.parquet and its manifest."""
    write_analysis(folder, {"posterior.parquet": posterior}, {}, ["sim", "calibrate"])


def test_each_run_draws_a_row_by_weight_from_its_own_seed(tmp_path):
    spec = load(write(tmp_path))[0]
    seeds = run_seeds(11, 400)
    together = EscalationModel(spec, seeds=seeds).params
    shelling, days = together.shelling_rate, together.operation_days
    assert set(zip(shelling, days, strict=True)) <= {(0.2, 40.0), (0.4, 100.0)}  # weight 0: never
    assert 0.65 < np.mean(shelling == 0.4) < 0.85  # weight 3 of 4
    alone = [EscalationModel(spec, seeds=seeds[k : k + 1]).params for k in (0, 7, 399)]
    assert [p.shelling_rate[0] for p in alone] == [shelling[k] for k in (0, 7, 399)]
    # the parameters the sample does not name keep the scenario's values
    assert (together.turkey_effort == EscalationModel("baseline").params.turkey_effort[0]).all()
    with pytest.raises(ValueError, match="shelling_rate: drawn from the scenario's sample"):
        EscalationModel(spec, shelling_rate=0.3)
    assert not {"shelling_rate", "operation_days"} & set(uncertain(spec))  # EMA's defaults


BAD = {
    "unknown name": (SAMPLE.replace('"shelling_rate"', '"morale"'), "sample.names: morale"),
    "named twice": (
        SAMPLE.replace('"operation_days"', '"shelling_rate"'),
        "sample.names: shelling_rate: named twice",
    ),
    "negative weight": (SAMPLE.replace("0.0, 1.0", "-1.0, 1.0"), "sample.weights"),
    "all weights zero": (SAMPLE.replace("0.0, 1.0, 3.0", "0, 0, 0"), "sample.weights"),
    "a row short": (SAMPLE.replace("[0.2, 40.4]", "[0.2]"), "sample: values: row 1: 1 values"),
    "rows for weights": (SAMPLE.replace(", [0.4, 100]", ""), "sample: values: 2 rows for 3"),
    "out of range": (SAMPLE.replace("0.9, 10", "9.0, 10"), "row 0: shelling_rate"),
    "rounded out of range": (SAMPLE.replace("0.4, 100", "0.4, 120.6"), "(rounded from 120.6)"),
    "not finite": (SAMPLE.replace("0.9, 10", "0.9, inf"), "operation_days: inf is not a"),
    "weights too large": (SAMPLE.replace("0.0, 1.0", "1e308, 1e308"), "sample.weights"),
    "not a table": ("sample = 3\n", "sample: Input should be a valid dictionary"),
    "neither table": ("source = 3\n", "no [parameters] or [sample] table"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_sample_is_one_line_naming_its_file_and_field(case, tmp_path):
    text, said = BAD[case]
    path = write(tmp_path, sample=text)
    with pytest.raises(ScenarioError) as error:
        load(path)
    assert said in str(error.value) and "sample.toml" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_parameter_comes_from_one_place(tmp_path):
    path = write(tmp_path, scenario=SCENARIO + "[parameters]\nshelling_rate = 0.3\n")
    with pytest.raises(ScenarioError, match=r"parameters\.shelling_rate: set here and drawn"):
        load(path)
    path = write(tmp_path, scenario=SCENARIO + '[sample]\nnames = ["attrition"]\n')
    with pytest.raises(ScenarioError, match="sample: given here and by the parameters_file"):
        load(path)
    result = cli("run", write(tmp_path), "--set", "shelling_rate=0.3", cwd=tmp_path)
    assert result.returncode == 2 and "set here and drawn from the sample" in result.stderr
    particles = {"generation": [0, 0], "weight": [0.5, 0.5], "attrition": [0.02, 0.04]}
    write_calibration(tmp_path, pd.DataFrame(particles))
    result = cli("run", write(tmp_path), "--posterior", tmp_path, cwd=tmp_path)
    assert result.returncode == 2 and "sample: the scenario draws from one already" in result.stderr
    result = cli("run", write(tmp_path), "--set-file", tmp_path / "sample.toml", cwd=tmp_path)
    assert result.returncode == 2 and "sample: the scenario draws from one already" in result.stderr
    assert not (tmp_path / "results").exists()


def test_set_file_draws_as_a_scenario_naming_the_file_does(tmp_path):
    write(tmp_path)
    runs = {}
    for how, args in {
        "named": [tmp_path / "drawn.toml"],
        "set_file": ["baseline", "--set-file", tmp_path / "sample.toml", "--seed", "0"],
    }.items():
        out = tmp_path / how
        result = cli("run", *args, "--replicates", "5", "--out", out, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["scenario"]["sample"]["source"] == "a test"
        runs[how] = manifest["parameters"]["shelling_rate"]
    assert runs["named"] == runs["set_file"] and len(set(runs["named"])) == 2


def test_a_sweep_over_a_sampled_scenario_records_each_runs_draw(tmp_path):
    write(tmp_path)
    changes = {'scenario = "baseline"': 'scenario = "drawn.toml"', "horizon = 140": "horizon = 30"}
    sweep = write_sweep(tmp_path, **changes)
    store = run_in_process(sweep, tmp_path / "store")
    runs = store.runs()
    assert store.inputs == ["turkey_effort", "coordination", "shelling_rate", "operation_days"]
    spec = load(tmp_path / "drawn.toml")[0]
    drawn = spec.sample.per_run(runs["seed"].to_numpy())
    assert np.array_equal(runs["shelling_rate"].to_numpy(), drawn["shelling_rate"])
    assert np.array_equal(runs["operation_days"].to_numpy(), drawn["operation_days"])
    # a design may not vary what the runs draw
    sweep.write_text(sweep.read_text().replace("[0.1, 0.9]", "[0.3, 0.9]"))
    sweep.write_text(sweep.read_text().replace("coordination = ", "shelling_rate = "))
    result = cli("sweep", sweep, "--out", tmp_path / "refused", cwd=tmp_path)
    assert result.returncode == 2 and "parameters.shelling_rate: each run of drawn" in result.stderr
    assert not (tmp_path / "refused").exists()


POSTERIORS = {
    "a weight that is text": (
        lambda p: p.assign(weight=["0.5", "0.5"]),
        "not a posterior: weight: not numbers",
    ),
    "a value out of its range": (
        lambda p: p.assign(attrition=[0.02, 9.0]),
        "posterior.parquet: values: row 1: attrition",
    ),
}


@pytest.mark.parametrize("case", sorted(POSTERIORS))
def test_a_bad_posterior_is_one_line_naming_its_file(case, tmp_path):
    change, said = POSTERIORS[case]
    particles = {"generation": [0, 0], "weight": [0.5, 0.5], "attrition": [0.02, 0.04]}
    write_calibration(tmp_path, change(pd.DataFrame(particles)))
    result = cli("run", "baseline", "--posterior", tmp_path, "--replicates", "1", cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and said in lines[0], result.stderr
    assert "posterior.parquet" in lines[0] and "pydantic" not in lines[0]


def test_an_edited_posterior_is_refused(tmp_path):
    particles = pd.DataFrame(
        {"generation": [0, 0], "weight": [0.5, 0.5], "attrition": [0.02, 0.04]}
    )
    write_calibration(tmp_path, particles)
    particles.assign(attrition=[0.03, 0.04]).to_parquet(tmp_path / "posterior.parquet")
    result = cli("run", "baseline", "--posterior", tmp_path, "--replicates", "1", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert f"error: {tmp_path / 'posterior.parquet'}: altered" in result.stderr
    assert not (tmp_path / "results").exists()
