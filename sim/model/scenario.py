"""Scenarios are data: TOML files checked by the pydantic schema below. Nothing in them runs.

A scenario names its story, horizon, replicates and seed, overrides any model parameter (checked
against the registry in `sim.params`), may draw some parameters run by run from a weighted sample
(a calibration's posterior) and schedules events on the day axis (day 0 = 17 Sept 2018).
"""

import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.model.params import PARAMETERS

SCENARIO_DIRS = (
    Path(__file__).resolve().parents[2] / "scenarios",  # a source checkout
    Path(__file__).resolve().parents[1] / "scenarios",  # an installed wheel (sim/scenarios)
)

Day = Annotated[int, Field(ge=0, le=3650)]

MAX_REPLICATES = 1_000_000
"""The most runs one scenario or design point asks for (a run's state is a few KB a day)."""

SEED_LIMIT = 2**63
"""Seeds are whole numbers from 0 to 2**63 - 1."""

Replicates = Annotated[int, Field(ge=1, le=MAX_REPLICATES)]
Seed = Annotated[int, Field(ge=0, lt=SEED_LIMIT)]


class Strict(BaseModel):
    """Unknown keys are errors, and values must have their own type: no string or true/false
    for a number, no 300.0 for a whole number (a whole number is fine for a decimal one)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Operation(Strict):
    """An operation the scenario imposes, whatever the actors would decide."""

    actor: Literal["damascus", "turkey"] = Field(
        description="damascus: a full-scale assault on the zone with Russian support (C14); "
        "turkey: its north-east operation (C19)"
    )
    day: Day = Field(description="first day of the operation")
    days: int = Field(ge=1, le=3650, description="how many days it is imposed")


class Events(Strict):
    """What the scenario schedules. Timings that sweeps vary are parameters instead. A day
    field set to `false` switches its event off (TOML has no null); a list, set to `[]`."""

    deal_day: Day | None = Field(
        0,
        description="day of the Sochi deal that postpones the assault (C04, C13, C14); "
        "false = no deal",
    )
    summit_days: list[Day] = Field(
        [128], description="Putin-Erdogan summits (C06-C08, C18): day 128 is the Moscow talks"
    )
    us_announcement_day: Day | None = Field(
        93,
        description="US withdrawal announcement (C17; 19 Dec 2018 = day 93); false = no pull-out",
    )
    operations: list[Operation] = Field([], description="imposed operations")
    flood_days: list[Day] = Field([], description="winter floods in the border camps (C16)")

    @field_validator("deal_day", "us_announcement_day", mode="before")
    @classmethod
    def _off(cls, day: object) -> object:
        """`false` switches the event off; `true` is no day."""
        if day is True:
            raise ValueError("a day (a whole number), or false to switch the event off")
        return None if day is False else day

    def days(self) -> dict[str, list[int]]:
        """The days of each kind of event, by field."""
        return {
            "deal_day": [self.deal_day] if self.deal_day is not None else [],
            "summit_days": self.summit_days,
            "us_announcement_day": [self.us_announcement_day]
            if self.us_announcement_day is not None
            else [],
            "flood_days": self.flood_days,
            "operations": [op.day for op in self.operations],
        }

    def until(self, horizon: int, fields: set[str] | None = None) -> "Events":
        """The events, less those of `fields` (None: of every field) after `horizon`."""
        fields = set(type(self).model_fields) if fields is None else fields
        late = {
            name
            for name, days in self.days().items()
            if name in fields and any(day > horizon for day in days)
        }
        if not late:
            return self
        keep = {
            "deal_day": None,
            "us_announcement_day": None,
            "summit_days": [d for d in self.summit_days if d <= horizon],
            "flood_days": [d for d in self.flood_days if d <= horizon],
            "operations": [op for op in self.operations if op.day <= horizon],
        }
        return self.model_copy(update={name: keep[name] for name in late})


class Sample(Strict):
    """A weighted sample of parameter values, such as the last generation of a calibration's
    posterior (`sim calibrate` writes it as `sample.toml`). Each run takes one row, drawn by
    weight with a uniform number from the run's own seed, so that a run's values depend only on
    its seed, alone or in a batch, and a re-run draws the same row."""

    source: str = Field("", max_length=1000, description="where the sample comes from")
    names: list[str] = Field(min_length=1, description="the parameters a row gives, in order")
    weights: list[float] = Field(min_length=1, description="each row's weight (any scale)")
    values: list[list[float]] = Field(description="the rows: one value per name")

    @field_validator("names")
    @classmethod
    def _known_once(cls, names: list[str]) -> list[str]:
        for k, name in enumerate(names):
            if name not in PARAMETERS:
                raise ValueError(f"{name}: unknown parameter (see `sim params`)")
            if name in names[:k]:
                raise ValueError(f"{name}: named twice")
        return names

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: list[float]) -> list[float]:
        finite = all(math.isfinite(w) and w >= 0 for w in weights) and math.isfinite(sum(weights))
        if not finite or sum(weights) <= 0:
            raise ValueError("weights must be finite (their sum too), not negative, not all zero")
        return weights

    @model_validator(mode="after")
    def _rows(self) -> "Sample":
        if len(self.values) != len(self.weights):
            raise ValueError(f"values: {len(self.values)} rows for {len(self.weights)} weights")
        for k, row in enumerate(self.values):
            if len(row) != len(self.names):
                raise ValueError(f"values: row {k}: {len(row)} values for {len(self.names)} names")
            for name, value in zip(self.names, row, strict=True):
                if not math.isfinite(value):
                    raise ValueError(f"values: row {k}: {name}: {value} is not a finite number")
                # whole-number parameters are rounded when drawn (a posterior's are not whole)
                rounded = round(value) if PARAMETERS[name].integer else value
                try:
                    PARAMETERS[name].check(rounded)
                except ValueError as error:
                    was = f" (rounded from {value:g})" if rounded != value else ""
                    raise ValueError(f"values: row {k}: {name}: {error}{was}") from None
        return self

    def per_run(self, seeds: np.ndarray) -> dict[str, np.ndarray]:
        """Each run's row, drawn by weight with a uniform number from its seed: one array of
        values a parameter (whole-number parameters rounded)."""
        from sim.model.streams import Streams  # scipy's import waits for the runs

        weights = np.asarray(self.weights, dtype=float)
        cumulative = np.cumsum(weights) / weights.sum()
        u = Streams(np.asarray(seeds, dtype=np.int64)).uniform(0, "posterior/draw")
        picked = np.minimum(np.searchsorted(cumulative, u, side="right"), len(weights) - 1)
        rows = np.asarray(self.values, dtype=float)[picked]
        return {
            name: np.rint(rows[:, i]) if PARAMETERS[name].integer else rows[:, i]
            for i, name in enumerate(self.names)
        }


class Scenario(Strict):
    """One scenario file."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="short name, used in paths"
    )
    description: str = Field(min_length=1, description="the story the scenario tells")
    horizon: int = Field(560, ge=1, le=3650, description="last day simulated (560 = April 2020)")
    replicates: Replicates = Field(100, description="runs by default")
    seed: Seed = Field(0, description="master seed of the runs")
    parameters: dict[str, float] = Field({}, description="overrides of the parameter registry")
    sample: Sample | None = Field(None, description="parameters each run draws from a sample")
    events: Events = Field(default_factory=Events)

    @field_validator("parameters")
    @classmethod
    def _known_and_in_range(cls, values: dict[str, float]) -> dict[str, float]:
        for name, value in values.items():
            if name not in PARAMETERS:
                raise ValueError(f"{name}: unknown parameter (see `sim params`)")
            try:
                PARAMETERS[name].check(value)
            except ValueError as error:
                raise ValueError(f"{name}: {error}") from None
        return values

    @property
    def drawn(self) -> list[str]:
        """The parameters each run draws from the sample (none without one)."""
        return self.sample.names if self.sample else []

    @model_validator(mode="after")
    def _drawn_or_set(self) -> "Scenario":
        both = [name for name in self.drawn if name in self.parameters]
        if both:
            raise ValueError(
                f"parameters.{both[0]}: set here and drawn from the sample; give it in one place"
            )
        return self

    @model_validator(mode="after")
    def _events_within_horizon(self) -> "Scenario":
        """An event the file schedules after the horizon would never happen: an error. One it
        did not write (a default, such as the day-128 summit) is left out."""
        written = self.events.model_fields_set if "events" in self.model_fields_set else set()
        self.events = self.events.until(self.horizon, set(Events.model_fields) - written)
        for field, days in self.events.days().items():
            for day in days:
                if day > self.horizon:
                    raise ValueError(
                        f"events.{field}: day {day} is after the horizon ({self.horizon}), so "
                        "it would never happen"
                    )
        return self


def cut(scenario: Scenario, horizon: int) -> Scenario:
    """The scenario run only to `horizon` (as a sweep's `horizon` asks): the events after it,
    which would never happen, are left out, so that the result is a valid scenario."""
    return scenario.model_copy(
        update={"horizon": horizon, "events": scenario.events.until(horizon)}
    )


class Runs(Strict):
    """How a model runs, checked alike whether the command line or Python asks."""

    replicates: Replicates = Field(description="runs in lockstep")
    seed: Seed | None = Field(None, description="master seed")
    seeds: list[Seed] | None = Field(
        None, min_length=1, max_length=MAX_REPLICATES, description="one seed a run"
    )
    record_every: int | None = Field(
        ge=1, le=3650, description="days between recorded rows (None: the summary only)"
    )


def check_runs(source: str, **runs: object) -> None:
    """A one-line ScenarioError naming `source` and the argument, for a number of runs, a
    seed or seeds, or a recording interval (`Runs`) that the command line would refuse too."""
    if runs.get("seeds") is not None:  # numpy's integers as Python's; 1.5 stays 1.5
        runs["seeds"] = np.asarray(runs["seeds"]).tolist()
    runs = {
        name: value.item() if isinstance(value, np.generic) else value
        for name, value in runs.items()
    }
    check(Runs, {"record_every": None} | runs, source)


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line naming the file and field."""


def named_scenarios() -> dict[str, Path]:
    """The scenarios shipped with the project, by name."""
    found: dict[str, Path] = {}
    for folder in SCENARIO_DIRS:
        for path in sorted(folder.glob("*.toml")):
            found.setdefault(path.stem, path)
    return found


def read_toml(text: str, source: str) -> dict:
    """TOML text as a dict; broken TOML is a one-line ScenarioError naming `source`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{source}: not valid TOML: {error}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: not usable TOML: nested too deeply") from None


def check[M: BaseModel](schema: type[M], data: dict, source: str) -> M:
    """Data checked against a schema; a failure is a one-line ScenarioError naming `source` and
    the field (for scenarios and sweep files alike)."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if field == "parameters" and first["type"] == "value_error":  # names the parameter first
            name, _, message = message.partition(": ")
            field = f"parameters.{name}"
        where = f"{field}: " if field else ""
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise ScenarioError(f"{source}: {where}{message}{more}") from None


def parse(text: str, source: str) -> Scenario:
    """Check scenario text; `source` names it in error messages."""
    return check(Scenario, read_toml(text, source), source)


def load(name_or_path: str | Path) -> tuple[Scenario, str]:
    """A scenario by shipped name or file path, with its text (kept for the manifest)."""
    path = Path(name_or_path)
    if not path.suffix and str(name_or_path) in named_scenarios():
        path = named_scenarios()[str(name_or_path)]
    try:
        if path.is_dir():
            raise ScenarioError(f"{name_or_path}: a folder, not a scenario file")
        if not path.exists():
            known = ", ".join(named_scenarios())
            raise ScenarioError(f"{name_or_path}: no such scenario file or name (named: {known})")
    except OSError as error:  # a name too long, say
        raise ScenarioError(f"{name_or_path}: cannot read: {error.strerror}") from None
    text = read_text(path)
    data = read_toml(text, str(path))
    named = data.pop("parameters_file", None) if isinstance(data, dict) else None
    if named is not None:  # a calibration's parameters.toml or sample.toml; own values win
        if not isinstance(named, str) or not named:
            raise ScenarioError(f"{path}: parameters_file: a file name (relative to this file)")
        try:
            found = parameter_file(path.parent / named)
        except ScenarioError as error:
            raise ScenarioError(f"{path}: parameters_file: {error}") from None
        own = data.get("parameters", {})
        data["parameters"] = {**found["parameters"], **own} if isinstance(own, dict) else own
        if found["sample"] is not None:
            if "sample" in data:
                raise ScenarioError(f"{path}: sample: given here and by the parameters_file")
            data["sample"] = found["sample"].model_dump()
    return check(Scenario, data, str(path)), text


def peek(path: str | Path) -> dict:
    """A file's top-level TOML table, or {} if it cannot be read as TOML: enough to tell a
    scenario, a sweep and a calibration file apart."""
    try:
        data = read_toml(read_text(Path(path)), str(path))
    except ScenarioError:
        return {}
    return data if isinstance(data, dict) else {}


def load_named_in(name: str, path: Path) -> tuple[Scenario, str]:
    """The scenario a sweep or calibration file at `path` names: a shipped name, or a scenario
    file relative to that file."""
    if name.endswith(".toml"):
        name = str((path.parent / name).resolve())
    try:
        return load(name)
    except ScenarioError as error:
        raise ScenarioError(f"{path}: scenario: {error}") from None


def read_text(path: Path) -> str:
    """A scenario or sweep file's text; unreadable or not UTF-8 is a one-line ScenarioError."""
    try:
        if path.exists() and not path.is_file():  # a pipe would never end
            raise ScenarioError(f"{path}: not a regular file")
        return path.read_text(encoding="utf-8-sig")  # a byte-order mark is not TOML
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None


class _SampleTable(Strict):
    sample: Sample


def parameter_file(path: Path) -> dict[str, Any]:
    """The `parameters` (a dict, maybe empty) and the `sample` (or None) of a TOML file
    with a [parameters] table, a [sample] table or both: a calibration's parameters.toml or
    sample.toml, or a scenario; for a scenario's `parameters_file` and `--set-file`. A file
    with neither, parameters that are not numbers or a sample that is not one is a one-line
    ScenarioError naming the file; the parameters' names and ranges are checked with the
    scenario."""
    data = read_toml(read_text(path), str(path))
    table, sample = data.get("parameters", {}), data.get("sample")
    if not isinstance(table, dict) or (not table and sample is None):
        raise ScenarioError(f"{path}: no [parameters] or [sample] table")
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{path}: parameters.{name}: not a number")
    if sample is not None:
        sample = check(_SampleTable, {"sample": sample}, str(path)).sample
    return {"parameters": {name: float(v) for name, v in table.items()}, "sample": sample}


def with_file(scenario: Scenario, path: Path) -> Scenario:
    """The scenario with a parameters file's values (as by `--set-file`): its [parameters]
    override the scenario's, its [sample] gives the runs one to draw from (`with_sample`)."""
    found, source = parameter_file(path), f"--set-file {path}"
    scenario = with_overrides(scenario, found["parameters"], source)
    return scenario if found["sample"] is None else with_sample(scenario, found["sample"], source)


def with_sample(scenario: Scenario, sample: Sample, source: str) -> Scenario:
    """The scenario with its runs drawing `sample`'s parameters (as by `--posterior` and
    `--set-file`); a scenario draws from one sample only."""
    if scenario.sample is not None:
        raise ScenarioError(f"{source}: sample: the scenario draws from one already")
    return check(Scenario, scenario.model_dump() | {"sample": sample.model_dump()}, source)


def refuse_drawn(scenario: Scenario, names: list[str], source: str, field: str) -> None:
    """A one-line ScenarioError if the scenario's runs draw any of `names` (the parameters a
    sweep's design or a calibration's priors would set; `field` names where, as "parameters.")
    from its sample: a parameter comes from one place."""
    both = [name for name in names if name in scenario.drawn]
    if both:
        raise ScenarioError(
            f"{source}: {field}{both[0]}: each run of {scenario.name} draws it from its sample, "
            "so it cannot be varied here too"
        )


def with_overrides(scenario: Scenario, overrides: dict[str, float], source: str) -> Scenario:
    """The scenario with parameters overridden (as by `--set`), checked like a file."""
    data = scenario.model_dump()
    data["parameters"] = {**data["parameters"], **overrides}
    return check(Scenario, data, source)


def with_runs(scenario: Scenario, replicates: int | None, seed: int | None) -> Scenario:
    """The scenario with its replicates and master seed replaced where given (as by
    `--replicates` and `--seed`), checked like a file: the same limits hold."""
    changes = {"replicates": replicates, "seed": seed}
    given = {name: value for name, value in changes.items() if value is not None}
    return check(Scenario, scenario.model_dump() | given, "--replicates/--seed")
