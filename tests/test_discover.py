"""Scenario discovery (`sim discover`): PRIM finds a planted box; bad outcomes and unfinished
stores are one line."""

import json
import shutil

import numpy as np
import pandas as pd

from sim.analysis.discover import NULL, design_point_draw, discover
from tests.sweeps import invoke, process


def planted(chance_inside: float, chance_outside: float, seed: int = 3):
    """200 design points of 5 runs each over parameters a-d (d whole numbers); the outcome's
    chance is `chance_inside` where a > 0.6 and b < 0.3, `chance_outside` elsewhere."""
    rng = np.random.default_rng(seed)
    design = pd.DataFrame(rng.random((200, 4)), columns=["a", "b", "c", "d"])
    design["d"] = rng.integers(0, 100, 200)  # a whole-number parameter, as a sweep's has
    points = np.repeat(np.arange(200), 5)
    x = design.iloc[points].reset_index(drop=True)
    inside = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    y = rng.random(len(x)) < np.where(inside, chance_inside, chance_outside)
    return x, y, points


def test_prim_finds_a_box_planted_in_synthetic_data():
    x, y, points = planted(0.95, 0.05)
    found = discover(x, y, "planted", points=points)
    assert found.rule.startswith("the most held-out coverage")
    assert set(found.box.index) == {"a", "b"} and (found.box["qp"] < 1e-6).all()
    assert abs(found.box.loc["a", "low"] - 0.6) < 0.05 and found.box.loc["b", "high"] < 0.4
    assert found.coverage > 0.7 and found.density >= 0.8
    assert found.stability[["a", "b"]].min() >= 0.9 > 0.3 > found.stability[["c", NULL]].max()
    assert set(found.scores.index[:2]) == {"a", "b"}


def test_a_weak_box_is_chosen_on_held_out_points_and_noise_finds_none():
    """No box is 0.8 dense: the rule says so and picks a box on the planted region, neither
    the whole space (box 0) nor a box of noise; an outcome that is pure noise gets no box, and
    the null parameter is restricted no more often than the others."""
    x, y, points = planted(0.6, 0.1)
    found = discover(x, y, "weak", points=points)
    assert found.rule.startswith("no box reaches") and found.chosen > 0
    assert {"a", "b"} <= set(found.box.index) <= {"a", "b", "c", "d"}
    assert found.density > 2 * y.mean()
    noise = np.random.default_rng(4).random(len(x)) < 0.3
    found = discover(x, noise, "noise", points=points)
    assert found.box.empty and found.density < 0.5
    assert found.stability.max() <= 0.25


def test_bootstrap_draws_design_points_with_all_their_runs():
    """A design point's runs are drawn together: the runs of one point get one weight."""
    rng = np.random.default_rng(0)
    points = np.repeat(np.arange(30), 4)
    drawn = design_point_draw(rng, points)
    assert drawn.sum() == len(points)
    assert (drawn.reshape(30, 4) == drawn.reshape(30, 4)[:, :1]).all()
    assert len(set(drawn)) > 1


def test_discover_on_a_sweep_prints_the_trajectory_the_rule_and_the_null(reference):
    """End to end in a process of its own, its output piped: every name whole."""
    done = process("discover", str(reference.folder), "--outcome", "relation_low < 0.65")
    assert done.returncode == 0, done.stderr
    assert "chosen by the most held-out coverage" in done.stdout and "(chosen)" in done.stdout
    for name in (NULL, "held-out density", "turkey_effort", "coordination"):
        assert name in done.stdout


def test_bad_outcomes_and_unfinished_stores_are_one_line(reference, tmp_path):
    for expression, said in [
        ("peak_level + 1", "not true or false"),
        ("colour > 1", "colour"),
        ("peak_level >= 0", "nothing to find"),
        ("__import__('os')", "not allowed"),
    ]:
        status, _, err = invoke("discover", reference.folder, "--outcome", expression)
        assert status == 2 and said in err and len(err.strip().splitlines()) == 1, err
    store = tmp_path / "store"
    shutil.copytree(reference.folder, store)
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["batches"]["6"].update(status="pending")
    (store / "manifest.json").write_text(json.dumps(manifest))
    status, _, err = invoke("discover", store, "--outcome", "peak_level >= 4")
    assert status == 2 and "not finished" in err
