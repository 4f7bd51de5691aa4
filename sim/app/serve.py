"""Starting the explorer: what it opens, checked before the server starts, and the server
(`solara run sim.app.page`, bound to loopback unless told otherwise)."""

import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from sim.app.sources import Replay
from sim.model import scenario as scenarios
from sim.reports.runs import parse_sets
from sim.sweeps import results

QUIET = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "PYTHONWARNINGS": "ignore:Cookies with samesite=none require https",
}
"""The server sends no usage data (and, with --no-check-version, asks no registry), nor warns
at every page load that a plain-http loopback address gets a lax session cookie."""


def opened(target: str, run: int | None, sets: list[str], seed: int | None = None) -> dict:
    """What the page opens (`sim.app.page.START`): a results folder's run `run` (replay), or
    a named scenario or a scenario file with `--set name=value` overrides from master seed
    `seed` (live). Bad input raises a one-line ValueError or ResultsError."""
    values = parse_sets(sets)
    if Path(target).is_dir():
        if values or seed is not None:
            raise ValueError("--set, --seed: a stored run is replayed as it was run")
        # a store without a series or event log is refused
        Replay(results.open(Path(target)), run or 0)
        return {"folder": str(Path(target).resolve()), "run": run or 0}
    if run is not None:
        raise ValueError(f"--run: {target} is a scenario, not a results folder")
    named = scenarios.named_scenarios()
    if target not in named and not Path(target).is_file():
        raise scenarios.ScenarioError(
            f"{target}: neither a named scenario ({', '.join(named)}), a scenario file "
            "nor a results folder"
        )
    scenario = target if target in named else str(Path(target).resolve())
    scenarios.with_overrides(scenarios.load(scenario)[0], values, "--set")
    return {"scenario": scenario, "values": values, "seed": seed}


def serve(start: dict, host: str, port: int) -> NoReturn:
    """Become the server of the page opening `start` on host:port, until stopped."""
    command = [sys.executable, "-m", "solara", "run", "sim.app.page", "--production"]
    command += ["--no-open", "--no-check-version", "--host", host, "--port", str(port)]
    sys.stdout.flush()
    os.execve(sys.executable, command, {**os.environ, "SIM_EXPLORE": json.dumps(start), **QUIET})
