"""Reading a sweep's results in a notebook:

import sim.results
sweep = sim.results.open("results/sweeps/power_vacuum")
sweep.design       # one row per design point
sweep.summary      # one row per run (the model's summary + point, replicate)
sweep.series       # the weekly or daily series, if recorded (can be large)
sweep.events       # the event log, if recorded
sweep.dataset("summary").to_table(filter=...)   # lazy, through pyarrow datasets
"""

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.sweeps.disk import ResultsError
from sim.sweeps.store import DESIGN, TABLES, read_manifest


class SweepResults:
    """A sweep folder, read lazily: nothing is loaded until asked for."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.manifest: dict[str, Any] = read_manifest(self.folder)

    @property
    def done(self) -> int:
        """Runs saved so far."""
        return sum(b["runs"] for b in self.manifest["batches"].values() if b["status"] == "done")

    def dataset(self, table: str = "summary") -> ds.Dataset:
        """A pyarrow dataset over the saved batches of `summary` or `series`."""
        if table not in TABLES:
            raise ValueError(f"table must be one of {TABLES}")
        files = sorted(str(path) for path in (self.folder / table).glob("batch-*.parquet"))
        if not files:
            raise ResultsError(f"{self.folder / table}: no batches saved")
        try:
            return ds.dataset(files, format="parquet")
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{self.folder / table}: unreadable batch file: {error}") from None

    def _read(self, table: str) -> pa.Table:
        try:
            return self.dataset(table).to_table()
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{self.folder / table}: unreadable batch file: {error}") from None

    @property
    def design(self) -> pd.DataFrame:
        """One row per design point: `point` and the varied parameters."""
        return pq.read_table(self.folder / DESIGN).to_pandas()

    @property
    def summary(self) -> pd.DataFrame:
        """One row per saved run, ordered by run."""
        return self._read("summary").to_pandas().sort_values("run", ignore_index=True)

    @property
    def series(self) -> pd.DataFrame:
        """The recorded series of the saved runs, ordered by run and day."""
        return self._read("series").to_pandas().sort_values(["run", "day"], ignore_index=True)

    @property
    def events(self) -> pd.DataFrame:
        """The event log of the saved runs (if recorded), ordered by run and day."""
        events = self._read("events").to_pandas()
        return events.sort_values(["run", "day"], kind="stable", ignore_index=True)


def open(folder: str | Path) -> SweepResults:
    """Open a sweep folder written by `sim sweep`."""
    return SweepResults(folder)
