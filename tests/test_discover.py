"""Scenario discovery (`sim discover`): PRIM finds a planted box; bad outcomes and unfinished
stores are one line."""

import json
import shutil

import numpy as np
import pandas as pd

from sim.analysis.discover import discover
from tests.sweeps import invoke


def test_prim_finds_a_box_planted_in_synthetic_data():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((600, 4)), columns=["a", "b", "c", "d"])
    x["d"] = rng.integers(0, 100, 600)  # a whole-number parameter, as a sweep's table has them
    y = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    found = discover(x, y, "planted")
    assert set(found.box.index) == {"a", "b"}
    assert abs(found.box.loc["a", "low"] - 0.6) < 0.05 and found.box.loc["b", "high"] < 0.4
    assert found.coverage > 0.8 and found.density >= 0.75
    assert found.stability[["a", "b"]].min() >= 0.9 > 0.75 > found.stability[["c", "d"]].max()
    assert set(found.scores.index[:2]) == {"a", "b"}


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
