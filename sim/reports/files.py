"""Writing a run's results: daily, summary and events (Parquet), manifest.json (and the plot).

Files are written to a temporary name and renamed into place, and an existing results folder is
never overwritten, so results already on disk are not lost.
"""

import json
import platform
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow.parquet as pq

import sim
from sim.model.geography import ACTORS
from sim.model.params import PARAMETERS
from sim.model.record import START_DATE
from sim.model.tables import posture_names, to_table
from sim.sweeps.disk import ResultsError, git_commit, sha256, write_atomic

if TYPE_CHECKING:
    from sim.model import EscalationModel


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
    """Write daily.parquet, summary.parquet, events.parquet and manifest.json; returns the
    manifest."""
    postures = posture_names(model)
    tables = {
        "daily.parquet": to_table(model.recorder.daily_columns(), postures),
        "summary.parquet": to_table(model.recorder.summary_columns(), {}),
        "events.parquet": to_table(model.recorder.events.columns(), {}),
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
        "package_version": sim.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "versions": _versions(),
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "files": {name: sha256(out / name) for name in tables},
    }
    write_atomic(out / "manifest.json", lambda p: p.write_text(json.dumps(manifest, indent=2)))
    return manifest


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("mesa", "numpy", "scipy", "pyarrow", "pydantic")}
