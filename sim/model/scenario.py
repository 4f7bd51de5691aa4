"""Scenarios are data: TOML files checked by the pydantic schema below. Nothing in them runs.

A scenario names its story, horizon, replicates and seed, overrides any model parameter (checked
against the registry in `sim.params`) and schedules events on the day axis (day 0 = 17 Sept 2018).
"""

import tomllib
from pathlib import Path
from typing import Annotated, Literal

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
    """What the scenario schedules. Timings that sweeps vary are parameters instead."""

    deal_day: Day | None = Field(
        0,
        description="day of the Sochi deal that postpones the assault (C04, C13, C14); "
        "none = no deal",
    )
    summit_days: list[Day] = Field(
        [128], description="Putin-Erdogan summits (C06-C08, C18): day 128 is the Moscow talks"
    )
    us_announcement_day: Day | None = Field(
        93, description="US withdrawal announcement (C17; 19 Dec 2018 = day 93); none = no pull-out"
    )
    operations: list[Operation] = Field([], description="imposed operations")
    flood_days: list[Day] = Field([], description="winter floods in the border camps (C16)")


class Scenario(Strict):
    """One scenario file."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", max_length=64, description="short name, used in paths"
    )
    description: str = Field(min_length=1, description="the story the scenario tells")
    horizon: int = Field(560, ge=1, le=3650, description="last day simulated (560 = April 2020)")
    replicates: int = Field(100, ge=1, le=MAX_REPLICATES, description="runs by default")
    seed: int = Field(0, ge=0, lt=SEED_LIMIT, description="master seed of the runs")
    parameters: dict[str, float] = Field({}, description="overrides of the parameter registry")
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

    @model_validator(mode="after")
    def _events_within_horizon(self) -> "Scenario":
        events = self.events
        days = {
            "deal_day": [events.deal_day],
            "summit_days": events.summit_days,
            "us_announcement_day": [events.us_announcement_day],
            "flood_days": events.flood_days,
            "operations": [op.day for op in events.operations],
        }
        for field, values in days.items():
            for day in values:
                if day is not None and day > self.horizon:
                    raise ValueError(
                        f"events.{field}: day {day} is after the horizon ({self.horizon}), so "
                        "it would never happen"
                    )
        return self


def cut(scenario: Scenario, horizon: int) -> Scenario:
    """The scenario run only to `horizon` (as a sweep's `horizon` asks): the events after it,
    which would never happen, are left out, so that the result is a valid scenario."""
    events = scenario.events
    kept = events.model_copy(
        update={
            "deal_day": events.deal_day if (events.deal_day or 0) <= horizon else None,
            "summit_days": [d for d in events.summit_days if d <= horizon],
            "us_announcement_day": events.us_announcement_day
            if (events.us_announcement_day or 0) <= horizon
            else None,
            "flood_days": [d for d in events.flood_days if d <= horizon],
            "operations": [op for op in events.operations if op.day <= horizon],
        }
    )
    return scenario.model_copy(update={"horizon": horizon, "events": kept})


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
        if field == "parameters":  # the parameters' validator names the parameter first
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
    if named is not None:  # e.g. a calibration's parameters.toml; the file's own table wins
        if not isinstance(named, str) or not named:
            raise ScenarioError(f"{path}: parameters_file: a file name (relative to this file)")
        table = parameter_table(path.parent / named)
        own = data.get("parameters", {})
        data["parameters"] = {**table, **own} if isinstance(own, dict) else own
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
    return load(name)


def read_text(path: Path) -> str:
    """A scenario or sweep file's text; unreadable or not UTF-8 is a one-line ScenarioError."""
    try:
        if path.exists() and not path.is_file():  # a pipe would never end
            raise ScenarioError(f"{path}: not a regular file")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read: {error.strerror}") from None


def parameter_table(path: Path) -> dict[str, float]:
    """The [parameters] table of a TOML file (a calibration's parameters.toml, or a scenario),
    for `--set-file`; a file without one, or with values that are not numbers, is a one-line
    ScenarioError. Names and ranges are checked by `with_overrides`."""
    data = read_toml(read_text(path), str(path))
    table = data.get("parameters")
    if not isinstance(table, dict) or not table:
        raise ScenarioError(f"{path}: no [parameters] table")
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(f"{path}: parameters.{name}: not a number")
    return {name: float(value) for name, value in table.items()}


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
