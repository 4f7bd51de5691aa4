"""Sweeps: design sizes, identical results however they are run, resuming, bad sweep files."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import sim.results
from sim.model import EscalationModel
from sim.sweeps import design as sweeps
from sim.sweeps import runner
from sim.sweeps.runner import SweepRun
from tests.sweeps import cli, invoke, run_in_process, write_sweep


def test_sobol_store_holds_n_times_2d_plus_2_points_times_replicates(reference):
    assert len(reference.design) == 4 * (2 * 2 + 2)
    summary = reference.summary
    assert len(summary) == 4 * (2 * 2 + 2) * 2
    assert summary["run"].is_unique
    assert sorted(summary["run"]) == list(range(len(summary)))
    assert (summary.groupby("point").size() == 2).all()
    assert set(reference.series["day"]) == set(range(0, 141, 7))


@pytest.mark.slow
def test_same_summaries_in_process_on_dask_and_with_other_batch_sizes(reference, tmp_path):
    on_dask = run_in_process(write_sweep(tmp_path), tmp_path / "dask", workers=2)
    other_batches = run_in_process(write_sweep(tmp_path, batch_size=3), tmp_path / "b3")
    one_batch = run_in_process(write_sweep(tmp_path, batch_size=1000), tmp_path / "b1000")
    for other in (on_dask, other_batches, one_batch):
        assert other.summary.equals(reference.summary)
    assert on_dask.series.equals(reference.series)


def test_a_store_keeps_the_event_log_run_by_run(reference, tmp_path):
    """record = "summary+events": the store's events for a run are those of the same run alone
    (its seed and its design point's parameters), numbered as the sweep numbers it."""
    path = write_sweep(tmp_path, **{'record = "weekly"': 'record = "summary+events"'})
    store = run_in_process(path, tmp_path / "events")
    assert not list((store.folder / "series").glob("batch-*"))
    events = store.events
    assert set(events["run"]) <= set(store.summary["run"]) and len(events) > 0
    row = store.summary.iloc[17]
    seed = store.summary["seed"].iloc[17]  # the row's own dtype: a whole number, all its bits
    plan, scenario, _, _ = sweeps.load(path)
    values = {name: store.design.loc[row["point"], name] for name in plan.parameters}
    alone = EscalationModel(scenario, seeds=[seed], parameters=values, record_every=None)
    alone.run()
    own = alone.recorder.events.columns()
    mine = events[events["run"] == row["run"]]
    assert list(mine["event"]) == list(own["event"])
    assert list(mine["day"]) == list(own["day"])
    stored = [d if isinstance(d, str) else None for d in mine["district"]]
    assert stored == list(own["district"])


def test_a_killed_sweep_resumes_to_the_same_store(reference, tmp_path):
    path = write_sweep(tmp_path)
    out = tmp_path / "store"
    command = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--workers", "0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(list((out / "summary").glob("batch-*"))) < 1:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    saved = len(list((out / "summary").glob("batch-*")))
    assert 1 <= saved < 7, "the kill should land part-way"
    again = cli("sweep", str(path), "--out", str(out), "--workers", "0")
    assert again.returncode == 0, again.stderr
    resumed = sim.results.open(out)
    assert resumed.summary.equals(reference.summary)
    assert resumed.series.equals(reference.series)
    for table in ("summary", "series"):
        for original in (reference.folder / table).iterdir():
            assert (out / table / original.name).read_bytes() == original.read_bytes()
    batches = json.loads((out / "manifest.json").read_text())["batches"]
    assert all(b["status"] == "done" for b in batches.values())
    assert not list(out.rglob(".*.partial"))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_keeping_finished_batches(reference, tmp_path):
    path = write_sweep(tmp_path)
    out = tmp_path / "store"
    command = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--workers", "0"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a suite started as a background job inherits SIGINT ignored, and so would the sweep
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.time() + 300
    while time.time() < deadline and not list((out / "summary").glob("batch-*")):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    saved = len(list((out / "summary").glob("batch-*")))
    assert process.returncode == 130, err
    assert "run the same command to resume" in err and "Traceback" not in err
    assert 1 <= saved < 7
    assert cli("sweep", str(path), "--out", str(out), "--workers", "0").returncode == 0
    assert sim.results.open(out).summary.equals(reference.summary)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_does_not_stop_it(reference, tmp_path):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        run = SweepRun(*sweeps.load(write_sweep(tmp_path, batch_size=2)), tmp_path / "store")
        killed = []

        def kill_one_worker(runs: int) -> None:
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        run.execute(scheduler=cluster.scheduler_address, on_batch=kill_one_worker)
    assert killed
    assert sim.results.open(tmp_path / "store").summary.equals(reference.summary)


def test_a_changed_sweep_file_is_refused_against_an_existing_store(reference, tmp_path):
    changed = write_sweep(tmp_path, **{"seed = 5": "seed = 6"})
    result = cli("sweep", str(changed), "--out", str(reference.folder), "--workers", "0")
    assert result.returncode != 0
    assert "holds a different sweep" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


EXTRA_PARAMETERS = ("shelling_rate", "raid_rate", "civilian_share", "killed_per_breach")
EXTRA_PARAMETERS += ("injured_per_breach", "frustration_hts")

BAD = {
    "unknown parameter": ({"turkey_effort = ": "morale = "}, "parameters.morale"),
    "empty range": ({"[0.1, 0.9]": "[0.5, 0.5]"}, "parameters.coordination.range"),
    "inverted range": ({"[0.1, 0.9]": "[0.9, 0.1]"}, "parameters.coordination.range"),
    "outside plausible range": ({"[0.1, 0.9]": "[0.1, 1.9]"}, "parameters.coordination.range"),
    "too large": ({"seed = 5": "seed = 5\nmax_runs = 10"}, "design"),
    "unknown key": ({"seed = 5": "seed = 5\ncolour = 1"}, "colour"),
    "unknown design": ({'kind = "sobol"': 'kind = "magic"'}, "design.kind"),
    "broken TOML": ({"seed = 5": "seed = = 5"}, "not valid TOML"),
    "batch too big for memory": (
        {
            "batch_size = 7": "batch_size = 1000000",
            "replicates = 2": "replicates = 40000",
            "horizon = 140": "horizon = 3650",
            'record = "weekly"': 'record = "daily"',
        },
        "batch_size: 960,000 runs to day 3650 with its daily series need about 2,",
    ),
    "grid of 8 x 256 levels": (  # 256**8 runs: more than a 64-bit integer holds
        {
            'kind = "sobol", n = 4, second_order = true': 'kind = "grid", levels = 256',
            "coordination = ": "\n".join(f"{name} = {{}}" for name in EXTRA_PARAMETERS)
            + "\ncoordination = ",
        },
        "exceed max_runs",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_files_fail_with_one_line_before_any_run(case, tmp_path):
    changes, field = BAD[case]
    path = write_sweep(tmp_path, **changes)
    result = cli("sweep", str(path), "--out", str(tmp_path / "store"), "--workers", "0")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and field in lines[0]
    assert not (tmp_path / "store").exists()


def test_a_corrupt_store_gives_one_line(reference, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    for command in (
        ["results", str(broken)],
        ["sweep", str(write_sweep(tmp_path)), "--out", str(broken)],
    ):
        result = cli(*command)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1 and "manifest" in result.stderr
    shown = cli("results", str(reference.folder))
    assert shown.returncode == 0 and "48 of 48 runs" in shown.stdout
    damaged = tmp_path / "damaged"
    shutil.copytree(reference.folder, damaged)
    (damaged / "summary" / "batch-000003.parquet").write_bytes(b"PAR1 not really")
    result = cli("results", str(damaged))
    assert result.returncode != 0 and len(result.stderr.strip().splitlines()) == 1
    assert "batch" in result.stderr and "Traceback" not in result.stderr


def test_results_reads_a_run_folder_and_verify_refuses_it(tmp_path):
    out = tmp_path / "run"
    assert cli("run", "baseline", "--replicates", "2", "--out", str(out)).returncode == 0
    result = cli("results", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("baseline: 2 runs of one scenario")
    assert "peak_level" in result.stdout
    for command in (["sweep", str(out), "--verify"], ["discover", str(out), "--outcome", "x"]):
        result = cli(*command)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == f"error: {out}: a `sim run` folder, not a sweep store\n"


def test_the_shipped_sweeps_are_valid():
    names = {}
    for path in sorted(Path("experiments").glob("*.toml")):
        if sweeps.is_sweep_file(path):
            sweep, _, _, _ = sweeps.load(path)
            names[sweep.name] = sweep
    assert invoke("validate", "experiments/calibrate_baseline.toml")[0] == 0
    assert {"delayed_assault", "power_vacuum", "sobol_baseline"} <= set(names)
    assert names["delayed_assault"].design.kind == "grid"
    assert names["power_vacuum"].design.kind == "lhs"
    assert names["sobol_baseline"].design.kind == "sobol"


def test_the_local_cluster_listens_on_loopback_only_with_no_dashboard(tmp_path, monkeypatch):
    """While a sweep runs on its own LocalCluster, every socket its processes listen on is on
    127.0.0.1, none on the dashboard's usual port 8787, and the workers' profiler is off."""
    import dask
    import psutil

    seen: dict[str, object] = {}
    connect = runner.connect

    def spying(scheduler):
        client = connect(scheduler)
        seen["profile"] = set(
            client.run(dask.config.get, "distributed.worker.profile.enabled").values()
        )
        seen["sockets"] = [
            c.laddr
            for p in [psutil.Process(), *psutil.Process().children(recursive=True)]
            for c in p.net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        ]
        return client

    monkeypatch.setattr(runner, "connect", spying)
    run_in_process(write_sweep(tmp_path, batch_size=1000), tmp_path / "store", workers=1)
    assert seen["profile"] == {False}
    assert seen["sockets"] and all(a.ip == "127.0.0.1" for a in seen["sockets"])
    assert all(a.port != 8787 for a in seen["sockets"])


def test_an_unreachable_scheduler_fails_fast_with_one_line(tmp_path):
    start = time.time()
    status, _, err = invoke(
        "sweep", write_sweep(tmp_path), "--out", tmp_path / "s", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert status == 2 and "cannot connect" in err and len(err.strip().splitlines()) == 1
    assert time.time() - start < 30
    status, _, err = invoke(
        "sweep", write_sweep(tmp_path), "--out", tmp_path / "t", "--scheduler", "nonsense://x"
    )
    assert status == 2 and "--scheduler" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("reply", [b"", b"HTTP/1.0 400 Bad request\r\n\r\n<html></html>" * 50])
def test_a_server_that_is_not_dask_is_one_line_within_seconds(tmp_path, reply):
    """A web server at --scheduler: silent (Dask's handshake would wait for ever) or sending
    bytes that are not Dask's (read as a frame of exabytes)."""
    server = socket.create_server(("127.0.0.1", 0))
    held = []

    def answer() -> None:
        connection, _ = server.accept()
        held.append(connection)  # kept open, so a silent server stays silent
        connection.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    start = time.time()
    status, _, err = invoke(
        "sweep", write_sweep(tmp_path), "--out", tmp_path / "s", "--scheduler", address
    )
    assert status == 2 and "no Dask scheduler answered" in err, err
    assert len(err.strip().splitlines()) == 1 and time.time() - start < 10
    server.close()


def test_duckdb_queries_a_store_and_finds_grid_levels_by_value(tmp_path):
    """Issue 9: DuckDB joins design and series on `point` straight over the Parquet files; a
    grid level is stored as 0.6, so WHERE turkey_effort = 0.6 finds it; every column says
    what it is; day columns read back as nullable integers."""
    import duckdb
    import pyarrow.parquet as pq

    grid = {
        'kind = "sobol", n = 4, second_order = true': 'kind = "grid", levels = 6',
        "horizon = 140": "horizon = 63",
        'record = "weekly"': 'record = "weekly+events"',
    }
    store = run_in_process(write_sweep(tmp_path, **grid), tmp_path / "store").folder
    found = duckdb.sql(
        f"""SELECT count(*) AS n, count(DISTINCT s.run) AS runs
            FROM read_parquet('{store}/design.parquet') d
            JOIN read_parquet('{store}/series/*.parquet') s USING (point)
            WHERE d.turkey_effort = 0.6"""
    ).fetchall()[0]
    assert found == (6 * 2 * 10, 6 * 2)  # 6 coordination levels x 2 replicates, 10 weeks
    in_summary = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{store}/summary/*.parquet') WHERE turkey_effort = 0.6"
    ).fetchall()[0]
    assert in_summary == (12,)
    for table in ("summary", "series", "events"):
        schema = pq.read_schema(next((store / table).glob("*.parquet")))
        for field in schema:
            assert field.metadata and field.metadata[b"description"], (table, field.name)
    summary = sim.results.open(store).summary
    assert str(summary["first_offensive_day"].dtype) == "Int32"
    assert {"point", "replicate"} <= set(sim.results.open(store).series.columns)


def test_from_sweep_re_runs_a_stored_run_exactly(reference, tmp_path):
    """Issue 9: `sim run --from-sweep DIR --run K` takes the scenario, parameters and seed from
    the store; its summary is the stored row (all but `run`); --from-run repeats that again."""
    import pyarrow.parquet as pq

    a, b = tmp_path / "a", tmp_path / "b"
    status, _, err = invoke("run", "--from-sweep", reference.folder, "--run", "17", "--out", a)
    assert status == 0, err
    again = pq.read_table(a / "summary.parquet").to_pandas()
    stored = reference.summary.set_index("run").loc[[17]].reset_index(drop=True)
    common = [c for c in again.columns if c in stored.columns and c != "run"]
    assert len(common) > 100
    for name in common:
        mine, theirs = again[name].iloc[0], stored[name].iloc[0]
        assert (pd.isna(mine) and pd.isna(theirs)) or mine == theirs, name
    status, _, err = invoke("run", "--from-run", a, "--run", "0", "--out", b)
    assert status == 0, err
    assert pq.read_table(b / "summary.parquet").equals(pq.read_table(a / "summary.parquet"))
    for args, said in [
        (["--from-sweep", reference.folder, "--run", "48"], "it holds runs 0 to 47"),
        (["--from-sweep", reference.folder], "--run K"),
        (["baseline", "--from-sweep", reference.folder, "--run", "1"], "the stored run sets"),
        ([], "give a scenario"),
        (["--from-sweep", reference.folder, "--run", "1", "--seed", "4"], "sets the runs and seed"),
        (["baseline", "--run", "1"], "--run: give --from-sweep"),
    ]:
        status, _, err = invoke("run", *args, "--out", tmp_path / "c")
        assert status == 2 and said in err and len(err.strip().splitlines()) == 1, err


def test_sim_sweep_run_is_the_python_entry_point(reference, tmp_path):
    import sim.sweep

    store = sim.sweep.run(write_sweep(tmp_path), out=tmp_path / "store", workers=0)
    assert store.summary.equals(reference.summary)


def test_sim_sweep_run_changes_the_files_size_but_not_its_scenario(tmp_path):
    """The notebooks' small size: `replicates` and `design` replace the file's, checked like
    the file; a key that shapes the scenario cannot be changed."""
    import sim.sweep
    from sim.io.disk import ResultsError
    from sim.model.scenario import ScenarioError

    file = write_sweep(tmp_path, **{"horizon = 140": "horizon = 21"})
    small = {"replicates": 3, "design": {"kind": "grid", "levels": 2}}
    store = sim.sweep.run(file, out=tmp_path / "store", workers=0, **small)
    assert len(store.design) == 4 and store.done == 4 * 3
    assert store.manifest["sweep"]["replicates"] == 3
    with pytest.raises(ResultsError, match=r"sizes sim\.sweep\.run was given\) has changed"):
        sim.sweep.run(file, out=tmp_path / "store", workers=0, replicates=2)
    for changes, said in [
        ({"horizon": 7}, "horizon: cannot be changed"),
        ({"replicates": 0}, "replicates"),
    ]:
        with pytest.raises(ScenarioError, match=said):
            sim.sweep.run(file, out=tmp_path / "other", workers=0, **changes)
        assert not (tmp_path / "other").exists()


def test_from_sweep_works_for_a_sweep_shorter_than_its_scenarios_events(tmp_path):
    """A sweep's horizon leaves out the scenario's later events (the summit on day 128), so its
    stored scenario is valid and a stored run can be re-run."""
    path = write_sweep(tmp_path, **{"horizon = 140": "horizon = 100", "n = 4": "n = 1"})
    store = run_in_process(path, tmp_path / "store")
    assert store.manifest["scenario"]["events"]["summit_days"] == []
    status, _, err = invoke(
        "run", "--from-sweep", store.folder, "--run", "3", "--out", tmp_path / "r"
    )
    assert status == 0, err
