"""Where the explorer's days come from: a scenario simulated day by day (`Live`) or a stored run
read back (`Replay`). Either gives a `Frame`, the series and events of the runs up to a day, in
the form `sim run` stores them, so the page draws both the same way."""

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.io.tables import plain, to_table
from sim.model import scenario as scenarios
from sim.model.escalation import EscalationModel
from sim.model.params import PARAMETERS
from sim.sweeps.stored import StoredRuns

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
    """The page's input for one day: the daily series and the event log of the runs up to
    `day`, and what the map shows on hover per district beyond its name and holder (`notes`,
    live only: the stores keep no district's people or force)."""

    day: int
    last: int
    series: pd.DataFrame
    events: pd.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def first_run(self) -> int:
        """The run the map, the postures and the events show (the first one)."""
        return int(self.series["run"].iloc[0])


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
            daily, logged = recorder.daily_columns(), recorder.events.columns()
            people = world.people.residents[0] + world.people.sheltered[0]
            force = world.territory.force[0].copy()
            day = self.day
        series = plain(to_table(daily, "daily"))
        events = plain(to_table(logged, "events"))
        notes = tuple(
            f"{p:,.0f} people, force {f:.1f} thousand fighter-eq"
            for p, f in zip(people, force, strict=True)
        )
        return Frame(day, self.last, series, events, notes)


class Replay:
    """Run `run` of a `sim run` folder or a sweep's store (`open_runs`), read back day by day
    from `day`."""

    def __init__(self, stored: StoredRuns, run: int, day: int = 0) -> None:
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
