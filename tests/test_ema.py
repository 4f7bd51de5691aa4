"""EMA Workbench through `sim.ema`: uncertainties and outcomes from the registries, a whole
sample in lockstep, the same numbers through EMA's own evaluator, stored sweeps as EMA's data."""

import warnings

import numpy as np
import pytest

import sim.ema
from sim.model.params import PARAMETERS

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import SequentialEvaluator
    from ema_workbench.analysis import prim

SAME_SAMPLE = {"rng": 7}  # the same Latin hypercube sample for both evaluators


@pytest.fixture(scope="module")
def lockstep():
    """20 experiments x 5 replicates through `sim.ema.perform_experiments` (EMA's, with the
    lockstep evaluator by default)."""
    model = sim.ema.model("baseline", replicates=5)
    return model, sim.ema.perform_experiments(model, 20, uncertainty_sampling_kwargs=SAME_SAMPLE)


def test_uncertainties_and_outcomes_come_from_the_registries(lockstep):
    model, _ = lockstep
    names = {u.name for u in model.uncertainties}
    assert names == {n for n, p in PARAMETERS.items() if not p.defines_outcome}
    assert {"peak_level", "first_offensive_day", "civilians_killed"} <= {
        o.name for o in model.outcomes
    }
    vacuum = sim.ema.model("power_vacuum", replicates=2)
    assert "us_pullout_delay" not in {u.name for u in vacuum.uncertainties}  # the scenario's own


def test_twenty_experiments_of_five_replicates_with_nan_for_never(lockstep):
    _, (experiments, outcomes) = lockstep
    assert len(experiments) == 20
    days = outcomes["ne_operation_day"]
    assert days.shape == (20, 5)
    assert np.isnan(days).any() and (days[~np.isnan(days)] >= 0).all()  # NaN, never -1
    assert not (outcomes["first_day_level_7"] == -1).any()


def test_the_lockstep_evaluator_gives_what_emas_own_evaluator_gives(lockstep):
    model, _ = lockstep
    with SequentialEvaluator(model) as evaluator:
        _, one_by_one = evaluator.perform_experiments(3, uncertainty_sampling_kwargs=SAME_SAMPLE)
    with sim.ema.LockstepEvaluator(model) as evaluator:
        _, batched = evaluator.perform_experiments(3, uncertainty_sampling_kwargs=SAME_SAMPLE)
    for name in ("peak_level", "civilians_killed", "first_offensive_day"):
        np.testing.assert_array_equal(one_by_one[name], batched[name])


def test_a_stored_sweep_as_emas_experiments_and_outcomes(reference):
    experiments, outcomes = reference.to_ema()
    assert len(experiments) == 48 and {"turkey_effort", "coordination"} <= set(experiments)
    assert outcomes["peak_level"].shape == (48,)
    assert np.isnan(outcomes["ne_operation_day"]).any() or (outcomes["ne_operation_day"] >= 0).all()
    runs = reference.runs()
    assert reference.inputs == ["turkey_effort", "coordination"]
    assert list(runs.columns[:6]) == ["run", "point", "replicate", "seed", *reference.inputs]
    assert str(runs["first_offensive_day"].dtype) == "Int32"


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="uncertainties: morale"):
        sim.ema.model("baseline", uncertainties=["morale"])
    with pytest.raises(ValueError, match="outcomes: colour"):
        sim.ema.model("baseline", outcomes=["colour"])


def test_prim_can_box_whole_number_parameters(lockstep, reference):
    """The README's EMA example on pandas 3: PRIM pastes a box's edge such as 8.5 into each
    input's column, so whole-number parameters come as floats (whole numbers still), from a
    lockstep sample and from a stored sweep alike; an outcome planted on one is boxed."""
    model, (experiments, _) = lockstep
    inputs = experiments[[u.name for u in model.uncertainties]]
    whole = [n for n in inputs if PARAMETERS[n].integer]
    assert whole and all(inputs[n].dtype == np.float64 for n in whole)
    assert (inputs[whole] == inputs[whole].round()).all().all()
    name = whole[0]
    middle = inputs[name].between(*inputs[name].quantile([0.3, 0.7]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(inputs, middle.to_numpy()).find_box()
    assert name in box.box_lims[-1].columns
    stored, _ = reference.to_ema()
    assert all(stored[n].dtype == np.float64 for n in reference.inputs)


def test_the_readme_ema_example_runs_as_written():
    """The README's EMA example, exactly as the README has it (200 experiments of power_vacuum,
    ten replicates each, then PRIM on runs at level 6 or above): it runs to a box on pandas 3,
    whose whole-number parameters PRIM can cut at a half."""
    import re
    from pathlib import Path

    readme = Path(__file__).resolve().parents[1].joinpath("README.md").read_text()
    code = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "prim.Prim" in b)
    found: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "README.md", "exec"), found)
    experiments, box = found["experiments"], found["box"]
    assert len(experiments) == 200 and found["often_high"].any()
    whole = [n for n in found["inputs"] if PARAMETERS[n].integer]
    assert whole and all(experiments[n].dtype == np.float64 for n in whole)
    assert 0 < box.coverage <= 1 and set(whole) <= set(box.box_lims[-1].columns)
