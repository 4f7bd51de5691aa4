"""Running a sweep: design points x replicates packed into lockstep batches, run in-process or
on Dask, each finished batch saved to the store at once.

A batch is one `EscalationModel` whose runs differ in seed and parameters. Since a run's result
depends only on its seed and parameters, the batch size, the worker count and the order do not
change any result.
"""

import asyncio
import contextlib
import ctypes
import gc
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from sim.io.disk import ResultsError
from sim.io.tables import series_name, to_table
from sim.model import EscalationModel
from sim.model.record import check_memory
from sim.model.scenario import Scenario
from sim.model.streams import sweep_seeds
from sim.sweeps.design import Sweep
from sim.sweeps.store import SweepStore, plan

if TYPE_CHECKING:
    from sim.sweeps.results import SweepResults


@cache
def reuse_freed_memory() -> None:
    """Let glibc keep freed memory for reuse in this process, once (a no-op off glibc; speed
    only: no result changes).

    The model makes many short-lived arrays of a few hundred KB. By default glibc maps and
    unmaps each one afresh until it adapts; Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536,
    which stops it adapting at all (a sweep batch ran five times slower on a worker than
    in-process, measured). Setting both thresholds to 32 MiB in the process that runs models
    (a batch, an EMA experiment, a calibration's particles, `sim run`) works on any cluster,
    and made 10,000 replicates in one process 18% faster (measured).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_trim_threshold, 2**25)
    libc.mallopt(m_mmap_threshold, 2**25)


@cache
def freeze_libraries() -> None:
    """Put every object made so far out of the garbage collector's sight, once (speed only: no
    result changes). Called once the libraries are imported, it freezes their modules, classes
    and functions, which live as long as the process anyway; each full collection would
    otherwise walk all of them again (some 170,000 objects with Mesa, pandas, scipy and
    matplotlib; freezing them saved `sim run` 0.3 of 4.2 s of CPU on a busy host, measured)."""
    gc.freeze()


def seeds(master_seed: int, points: np.ndarray, replicate: np.ndarray) -> np.ndarray:
    """The seeds of runs: run k's from (master_seed, points[k], replicate[k]). The one place a
    batch's seeds are made, so a stored run is re-run with the seed it had."""
    return sweep_seeds(master_seed, points, replicate)


def run_model(
    scenario: Scenario,
    master_seed: int,
    points: np.ndarray,
    replicate: np.ndarray,
    parameters: dict[str, np.ndarray],
    record_every: int | None = None,
    record_events: bool = False,
) -> EscalationModel:
    """The one batch runner: runs k = 0, 1, ... in one lockstep model, run k with the values
    `parameters[name][k]` and the seed of (master_seed, points[k], replicate[k]), run to the
    scenario's horizon. Sweeps, the EMA adapter and calibration all run their batches here, so a
    run's seed is made in one place."""
    reuse_freed_memory()
    model = EscalationModel(
        scenario,
        seeds=seeds(master_seed, points, replicate),
        parameters=parameters,
        record_every=record_every,
        record_events=record_events,
    )
    model.run()
    return model


def run_points(
    scenario: Scenario,
    master_seed: int,
    keys: np.ndarray,
    values: dict[str, np.ndarray],
    replicates: int,
) -> dict[str, np.ndarray]:
    """Points and replicates in, summaries out: point i takes the values `values[name][i]` and
    runs `replicates` times, with seeds from (master_seed, keys[i], replicate); the summary's
    columns, run i * replicates + r being point i's replicate r."""
    count = len(keys)
    model = run_model(
        scenario,
        master_seed,
        np.repeat(keys, replicates),
        np.tile(np.arange(replicates), count),
        {name: np.repeat(v, replicates) for name, v in values.items()},
    )
    return model.recorder.summary_columns()


def run_batch(
    scenario: Scenario,
    parameters: dict[str, np.ndarray],
    runs: np.ndarray,
    replicates: int,
    master_seed: int,
    record_every: int | None,
    record_events: bool = False,
) -> tuple[dict[str, pa.Table], float]:
    """Run the given sweep runs in one model; return their tables and the seconds it took."""
    start = time.perf_counter()
    points, replicate = runs // replicates, runs % replicates
    model = run_model(
        scenario, master_seed, points, replicate, parameters, record_every, record_events
    )
    numbered = partial(sweep_numbers, runs=runs, replicates=replicates)
    inputs = [*parameters, *scenario.drawn]
    summary = numbered(model.recorder.summary_columns())
    tables = {"summary": to_table(summary, "summary", inputs=inputs)}
    if record_every:
        series = numbered(model.recorder.daily_columns())
        tables["series"] = to_table(series, "daily", series_name(record_every))
    if record_events:
        tables["events"] = to_table(numbered(model.recorder.events.columns()), "events")
    # The model's agents and recorder point back to it, so only the cycle collector frees it;
    # on a busy Dask worker that came too late and each batch left about 35 MB (measured).
    del model
    gc.collect()
    return tables, time.perf_counter() - start


LOOPBACK = "127.0.0.1"
QUIET_CLUSTER = {
    # Dask samples each worker's stack every 10 ms for its profiler: 7% of a batch's time
    "distributed.worker.profile.enabled": False,
    # the scheduler's web server (it always starts) serves nothing: no dashboard, no metrics
    "distributed.scheduler.http.routes": [],
}
CONNECT_SECONDS = 5
"""How long to wait for a Dask scheduler given by address before giving up."""


def connect(scheduler: Any) -> Any:
    """A Dask client of a local cluster, or of the scheduler at an address; an address that is
    malformed, does not answer within CONNECT_SECONDS or does not speak Dask's protocol is a
    one-line ResultsError."""
    from dask.distributed import Client

    try:
        if isinstance(scheduler, str):
            asyncio.run(_handshake(scheduler))
        return Client(scheduler, timeout=CONNECT_SECONDS)
    except Exception as error:  # whatever the peer sent: one line
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, TimeoutError | MemoryError):  # silent, or bytes that are not Dask's
            reason = f"no Dask scheduler answered within {CONNECT_SECONDS} s"
        raise ResultsError(f"--scheduler {scheduler}: cannot connect: {reason}") from None


async def _handshake(address: str) -> None:
    """Open a connection to `address` and exchange Dask's handshake within CONNECT_SECONDS:
    Dask's own client waits for the handshake without a deadline, so a server of another kind
    (a web server, say) would hold it for ever."""
    from distributed.comm import connect as open_comm

    comm = await asyncio.wait_for(open_comm(address, timeout=CONNECT_SECONDS), CONNECT_SECONDS)
    await comm.close()


def check_workers(workers: object, scheduler: object) -> None:
    """A ValueError for a number of workers that is not one (`--workers` checks the same)."""
    if workers is not None and (type(workers) is not int or workers < 0):
        raise ValueError(
            f"workers: {workers!r}: a number of Dask workers (0: in this process, None: one "
            "per core)"
        )
    if workers and scheduler is not None:
        raise ValueError("workers and scheduler exclude each other")


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client of a new LocalCluster on this machine (`workers`, or one per core), or of
    the scheduler at an address; closed (and the cluster stopped) at the end."""
    import dask
    from dask.distributed import LocalCluster

    if scheduler is None:
        with dask.config.set(QUIET_CLUSTER):  # the workers take it with them
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                host=LOOPBACK,  # the scheduler and the workers listen on this machine only
                dashboard_address=f"{LOOPBACK}:0",  # None still takes :8787 (dask #8136)
                scheduler_kwargs={"dashboard": False},
                silence_logs=logging.ERROR,
            )
    else:
        cluster = contextlib.nullcontext()
    with cluster, connect(scheduler or cluster) as client:
        yield client


def sweep_numbers(
    columns: dict[str, np.ndarray], runs: np.ndarray, replicates: int
) -> dict[str, np.ndarray]:
    """A batch's columns with `run` (the batch's run number) made the sweep's, and its design
    `point` and `replicate` beside it."""
    run = runs[columns["run"]]
    numbers = {"run": run, "point": run // replicates, "replicate": run % replicates}
    return numbers | {name: values for name, values in columns.items() if name != "run"}


class SweepRun:
    """One sweep into one folder: the design, the batches, the store."""

    def __init__(
        self, sweep: Sweep, scenario: Scenario, sweep_text: str, scenario_text: str, folder: Path
    ) -> None:
        """Open (or create) the store and take its lock until `close()`; done batches whose
        files do not match the manifest are listed in `redone` and will run again."""
        self.sweep, self.scenario = sweep, scenario
        self.points = sweep.point_count()
        self.check_memory(workers=1)
        self.design = sweep.design_points()
        self.batches = plan(self.runs, sweep.batch_size)
        design_table = {"point": np.arange(self.points)} | self.design
        self.store = SweepStore.open(
            folder, sweep, scenario, sweep_text, scenario_text, design_table, self.batches
        )
        try:
            self.redone = self.store.verify()
            self.store.redo(self.redone)
        except BaseException:
            self.store.close()
            raise

    def close(self) -> None:
        """Let go of the store (its lock)."""
        self.store.close()

    def __enter__(self) -> "SweepRun":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def runs(self) -> int:
        """All runs of the sweep."""
        return self.points * self.sweep.replicates

    def check_memory(self, workers: int) -> None:
        """A ValueError if `workers` batches, one a worker, cannot fit in memory (before the
        design is made or any batch runs)."""
        check_memory(
            workers * min(self.sweep.batch_size, self.runs),
            self.scenario.horizon,
            self.sweep.record_every,
            self.sweep.record_events,
            "batch_size" if workers == 1 else f"batch_size x {workers} workers",
        )

    def runs_to_go(self) -> int:
        """Runs of the batches not saved yet."""
        return sum(self.batches[i][1] for i in self.store.pending())

    def job(self, index: int) -> dict[str, Any]:
        """The arguments of `run_batch` for one batch."""
        first, count = self.batches[index]
        runs = np.arange(first, first + count)
        points = runs // self.sweep.replicates
        return {
            "scenario": self.scenario,
            "parameters": {name: values[points] for name, values in self.design.items()},
            "runs": runs,
            "replicates": self.sweep.replicates,
            "master_seed": self.sweep.seed,
            "record_every": self.sweep.record_every,
            "record_events": self.sweep.record_events,
        }

    def execute(
        self,
        workers: int | None = 0,
        scheduler: str | None = None,
        on_batch: Callable[[int], None] = lambda runs: None,
    ) -> None:
        """Run every pending batch: in this process (workers=0, no scheduler), on a new
        LocalCluster (workers=N, or None for one per core) or on the Dask cluster at
        `scheduler`. `on_batch(runs)` is called after each batch is saved."""
        check_workers(workers, scheduler)
        todo = self.store.pending()
        if scheduler is None and workers == 0:
            for index in todo:
                self._save(index, *run_batch(**self.job(index)), on_batch)
            return
        for index, tables, seconds in self._on_dask(todo, workers, scheduler):
            self._save(index, tables, seconds, on_batch)

    def _save(self, index: int, tables, seconds: float, on_batch: Callable[[int], None]) -> None:
        self.store.save_batch(index, tables, seconds)
        on_batch(self.batches[index][1])

    def _on_dask(
        self, todo: list[int], workers: int | None, scheduler: str | None
    ) -> Iterator[tuple[int, dict[str, pa.Table], float]]:
        from dask.distributed import as_completed

        if scheduler is None:
            self.check_memory(workers=workers or os.cpu_count() or 1)  # a batch a worker
        with dask_client(workers, scheduler) as client:
            index_of: dict[str, int] = {}
            running = as_completed()

            def submit(index: int) -> None:
                future = client.submit(run_batch, **self.job(index), retries=3, pure=False)
                index_of[future.key] = index
                running.add(future)

            def fill() -> None:
                """Keep two batches in flight a worker (counted anew: workers come and go)."""
                slots = 2 * max(len(client.scheduler_info()["workers"]), 1)
                for index in itertools.islice(waiting, max(slots - running.count(), 0)):
                    submit(index)

            waiting = iter(todo)
            fill()
            for future in running:
                tables, seconds = future.result()
                yield index_of.pop(future.key), tables, seconds
                fill()


def run(
    file: str | Path,
    out: str | Path | None = None,
    workers: int | None = 0,
    scheduler: str | None = None,
    record: str | None = None,
    **changes: Any,
) -> "SweepResults":
    """Run (or resume) the sweep of a sweep file into its store and open it: the notebook's
    `sim sweep`. `out` defaults to results/sweeps/<name>/; workers=0 runs in this process,
    None one Dask worker per core; `record` overrides the file's, and so do `changes` of
    `design.CHANGEABLE` keys (e.g. `replicates=5, design={"kind": "grid", "levels": 3}`)."""
    from sim.sweeps import design
    from sim.sweeps.results import SweepResults

    check_workers(workers, scheduler)
    sweep, scenario, text, scenario_text = design.load(file)
    if record is not None:
        changes = {"record": record} | changes
    if changes:
        sweep = design.with_changes(sweep, changes, f"{file} (changed by sim.sweep.run)")
    folder = Path(out) if out is not None else Path("results") / "sweeps" / sweep.name
    with SweepRun(sweep, scenario, text, scenario_text, folder) as sweep_run:
        sweep_run.execute(workers=workers, scheduler=scheduler)
    return SweepResults(folder)
