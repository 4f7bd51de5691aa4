"""Scenario discovery (`sim discover`): PRIM finds a planted box; bad outcomes and unfinished
stores are one line."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discover import NULL, design_point_draw, discover
from tests.conftest import REFERENCE_OUTCOME
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


@pytest.fixture(scope="module")
def strong():
    """The planted data with a strong box (0.95 inside, 0.05 outside) and what PRIM finds."""
    x, y, points = planted(0.95, 0.05)
    return x, y, discover(x, y, "planted", points=points)


def test_prim_finds_a_box_planted_in_synthetic_data(strong):
    _, _, found = strong
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


def test_the_box_is_peeled_on_one_half_and_measured_on_the_other(strong):
    """The halves are whole design points; PRIM's own figures are the peeling half's (its
    first box, the whole space, has that half's share), and the held-out figures, the chosen
    box's included, are the other half's and differ from the peeling half's."""
    x, y, found = strong
    held = found.held_out
    assert (held.reshape(200, 5) == held.reshape(200, 5)[:, :1]).all()
    assert found.halves == (200 - held[::5].sum(), held[::5].sum()) and 0.3 < held.mean() < 0.7
    whole = found.trajectory.loc[0]
    assert whole["density"] == pytest.approx(y[~held].mean())
    assert whole["held_out_density"] == pytest.approx(y[held].mean())
    assert whole["held_out_density"] != pytest.approx(whole["density"])

    def figures(half: np.ndarray) -> tuple[float, float]:
        values, hit = x[half], y[half]
        inside = np.ones(len(values), bool)
        for name, row in found.box.iterrows():
            inside &= (values[name] >= row.low).to_numpy() & (values[name] <= row.high).to_numpy()
        return (inside & hit).sum() / hit.sum(), (inside & hit).sum() / inside.sum()

    assert (found.coverage, found.density) == pytest.approx(figures(held))
    assert (found.coverage, found.density) != pytest.approx(figures(~held))


def test_bootstrap_draws_design_points_with_all_their_runs():
    """A design point's runs are drawn together: the runs of one point get one weight."""
    rng = np.random.default_rng(0)
    points = np.repeat(np.arange(30), 4)
    drawn = design_point_draw(rng, points)
    assert drawn.sum() == len(points)
    assert (drawn.reshape(30, 4) == drawn.reshape(30, 4)[:, :1]).all()
    assert len(set(drawn)) > 1


def test_discover_on_a_sweep_prints_the_box_its_rule_and_the_null(
    reference, reference_discovery, tmp_path
):
    """`sim discover` end to end, in a process of its own, its output piped: the chosen box's
    index (in the line and in the trajectory), the rule that chose it, its held-out coverage
    and density and the null's restriction rate, as the analysis finds them; every name
    whole."""
    expression, found = REFERENCE_OUTCOME, reference_discovery
    written = tmp_path / "discovery"
    done = process(
        "discover", str(reference.folder), "--outcome", expression, "--out", str(written)
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.endswith(
        f"wrote {written}/ (trajectory.parquet, box.parquet, parameters.parquet, "
        "runs.parquet, discovery.png, manifest.json)\n"
    )
    box = pd.read_parquet(written / "box.parquet").set_index("parameter")
    assert box.loc["turkey_effort", "high"] == found.box.loc["turkey_effort", "high"]
    assert f"box {found.chosen} turkey_effort" in out and found.chosen > 0
    assert re.search(rf"^. {found.chosen} \(chosen\) ", out, re.MULTILINE), out
    assert out.count("(chosen)") == 1
    assert f"chosen by {found.rule}" in out and "held-out density >= 0.8" in found.rule
    assert f"held-out coverage {found.coverage:.2f}, held-out density {found.density:.2f}" in out
    assert f"{NULL} restricted in {found.stability[NULL]:.0%} of the resamples" in out
    for name in (NULL, "held-out density", "turkey_effort", "coordination"):
        assert name in out


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
