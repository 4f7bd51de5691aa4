"""Writing a run's results: daily.parquet, summary.parquet, manifest.json (and the plot).

Files are written to a temporary name and renamed into place, and an existing results folder is
never overwritten, so results already on disk are not lost.
"""

import hashlib
import json
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import sim
from sim.geography import ACTORS
from sim.params import PARAMETERS
from sim.record import NO_DAY, START_DATE

if TYPE_CHECKING:
    from sim.model import EscalationModel

DAY_COLUMNS_SUFFIXES = ("_day", "_day128", "_day100_128")
"""Summary columns where NO_DAY (-1) means "never" or "not reached" and is written as null."""


class ResultsError(RuntimeError):
    """A results folder that cannot be written or read; the message is one line."""


def to_table(columns: dict[str, np.ndarray], postures: dict[str, tuple[str, ...]]) -> pa.Table:
    """Columns as an Arrow table: postures as categories, "never" days as null, a date column."""
    arrays: dict[str, pa.Array] = {}
    for name, values in columns.items():
        if name in postures:
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(values.astype(np.int8)), pa.array(postures[name])
            )
        elif name.startswith("first_day_level_") or name.endswith(DAY_COLUMNS_SUFFIXES):
            arrays[name] = pa.array(values, mask=values == NO_DAY)
        else:
            arrays[name] = pa.array(values)
        if name == "day":
            start = np.datetime64(START_DATE, "D")
            arrays["date"] = pa.array(start + values.astype("timedelta64[D]"))
    return pa.table(arrays)


def write_atomic(path: Path, write: Any) -> None:
    """Call write(temporary path), then rename into place: readers never see half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    os.replace(temporary, path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str | None:
    """The commit of the source tree the package runs from, if it is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(sim.__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def posture_names(model: "EscalationModel") -> dict[str, tuple[str, ...]]:
    """{"posture_<actor>": the actor's posture names} for the series' category columns."""
    return {f"posture_{f.name}": f.postures for f in model.factions}


def prepare(out: Path) -> Path:
    """Create the results folder; refuse one that already holds results."""
    if out.exists() and any(out.iterdir()):
        raise ResultsError(f"{out}: folder already holds results; choose another --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResultsError(f"{out}: cannot create the results folder: {error.strerror}") from None
    return out


def write_run(
    out: Path,
    model: "EscalationModel",
    scenario_text: str,
    command: list[str],
    started: datetime,
) -> dict[str, Any]:
    """Write daily.parquet, summary.parquet and manifest.json; returns the manifest."""
    postures = posture_names(model)
    tables = {
        "daily.parquet": to_table(model.recorder.daily_columns(), postures),
        "summary.parquet": to_table(model.recorder.summary_columns(), {}),
    }
    for name, table in tables.items():
        write_atomic(out / name, lambda path, t=table: pq.write_table(t, path))
    params = model.params.as_dict()
    manifest = {
        "scenario": model.spec.model_dump(mode="json"),
        "scenario_file": scenario_text,
        "replicates": model.replicates,
        "master_seed": model.master_seed,
        "seeds": model.seeds.tolist(),
        "seed_scheme": "run k of master seed S has seed splitmix64(S, k) (sim.streams.run_seeds); "
        "draws are splitmix64 streams keyed by (run seed, day, purpose)",
        "parameters": {
            name: (float(v[0]) if np.all(v == v[0]) else v.tolist()) for name, v in params.items()
        },
        "parameter_basis": {name: list(p.basis) for name, p in PARAMETERS.items()},
        "actors": list(ACTORS),
        "start_date": START_DATE.isoformat(),
        "horizon": model.day - 1,
        "package_version": sim.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "versions": _versions(),
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": {name: _sha256(out / name) for name in tables},
    }
    write_atomic(out / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2)))
    return manifest


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("mesa", "numpy", "scipy", "pyarrow", "pydantic")}
