"""Sweeps as data: a TOML file names a base scenario, the parameters to vary and a design.

    [design] kind = "grid" | "lhs" | "sobol" | "morris"

The design's points times `replicates` are the runs. Run r is design point r // replicates,
replicate r % replicates; its seed depends only on (master seed, point, replicate).
"""

import hashlib
import itertools
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator
from SALib.sample import latin, morris, sobol

from sim.model.params import PARAMETERS
from sim.model.scenario import (
    Replicates,
    Scenario,
    ScenarioError,
    Seed,
    Strict,
    check,
    cut,
    load_named_in,
    peek,
    read_text,
    read_toml,
    refuse_drawn,
)

GRID_DIGITS = 10
"""Decimals a grid level keeps."""


class Varied(Strict):
    """One parameter to vary."""

    range: Annotated[list[float], Field(min_length=2, max_length=2)] | Literal["registry"] = Field(
        "registry", description="[low, high], or 'registry' for the registry's plausible range"
    )
    levels: int | None = Field(None, ge=2, le=1000, description="grid levels (default: design's)")


def check_ranges(parameters: dict[str, Varied]) -> None:
    """A ValueError naming a parameter that is unknown or whose range is empty or leaves the
    registry's plausible range."""
    for name, varied in parameters.items():
        if name not in PARAMETERS:
            raise ValueError(f"parameters.{name}: unknown parameter (see `sim params`)")
        p = PARAMETERS[name]
        if varied.range != "registry":
            low, high = varied.range
            if not low < high:
                raise ValueError(f"parameters.{name}.range: empty or inverted [{low}, {high}]")
            if low < p.low or high > p.high:
                raise ValueError(
                    f"parameters.{name}.range: [{low:g}, {high:g}] leaves the plausible "
                    f"range [{p.low:g}, {p.high:g}]"
                )


def bounds(parameters: dict[str, Varied]) -> dict[str, tuple[float, float]]:
    """The range of each parameter: its own, or the registry's."""
    return {
        name: (PARAMETERS[name].low, PARAMETERS[name].high)
        if v.range == "registry"
        else (v.range[0], v.range[1])
        for name, v in parameters.items()
    }


class Design(Strict):
    """How the varied parameters are sampled."""

    kind: Literal["grid", "lhs", "sobol", "morris"]
    levels: int = Field(5, ge=2, le=1000, description="grid: levels per parameter")
    n: int = Field(
        64, ge=1, le=10_000_000, description="lhs: points; sobol: base N; morris: trajectories"
    )
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")
    morris_levels: int = Field(4, ge=2, le=100, description="morris: levels of the grid")

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, n: int, info: ValidationInfo) -> int:
        if info.data.get("kind") == "sobol" and n & (n - 1):
            below = 1 << (n.bit_length() - 1)
            need = f"a power of 2 ({below} or {2 * below}, not {n})"
            raise ValueError(f"Sobol' sequences need {need}")
        return n


class Sweep(Strict):
    """One sweep file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    description: str = ""
    scenario: str = Field(description="a named scenario or a scenario file (relative to this file)")
    parameters: dict[str, Varied] = Field(min_length=1, description="the parameters to vary")
    design: Design
    replicates: Replicates = Field(10, description="runs per design point")
    seed: Seed = Field(0, description="master seed")
    record: Literal[
        "summary", "weekly", "daily", "summary+events", "weekly+events", "daily+events"
    ] = Field(
        "summary",
        description="summary only, or also the weekly or daily series; '+events' also keeps "
        "the event log",
    )
    horizon: int | None = Field(
        None,
        ge=1,
        le=3650,
        description="override the scenario's (its events after it are left out)",
    )
    batch_size: int = Field(2000, ge=1, le=1_000_000, description="runs per lockstep batch")
    max_runs: int = Field(
        2_000_000, ge=1, le=100_000_000, description="refuse designs with more runs than this"
    )

    @model_validator(mode="after")
    def _check(self) -> "Sweep":
        check_ranges(self.parameters)
        runs = self.point_count() * self.replicates
        if runs > self.max_runs:
            raise ValueError(f"design: {runs:,} runs exceed max_runs = {self.max_runs:,}")
        return self

    def bounds(self) -> dict[str, tuple[float, float]]:
        """The range of each varied parameter."""
        return bounds(self.parameters)

    def point_count(self) -> int:
        """Number of design points."""
        d, k = self.design, len(self.parameters)
        if d.kind == "grid":  # Python's whole numbers: no overflow, however many levels
            return math.prod(len(axis) for axis in self.grid_axes().values())
        if d.kind == "lhs":
            return d.n
        if d.kind == "sobol":
            return d.n * (2 * k + 2 if d.second_order else k + 2)
        return d.n * (k + 1)

    def grid_axes(self) -> dict[str, np.ndarray]:
        """A grid's levels of each parameter: evenly spaced over its range, rounded (0.6, not
        linspace's 0.6000000000000001, so that WHERE x = 0.6 finds it); an integer
        parameter's levels rounded to whole numbers, each once."""
        axes = {}
        for name, (low, high) in self.bounds().items():
            axis = np.linspace(low, high, self.parameters[name].levels or self.design.levels)
            axes[name] = np.unique(np.rint(axis)) if PARAMETERS[name].integer else axis
        return {name: axis.round(GRID_DIGITS) for name, axis in axes.items()}

    def design_points(self) -> dict[str, np.ndarray]:
        """The design: one array per varied parameter, one value per point."""
        d, bounds = self.design, self.bounds()
        names = list(bounds)
        problem = {"num_vars": len(names), "names": names, "bounds": [bounds[n] for n in names]}
        seed = int(self.seed % 2**32)
        if d.kind == "grid":
            values = np.array(list(itertools.product(*self.grid_axes().values())), dtype=float)
        elif d.kind == "lhs":
            values = latin.sample(problem, d.n, seed=seed)
        elif d.kind == "sobol":
            values = sobol.sample(problem, d.n, calc_second_order=d.second_order, seed=seed)
        else:
            values = morris.sample(problem, d.n, num_levels=d.morris_levels, seed=seed)
        points = {}
        for i, name in enumerate(names):
            column = values[:, i]
            if PARAMETERS[name].integer:
                column = np.rint(column)
            points[name] = np.clip(column, PARAMETERS[name].low, PARAMETERS[name].high)
        return points

    def digest(self) -> str:
        """SHA-256 of the sweep as resolved: two sweeps with the same digest make the same runs."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def record_every(self) -> int | None:
        """Days between series records (None: no series)."""
        series = self.record.removesuffix("+events")
        return {"summary": None, "weekly": 7, "daily": 1}[series]

    @property
    def record_events(self) -> bool:
        """Whether the store keeps the event log."""
        return self.record.endswith("+events")


def with_record(sweep: Sweep, record: str, source: str) -> Sweep:
    """The sweep recording `record` instead (as by `--record`), checked like a file."""
    return with_changes(sweep, {"record": record}, source)


CHANGEABLE = ("design", "replicates", "seed", "record", "batch_size")
"""Keys of a sweep file that `with_changes` replaces (the others shape its scenario or name)."""


def with_changes(sweep: Sweep, changes: dict[str, Any], source: str) -> Sweep:
    """The sweep with some of its `CHANGEABLE` keys replaced, checked like a file; a one-line
    ScenarioError naming `source` and the key otherwise."""
    for key in changes:
        if key not in CHANGEABLE:
            raise ScenarioError(
                f"{source}: {key}: cannot be changed (only {', '.join(CHANGEABLE)})"
            )
    return check(Sweep, sweep.model_dump() | changes, source)


SWEEP_KEYS = {"design", "record", "horizon", "batch_size", "max_runs"}
"""Keys of a sweep file that a calibration file does not have."""


def is_sweep_file(path: str | Path) -> bool:
    """Whether a file reads as TOML with a [design] table, or names a `scenario` (which a
    scenario file does not) beside another key only a sweep has."""
    data = peek(path)
    return "design" in data or ("scenario" in data and bool(SWEEP_KEYS & set(data)))


def load(path: str | Path) -> tuple[Sweep, Scenario, str, str]:
    """A sweep file, its base scenario, and the texts of both files; errors name the file and
    field."""
    path = Path(path)
    text = read_text(path)
    sweep = check(Sweep, read_toml(text, str(path)), str(path))
    scenario, scenario_text = load_named_in(sweep.scenario, path)
    refuse_drawn(scenario, list(sweep.parameters), str(path), "parameters.")
    if sweep.horizon is not None:
        scenario = cut(scenario, sweep.horizon)
    return sweep, scenario, text, scenario_text
