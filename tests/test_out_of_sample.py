"""The leave-one-window-out check (experiments/leave_one_window_out.py): its whole pipeline on a
tiny budget, and docs/out_of_sample.md's tables equal to the JSON the full run wrote."""

import json
import sys
from pathlib import Path

import pytest

from sim.analysis.calibrate import read_targets
from sim.model.params import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
RESULT = ROOT / "experiments" / "results" / "leave_one_window_out.json"
DOC = ROOT / "docs" / "out_of_sample.md"
TINY = ["--candidates", "4", "--replicates", "4", "--finalists", "2", "--confirm", "4"]
TINY += ["--redraws", "3", "--check", "4"]


@pytest.fixture(scope="module")
def lowo():
    """The script as a module (it imports its sibling scripts from experiments/)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "experiments"))
        import leave_one_window_out
    return leave_one_window_out


def assert_shape(result: dict, lowo) -> None:
    """Every fit measures every target; misses and 'in band' agree; each window's fit says what
    redrawing the other stage's parameters does."""
    assert set(result) == {"command", "budget", "seconds", "parameters", "targets", "fits"}
    assert set(result["budget"]) == set(lowo.BUDGET)
    targets = result["targets"]
    assert {t["window"] for t in targets.values()} == set(lowo.WINDOWS)
    assert set(result["fits"]) == set(lowo.FITS)
    for name, fit in result["fits"].items():
        assert fit["window"] == (name if name in lowo.WINDOWS else "both")
        assert list(fit["values"]) == result["parameters"]
        assert list(fit["targets"]) == list(targets)
        for measured in fit["targets"].values():
            assert measured["miss"] >= 0
            assert measured["in_band"] == (measured["miss"] == 0)
        for window in lowo.WINDOWS:
            assert fit[f"distance_{window}"] >= 0
        if name in lowo.WINDOWS:
            redrawn = fit["redrawn"]
            assert set(redrawn["parameters"]) <= set(result["parameters"])
            assert list(redrawn["in_band"]) == list(targets) == list(redrawn["range"])
            counts = [redrawn["window_in_band"], *redrawn["in_band"].values()]
            assert all(0 <= n <= result["budget"]["redraws"] for n in counts)
            assert all(low <= high for low, high in redrawn["range"].values())


@pytest.mark.slow
def test_a_tiny_budget_writes_the_json_and_prints_the_tables(lowo, tmp_path, monkeypatch, capsys):
    """2 rounds of 4 candidates x 4 runs a window, 2 finalists and 3 redraws x 4 runs, a check
    of 4 runs: the JSON has the current targets and fitted parameters, the fits lie in the
    registry's ranges, and the printed tables are the JSON's."""
    output = tmp_path / "lowo.json"
    argv = ["leave_one_window_out.py", *TINY, "--output", str(output)]
    monkeypatch.setattr(sys, "argv", argv)
    lowo.main()
    result = json.loads(output.read_text(encoding="utf-8"))
    assert_shape(result, lowo)
    assert list(result["targets"]) == [t.name for t in read_targets()]
    assert result["parameters"] == list(lowo.STAGES["both"]["search"])
    for fit in result["fits"].values():
        for name, value in fit["values"].items():
            assert PARAMETERS[name].low <= value <= PARAMETERS[name].high
    assert result["fits"]["defaults"]["values"] == {
        name: PARAMETERS[name].default for name in result["parameters"]
    }
    assert lowo.table(result) in capsys.readouterr().out


def test_the_docs_tables_are_the_jsons(lowo):
    """docs/out_of_sample.md shows the committed JSON's numbers (re-run the command and paste
    its tables when the model moves), and names the command that made them."""
    result = json.loads(RESULT.read_text(encoding="utf-8"))
    assert_shape(result, lowo)
    doc = DOC.read_text(encoding="utf-8")
    shown = [line for line in doc.splitlines() if line.startswith(("|", "Budget:"))]
    expected = [line for line in lowo.table(result).splitlines() if line]
    assert shown == expected
    assert result["command"] in doc
