"""Every example of the README runs as written, at a small size: each code block is read from
README.md and run in a temporary folder holding copies of the sweep files of experiments/. The
sweep files' sizes and the blocks' numbers are cut by the replacements below, each of
which must still match the README (or the file); a command that cannot run inside the tests is
skipped by name, saying why. The `sim` commands run in this process, as `./sim.sh` runs them.
The DuckDB example of docs/scenarios-and-sweeps.md runs on a small store of its sweep too."""

import contextlib
import re
import shlex
from pathlib import Path

import pytest

from tests.sweeps import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = [
    (language, text)
    for language, text in re.findall(r"^```(\w+)\n(.*?)^```", README, re.DOTALL | re.MULTILINE)
    if language in ("bash", "python")
]

SKIPPED = {
    "./sim.sh test": "the test suite itself, which is running this",
    "./sim.sh explore": "a server that runs until stopped: tests/test_explorer.py starts it",
    "import sim.ema": "run as written, at full size, by test_ema.py's "
    "test_the_readme_ema_example_runs_as_written",
}
"""Commands (or the start of a Python block) the tests do not run here, and why."""

SMALL_PYTHON = {
    "np.linspace(0, 1, 1000)": "np.linspace(0, 1, 40)",
    "replicates=1000": "replicates=40",
}
"""The Python blocks' sizes, README text -> what runs."""

SMALL_COMMANDS = {
    "./sim.sh run baseline ": "./sim.sh run baseline --replicates 10 ",
    "--replicates 50": "--replicates 10",
}
"""The shell blocks' sizes, README text -> what runs: ten runs take every command's path (the
story's worst run, run 7 re-run) as two hundred do."""

SMALL_SWEEPS = {
    "power_vacuum.toml": {"n = 200": "n = 8", "replicates = 25": "replicates = 3"},
    "delayed_assault.toml": {"replicates = 50": "replicates = 2"},
}
"""The sweep files' sizes in the temporary folder, file text -> what runs."""

WRITES = {
    "./sim.sh run baseline": "results/baseline-*/summary.parquet",
    "--out results/pv": "results/pv/manifest.json",
    "--out pv.csv": "pv.csv",
    "./sim.sh report results/pv": "results/pv/report.html",
    "./sim.sh sweep experiments/power_vacuum.toml": "results/sweeps/power_vacuum/manifest.json",
    "--outcome 'ne_operation_day.notna()'": "results/analysis/power_vacuum-discovery/box.parquet",
    "--with results/analysis": "results/sweeps/power_vacuum/report.html",
    'sim.sweep.run("experiments/delayed_assault.toml"': "results/sweeps/delayed_assault/*",
}
"""What a command or block leaves behind: a glob in the temporary folder."""


def replaced(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A temporary working folder with the sweep files of experiments/ at their small size."""
    (tmp_path / "experiments").mkdir()
    for path in (ROOT / "experiments").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / "experiments" / path.name).write_text(
            replaced(text, SMALL_SWEEPS.get(path.name, {})), encoding="utf-8"
        )
    return tmp_path


def written(folder: Path, code: str) -> list[str]:
    """The globs of WRITES that `code` promises and `folder` lacks."""
    return [glob for key, glob in WRITES.items() if key in code and not any(folder.glob(glob))]


def test_the_readme_stays_short():
    assert len(README.splitlines()) <= 175, "move detail from the README to docs/"


def test_the_readme_has_its_examples_and_the_replacements_match():
    assert [language for language, _ in BLOCKS] == ["bash"] * 3 + ["python"] * 3
    python = "".join(text for language, text in BLOCKS if language == "python")
    assert [old for old in SMALL_PYTHON if old not in python] == []
    shell = "".join(text for language, text in BLOCKS if language == "bash")
    assert [old for old in SMALL_COMMANDS if old not in shell] == []
    every = "".join(text for _, text in BLOCKS)
    assert [key for key in [*SKIPPED, *WRITES] if key not in every] == []
    for name, replacements in SMALL_SWEEPS.items():
        text = (ROOT / "experiments" / name).read_text(encoding="utf-8")
        assert [old for old in replacements if old not in text] == [], name


@pytest.mark.slow
@pytest.mark.parametrize(
    "language, text",
    BLOCKS,
    ids=[f"{n}-{language}-{text.split()[1]}" for n, (language, text) in enumerate(BLOCKS)],
)
def test_a_readme_example_runs(language, text, folder):
    if reason := next((why for start, why in SKIPPED.items() if text.startswith(start)), None):
        pytest.skip(reason)
    if language == "python":
        with contextlib.chdir(folder):
            exec(compile(replaced(text, SMALL_PYTHON), "README.md", "exec"), {})
        assert written(folder, text) == []
        return
    for line in text.splitlines():
        if any(line.startswith(command) for command in SKIPPED):
            continue
        program, *args = shlex.split(replaced(line, SMALL_COMMANDS), comments=True)
        assert program == "./sim.sh", line
        done = cli(*args, cwd=folder)
        assert done.returncode == 0, f"{line}\n{done.stderr}"
        assert written(folder, line) == [], line


def test_the_sweep_pages_duckdb_example_finds_the_runs_of_one_grid_level(folder):
    import duckdb

    import sim.sweep

    page = (ROOT / "docs" / "scenarios-and-sweeps.md").read_text(encoding="utf-8")
    (query,) = re.findall(r"^```sql\n(.*?)^```", page, re.DOTALL | re.MULTILINE)
    with contextlib.chdir(folder):
        sim.sweep.run("experiments/delayed_assault.toml", workers=0)
        found = duckdb.sql(query).df()
    assert len(found) == 6 * 2  # one level of turkey_effort: 6 breakdown levels x 2 runs
    assert (found["turkey_effort"] == 0.6).all() and found["run"].is_unique
