"""The sweep store: a folder that a sweep fills batch by batch and can resume.

    DIR/manifest.json        the sweep as resolved, its identity, versions, seeds, batch status
    DIR/design.parquet       one row per design point
    DIR/columns.parquet      the catalog: each table's columns, what they hold and mean
    DIR/summary/batch-NNNNNN.parquet    one row per run (the model's summary + point, replicate)
    DIR/series/batch-NNNNNN.parquet     the weekly or daily series, if recorded
    DIR/events/batch-NNNNNN.parquet     the event log, if recorded
    DIR/.lock                the lock held by the process filling the store

What the store promises:
- It is created whole or not at all: made in a temporary folder beside DIR and renamed into
  place.
- It holds one sweep: its identity (the sweep as resolved, the base scenario's values and file
  text, the package version and a digest of the model's code) is in the manifest, and resuming
  with any of them changed is refused, saying which.
- It proves what it holds: each batch's files are written to temporary names, flushed and
  renamed; only then does the manifest record the batch as done, with each file's row count and
  SHA-256. Resuming checks every done batch against them and redoes any whose files are
  missing, truncated or altered.
- One writer at a time: the process filling the store holds its lock file.
"""

import hashlib
import io
import json
import os
import platform
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import sim
from sim.io.disk import (
    ResultsError,
    code_digest,
    file_problem,
    git_commit,
    installed_versions,
    is_whole,
    json_digest,
    lock,
    now,
    read_json,
    refuse_inside_results,
    sha256,
    sync_folder,
    write_atomic,
)
from sim.io.tables import COLUMNS, STORE_TABLES, catalog, to_table, write_parquet
from sim.model.scenario import Scenario
from sim.sweeps.design import Sweep

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
TABLES = ("summary", "series", "events")
FOLDER_FILES = {DESIGN: "design_sha256", COLUMNS: "columns_sha256"}
"""The store's files beside its batches, each with the manifest's field holding its SHA-256."""


def batch_file(folder: Path, table: str, index: int) -> Path:
    """Where batch `index` of a table lives."""
    return folder / table / f"batch-{index:06d}.parquet"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def plan(runs: int, batch_size: int) -> list[tuple[int, int]]:
    """(first run, run count) of each batch."""
    return [(first, min(batch_size, runs - first)) for first in range(0, runs, batch_size)]


LIBRARIES = ("numpy", "scipy", "SALib", "pyarrow", "mesa")
"""The libraries whose versions a run's bits (and a design's points) depend on."""


def identity(
    sweep: Sweep, scenario: Scenario, scenario_text: str, design: dict[str, Any]
) -> dict[str, str]:
    """What makes a store's runs what they are; a store resumes only with all of it unchanged
    (the sweep's `record` is compared on its own, to name it)."""
    return {
        "sweep": _sweep_digest(sweep.model_dump(mode="json")),
        "record": sweep.record,
        "design": design_digest(design),
        "scenario_values": json_digest(scenario.model_dump(mode="json")),
        "scenario_file": _digest(scenario_text),
        "package_version": sim.__version__,
        "model_code": code_digest(),
        "libraries": ", ".join(f"{name} {version(name)}" for name in LIBRARIES),
    }


def _sweep_digest(sweep: dict[str, Any]) -> str:
    """SHA-256 of a sweep as written in a manifest, its `record` left out (compared apart)."""
    return json_digest({k: v for k, v in sweep.items() if k != "record"})


def design_digest(design: dict[str, Any]) -> str:
    """SHA-256 of a design's columns (names and values): what the store's points are."""
    points = hashlib.sha256()
    for name, column in sorted(design.items()):
        points.update(name.encode() + np.ascontiguousarray(column, dtype=float).tobytes())
    return points.hexdigest()


_CHANGED = {
    "sweep": "the sweep (its file, or the sizes sim.sweep.run was given) has changed",
    "design": "its design's points have changed",
    "scenario_values": "the base scenario's values have changed",
    "scenario_file": "the base scenario's file has changed",
    "package_version": "the package version has changed",
    "model_code": "the model's code has changed",
    "libraries": "the numerical libraries' versions have changed",
}


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a sweep folder; a missing or corrupt one is a one-line ResultsError."""
    path = folder / MANIFEST
    try:
        manifest = read_json(path, "manifest")
    except FileNotFoundError:
        kind = "not a folder" if folder.exists() and not folder.is_dir() else "no " + MANIFEST
        raise ResultsError(f"{folder}: not a sweep folder ({kind})") from None
    if isinstance(manifest, dict) and "scenario_file" in manifest and "batches" not in manifest:
        raise ResultsError(f"{folder}: a `sim run` folder, not a sweep store")
    if isinstance(manifest, dict) and "batches" in manifest and "identity" not in manifest:
        raise ResultsError(
            f"{folder}: a store made by an older sim, which it can no longer check; "
            "run the sweep again with another --out"
        )
    problem = _shape_problem(manifest) or _identity_problem(manifest) or _count_problem(manifest)
    if problem:
        raise ResultsError(f"{path}: {problem} (corrupt manifest)")
    return manifest


def _shape_problem(manifest: Any) -> str | None:
    """What is wrong with a manifest's shape, if anything."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    batches = manifest.get("batches")
    if not isinstance(batches, dict) or not batches:
        return "no batch table"
    tables = manifest.get("tables")
    if not isinstance(tables, list) or "summary" not in tables or not set(tables) <= set(TABLES):
        return "no table list"
    sweep = manifest.get("sweep")
    if not isinstance(sweep, dict) or not is_whole(sweep.get("seed")) or not sweep.get("name"):
        return "no sweep"
    design = sweep.get("design")
    if not isinstance(sweep.get("parameters"), dict) or not (
        isinstance(design, dict) and isinstance(design.get("kind"), str)
    ):
        return "no sweep parameters or design"
    scenario = manifest.get("scenario")
    if not isinstance(scenario, dict) or not is_whole(scenario.get("horizon"), 1):
        return "no scenario"
    counts = ("runs", "points", "replicates")
    if not all(is_whole(manifest.get(k), 1) for k in counts) or not isinstance(
        manifest.get("identity"), dict
    ):
        return "no run, point or replicate count, or no identity"
    if manifest["points"] * manifest["replicates"] != manifest["runs"]:
        return "points x replicates is not the run count"
    first = 0
    for key in sorted(batches, key=lambda k: int(k) if k.isascii() and k.isdigit() else -1):
        batch = batches[key]
        if not (key.isascii() and key.isdigit()) or not isinstance(batch, dict):
            return f"batch {key!r} is not a batch"
        if batch.get("first_run") != first or not is_whole(batch.get("runs"), 1):
            return f"batch {key}: runs out of sequence"
        if batch.get("status") not in ("pending", "done"):
            return f"batch {key}: unknown status"
        files = batch.get("files", {})
        if not isinstance(files, dict) or not all(
            isinstance(f, dict) and is_whole(f.get("rows")) and isinstance(f.get("sha256"), str)
            for f in files.values()
        ):
            return f"batch {key}: malformed file list"
        if "summary" in files and files["summary"]["rows"] != batch["runs"]:
            return f"batch {key}: its summary has {files['summary']['rows']} rows for its runs"
        first += batch["runs"]
    if first != manifest["runs"]:
        return f"the batches hold {first} runs, the sweep {manifest['runs']}"
    return None


def _identity_problem(manifest: dict[str, Any]) -> str | None:
    """Whether the sweep and scenario a manifest describes are those its identity was made
    from: an edited design kind, parameter range or scenario value would otherwise be read
    (by `sim sensitivity`, say) as what the runs were made with."""
    wanted = manifest["identity"]
    sweep = manifest["sweep"]
    if _sweep_digest(sweep) != wanted.get("sweep") or sweep.get("record") != wanted.get("record"):
        return "sweep: not the one its runs were made with"
    scenario = manifest["scenario"]
    scenario_text = manifest.get("scenario_file")
    if json_digest(scenario) != wanted.get("scenario_values") or (
        not isinstance(scenario_text, str) or _digest(scenario_text) != wanted.get("scenario_file")
    ):
        return "scenario: not the base scenario its runs were made with"
    return None


def _count_problem(manifest: dict[str, Any]) -> str | None:
    """Whether a manifest's counts and batches are its (verified) sweep's: the replicates
    number the runs (run r is point r // replicates), so an edited count would re-run or read
    other runs than the stored ones."""
    sweep = manifest["sweep"]
    if manifest["replicates"] != sweep.get("replicates"):
        return f"replicates: {manifest['replicates']}, its sweep's are {sweep.get('replicates')}"
    batch_size = sweep.get("batch_size")
    planned = [(b["first_run"], b["runs"]) for _, b in sorted_batches(manifest)]
    if not is_whole(batch_size, 1) or planned != plan(manifest["runs"], batch_size):
        return f"batches: not the batches of {manifest['runs']} runs in {batch_size} a batch"
    return None


class SweepStore:
    """A sweep folder, opened for filling: holds its lock until `close()`."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder, self.manifest = folder, manifest
        self._lock: io.FileIO | None = None

    @classmethod
    def open(
        cls,
        folder: Path,
        sweep: Sweep,
        scenario: Scenario,
        sweep_text: str,
        scenario_text: str,
        design: dict[str, Any],
        batches: list[tuple[int, int]],
    ) -> "SweepStore":
        """Resume the sweep in `folder`, or create it there; refuse a folder holding anything
        else, a store of another sweep, scenario or model, or one another process is filling."""
        wanted = identity(sweep, scenario, scenario_text, design)
        try:
            made = (folder / MANIFEST).exists()
        except OSError as error:  # a name too long, say
            raise ResultsError(
                f"{folder}: cannot use it as a store: {error.strerror}", error
            ) from None
        if not made:
            refuse_inside_results(folder)
            manifest = {
                "identity": wanted,
                "sweep": sweep.model_dump(mode="json"),
                "sweep_file": sweep_text,
                "scenario": scenario.model_dump(mode="json"),
                "scenario_file": scenario_text,
                "tables": _recorded(sweep),
                "points": len(next(iter(design.values()))),
                "replicates": sweep.replicates,
                "runs": sum(count for _, count in batches),
                "seed_scheme": "run r is design point r // replicates, replicate r % replicates; "
                "its seed is splitmix64(master seed, point, replicate) "
                "(sim.model.streams.sweep_seeds)",
                "package_version": sim.__version__,
                "git_commit": git_commit(),
                "python": platform.python_version(),
                "versions": installed_versions(),
                "created": now(),
                "updated": now(),
                "batches": {
                    str(i): {"first_run": first, "runs": count, "status": "pending"}
                    for i, (first, count) in enumerate(batches)
                },
            }
            inputs = [*sweep.parameters, *scenario.drawn]
            tables = {name: STORE_TABLES[name] for name in ["design", *manifest["tables"]]}
            _create(
                folder,
                manifest,
                to_table(design, "design", inputs=inputs),
                catalog(tables, inputs, list(sweep.parameters)),
            )
        read_manifest(folder)  # a sweep store, before its lock file is made in it
        store = cls(folder, {})
        store._lock = lock(folder)
        try:
            store.manifest = read_manifest(folder)
            store._check(wanted)
            store._remove_partials()
            planned = [(b["first_run"], b["runs"]) for _, b in sorted_batches(store.manifest)]
            if planned != list(batches):
                raise ResultsError(
                    f"{folder / MANIFEST}: batches: not the sweep's (corrupt manifest)"
                )
            if FOLDER_FILES[COLUMNS] not in store.manifest:
                raise ResultsError(
                    f"{folder}: a store made by an older sim, without {COLUMNS}, which this one "
                    "cannot add to; run the sweep again with another --out"
                )
            for name, key in FOLDER_FILES.items():
                problem = file_problem(folder / name, store.manifest.get(key))
                if problem:
                    raise ResultsError(
                        f"{folder / name}: {problem}; the store cannot be used, make it anew"
                    )
        except BaseException:
            store.close()
            raise
        return store

    def _check(self, wanted: dict[str, str]) -> None:
        found = self.manifest["identity"]
        changed = [what for key, what in _CHANGED.items() if found.get(key) != wanted[key]]
        if changed:
            raise ResultsError(
                f"{self.folder}: holds a different sweep ({changed[0]} since the store was "
                "made); run the new sweep with another --out"
            )
        if found.get("record") != wanted["record"]:
            raise ResultsError(
                f"{self.folder}: the store records {found.get('record')!r}, this sweep asks for "
                f"{wanted['record']!r}; use --record {found.get('record')} or another --out"
            )

    def _remove_partials(self) -> None:
        """Remove the temporary files (`write_atomic`) a writer killed mid-write left behind:
        the lock is ours, so nobody is writing them."""
        for folder in (self.folder, *(self.folder / table for table in self.manifest["tables"])):
            for leftover in folder.glob(".*.partial"):
                if leftover.is_dir() and not leftover.is_symlink():
                    raise ResultsError(
                        f"{leftover}: a folder named like a temporary file of the store; "
                        "remove it to resume"
                    )
                leftover.unlink(missing_ok=True)

    def close(self) -> None:
        """Let go of the store's lock."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> "SweepStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> dict[int, str]:
        """The done batches whose files do not match the manifest, with what is wrong."""
        return mismatched_batches(self.folder, self.manifest)

    def pending(self) -> list[int]:
        """Batches not recorded as done (see `verify` and `redo` for those that do not match)."""
        return sorted(int(k) for k, b in self.manifest["batches"].items() if b["status"] != "done")

    def redo(self, bad: dict[int, str]) -> None:
        """Record batches whose files did not match as pending again (and why)."""
        for index, problem in bad.items():
            batch = self.manifest["batches"][str(index)]
            batch.update(status="pending", redone_because=problem)
            batch.pop("files", None)
        if bad:
            self._write_manifest()

    def save_batch(self, index: int, tables: dict[str, pa.Table], seconds: float) -> None:
        """Write a batch's tables, then record it as done with each file's rows and SHA-256."""
        files = {}
        for name, table in tables.items():
            path = batch_file(self.folder, name, index)
            if path.parent.is_symlink():  # it could lead into another store
                raise ResultsError(f"{path.parent}: a link, not the store's own folder")
            try:
                path.parent.mkdir(exist_ok=True)
                write_parquet(path, table)
            except OSError as error:
                raise ResultsError(
                    f"{path}: cannot write ({error.strerror or error}); the batches saved before "
                    "are kept: run the same command to resume",
                    error,
                ) from None
            files[name] = {"rows": table.num_rows, "sha256": sha256(path)}
        batch = self.manifest["batches"][str(index)]
        batch.pop("redone_because", None)
        batch.update(status="done", seconds=round(seconds, 3), finished=now(), files=files)
        self.manifest["updated"] = now()
        self._write_manifest()

    def _write_manifest(self) -> None:
        try:
            write_manifest(self.folder, self.manifest)
        except OSError as error:
            raise ResultsError(
                f"{self.folder / MANIFEST}: cannot write ({error.strerror or error}); the "
                "batches recorded before are kept: run the same command to resume",
                error,
            ) from None


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write a store's manifest in one step (see `write_atomic`)."""
    text = json.dumps(manifest, indent=1).encode()
    write_atomic(folder / MANIFEST, lambda file: file.write(text))


def mismatched_batches(folder: Path, manifest: dict[str, Any]) -> dict[int, str]:
    """The done batches whose files do not match the manifest, with what is wrong."""
    return {
        i: problem for i in done_batches(manifest) if (problem := check_batch(folder, manifest, i))
    }


def sorted_batches(manifest: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(index, batch) of a manifest's batches, in order."""
    return sorted(((int(k), b) for k, b in manifest["batches"].items()), key=lambda ib: ib[0])


def done_batches(manifest: dict[str, Any]) -> list[int]:
    """Batches a manifest records as done."""
    return sorted(int(k) for k, b in manifest["batches"].items() if b["status"] == "done")


def check_batch(folder: Path, manifest: dict[str, Any], index: int) -> str | None:
    """What is wrong with a done batch's files (missing, altered, a table lacking), or None."""
    files = manifest["batches"][str(index)].get("files")
    if not isinstance(files, dict) or set(files) != set(manifest["tables"]):
        return f"batch {index}: the manifest lists no files for it"
    for table, expected in files.items():
        path = batch_file(folder, table, index)
        name = f"{table}/{path.name}"
        problem = file_problem(path, expected["sha256"])
        if problem:
            return f"{name}: {problem}"
    return None


def _recorded(sweep: Sweep) -> list[str]:
    """The tables a sweep's store keeps."""
    return ["summary"] + ["series"] * bool(sweep.record_every) + ["events"] * sweep.record_events


def _create(folder: Path, manifest: dict[str, Any], design: pa.Table, columns: pa.Table) -> None:
    """Make the store whole in a temporary folder beside `folder`, then rename it into place
    (onto nothing or an empty folder). If another process made it meanwhile, theirs stays."""
    try:
        taken = folder.exists() and (not folder.is_dir() or any(folder.iterdir()))
    except OSError as error:
        raise ResultsError(f"{folder}: cannot create the store: {error.strerror}", error) from None
    if taken:
        raise ResultsError(f"{folder}: already holds other files; choose another --out")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.creating-", dir=folder.parent))
    except OSError as error:
        raise ResultsError(f"{folder}: cannot create the store: {error.strerror}", error) from None
    try:
        for table in manifest["tables"]:
            (temporary / table).mkdir()
        for name, table in ((DESIGN, design), (COLUMNS, columns)):
            write_parquet(temporary / name, table)
            manifest[FOLDER_FILES[name]] = sha256(temporary / name)
        write_manifest(temporary, manifest)
        temporary.chmod(0o755)
        try:
            os.rename(temporary, folder)
        except OSError:
            if not (folder / MANIFEST).exists():
                raise
            shutil.rmtree(temporary)  # another process created the store first: use theirs
            return
        sync_folder(folder.parent)
    except OSError as error:
        shutil.rmtree(temporary, ignore_errors=True)
        raise ResultsError(f"{folder}: cannot create the store: {error.strerror}", error) from None
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
