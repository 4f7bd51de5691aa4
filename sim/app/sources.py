"""Where the explorer's days come from: a scenario simulated day by day (`Live`) or a stored run
read back (`Replay`). Either gives a `Frame`, the series and events of the runs up to a day, in
the form `sim run` stores them, so the page draws both the same way."""

import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from sim.io.tables import plain, to_table
from sim.model import scenario as scenarios
from sim.model.escalation import EscalationModel
from sim.model.params import PARAMETERS
from sim.sweeps.results import Results

KNOBS = (
    "turkey_effort",
    "offensive_threshold",
    "relation_patience",
    "air_strike_rate",
    "shelling_rate",
    "capture_rate",
    "aid_capacity",
    "us_pullout_delay",
)
"""The parameters the live page offers as sliders (names only: ranges, units and meaning come
from the registry, `sim.model.params.PARAMETERS`)."""

MAX_RUNS = 20
"""The most runs a live ensemble may have (a band of them, stepped together)."""


@dataclass(frozen=True)
class Frame:
    """The page's input for one day: the daily series (rows by run, then day, the same days
    for every run) and the event log of the runs up to `day`, and what the map shows on hover
    per district beyond its name and holder (`notes`, live only: the stores keep no
    district's people or force)."""

    day: int
    last: int
    series: pd.DataFrame
    events: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def runs(self) -> int:
        """How many runs the frame holds."""
        return int(self.series["run"].nunique())

    @property
    def first_run(self) -> int:
        """The run the map, the postures and the events show (the first one)."""
        return int(self.series["run"].iloc[0])

    @cached_property
    def first_series(self) -> pd.DataFrame:
        """The first run's series."""
        return self.series[self.series["run"] == self.first_run]


class Live:
    """A named scenario simulated day by day with `replicates` runs from master seed `seed`
    and parameter `values` set, as `sim run SCENARIO --seed --replicates --set` runs it; day 0
    is simulated at once."""

    def __init__(self, name: str, seed: int, replicates: int, values: dict[str, float]) -> None:
        if not 1 <= replicates <= MAX_RUNS:
            raise ValueError(f"runs: {replicates} is not from 1 to {MAX_RUNS}")
        spec = scenarios.load(name)[0]
        spec = scenarios.with_overrides(spec, values, "explorer")
        self.spec = scenarios.with_runs(spec, replicates, seed)
        self.model = EscalationModel(self.spec, self.spec.replicates)
        self.lock = threading.Lock()  # play steps in a thread while the page may draw a frame
        self.known: dict[str, tuple[int, pd.DataFrame]] = {}  # converted tables, to a day
        self.step()

    @property
    def day(self) -> int:
        """The last day simulated."""
        return self.model.day - 1

    @property
    def last(self) -> int:
        """The scenario's horizon: the last day there is."""
        return self.spec.horizon

    def step(self) -> None:
        """Simulate one more day, unless the horizon is reached."""
        with self.lock:
            if self.model.day <= self.spec.horizon:
                self.model.step()

    def frame(self) -> Frame:
        """Today's frame, with each district's people and force in the first run."""
        with self.lock:
            recorder, world = self.model.recorder, self.model.world
            day = self.day
            series = self.converted("daily", recorder.daily_columns(), day)
            events = self.converted("events", recorder.events.columns(), day)
            people = world.people.residents[0] + world.people.sheltered[0]
            force = world.territory.force[0].copy()
        notes = tuple(
            f"{p:,.0f} people, force {f:.1f} thousand fighter-eq"
            for p, f in zip(people, force, strict=True)
        )
        return Frame(day, self.last, series, events, notes)

    def converted(self, table: str, columns: dict[str, np.ndarray], day: int) -> pd.DataFrame:
        """The model's `table` ("daily" or "events", rows by run, then day) up to `day`, as
        `sim run` stores it; only the days after the last frame's are converted anew."""
        through, known = self.known.get(table, (-1, None))
        new = columns["day"] > through
        if known is None or new.any():
            rows = plain(to_table({name: values[new] for name, values in columns.items()}, table))
            if known is not None:  # the new days of each run go after its earlier ones
                rows = pd.concat([known, rows], ignore_index=True)
                rows = rows.sort_values("run", kind="stable", ignore_index=True)
            self.known[table] = (day, rows)
        return self.known[table][1]


class Replay:
    """Run `run` of a `sim run` folder or a sweep's store (`sim.results.open`), read back day by day
    from `day`."""

    def __init__(self, stored: Results, run: int, day: int = 0) -> None:
        stored.check_run(run)
        self.name = f"{stored.name}, run {run}"
        self.series = stored.table("series", run)
        self.events = stored.table("events", run)
        self.last = int(self.series["day"].max())
        self.seek(day)

    def step(self) -> None:
        """Move on one day, unless at the last."""
        self.seek(self.day + 1)

    def seek(self, day: int) -> None:
        """Jump to `day` (clipped to the days stored)."""
        self.day = int(np.clip(day, 0, self.last))

    def frame(self) -> Frame:
        """The current day's frame."""
        return Frame(
            self.day,
            self.last,
            self.series[self.series["day"] <= self.day],
            self.events[self.events["day"] <= self.day],
        )


def knob_value(name: str, spec: scenarios.Scenario) -> float:
    """A knob's value in a scenario: its own, or the registry's default."""
    return float(spec.parameters.get(name, PARAMETERS[name].default))
