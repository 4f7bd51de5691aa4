"""A results folder of either kind, read run by run: a `sim run` folder or a sweep's store,
with its summary, and the event log and series of one run or of all."""

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.io.disk import ResultsError, check_sealed, read_json
from sim.io.tables import plain
from sim.sweeps.results import Results, RunResults, SweepResults, open_verified

RUN_FILES = {"summary": "summary.parquet", "series": "daily.parquet", "events": "events.parquet"}
"""A `sim run` folder's file of each table."""


@dataclass
class StoredRuns:
    """The runs of a results folder: `sweep` is the store, None for a `sim run` folder."""

    folder: Path
    manifest: dict[str, Any]
    sweep: SweepResults | None = None

    @property
    def name(self) -> str:
        """The scenario's name (a run folder) or the sweep's."""
        if self.sweep is not None:
            return self.manifest["sweep"]["name"]
        return self.manifest["scenario"]["name"]

    @cached_property
    def results(self) -> Results:
        """The folder as `sim.results.open` reads it: its `runs()` (each run's seed and
        varied parameters) and `inputs`."""
        return self.sweep if self.sweep is not None else RunResults(self.folder)

    @property
    def summary(self) -> pd.DataFrame:
        """One row a run, ordered by run."""
        return self.table("summary").sort_values("run", ignore_index=True)

    def table(self, table: str, run: int | None = None) -> pd.DataFrame:
        """The summary, series or events, of run `run` or of all; names as plain strings."""
        where = None if run is None else ds.field("run") == run
        if self.sweep is not None:
            found = self.sweep.dataset(table).to_table(filter=where)
        else:
            found = pq.read_table(self.folder / RUN_FILES[table], filters=where)
        frame = plain(found)
        order = ["run", "day"] if "day" in frame else "run"
        return frame.sort_values(order, kind="stable", ignore_index=True)

    def check_run(self, run: int) -> None:
        """A one-line ResultsError unless the folder holds run `run`."""
        runs = self.summary["run"]
        if run not in set(runs):
            raise ResultsError(f"{self.folder}: --run {run}: it holds runs 0 to {runs.max()}")


def open_runs(folder: Path) -> StoredRuns:
    """A `sim run` folder or a sweep store, its files checked against its manifest (SHA-256);
    anything else is a one-line ResultsError."""
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such folder")
    if not (folder / "manifest.json").is_file():
        raise ResultsError(
            f"{folder}: neither a `sim run` folder nor a sweep store (no manifest.json)"
        )
    manifest = read_json(folder / "manifest.json", "manifest")
    if isinstance(manifest, dict) and "batches" in manifest:
        store = open_verified(folder)
        return StoredRuns(folder, store.manifest, store)
    check_sealed(folder, manifest)
    missing = [name for name in RUN_FILES.values() if name not in manifest["files"]]
    if missing or "scenario" not in manifest:
        raise ResultsError(
            f"{folder}: not a `sim run` folder (it has no {', '.join(missing) or 'scenario'})"
        )
    return StoredRuns(folder, manifest)
