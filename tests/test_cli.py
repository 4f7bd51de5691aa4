"""The command line: a real run's files and columns, and clear one-line errors on bad input."""

import errno
import importlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sim.model.geography import ACTORS
from tests.sweeps import cli as sim
from tests.sweeps import process


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A run through the console entry point, in a process of its own."""
    out = tmp_path_factory.mktemp("run") / "baseline"
    result = process("run", "baseline", "--replicates", "5", "--seed", "9", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # piped: no progress bar, not even a blank line
    return out


def test_run_writes_six_files_with_the_documented_columns(small_run):
    assert {p.name for p in small_run.iterdir()} == {
        "daily.parquet",
        "summary.parquet",
        "events.parquet",
        "columns.parquet",
        "manifest.json",
        "overview.png",
    }
    for name in ("daily.parquet", "summary.parquet", "columns.parquet", "manifest.json"):
        assert (small_run / name).stat().st_mode & 0o777 == 0o644, name  # readable by all
    daily = pq.read_table(small_run / "daily.parquet")
    assert daily.num_rows == 5 * 561
    expected = {"run", "seed", "day", "date", "level", "breaches", "killed", "injured"}
    expected |= {"civilians_killed", "displaced", "in_camps", "left_for_turkey", "aid_delivered"}
    expected |= {"us_presence", "ru_tr_relation"}
    for actor in ACTORS:
        expected |= {f"zone_share_{actor}", f"ne_share_{actor}", f"posture_{actor}"}
    assert expected <= set(daily.column_names)
    summary = pq.read_table(small_run / "summary.parquet")
    assert summary.num_rows == 5
    wanted = {"peak_level", "days_level_4_plus", "first_offensive_day", "ne_operation_day"}
    wanted |= {f"first_day_level_{k}" for k in range(1, 8)}
    wanted |= {"kurd_damascus_deal_day", "breaches_day128", "breach_killed_day128"}
    wanted |= {"breach_injured_day128", "civilians_killed_day224_346", "first_pause_day"}
    wanted |= {"hts_zone_share_day128", "cessions_day100_128", "civilians_killed"}
    wanted |= {"displaced_peak", "final_share_zone_hts", "turkey_effort", "seed", "run"}
    assert wanted <= set(summary.column_names)
    events = pq.read_table(small_run / "events.parquet")
    assert events.column_names == [
        "run",
        "seed",
        "day",
        "date",
        "actor",
        "event",
        "district",
        "target",
        "value",
    ]
    assert events.num_rows > 0
    manifest = json.loads((small_run / "manifest.json").read_text())
    assert manifest["replicates"] == 5 and manifest["master_seed"] == 9
    assert manifest["parameters"]["turkey_effort"] == 0.3
    assert manifest["scenario"]["name"] == "baseline"


def test_one_run_is_reproduced_alone_from_its_seed(small_run, tmp_path):
    summary = pq.read_table(small_run / "summary.parquet").to_pandas()
    row = summary.iloc[3]
    out = tmp_path / "again"
    result = sim("run", "baseline", "--run-seed", str(int(row["seed"])), "--out", str(out))
    assert result.returncode == 0, result.stderr
    again = pq.read_table(out / "summary.parquet").to_pandas().iloc[0]
    for column in ("breaches_day128", "breach_killed_day128", "peak_level", "civilians_killed"):
        assert again[column] == row[column], column


BAD = {
    "unknown_key": ('name = "x"\ndescription = "d"\nhorizon = 10\ncolour = "red"\n', "colour"),
    "wrong_type": ('name = "x"\ndescription = "d"\nhorizon = "long"\n', "horizon"),
    "out_of_range": (
        'name = "x"\ndescription = "d"\n[parameters]\nturkey_effort = 3.0\n',
        "parameters.turkey_effort",
    ),
    "unknown_parameter": (
        'name = "x"\ndescription = "d"\n[parameters]\nmorale = 1.0\n',
        "parameters.morale",
    ),
    "bad_event": (
        'name = "x"\ndescription = "d"\n[[events.operations]]\nactor = "us"\nday = 1\ndays = 2\n',
        "events.operations.0.actor",
    ),
    "broken_toml": ('name = "x\ndescription = \n', "not valid TOML"),
    "written_event_after_horizon": (
        'name = "x"\ndescription = "d"\nhorizon = 100\n[events]\nsummit_days = [128]\n',
        "events.summit_days",
    ),
    "event_day_true": ('name = "x"\ndescription = "d"\n[events]\ndeal_day = true\n', "deal_day"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_scenario_files_fail_with_one_line(case, command, tmp_path):
    text, field = BAD[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    result = sim(command, str(path), cwd=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and field in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results").exists()


def test_bad_overrides_and_unknown_names_fail_with_one_line(tmp_path):
    for args, expected in [
        (["run", "baseline", "--set", "nonsense=1"], "nonsense"),
        (["run", "baseline", "--set", "turkey_effort=2"], "turkey_effort"),
        (["run", "baseline", "--set", "turkey_effort"], "name=value"),
        (["run", "no_such_scenario"], "no_such_scenario"),
    ]:
        result = sim(*args, cwd=tmp_path)
        assert result.returncode != 0, args
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert expected in result.stderr


def test_existing_results_are_never_overwritten(small_run, tmp_path):
    before = {p.name: p.read_bytes() for p in small_run.iterdir()}
    result = sim("run", "baseline", "--replicates", "2", "--out", str(small_run))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"error: {small_run}: already exists; results are never "
        "overwritten, choose another --out"
    )
    assert {p.name: p.read_bytes() for p in small_run.iterdir()} == before
    (tmp_path / "empty").mkdir()
    assert (
        sim("run", "baseline", "--replicates", "2", "--out", str(tmp_path / "empty")).returncode
        == 2
    )


def test_no_results_are_written_inside_a_run_folder_or_a_store(small_run, reference, tmp_path):
    """A run's folder and a sweep store hold only what their manifests list: a new run or an
    analysis asked to write inside one is refused before anything is made."""
    store = reference.folder
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(json.loads((store / "manifest.json").read_text())["sweep_file"])
    calibration = Path(__file__).resolve().parents[1] / "experiments" / "calibrate_check.toml"
    for args, folder, inside in (
        (("run", "baseline", "--replicates", "2"), small_run, small_run / "again"),
        (("sensitivity", str(store)), store, store / "series" / "analysis"),
        (("sweep", str(sweep_file), "--workers", "0"), small_run, small_run / "store"),
        (("calibrate", str(calibration)), store, store / "calibration"),
    ):
        result = sim(*args, "--out", str(inside))
        assert result.returncode == 2 and not inside.exists(), result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: {inside}: inside the results folder {folder.resolve()}, which holds only "
            "what its manifest lists; choose an --out outside it"
        ]


def test_two_runs_on_one_folder_one_wins_whole_the_other_loses_cleanly(tmp_path):
    out = tmp_path / "shared"
    args = [sys.executable, "-m", "sim", "run", "baseline", "--replicates", "3", "--out", str(out)]
    runs = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert sorted(code for code, _ in results) == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    assert loser.strip().splitlines() == [
        f"error: {out}: already exists; results are never overwritten, choose another --out"
    ]
    parquet = {"daily.parquet", "summary.parquet", "events.parquet", "columns.parquet"}
    names = parquet | {"manifest.json", "overview.png"}
    assert {p.name for p in out.iterdir()} == names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_default_folders_are_unique_and_bad_folders_fail_before_the_simulation(tmp_path):
    from pathlib import Path

    from sim.io.disk import ResultsError
    from sim.reports.files import claim

    default = tmp_path / "results" / "baseline-20190123-000000"
    first, second = claim(None, default, print), claim(None, default, print)
    assert first != second and first.is_dir() and second.name.endswith("-2")
    (tmp_path / "a_file").write_text("")
    with pytest.raises(ResultsError, match="Not a directory"):
        claim(tmp_path / "a_file" / "run", default, print)
    started = time.perf_counter()
    result = sim("run", "baseline", "--out", str(tmp_path / "a_file" / "run"))
    assert result.returncode == 2 and time.perf_counter() - started < 30
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert Path(tmp_path / "a_file").is_file()


def test_validate_accepts_every_shipped_scenario_and_lists_them():
    listing = sim("scenarios")
    assert listing.returncode == 0 and "immediate_assault" in listing.stdout
    assert sim("validate", "baseline").returncode == 0
    claims = sim("claims")
    assert claims.returncode == 0 and "Russia.decide" in claims.stdout


def test_limits_and_unreadable_inputs_give_one_line(tmp_path):
    """Issue 8: a replicate count past the cap, seeds out of range, a folder or a file that is
    not UTF-8 given as a scenario: one `error:` line, exit 2, nothing written."""
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "x"\ndescription = "caf\xe9"\n'.encode("latin-1"))
    for args, expected in [
        (["run", "baseline", "--replicates", "1000000000"], "replicates"),
        (["run", "baseline", "--replicates", "1000000"], "GB of memory"),
        (["run", "baseline", "--seed", "18446744073709551617"], "seed"),
        (["run", "baseline", "--run-seed", "-7"], "--run-seed -7"),
        (["run", str(tmp_path)], "a folder, not a scenario file"),
        (["validate", str(latin)], "not UTF-8 text"),
        (["run", str(latin)], "not UTF-8 text"),
    ]:
        result = sim(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ({"replicates": 0}, "EscalationModel: replicates: Input should be greater than"),
        ({"replicates": 2.5}, "replicates: Input should be a valid integer"),
        ({"replicates": True}, "replicates: Input should be a valid integer"),
        ({"seeds": []}, "seeds: List should have at least 1 item"),
        ({"seeds": [1.5, 2.5]}, "seeds.0: Input should be a valid integer"),
        ({"seeds": [-1]}, "seeds.0: Input should be greater than or equal to 0"),
        ({"record_every": 0}, "record_every: Input should be greater than or equal to 1"),
        ({"record_every": -7}, "record_every: Input should be greater than or equal to 1"),
        ({"turkey_effort": "0.5"}, "turkey_effort: '0.5' is not a number"),
        ({"replicates": 3, "turkey_effort": [0.1, 0.2]}, "turkey_effort: 2 values for 3 runs"),
        ({"replicates": 10**6}, r"replicates: 1,000,000 runs .* GB of memory"),
    ],
)
def test_the_python_api_checks_what_the_command_line_checks(arguments, said):
    from sim.model import EscalationModel

    with pytest.raises(ValueError, match=said):  # refused before anything is allocated
        EscalationModel("baseline", **arguments)


def test_the_python_sweep_and_ema_apis_check_their_arguments(tmp_path):
    import sim.ema
    import sim.sweep
    from tests.sweeps import write_sweep

    with pytest.raises(ValueError, match="workers: -1: a number of Dask workers"):
        sim.sweep.run(write_sweep(tmp_path), out=tmp_path / "store", workers=-1)
    assert not (tmp_path / "store").exists()
    with pytest.raises(ValueError, match=r"sim\.ema\.model: replicates"):
        sim.ema.model("baseline", replicates=2.5)
    with pytest.raises(ValueError, match="scenarios: -5: a number of experiments"):
        sim.ema.perform_experiments(sim.ema.model("baseline", replicates=2), -5)


@pytest.mark.parametrize(
    ("command", "writer"),
    [
        (["run", "baseline", "--replicates", "2", "--out"], "sim.reports.files.write_run"),
        (["sensitivity", "REFERENCE", "--out"], "sim.reports.files.write_analysis"),
    ],
)
def test_a_full_disk_is_one_line_with_status_1_and_leaves_no_folder(
    command, writer, reference, tmp_path, monkeypatch
):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")  # as pyarrow raises it: no file

    module, name = writer.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, full)
    out = tmp_path / "out"
    args = [str(reference.folder) if a == "REFERENCE" else a for a in command]
    result = sim(*args, out)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [f"error: {out}: No space left on device"]
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("fault", "status", "said"),
    [
        (IsADirectoryError(errno.EISDIR, "Is a directory", "x.partial"), 2, "x.partial: Is a dir"),
        (PermissionError(errno.EACCES, "Permission denied", "f.toml"), 2, "f.toml: Permission"),
        (OSError(errno.EIO, "Input/output error"), 1, "Input/output error"),
        (RecursionError("maximum recursion depth exceeded"), 2, "nested too deeply"),
        (MemoryError(), 1, "not enough memory"),
    ],
)
def test_faults_no_command_caught_are_one_line(fault, status, said, monkeypatch):
    def failing(*args, **kwargs):
        raise fault

    monkeypatch.setattr("sim.model.scenario.load", failing)
    for args in [("validate", "baseline"), ("run", "baseline")]:
        result = sim(*args)
        assert result.returncode == status and said in result.stderr, result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("error:")
        assert len(result.stderr.strip().splitlines()) == 1


def test_no_command_is_one_line():
    result = sim()
    assert result.returncode == 2 and result.stderr.startswith("error:"), result.stderr
    assert "a command is needed" in result.stderr and result.stderr.count("\n") == 1


HEAVY = ("mesa", "pandas", "scipy", "networkx", "matplotlib", "pyarrow", "numpy")
LOADED = """
import runpy, sys
sys.argv = ["sim", *sys.argv[1:]]
try:
    runpy.run_module("sim", run_name="__main__")
except SystemExit:
    pass
print("loaded:", *(name for name in {heavy} if name in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["no-such-command"]])
def test_help_and_usage_errors_import_no_heavy_library(args):
    """`sim --help` starts at once: the commands import Mesa, pandas, matplotlib and the rest
    when they run, not when the command line is read (typer itself brings pydantic for a
    command's options)."""
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", LOADED.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(root)},
        timeout=60,
    )
    *said, loaded = result.stderr.strip().splitlines()
    assert "Usage" in result.stdout or "No such command" in said[0], said
    assert loaded == "loaded:"


def test_validating_a_calibration_file_imports_neither_pyabc_nor_matplotlib():
    """`sim validate` checks a calibration file, running its scenario once (so Mesa loads),
    without the calibration's machinery: pyabc, and matplotlib with it, load only when a
    calibration runs."""
    root = Path(__file__).resolve().parents[1]
    file = root / "experiments" / "calibrate_check.toml"
    script = LOADED.format(heavy=("mesa", "pyabc", "matplotlib"))
    result = subprocess.run(
        [sys.executable, "-c", script, "validate", str(file)],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(root)},
        timeout=120,
    )
    assert f"{file}: ok (calibration" in result.stdout, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "loaded: mesa"


SCENARIO = 'name = "x"\ndescription = "d"\n'
SWEEP = 'name = "s"\nscenario = "baseline"\nreplicates = 2\n'
LHS = '[design]\nkind = "lhs"\n[parameters]\nshelling_rate = {}\n'
NAMED = {  # file text, what the one line names after the file
    "missing_parameters_file": (SCENARIO + 'parameters_file = "nope.toml"\n', "parameters_file"),
    "parameters_not_a_table": (SCENARIO + "parameters = 3\n", "parameters: Input should"),
    "missing_targets": (
        'name = "c"\ntargets = "nope.toml"\n[parameters]\nshelling_rate = {}\n',
        "targets: ",
    ),
    "sweep_without_design": (SWEEP + "horizon = 50\n[parameters]\nshelling_rate = {}\n", "design"),
    "sweep_of_unknown_scenario": (
        SWEEP.replace("baseline", "nosuch") + LHS,
        "scenario: nosuch",
    ),
    "sobol_not_a_power_of_2": (
        SWEEP + '[design]\nkind = "sobol"\nn = 3\n[parameters]\nshelling_rate = {}\n',
        "design.n: Sobol' sequences need a power of 2 (2 or 4, not 3)",
    ),
}


@pytest.mark.parametrize("case", sorted(NAMED))
def test_messages_name_the_file_and_the_field(case, tmp_path):
    """Issue 23: a scenario's missing parameters_file, a calibration's missing targets, a sweep
    without a design or of an unknown scenario, a Sobol' n SALib would warn of: one line naming
    the file given and the field."""
    text, field = NAMED[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    result = sim("validate", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}: {field}"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_byte_order_mark_is_read_and_integer_grids_count_their_levels(tmp_path):
    """Issue 23: a UTF-8 file with a byte-order mark reads as its text; an integer parameter
    on [0, 2] in 5 grid levels is 3 points (0, 1, 2), not 0, 0, 1, 2, 2."""
    scenario = tmp_path / "bom.toml"
    scenario.write_bytes(b"\xef\xbb\xbf" + SCENARIO.encode())
    assert sim("validate", str(scenario)).returncode == 0
    sweep = tmp_path / "grid.toml"
    grid = '[design]\nkind = "grid"\nlevels = 5\n[parameters]\nus_pullout_delay.range = [0, 2]\n'
    sweep.write_text(SWEEP + grid)
    result = sim("validate", str(sweep))
    assert result.returncode == 0 and "3 points x 2 replicates = 6 runs" in result.stdout


def claimed_run(out: Path) -> subprocess.Popen:
    """`sim run baseline` in a process of its own, once it has claimed `out` and runs."""
    from sim.reports.files import CLAIM

    running = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", "baseline", "--replicates", "500", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 10
    while not (out / CLAIM).exists():
        assert running.poll() is None and time.monotonic() < deadline, running.stderr
        time.sleep(0.02)
    return running


def test_a_run_killed_outright_leaves_a_folder_the_next_run_takes_over(tmp_path):
    from sim.io.disk import whoami
    from sim.reports.files import CLAIM

    out = tmp_path / "run"
    killed = claimed_run(out)
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    assert [p.name for p in out.iterdir()] == [CLAIM]
    result = sim("run", "baseline", "--replicates", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"note: {out}: taking over the folder claimed by pid ")
    assert (out / "manifest.json").is_file() and not (out / CLAIM).exists()
    finished = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    # a finished folder, even with a dead process's claim planted in it, is never touched
    (out / CLAIM).write_text(json.dumps({"pid": killed.pid, "host": os.uname().nodename}))
    result = sim("run", "baseline", "--replicates", "1", "--out", str(out))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != CLAIM} == finished
    # a folder claimed by a process that is alive is still refused
    alive = tmp_path / "alive"
    alive.mkdir()
    (alive / CLAIM).write_bytes(whoami())
    result = sim("run", "baseline", "--replicates", "1", "--out", str(alive))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert [p.name for p in alive.iterdir()] == [CLAIM]


def test_a_run_terminated_leaves_no_folder(tmp_path):
    out = tmp_path / "run"
    terminated = claimed_run(out)
    terminated.send_signal(signal.SIGTERM)
    assert terminated.wait(10) == 143
    assert list(tmp_path.iterdir()) == []  # neither the claimed folder nor the temporary one


def test_the_run_progress_bar_says_one_run_in_the_singular(monkeypatch):
    """`sim run`'s progress bar names its runs as the plots' titles do: `1 run`, `2 runs`."""
    from rich.console import Console

    from sim.model import scenario as scenarios
    from sim.reports import runs

    labels = []
    shown = runs.progress_bar
    monkeypatch.setattr(
        runs,
        "progress_bar",
        lambda console, label, unit: shown(console, labels.append(label) or label, unit),
    )
    spec, _ = scenarios.load("baseline")
    for count in (1, 2):
        short = scenarios.with_runs(spec, count, 1).model_copy(update={"horizon": 2})
        runs.simulate(short, None, Console(file=io.StringIO()))
    assert labels == ["baseline: 1 run", "baseline: 2 runs"]
