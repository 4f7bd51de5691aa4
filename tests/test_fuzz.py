"""Hostile input: random and mutated scenario and sweep files, and random command lines, fed to
the command line in this process. Every one ends with exit status 0 or 2, and a failure is one
`error:` line with no control characters in it: never a traceback (exit status 1 is for bugs).

The simulation and the sweep's batches are replaced by stubs that stop with status 0: these
tests are about reading input, and each example takes milliseconds.
"""

import itertools
import shutil
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.params import PARAMETERS
from tests.sweeps import SWEEP, invoke

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / f"{n}.toml" for n in ("baseline", "immediate_assault")]
SWEEPS = [ROOT / "experiments" / f"{n}.toml" for n in ("power_vacuum", "delayed_assault")]
SEED_TEXTS = [p.read_text() for p in SCENARIOS + SWEEPS] + [SWEEP.format(batch_size=7)]

VALUES = st.sampled_from(
    [
        '"0.5"',
        "true",
        "-1",
        "0",
        "1e309",
        "nan",
        "inf",
        "[]",
        "{}",
        "[1, 2, 3]",
        "18446744073709551617",
        "2e9",
        '"registry"',
        '"\x1b[31mred"',
        '"' + "a" * 300 + '"',
        "{ range = [0, 1] }",
        "{ range = [1, 0] }",
        "{ levels = 1000 }",
        "9999",
        "0.5",
    ]
)
KEYS = st.sampled_from(["colour", "horizon", "replicates", "seed", "n", "levels", "batch_size"])
KEYS = KEYS | st.sampled_from(sorted(PARAMETERS))


@st.composite
def mutated(draw) -> str:
    """A shipped scenario or sweep file with a few random edits."""
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines()
        where = draw(st.integers(0, max(len(lines) - 1, 0)))
        edit = draw(st.sampled_from(["value", "line", "delete", "cut", "junk", "section"]))
        if edit == "value" and lines and "=" in lines[where]:
            key = lines[where].partition("=")[0]
            lines[where] = f"{key}= {draw(VALUES)}"
        elif edit == "line":
            lines.insert(where, f"{draw(KEYS)} = {draw(VALUES)}")
        elif edit == "delete" and lines:
            del lines[where]
        elif edit == "section":
            lines.insert(where, draw(st.sampled_from(["[parameters]", "[events]", "[design]"])))
        elif edit == "junk":
            lines.insert(where, draw(st.text(max_size=40)))
        text = "\n".join(lines)
        if edit == "cut":
            text = text[: draw(st.integers(0, len(text)))]
    return text


@pytest.fixture(scope="module")
def stubbed(tmp_path_factory):
    """No simulation and no batches: valid input stops with status 0 once it has been read."""
    patch = pytest.MonkeyPatch()

    def stop(*args, **kwargs):
        raise typer.Exit(0)

    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "experiments").mkdir()
    (folder / "experiments" / "power_vacuum.toml").write_text(SEED_TEXTS[2])
    patch.setattr("sim.reports.runs.simulate", stop)
    patch.setattr("sim.sweeps.runner.SweepRun", stop)
    patch.chdir(folder)  # results/ of runs without --out go here
    yield folder
    patch.undo()


names = itertools.count()


def check(status: int, err: str) -> None:
    assert status in (0, 2), err
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), err
        assert lines[0].isprintable(), lines[0]


FAST = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


@settings(max_examples=250, **FAST)
@given(text=mutated(), command=st.sampled_from(["validate", "run", "sweep"]))
def test_mutated_files_end_in_status_0_or_2(stubbed, text, command):
    path = stubbed / f"f{next(names)}.toml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    args = [command, path] + (
        ["--out", stubbed / f"out{next(names)}"] if command != "validate" else []
    )
    check(*invoke(*args)[::2])


@settings(max_examples=100, **FAST)
@given(data=st.binary(max_size=200))
def test_random_bytes_as_a_file_end_in_status_0_or_2(stubbed, data):
    path = stubbed / f"b{next(names)}.toml"
    path.write_bytes(data)
    for command in ("validate", "run", "sweep"):
        check(*invoke(command, path)[::2])


TOKENS = st.sampled_from(
    [
        "run",
        "validate",
        "sweep",
        "results",
        "params",
        "claims",
        "scenarios",
        "baseline",
        "--replicates",
        "--seed",
        "--out",
        "--set",
        "--run-seed",
        "--workers",
        "--record",
        "--verify",
        "--help",
        "turkey_effort=0.5",
        "turkey_effort=x",
        "colour=1",
        "weekly",
        "nonsense",
        "-7",
        "0",
        "18446744073709551617",
        "9223372036854775808",
        "1000000000",
        "experiments/power_vacuum.toml",
        "/proc/x",
        "/dev/null",
        "\x1b[2J",
        "outcomes",
        "--format",
        "--table",
        "json",
        "--from-sweep",
        "--from-run",
        "--run",
        "17",
    ]
)


@settings(max_examples=200, **FAST)
@given(tokens=st.lists(TOKENS | st.text(max_size=12), max_size=7))
def test_random_command_lines_end_in_status_0_or_2(stubbed, tokens):
    check(*invoke(*tokens)[::2])


def test_a_broken_shipped_scenario_is_one_line_after_the_others(tmp_path, monkeypatch):
    from sim.model import scenario

    shutil.copy(SCENARIOS[0], tmp_path / "baseline.toml")
    (tmp_path / "zz_broken.toml").write_text('name = "zz_broken"\ndescription = ')
    monkeypatch.setattr(scenario, "SCENARIO_DIRS", (tmp_path,))
    status, out, err = invoke("scenarios")
    assert status == 2 and "baseline" in out
    (line,) = err.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'zz_broken.toml'}: not valid TOML")
