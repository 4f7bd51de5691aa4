"""Writing a run's results: daily, summary and events (Parquet), manifest.json (and the plot).

The results folder is claimed (created exclusively, holding only a note of the claiming
process, `CLAIM`) before the simulation starts, the files are written into a temporary folder
beside it, and that folder is renamed into place at the end: an existing results folder is
never overwritten, and a half-written run is never seen. A claim whose process was killed
(SIGKILL) is taken over by the next run to the same folder.
"""

import contextlib
import itertools
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import sim
from sim.io.disk import (
    ResultsError,
    code_digest,
    git_commit,
    gone,
    installed_versions,
    refuse_inside_results,
    sealed,
    sha256,
    who,
    whoami,
    write_atomic,
)
from sim.io.tables import COLUMNS, RUN_TABLES, catalog, series_name, to_table, write_parquet
from sim.model.geography import ACTORS
from sim.model.params import PARAMETERS
from sim.model.record import START_DATE

if TYPE_CHECKING:
    from sim.model import EscalationModel


CLAIM = ".claimed"
"""The file in a claimed results folder saying which process claimed it (`whoami`)."""


def claim(out: Path | None, default: Path, noted: Callable[[str], None]) -> Path:
    """Claim the results folder before any work by creating it exclusively, with the `CLAIM`
    file in it: an existing `out` (even empty) is refused, so a second run on the same folder
    loses at once, unless it holds only the claim of a process that is gone (killed), which is
    taken over and `noted`. Without `out`, the first free name of `default`, `default-2`, ..."""
    if out is not None:
        refuse_inside_results(out)
        _make(out, noted)
        return out
    for n in itertools.count(1):
        candidate = default if n == 1 else default.with_name(f"{default.name}-{n}")
        try:
            _make(candidate, noted)
        except _Taken:
            continue
        return candidate
    raise AssertionError("unreachable")


class _Taken(ResultsError):
    """The results folder exists already."""


def _make(out: Path, noted: Callable[[str], None]) -> None:
    try:
        out.mkdir(parents=True)
    except FileExistsError:
        holder = _abandoned(out)
        if holder is None:
            raise _Taken(
                f"{out}: already exists; results are never overwritten, choose another --out"
            ) from None
        noted(f"{out}: taking over the folder claimed by {who(holder)}, which has ended")
    except OSError as error:
        raise ResultsError(
            f"{out}: cannot create the results folder: {error.strerror}", error
        ) from None
    try:
        (out / CLAIM).write_bytes(whoami())
    except OSError as error:
        release(out)
        raise ResultsError(
            f"{out}: cannot create the results folder: {error.strerror}", error
        ) from None


def _abandoned(out: Path) -> str | None:
    """The claim left in `out` by a process that is gone, if `out` holds nothing else."""
    try:
        if [entry.name for entry in out.iterdir()] != [CLAIM]:
            return None
        holder = (out / CLAIM).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return holder if gone(holder) else None


def release(out: Path) -> None:
    """Give back a claimed folder that was never filled (the run stopped before writing)."""
    with contextlib.suppress(OSError):
        (out / CLAIM).unlink(missing_ok=True)
        out.rmdir()


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh temporary folder beside the claimed `out` to write a run's files into. When the
    block ends, it is renamed to `out` in one step (readers never see half a run); if the block
    fails, it is removed and `out` released (an OSError that names no file then names `out`).
    If `out` was filled meanwhile by someone else, the rename fails and the results stay in the
    temporary folder, named in the error."""
    try:
        temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        raise ResultsError(f"{out.parent}: cannot write there: {error.strerror}", error) from None
    try:
        yield temporary
    except BaseException as error:
        shutil.rmtree(temporary, ignore_errors=True)
        release(out)
        if isinstance(error, OSError) and not error.filename:  # pyarrow's name no file
            raise OSError(error.errno, error.strerror or str(error), str(out)) from None
        raise
    try:
        temporary.chmod(out.stat().st_mode & 0o777)  # as the claimed folder, not mkdtemp's 0700
        (out / CLAIM).unlink(missing_ok=True)
        os.replace(temporary, out)
    except OSError as error:
        raise ResultsError(
            f"{out}: could not put the results in place ({error.strerror}); they are in "
            f"{temporary}",
            error,
        ) from None


def write_run(
    out: Path,
    model: "EscalationModel",
    scenario_text: str,
    command: list[str],
    started: datetime,
) -> dict[str, Any]:
    """Write daily.parquet, summary.parquet, events.parquet, columns.parquet (the catalog of
    their columns) and manifest.json; returns the manifest."""
    recorder, inputs = model.recorder, model.spec.drawn
    tables = {
        "daily.parquet": to_table(recorder.daily_columns(), "daily", series_name(recorder.every)),
        "summary.parquet": to_table(recorder.summary_columns(), "summary", inputs=inputs),
        "events.parquet": to_table(recorder.events.columns(), "events"),
        COLUMNS: catalog(RUN_TABLES, inputs),
    }
    for name, table in tables.items():
        write_parquet(out / name, table)
    params = model.params.as_dict()
    manifest = {
        "scenario": model.spec.model_dump(mode="json"),
        "scenario_file": scenario_text,
        "replicates": model.replicates,
        "master_seed": model.master_seed,
        "seeds": model.seeds.tolist(),
        "seed_scheme": "run k of master seed S has seed splitmix64(S, k) "
        "(sim.model.streams.run_seeds); draws are splitmix64 streams keyed by (run seed, day, "
        "purpose)",
        "parameters": {
            name: (float(v[0]) if np.all(v == v[0]) else v.tolist()) for name, v in params.items()
        },
        "parameter_basis": {name: list(p.basis) for name, p in PARAMETERS.items()},
        "actors": list(ACTORS),
        "start_date": START_DATE.isoformat(),
        "horizon": model.day - 1,
        "started": started.isoformat(timespec="seconds"),
    }
    return write_manifest(out, manifest, command, list(tables))


def write_analysis(
    out: Path, outputs: dict[str, Any], about: dict[str, Any], command: list[str]
) -> None:
    """An analysis's outputs into a folder, each file in one step: <name>.parquet a DataFrame,
    <name>.png a matplotlib figure (closed once written), any other name a text; then
    manifest.json (`about`, the command, versions, each output's SHA-256)."""
    for name, output in outputs.items():
        if name.endswith(".parquet"):
            write_atomic(out / name, lambda file, frame=output: frame.to_parquet(file))
        elif name.endswith(".png"):
            from matplotlib import pyplot  # loaded already: the figure was drawn with it

            write_atomic(
                out / name, lambda file, fig=output: fig.savefig(file, format="png", dpi=120)
            )
            pyplot.close(output)  # pyplot keeps every figure it made until it is closed
        else:
            write_atomic(out / name, lambda file, text=output: file.write(text.encode()))
    write_manifest(out, about, command, list(outputs))


def write_manifest(
    out: Path, fields: dict[str, Any], command: list[str], files: list[str]
) -> dict[str, Any]:
    """manifest.json of a run or an analysis: its own `fields`, then what made it (package,
    model code, commit, Python, every installed version, the command), when it finished and
    each of its `files`' SHA-256, and its own (`sealed`); returns the manifest."""
    manifest = fields | {
        "package_version": sim.__version__,
        "model_code": code_digest(),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "versions": installed_versions(),
        "command": command,
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": {name: sha256(out / name) for name in files},
    }
    manifest = sealed(manifest)
    text = json.dumps(manifest, indent=2).encode()
    write_atomic(out / "manifest.json", lambda file: file.write(text))
    return manifest
