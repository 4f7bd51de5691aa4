"""What the analysis commands print (`sim.reports.findings`): piped, every name whole; `--format
csv` the table's rows, `json` the analysis's own numbers at full precision, on stdout alone; an
unknown format one `error:` line."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest

from sim.analysis.discover import NULL
from sim.analysis.sensitivity import analyse
from tests.conftest import REFERENCE_OUTCOME as OUTCOME
from tests.sweeps import invoke


def piped(*args: str) -> subprocess.CompletedProcess:
    """`python -m sim ARGS` with stdout piped and no COLUMNS: a program reading the output."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, env=env, timeout=600
    )


def table_rows(out: str) -> list[list[str]]:
    """The body rows of the people's table printed as Markdown (a row a line, whatever the
    terminal's width), cells stripped."""
    lines = [line for line in out.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


@pytest.fixture(scope="module")
def analysed(reference):
    """The sensitivity analysis of the reference sweep (`sim.analysis.sensitivity.analyse`)."""
    return analyse(reference)


def test_piped_sensitivity_cuts_no_name_short(reference, analysed, tmp_path):
    done = piped("sensitivity", str(reference.folder), "--out", str(tmp_path / "s"))
    assert done.returncode == 0, done.stderr
    names = set(analysed.chance["outcome"]) | set(analysed.indices["parameter"])
    assert "…" not in done.stdout
    for name in names:
        assert name in done.stdout


def test_sensitivity_csv_has_the_tables_rows_and_json_the_indices(reference, analysed, tmp_path):
    status, shown, err = invoke(
        "sensitivity", reference.folder, "--out", tmp_path / "t", "--format", "markdown"
    )
    assert status == 0, err
    status, out, err = invoke(
        "sensitivity", reference.folder, "--out", tmp_path / "c", "--format", "csv"
    )
    assert status == 0, err
    assert "wrote" in err and "wrote" not in out  # stdout holds the CSV alone
    rows = list(csv.DictReader(io.StringIO(out)))
    table = table_rows(shown)
    assert len(rows) == len(table) > 0
    constant = "(constant in this sweep)"
    assert [r["parameter"] or constant for r in rows] == [t[2] for t in table]
    assert all(r["outcome"] for r in rows)  # on every row, not only an outcome's first
    status, out, err = invoke(
        "sensitivity", reference.folder, "--out", tmp_path / "j", "--format", "json"
    )
    assert status == 0, err
    found = json.loads(out)
    indices = analysed.indices.set_index(["outcome", "parameter"])
    assert [r["parameter"] or "" for r in found] == [r["parameter"] for r in rows]
    for row in (r for r in found if r["parameter"]):
        assert row["ST"] == indices.loc[(row["outcome"], row["parameter"]), "ST"]


def test_discover_csv_is_the_box_and_json_everything(reference, reference_discovery):
    result = reference_discovery
    status, out, err = invoke("discover", reference.folder, "--outcome", OUTCOME, "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["parameter"] for r in rows] == list(result.scores.index)
    assert f"chosen by {result.rule}" in err  # the lines people read, beside the data
    restricted = [r for r in rows if r["low"]]
    assert {r["parameter"] for r in restricted} == set(result.box.index)
    for row in restricted:
        assert float(row["low"]) == result.box.loc[row["parameter"], "low"]
    status, out, err = invoke(
        "discover", reference.folder, "--outcome", OUTCOME, "--format", "json"
    )
    assert status == 0, err
    found = json.loads(out)
    assert found["chosen"] == result.chosen and found["rule"] == result.rule
    assert found["held_out_density"] == result.density
    assert found["null_restricted"] == result.stability[NULL]
    assert [r["box"] for r in found["trajectory"] if r["chosen"]] == [result.chosen]
    assert len(found["trajectory"]) == len(result.trajectory)


def test_results_json_and_csv(reference):
    status, out, err = invoke("results", reference.folder, "--format", "json")
    assert status == 0, err
    found = json.loads(out)
    summary = reference.summary
    assert found["runs_saved"] == len(summary) and found["sweep"] == "small"
    peak = next(r for r in found["outcomes"] if r["outcome"] == "peak_level")
    assert peak["q50"] == summary["peak_level"].quantile(0.5)
    never = [r for r in found["outcomes"] if r["runs"] == 0]
    assert all(r["q50"] is None for r in never)  # null, not NaN: JSON that any parser reads
    status, out, err = invoke("results", reference.folder, "--format", "csv")
    assert status == 0 and "runs saved" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["outcome"] for r in rows] == [r["outcome"] for r in found["outcomes"]]


@pytest.mark.parametrize("command", ["sensitivity", "discover", "results"])
def test_an_unknown_format_is_one_line(reference, command):
    extra = ["--outcome", OUTCOME] if command == "discover" else []
    status, out, err = invoke(command, reference.folder, *extra, "--format", "xml")
    assert status == 2 and out == ""
    assert err.startswith("error:") and "--format" in err and len(err.splitlines()) == 1
