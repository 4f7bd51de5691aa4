"""Manifests that were edited after the runs: of a sweep store (counts, batches, digests), of a
`sim run` folder and of a calibration folder. Every reader refuses them with one `error:` line
and exit status 2, or reports exactly what the store holds."""

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sweeps import invoke, write_sweep


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].isprintable(), err
    return lines[0]


@pytest.fixture
def store(reference, tmp_path) -> Path:
    """A copy of the reference store (24 points x 2 replicates, 7 batches of 7 runs or fewer)."""
    copy = tmp_path / "store"
    shutil.copytree(reference.folder, copy)
    return copy


def edit(store: Path, change) -> None:
    path = store / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def readers(store: Path, tmp_path: Path) -> list[list]:
    return [
        ["sweep", store, "--verify"],
        ["results", store],
        ["sweep", write_sweep(tmp_path), "--out", store, "--workers", "0"],
    ]


def replicated(manifest: dict, replicates: int) -> None:
    """Replicates edited, and the runs to match, with pending batches to make them up."""
    runs = manifest["points"] * replicates
    manifest.update(replicates=replicates, runs=max(runs, 48))
    for index, first in enumerate(range(48, runs, 7), start=7):
        manifest["batches"][str(index)] = {
            "first_run": first,
            "runs": min(7, runs - first),
            "status": "pending",
        }


def four_replicates(manifest: dict) -> None:
    """The issue's case: replicates 4 and runs 96 (24 points), 7 more batches pending."""
    replicated(manifest, 4)


EDITS = {
    "replicates and runs, batches to match": (four_replicates, "replicates: 4"),
    "batches of another size": (
        lambda m: m.update(
            batches={str(i): {"first_run": 8 * i, "runs": 8, "status": "pending"} for i in range(6)}
        ),
        "batches: not the batches of 48 runs in 7 a batch",
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_edited_counts_are_refused_by_every_reader(case, store, tmp_path):
    change, said = EDITS[case]
    edit(store, change)
    for command in readers(store, tmp_path):
        status, _, err = invoke(*command)
        assert status == 2 and f"{store / 'manifest.json'}: {said}" in one_line(err), command


def test_a_re_run_takes_its_seed_from_a_verified_store_or_refuses(reference, store, tmp_path):
    edit(store, four_replicates)
    status, _, err = invoke("run", "--from-sweep", store, "--run", "3", "--out", tmp_path / "r")
    assert status == 2 and "replicates: 4" in one_line(err)
    assert not (tmp_path / "r").exists()


FIELDS = st.sampled_from(
    ["replicates", "runs", "points", "first_run", "batch runs", "status", "file", "design", "id"]
)


def apply(manifest: dict, field: str, batch: int, value: int) -> None:
    chosen = manifest["batches"].get(str(batch), {"files": {"summary": {}}})
    if field == "replicates":
        replicated(manifest, value)
    elif field in ("runs", "points"):
        manifest[field] = value
    elif field == "first_run":
        chosen["first_run"] = value
    elif field == "batch runs":
        chosen["runs"] = value
    elif field == "status":
        chosen["status"] = "pending"
    elif field == "file":
        chosen["files"]["summary"]["sha256"] = f"{value:064x}"
    elif field == "design":
        manifest["design_sha256"] = f"{value:064x}"
    else:
        manifest["identity"]["design"] = f"{value:064x}"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(FIELDS, st.integers(0, 6), st.integers(0, 200)), min_size=1, max_size=3
    )
)
def test_any_edit_is_refused_or_counted_right(edits, reference, tmp_path):
    """Random edits of counts, batches and digests: `--verify` and `sim results` refuse with one
    line, or count exactly the runs of the batches still recorded as done (a batch marked
    pending is a batch to redo, not a fault)."""
    manifest = json.loads((reference.folder / "manifest.json").read_text())
    for field, batch, value in edits:
        apply(manifest, field, batch, value)
    store = tmp_path / "edited"
    shutil.copytree(reference.folder, store, dirs_exist_ok=True)
    (store / "manifest.json").write_text(json.dumps(manifest))
    done = sum(b["runs"] for b in manifest["batches"].values() if b["status"] == "done")
    for command in readers(store, tmp_path)[:2]:
        status, printed, err = invoke(*command)
        if status == 0:
            assert manifest["replicates"] == 2 and manifest["runs"] == 48, edits
            assert f"{done:,} of 48 runs" in printed.replace("\n", " "), (edits, printed)
        else:
            assert status == 2, (edits, err)
            one_line(err)


def test_a_manifest_nested_too_deeply_is_one_line(store, tmp_path):
    (store / "manifest.json").write_text('{"a":' * 200_000)
    for command in [
        *readers(store, tmp_path),
        ["run", "--from-sweep", store, "--run", "3", "--out", tmp_path / "r"],
    ]:
        status, _, err = invoke(*command)
        assert status == 2 and "manifest.json: not a valid manifest" in one_line(err), command


def test_resuming_a_store_whose_design_was_replaced_is_refused(store, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    design = pq.read_table(store / "design.parquet").to_pandas()
    design["coordination"] = 0.5
    pq.write_table(pa.Table.from_pandas(design, preserve_index=False), store / "design.parquet")
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")
    assert status == 2 and f"{store / 'design.parquet'}: altered" in one_line(err)


def test_a_folder_named_like_a_temporary_file_stops_a_resume(store, tmp_path):
    planted = store / "summary" / ".batch-000001.parquet.x.partial"
    planted.mkdir()
    status, _, err = invoke("sweep", write_sweep(tmp_path), "--out", store, "--workers", "0")
    assert status == 2 and f"error: {planted}: a folder" in one_line(err)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs") / "run"
    status, _, err = invoke("run", "baseline", "--replicates", "2", "--out", folder)
    assert status == 0, err
    return folder


RUN_EDITS = {
    "a parameter, in range": (
        lambda f: edit(f, lambda m: m["parameters"].update(turkey_effort=0.61)),
        "manifest.json: edited after it was written",
    ),
    "a seed": (
        lambda f: edit(f, lambda m: m["seeds"].reverse()),
        "manifest.json: edited after it was written",
    ),
    "the summary": (
        lambda f: (f / "summary.parquet").write_bytes(b"PAR1"),
        "summary.parquet: altered or truncated",
    ),
}


@pytest.mark.parametrize("case", sorted(RUN_EDITS))
def test_a_run_folder_edited_after_the_run_is_refused(case, run_folder, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    change, said = RUN_EDITS[case]
    change(folder)
    status, _, err = invoke("run", "--from-run", folder, "--run", "1", "--out", tmp_path / "r")
    assert status == 2 and f"error: {folder}/{said}" in one_line(err)
    assert not (tmp_path / "r").exists()


def test_an_unedited_run_folder_re_runs(run_folder, tmp_path):
    status, _, err = invoke("run", "--from-run", run_folder, "--run", "1", "--out", tmp_path / "r")
    assert status == 0, err
    again = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert again["seeds"] == json.loads((run_folder / "manifest.json").read_text())["seeds"][1:]


def test_the_manifest_lists_the_versions_python_reads_of_every_package(run_folder):
    from importlib.metadata import distributions

    parsed = {d.metadata["Name"].lower(): d.version for d in distributions() if d.metadata["Name"]}
    versions = json.loads((run_folder / "manifest.json").read_text())["versions"]
    assert versions == dict(sorted(parsed.items())) and versions["numpy"]


def test_a_package_s_version_is_read_from_its_header_not_its_description():
    from sim.io.disk import metadata_header

    text = "Metadata-Version: 2.1\nName: numpy\nVersion: 2.5.5\n\nName: other\nVersion: 1\n"
    assert metadata_header(text) == {"Name": "numpy", "Version": "2.5.5"}
