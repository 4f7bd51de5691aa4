"""Reading a sweep's store, or a `sim run` folder: the one reader of results, for notebooks
and for every command that reads them (`sim report`, `sim story`, `sim events`, `sim results`,
the explorer's replay). Each file is checked against its manifest's SHA-256 once, and each
table read from disk once, however often it is asked for.

import sim.results
sweep = sim.results.open("results/sweeps/power_vacuum")   # or a `sim run` folder
sweep.runs()       # one row a run: ids, the inputs (varied parameters), the outcomes
sweep.summary      # one row per run (the model's summary; in a store, + point, replicate)
sweep.series       # the weekly or daily series, if recorded (can be large)
sweep.events       # the event log, if recorded
sweep.columns      # the column catalog: each table's columns, what they hold and mean
sweep.design       # a store's design: one row per design point
sweep.table("events", run=5)   # one run's table, names as plain strings
sweep.dataset("summary").to_table(filter=...)   # lazy, through pyarrow datasets
"""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.io.disk import (
    ResultsError,
    check_sealed,
    code_digest,
    file_problem,
    is_whole,
    lock_holder,
    read_json,
)
from sim.io.tables import COLUMNS, plain
from sim.model.outcomes import summary_outcomes
from sim.model.scenario import SEED_LIMIT, Scenario, ScenarioError, check
from sim.sweeps.store import (
    DESIGN,
    FOLDER_FILES,
    TABLES,
    batch_file,
    design_digest,
    done_batches,
    mismatched_batches,
    read_manifest,
)

NULLABLE = {pa.int32(): pd.Int32Dtype()}
"""Day columns (int32 with nulls for "never") read as pandas' nullable integers, not floats."""

RUN_FILES = {"summary": "summary.parquet", "series": "daily.parquet", "events": "events.parquet"}
"""A `sim run` folder's file of each table (its series is `daily.parquet`)."""


class Results:
    """What a sweep store and a `sim run` folder share: their tables (`summary`, `series`,
    `events`, the catalog `columns`), read through `dataset`, each file checked against the
    manifest's SHA-256 first (once: `verified` holds the files found good)."""

    def __init__(self, folder: Path, manifest: dict[str, Any], verified: set[Path]) -> None:
        self.folder = folder
        self.manifest = manifest
        self.verified = verified
        self._read_whole: dict[str, pa.Table] = {}  # the tables read so far, each read once

    @property
    def name(self) -> str:
        """The scenario's name (a run folder) or the sweep's."""
        raise NotImplementedError

    @property
    def horizon(self) -> int:
        """The runs' last day."""
        raise NotImplementedError

    def recorded(self, table: str) -> bool:
        """Whether the results hold `summary`, `series` or `events`."""
        raise NotImplementedError

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies (none in a `sim run`)."""
        return []

    @property
    def drawn(self) -> list[str]:
        """The parameters each run draws from the scenario's sample (by its seed), if any."""
        sample = self.manifest["scenario"].get("sample")
        return list(sample["names"]) if isinstance(sample, dict) else []

    @property
    def inputs(self) -> list[str]:
        """The parameters that differ from run to run: the design's, then the sample's."""
        return self.varied + self.drawn

    @property
    def outcomes(self) -> list[str]:
        """The summary's outcome columns (`sim outcomes`)."""
        return summary_outcomes()

    def runs(self) -> pd.DataFrame:
        """One row a saved run: `run` (`point`, `replicate` in a store), `seed`, the varied
        parameters (`inputs`) and the outcomes (`outcomes`); days as nullable integers."""
        summary = self.summary
        ids = [name for name in ("run", "point", "replicate", "seed") if name in summary]
        return summary[[*ids, *self.inputs, *self.outcomes]]

    def to_ema(self) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The runs as EMA Workbench's (experiments, outcomes), for its analysis (PRIM, feature
        scoring): one row a run, whole-number inputs as floats; NaN where an event never
        happened."""
        from sim.sweeps.ema import from_sweep

        return from_sweep(self)

    def dataset(self, table: str = "summary") -> ds.Dataset:
        """A pyarrow dataset over `summary`, `series` or `events`."""
        raise NotImplementedError

    def checked(self, path: Path, expected: str | None, remedy: str = "") -> Path:
        """`path`, if its SHA-256 is the manifest's (`expected`), checked the first time only;
        a one-line ResultsError if not, ending with the `remedy`."""
        if path not in self.verified:
            problem = file_problem(path, expected)
            if problem:
                raise ResultsError(f"{path}: {problem}{remedy}")
            self.verified.add(path)
        return path

    @property
    def columns(self) -> pd.DataFrame:
        """The column catalog (columns.parquet): one row per column of each table, with its
        role, kind, unit, meaning, what null means and, for postures and levels, the names of
        the rungs in ladder order."""
        path = self.folder / COLUMNS
        expected = self.manifest.get("files", {}).get(COLUMNS) or self.manifest.get(
            FOLDER_FILES[COLUMNS]
        )
        if expected is None:
            raise ResultsError(f"{self.folder}: made by an older sim, without {COLUMNS}")
        try:
            return pq.read_table(self.checked(path, expected)).to_pandas()
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{path}: unreadable ({error})") from None

    def _read(self, table: str, run: int | None = None) -> pa.Table:
        """A table, all runs (read from disk the first time only) or run `run` (filtered from
        those if read, else read alone)."""
        where = None if run is None else ds.field("run") == run
        try:
            if table in self._read_whole:
                whole = self._read_whole[table]
                return whole if where is None else whole.filter(where)
            found = self.dataset(table).to_table(filter=where)
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{self.folder / table}: unreadable file: {error}") from None
        if where is None:
            self._read_whole[table] = found
        return found

    def _frame(self, table: str) -> pd.DataFrame:
        return self._read(table).to_pandas(types_mapper=NULLABLE.get)

    def table(self, table: str, run: int | None = None) -> pd.DataFrame:
        """The summary, series or events of run `run` or of all, ordered by run (and day),
        names as plain strings (None where there is none), as the model's code reads them."""
        frame = plain(self._read(table, run))
        order = ["run", "day"] if "day" in frame else "run"
        return frame.sort_values(order, kind="stable", ignore_index=True)

    def check_run(self, run: int) -> None:
        """A one-line ResultsError unless the results hold run `run`."""
        runs = self._read("summary")["run"].to_numpy()
        if run not in set(runs.tolist()):
            raise ResultsError(f"{self.folder}: --run {run}: it holds runs 0 to {runs.max()}")

    @property
    def summary(self) -> pd.DataFrame:
        """One row per saved run, ordered by run."""
        return self._frame("summary").sort_values("run", ignore_index=True)

    @property
    def series(self) -> pd.DataFrame:
        """The recorded series of the saved runs, ordered by run and day."""
        return self._frame("series").sort_values(["run", "day"], ignore_index=True)

    @property
    def events(self) -> pd.DataFrame:
        """The event log of the saved runs (if recorded), ordered by run and day."""
        events = self._frame("events")
        return events.sort_values(["run", "day"], kind="stable", ignore_index=True)


class RunResults(Results):
    """A `sim run` folder: its manifest and every file are checked against their digests at
    once (`check_sealed`); its tables are read when asked for."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        manifest = _run_manifest(folder / "manifest.json")
        super().__init__(folder, manifest, {folder / name for name in manifest["files"]})

    @property
    def name(self) -> str:
        return self.manifest["scenario"]["name"]

    @property
    def horizon(self) -> int:
        return int(self.manifest["horizon"])

    def recorded(self, table: str) -> bool:
        return RUN_FILES.get(table) in self.manifest["files"]

    @property
    def done(self) -> int:
        """The folder's runs."""
        return len(self.manifest["seeds"])

    def finished_runs(self) -> pd.DataFrame:
        """`runs()`: a `sim run` folder is written whole."""
        return self.runs()

    def verify(self) -> dict[int, str]:
        """{0: what is wrong} for the first file that does not match the manifest (SHA-256),
        checked again; empty when the folder holds exactly what it says."""
        for name, expected in self.manifest["files"].items():
            problem = file_problem(self.folder / name, expected)
            if problem:
                self.verified.discard(self.folder / name)
                return {0: f"{name}: {problem}"}
        return {}

    def dataset(self, table: str = "summary") -> ds.Dataset:
        """A pyarrow dataset over `summary`, `series` (the daily series) or `events`, its file
        checked against the manifest's SHA-256 first."""
        if table not in RUN_FILES:
            raise ValueError(f"table must be one of {tuple(RUN_FILES)}")
        name = RUN_FILES[table]
        path = self.checked(self.folder / name, self.manifest["files"].get(name))
        try:
            return ds.dataset(str(path), format="parquet")
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{path}: unreadable: {error}") from None


class SweepResults(Results):
    """A sweep folder, read lazily: nothing is loaded until asked for. Only the batches the
    manifest records as done are read, and each must have the rows the manifest says."""

    def __init__(self, folder: str | Path) -> None:
        folder = Path(folder)
        super().__init__(folder, read_manifest(folder), set())

    @property
    def name(self) -> str:
        return self.manifest["sweep"]["name"]

    @property
    def horizon(self) -> int:
        return int(self.manifest["scenario"]["horizon"])  # as the sweep cut it, if it did

    def recorded(self, table: str) -> bool:
        return table in self.manifest["tables"]

    @property
    def varied(self) -> list[str]:
        """The parameters the design varies (the design's columns)."""
        return list(self.manifest["sweep"]["parameters"])

    def finished_runs(self) -> pd.DataFrame:
        """`runs()` of a finished sweep; a ResultsError if runs are still to go (saying who is
        writing the store, if a sweep is)."""
        pending = self.manifest["runs"] - self.done
        if pending:
            writer = lock_holder(self.folder)
            now = f"; {writer} is writing it now" if writer else ""
            raise ResultsError(
                f"{self.folder}: the sweep is not finished ({pending:,} runs to go{now}); "
                "finish it with `sim sweep` first"
            )
        return self.runs()

    @property
    def done(self) -> int:
        """Runs of the batches recorded as done."""
        batches = self.manifest["batches"]
        return sum(batches[str(i)]["runs"] for i in done_batches(self.manifest))

    def verify(self) -> dict[int, str]:
        """The done batches whose files do not match the manifest (SHA-256), with what is
        wrong, each checked again; empty when the store holds exactly what it says. A design
        that is not the store's own is a ResultsError: no batch can mend it."""
        self.design  # noqa: B018 (reading it checks it)
        if FOLDER_FILES[COLUMNS] in self.manifest:  # made by an older sim without it
            self.columns  # noqa: B018
        bad = mismatched_batches(self.folder, self.manifest)
        for index in done_batches(self.manifest):
            files = {batch_file(self.folder, table, index) for table in self.manifest["tables"]}
            if index in bad:
                self.verified.difference_update(files)
            else:
                self.verified.update(files)
        return bad

    def dataset(self, table: str = "summary") -> ds.Dataset:
        """A pyarrow dataset over the done batches of `summary`, `series` or `events`, each
        file checked against the manifest's SHA-256 first: what it reads is exactly what the
        sweep wrote, or a one-line ResultsError says which file differs."""
        if table not in TABLES:
            raise ValueError(f"table must be one of {TABLES}")
        if table not in self.manifest["tables"]:
            record = self.manifest["identity"].get("record", "?")
            raise ResultsError(
                f"{self.folder}: the sweep did not record {table} (record = {record})"
            )
        done = done_batches(self.manifest)
        if not done:
            raise ResultsError(f"{self.folder / table}: no batches saved")
        redo = "; run `sim sweep` on this store again to redo its batch"
        for index in done:
            path = batch_file(self.folder, table, index)
            expected = self.manifest["batches"][str(index)].get("files", {}).get(table, {})
            self.checked(path, expected.get("sha256"), redo)
        files = [str(batch_file(self.folder, table, i)) for i in done]
        try:
            return ds.dataset(files, format="parquet")
        except (OSError, pa.ArrowException) as error:
            raise ResultsError(f"{self.folder / table}: unreadable batch file: {error}") from None

    @property
    def design(self) -> pd.DataFrame:
        """One row per design point: `point` and the varied parameters."""
        path = self.folder / DESIGN
        expected = self.manifest.get(FOLDER_FILES[DESIGN])
        problem = None if path in self.verified else file_problem(path, expected)
        try:
            design = pq.read_table(path).to_pandas() if not problem else None
        except (OSError, pa.ArrowException) as error:
            design, problem = None, f"unreadable ({error})"
        if design is not None and (
            "point" not in design
            or list(design["point"]) != list(range(self.manifest["points"]))
            or design_digest({c: design[c].to_numpy() for c in design})
            != self.manifest["identity"].get("design")
        ):
            problem = "not the store's design (its points differ from the store's identity)"
        if problem:
            self.verified.discard(path)
            raise ResultsError(f"{path}: {problem}; the store cannot be used, make it anew")
        self.verified.add(path)
        return design


def open(folder: str | Path) -> Results:
    """Open a sweep store written by `sim sweep`, or a folder written by `sim run` (both read
    alike: `runs()`, `summary`, `series`, `events`, `columns`, `table`); anything else is a
    one-line ResultsError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(
            f"{folder}: " + ("not a folder" if folder.exists() else "no such folder")
        )
    neither = f"{folder}: neither a `sim run` folder nor a sweep store"
    try:
        manifest = read_json(folder / "manifest.json", "manifest")
    except FileNotFoundError:
        raise ResultsError(f"{neither} (no manifest.json)") from None
    if isinstance(manifest, dict) and "batches" in manifest:
        return SweepResults(folder)
    if isinstance(manifest, dict) and "scenario_file" in manifest:
        return RunResults(folder)
    raise ResultsError(f"{neither} (not the manifest of either)")


def open_verified(folder: str | Path, sweep: bool = False) -> Results:
    """The results of a folder whose saved files all match its manifest (SHA-256), a sweep
    store only if `sweep`; a one-line ResultsError otherwise. (A `sim run` folder is checked
    whole when opened.)"""
    found = SweepResults(folder) if sweep else open(folder)
    bad = found.verify() if isinstance(found, SweepResults) else {}
    if bad:
        index, problem = next(iter(bad.items()))
        raise ResultsError(
            f"{folder}: {len(bad)} saved batches do not match the manifest "
            f"(batch {index}: {problem}); run the sweep again to redo them"
        )
    return found


def stored_run(
    folder: str | Path, run: int, sweep: bool
) -> tuple[Scenario, dict[str, float], int, list[str]]:
    """What made run `run` of a sweep store (`sweep`) or of a `sim run` folder: the scenario as
    resolved, the run's parameter values, its seed, and warnings (a model whose code has
    changed since). A folder or run number that does not hold such a run is a one-line
    ResultsError."""
    from sim.sweeps.runner import seeds

    folder = Path(folder)
    path = folder / "manifest.json"
    store = SweepResults(folder) if sweep else None
    manifest = store.manifest if store is not None else _run_manifest(path)
    try:
        scenario = check(Scenario, manifest["scenario"], f"{path}: scenario")
    except ScenarioError as error:
        raise ResultsError(f"{error} (the stored scenario no longer validates)") from None
    if store is not None:
        _check_run(run, manifest["runs"], folder)
        replicates = manifest["replicates"]
        point = run // replicates
        design = store.design.set_index("point")
        parameters = {name: float(value) for name, value in design.loc[point].items()}
        master = manifest["sweep"]["seed"]
        seed = int(seeds(master, np.array([point]), np.array([run % replicates]))[0])
    else:
        _check_run(run, len(manifest["seeds"]), folder)
        seed = manifest["seeds"][run]
        parameters = {
            name: float(value[run] if isinstance(value, list) else value)
            for name, value in manifest["parameters"].items()
            if name not in scenario.drawn  # the run draws them again from its seed
        }
    made = (manifest["identity"] if store is not None else manifest).get("model_code")
    changed = made != code_digest()
    warnings = [f"{folder}: the model's code has changed since this was made"] * changed
    return scenario, parameters, seed, warnings


def _run_manifest(path: Path) -> dict[str, Any]:
    """A `sim run` folder's manifest, checked against its digests (`read_sealed`) and for what
    re-running one of its runs needs."""
    try:
        manifest = read_json(path, "manifest")
    except FileNotFoundError:
        raise ResultsError(f"{path.parent}: not a `sim run` folder (no manifest.json)") from None
    if isinstance(manifest, dict) and "batches" in manifest:
        raise ResultsError(f"{path.parent}: a sweep store: use --from-sweep")
    check_sealed(path.parent, manifest)
    seeds = manifest.get("seeds") if isinstance(manifest, dict) else None
    parameters = manifest.get("parameters") if isinstance(manifest, dict) else None
    runs = len(seeds) if isinstance(seeds, list) else 0
    good_seeds = runs > 0 and all(is_whole(s) and s < SEED_LIMIT for s in seeds)
    good_values = isinstance(parameters, dict) and all(
        _number(v) or (isinstance(v, list) and len(v) == runs and all(map(_number, v)))
        for v in parameters.values()
    )
    if not (good_seeds and good_values and isinstance(manifest.get("scenario"), dict)):
        raise ResultsError(f"{path}: not the manifest of a `sim run` (its seeds or parameters)")
    return manifest


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_run(run: int, runs: int, folder: Path) -> None:
    if not 0 <= run < runs:
        raise ResultsError(f"{folder}: --run {run}: it holds runs 0 to {runs - 1}")
