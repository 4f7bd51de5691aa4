"""The sweep store under faults: damaged files, changed inputs, two writers, a full disk, planted
symlinks, corrupt manifests. Nothing is lost, doubled or mixed; the tool refuses with one line."""

import contextlib
import errno
import json
import random
import shutil
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sim
import sim.results
from sim.io.disk import ResultsError
from sim.sweeps import design as sweeps
from sim.sweeps import store as stores
from sim.sweeps.runner import SweepRun
from tests.sweeps import invoke, write_sweep


class Stop(KeyboardInterrupt):
    """Stops a sweep after a number of batches, as Ctrl-C would."""


def stop_at_first_batch(runs: int) -> None:
    """Stops a sweep after its first batch."""
    raise Stop


def copy_of(reference, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(reference.folder, store)
    return store


def same_as_reference(store: Path, reference) -> None:
    found = sim.results.open(store)
    assert found.verify() == {}
    assert found.summary.equals(reference.summary)
    assert found.series.equals(reference.series)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


FAULTS = {
    "truncated summary": lambda s: truncate(s / "summary" / "batch-000003.parquet"),
    "deleted series": lambda s: (s / "series" / "batch-000002.parquet").unlink(),
    "flipped byte": lambda s: flip_a_byte(s / "summary" / "batch-000005.parquet"),
    "deleted summary folder": lambda s: shutil.rmtree(s / "summary"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_damaged_store_is_refused_then_mended_by_resuming(fault, reference, tmp_path):
    store = copy_of(reference, tmp_path)
    FAULTS[fault](store)
    for command in (["results", store], ["sweep", store, "--verify"]):
        status, _, err = invoke(*command)
        assert status == 2 and "batch" in one_line(err)
    with pytest.raises(ResultsError):  # the damaged table is not read
        found = sim.results.open(store)
        found.summary, found.series  # noqa: B018 (reading is the test)
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")
    assert status == 0, err
    assert "will run again" in err
    same_as_reference(store, reference)
    status, out, _ = invoke("sweep", store, "--verify")
    assert status == 0 and "7 of 7 batches saved" in out


def test_resuming_removes_what_a_killed_writer_left_half_written(reference, tmp_path):
    store = copy_of(reference, tmp_path)
    left = [
        store / ".manifest.json.x1.partial",
        store / "series" / ".batch-000000.parquet.x2.partial",
    ]
    for path in left:
        path.write_bytes(b"half a file")
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")
    assert status == 0, err
    assert not any(path.exists() for path in left)
    same_as_reference(store, reference)


def test_results_counts_only_runs_it_read(reference, tmp_path):
    store = copy_of(reference, tmp_path)
    status, out, _ = invoke("results", store)
    assert status == 0 and "48 of 48 runs saved" in out
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["batches"]["6"].update(status="pending")  # a sweep stopped before its last batch
    (store / "manifest.json").write_text(json.dumps(manifest))
    status, out, _ = invoke("results", store)
    assert status == 0 and f"{48 - manifest['batches']['6']['runs']} of 48 runs saved" in out


def scenario_sweep(folder: Path) -> tuple[Path, Path]:
    """The small sweep on a copy of baseline's scenario file, stopped after its first batch:
    a store that a resume reads as any other."""
    scenario = folder / "base.toml"
    shutil.copy(Path("scenarios") / "baseline.toml", scenario)
    path = write_sweep(folder, **{'scenario = "baseline"': 'scenario = "base.toml"'})
    with SweepRun(*sweeps.load(path), folder / "store") as run, contextlib.suppress(Stop):
        run.execute(workers=0, on_batch=stop_at_first_batch)
    assert sim.results.open(folder / "store").done == 7
    return path, folder / "store"


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda text: text + "\n# a comment\n", "the base scenario's file has changed"),
        (lambda text: text.replace("seed = ", "seed = 1"), "the base scenario's values"),
    ],
)
def test_resuming_with_a_changed_base_scenario_is_refused(edit, said, tmp_path):
    path, store = scenario_sweep(tmp_path)
    scenario = tmp_path / "base.toml"
    scenario.write_text(edit(scenario.read_text()))
    status, _, err = invoke("sweep", path, "--out", store, "--workers", "0")
    assert status == 2 and said in one_line(err)


@pytest.mark.parametrize(
    ("patch", "said"),
    [
        (("sim.sweeps.store.code_digest", lambda: "0" * 64), "the model's code has changed"),
        (("sim.__version__", "99.0"), "the package version has changed"),
    ],
)
def test_resuming_with_another_model_is_refused(patch, said, reference, tmp_path, monkeypatch):
    store = copy_of(reference, tmp_path)
    monkeypatch.setattr(*patch)
    with pytest.raises(ResultsError, match=said):
        SweepRun(*sweeps.load(write_sweep(tmp_path)), store)


def test_another_record_option_names_the_option(reference, tmp_path):
    store = copy_of(reference, tmp_path)
    status, _, err = invoke(
        "sweep", write_sweep(tmp_path), "--out", store, "--record", "summary", "--workers", "0"
    )
    assert status == 2 and "--record weekly" in one_line(err)


def test_a_second_writer_is_turned_away_naming_the_first(reference, tmp_path):
    store = copy_of(reference, tmp_path)
    path = write_sweep(tmp_path)
    with SweepRun(*sweeps.load(path), store):
        status, _, err = invoke("sweep", path, "--out", store, "--workers", "0")
        assert status == 2
        assert f"another process is writing this folder (pid {__import__('os').getpid()}" in err
    status, _, err = invoke("sweep", path, "--out", store, "--workers", "0")
    assert status == 0, err  # the lock goes with the first writer


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_store_is_created_whole_or_not_at_all(reference, tmp_path, monkeypatch):
    path, store = write_sweep(tmp_path), tmp_path / "store"
    monkeypatch.setattr(pq, "write_table", no_space)
    status, _, err = invoke("sweep", path, "--out", store, "--workers", "0")
    assert status == 1 and "No space left on device" in one_line(err)  # the machine's fault
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # nothing half-made
    monkeypatch.undo()
    assert invoke("sweep", path, "--out", store, "--workers", "0")[0] == 0
    same_as_reference(store, reference)


def test_a_full_disk_mid_sweep_loses_nothing(reference, tmp_path, monkeypatch):
    path, store = write_sweep(tmp_path), tmp_path / "store"
    real, calls = pq.write_table, []

    def fills_up(*args, **kwargs):
        calls.append(1)
        if len(calls) > 8:  # the design and the catalog, then three batches of two tables
            no_space()
        real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fills_up)
    status, _, err = invoke("sweep", path, "--out", store, "--workers", "0")
    assert status == 1 and "run the same command to resume" in one_line(err)
    kept = sim.results.open(store)
    assert kept.verify() == {} and kept.done == 3 * 7
    monkeypatch.undo()
    assert invoke("sweep", path, "--out", store, "--workers", "0")[0] == 0
    same_as_reference(store, reference)


def test_a_planted_symlink_is_never_followed(reference, tmp_path, monkeypatch):
    """A symlink planted at the very name the temporary file would take first: the file is
    created exclusively beside it, and the symlink's target is untouched."""
    store = copy_of(reference, tmp_path)
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["batches"]["1"].update(status="pending")
    (store / "manifest.json").write_text(json.dumps(manifest))
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (store / "summary" / ".batch-000001.parquet.planted.partial").symlink_to(victim)
    names = iter(["planted", *(f"free{k}" for k in range(1000))])
    monkeypatch.setattr(tempfile, "_get_candidate_names", lambda: names)
    assert invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")[0] == 0
    assert victim.read_text() == "precious"
    same_as_reference(store, reference)


CORRUPT = {
    "no batches": lambda m: m.update(batches={}),
    "a batch that is a string": lambda m: m["batches"].update({"3": "done"}),
    "an extra batch": lambda m: m["batches"].update({"7": dict(m["batches"]["6"])}),
    "a batch key that is not a number": lambda m: m["batches"].update({"x": {}}),
    "files that are not a table": lambda m: m["batches"]["2"].update(files=["summary"]),
    "not an object": lambda m: m.clear(),
    "an identity that is a string": lambda m: m.update(identity="x"),
    "an edited design kind": lambda m: m["sweep"]["design"].update(kind="morris"),
    "an edited parameter range": lambda m: m["sweep"]["parameters"].update(
        turkey_effort={"range": [0.0, 0.1]}
    ),
    "an edited record option": lambda m: m["sweep"].update(record="summary"),
    "an edited scenario value": lambda m: m["scenario"].update(horizon=99),
    "an edited scenario file": lambda m: m.update(scenario_file="name = 'x'"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_a_manifest_of_the_wrong_shape_is_one_line(case, reference, tmp_path):
    store = copy_of(reference, tmp_path)
    manifest = json.loads((store / "manifest.json").read_text())
    CORRUPT[case](manifest)
    (store / "manifest.json").write_text(json.dumps(manifest if manifest else []))
    for command in (
        ["results", store],
        ["sweep", store, "--verify"],
        ["sweep", write_sweep(tmp_path), "--out", store, "--workers", "0"],
    ):
        status, _, err = invoke(*command)
        assert status == 2 and "manifest" in one_line(err)


@pytest.mark.slow
def test_any_sequence_of_stops_faults_and_resumes_ends_as_one_uninterrupted_sweep(
    reference, tmp_path
):
    """Random sequences (fixed seeds): stop after a few batches, damage a saved file or not,
    resume; the store never reports a run it does not hold, and ends equal to the reference."""
    path = write_sweep(tmp_path)
    for trial in range(4):
        rng, store = random.Random(trial), tmp_path / f"store-{trial}"
        for _ in range(3):
            with SweepRun(*sweeps.load(path), store) as run:
                stop_after, saved = rng.randint(1, 3), []

                def stop(runs: int, stop_after=stop_after, saved=saved) -> None:
                    saved.append(runs)
                    if len(saved) >= stop_after:
                        raise Stop

                with contextlib.suppress(Stop):
                    run.execute(workers=0, on_batch=stop)
            found = sorted(store.glob("*/batch-*.parquet"))
            victim = rng.choice(found)
            rng.choice([truncate, flip_a_byte, Path.unlink, lambda p: None])(victim)
            try:
                summary = sim.results.open(store).summary
            except ResultsError:
                continue
            assert summary["run"].is_unique
            assert sim.results.open(store).done == len(summary)
        assert invoke("sweep", path, "--out", store, "--workers", "0")[0] == 0
        same_as_reference(store, reference)


def test_a_table_folder_linked_into_another_store_is_never_written(reference, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(reference.folder, other)
    before = {p.name: p.read_bytes() for p in (other / "summary").iterdir()}
    store = copy_of(reference, tmp_path)
    shutil.rmtree(store / "summary")
    (store / "summary").symlink_to(other / "summary")
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["batches"]["2"].update(status="pending")
    (store / "manifest.json").write_text(json.dumps(manifest))
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")
    assert status == 2 and "a link, not the store's own folder" in one_line(err)
    assert {p.name: p.read_bytes() for p in (other / "summary").iterdir()} == before


def test_a_design_that_is_not_the_stores_is_refused_even_with_its_hash_updated(reference, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    store = copy_of(reference, tmp_path)
    design = pq.read_table(store / "design.parquet").to_pandas()
    design["turkey_effort"] = 1.0 - design["turkey_effort"]
    pq.write_table(pa.Table.from_pandas(design, preserve_index=False), store / "design.parquet")
    manifest = json.loads((store / "manifest.json").read_text())
    manifest["design_sha256"] = stores.sha256(store / "design.parquet")
    (store / "manifest.json").write_text(json.dumps(manifest))
    for command in (
        ["run", "--from-sweep", store, "--run", "3", "--out", tmp_path / "r"],
        ["sweep", store, "--verify"],
    ):
        status, _, err = invoke(*command)
        assert status == 2 and "not the store's design" in one_line(err)


def test_a_run_folder_given_as_a_store_keeps_no_lock_file(tmp_path):
    run = tmp_path / "run"
    assert invoke("run", "baseline", "--replicates", "1", "--out", run)[0] == 0
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", run, "--workers", "0")
    assert status == 2 and "not a sweep" in one_line(err)
    assert not (run / ".lock").exists()


def test_paths_with_brackets_and_escapes_are_printed_as_they_are(tmp_path):
    out = tmp_path / "r[/x]"
    status, printed, err = invoke("run", "baseline", "--replicates", "1", "--out", out)
    assert status == 0 and f"wrote {out}/" in printed, err
    status, _, err = invoke("validate", tmp_path / "a[/b]\x1b[31m.toml")
    assert status == 2 and "\\x1b[31m" in one_line(err)


def test_a_batch_reads_back_as_it_was_written(tmp_path):
    """Series, summary and event log, with their column metadata and categories, through the
    store's Parquet writer and back: the same tables."""
    import numpy as np

    from sim.io.tables import write_parquet
    from sim.model.scenario import load
    from sim.sweeps.runner import run_batch

    tables, _ = run_batch(load("humanitarian_shock")[0], {}, np.arange(6), 3, 9, 7, True)
    assert set(tables) == {"summary", "series", "events"}
    for name, table in tables.items():
        write_parquet(tmp_path / f"{name}.parquet", table)
        back = pq.read_table(tmp_path / f"{name}.parquet")
        assert back.schema.equals(table.schema, check_metadata=True), name
        assert back.equals(table), name
