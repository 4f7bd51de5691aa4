"""The sweep store: a folder that a sweep fills batch by batch and can resume.

    DIR/manifest.json        the sweep as resolved, its digest, versions, seeds, batch status
    DIR/design.parquet       one row per design point
    DIR/summary/batch-NNNNNN.parquet    one row per run (the model's summary + point, replicate)
    DIR/series/batch-NNNNNN.parquet     the weekly or daily series, if recorded
    DIR/events/batch-NNNNNN.parquet     the event log, if recorded

Each batch file is written to a temporary name and renamed; the manifest records a batch as done
only after its files are on disk. Only the process driving the sweep writes here.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.model.scenario import Scenario
from sim.sweeps.design import Sweep
from sim.sweeps.disk import ResultsError, git_commit, write_atomic

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
TABLES = ("summary", "series", "events")


def batch_file(folder: Path, table: str, index: int) -> Path:
    """Where batch `index` of a table lives."""
    return folder / table / f"batch-{index:06d}.parquet"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a sweep folder; a missing or corrupt one is a one-line ResultsError."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{folder}: not a sweep folder (no {MANIFEST})") from None
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: unreadable manifest: {error}") from None
    if isinstance(manifest, dict) and "scenario_file" in manifest and "batches" not in manifest:
        raise ResultsError(f"{folder}: a `sim run` folder, not a sweep (its files are Parquet)")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("batches"), dict):
        raise ResultsError(f"{path}: corrupt manifest: no batch table")
    return manifest


class SweepStore:
    """A sweep folder being filled."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder, self.manifest = folder, manifest

    @classmethod
    def open(
        cls,
        folder: Path,
        sweep: Sweep,
        scenario: Scenario,
        sweep_text: str,
        design: dict[str, Any],
        batches: list[tuple[int, int]],
    ) -> "SweepStore":
        """Resume the sweep in `folder`, or start it there; refuse a folder holding another."""
        if (folder / MANIFEST).exists():
            manifest = read_manifest(folder)
            if manifest.get("digest") != sweep.digest():
                raise ResultsError(
                    f"{folder}: holds a different sweep (its sweep file has changed); "
                    "run the new sweep with another --out"
                )
            return cls(folder, manifest)
        if folder.exists() and any(folder.iterdir()):
            raise ResultsError(f"{folder}: folder already holds other files; choose another --out")
        for table in TABLES:
            (folder / table).mkdir(parents=True, exist_ok=True)
        design_table = pa.table(design)
        write_atomic(folder / DESIGN, lambda path: pq.write_table(design_table, path))
        manifest = {
            "sweep": sweep.model_dump(mode="json"),
            "sweep_file": sweep_text,
            "digest": sweep.digest(),
            "scenario": scenario.model_dump(mode="json"),
            "points": design_table.num_rows,
            "replicates": sweep.replicates,
            "runs": design_table.num_rows * sweep.replicates,
            "seed_scheme": "run r is design point r // replicates, replicate r % replicates; "
            "its seed is splitmix64(master seed, point, replicate) (sim.model.streams.sweep_seeds)",
            "package_version": sim.__version__,
            "git_commit": git_commit(),
            "created": _now(),
            "updated": _now(),
            "batches": {
                str(i): {"first_run": first, "runs": count, "status": "pending"}
                for i, (first, count) in enumerate(batches)
            },
        }
        store = cls(folder, manifest)
        store._write_manifest()
        return store

    def pending(self) -> list[int]:
        """Batches still to run: not recorded as done, or with a file missing."""
        todo = []
        for key, batch in self.manifest["batches"].items():
            index = int(key)
            on_disk = batch_file(self.folder, "summary", index).exists()
            if batch["status"] != "done" or not on_disk:
                todo.append(index)
        return sorted(todo)

    def save_batch(self, index: int, tables: dict[str, pa.Table], seconds: float) -> None:
        """Write a batch's tables, then record it as done."""
        for name, table in tables.items():
            path = batch_file(self.folder, name, index)
            write_atomic(path, lambda p, t=table: pq.write_table(t, p))
        batch = self.manifest["batches"][str(index)]
        batch.update(status="done", seconds=round(seconds, 3), finished=_now())
        self.manifest["updated"] = _now()
        self._write_manifest()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1)
        write_atomic(self.folder / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
