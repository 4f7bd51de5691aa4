"""What the model records: the daily series (optional) and the per-run summary, as columns.

The summary is kept up to date day by day, so a sweep that needs only summaries holds no series.
Column meanings are listed in docs/outputs.md.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.events import EventLog
from sim.model.geography import ACTORS, DAMASCUS, HTS, KURDS, OPPOSITION, RUSSIA, THEATRES, TURKEY
from sim.model.geography import district_total as total
from sim.model.ladder import GROUND_WAR, LEVELS, Ladder, theatre_level
from sim.model.outcomes import DAILY, P04_DISTRICTS, Kind, by_column
from sim.model.params import PAUSE_DAYS

if TYPE_CHECKING:
    import pandas as pd

    from sim.model.escalation import EscalationModel

START_DATE = date(2018, 9, 17)
"""Day 0: the Sochi agreement."""

CALIBRATION_DAY = 128
"""23 January 2019, the Moscow talks: the end of the article's window."""

CESSION_WINDOW = (100, 128)
"""The last weeks of the window, when groups ceded administration to HTS (C12)."""

OFFENSIVE_WINDOW = {"civilians": (224, 346), "displaced": (225, 340), "held": 345}
"""The 2019 offensive's window (../shared/patterns.md): civilians killed between days 224 and 346
(P03), displaced added between 225 and 340 (P02), who holds what on day 345 (P04)."""

NO_DAY = -1  # internal marker for "never"; written as null

STATE_BYTES = 16_000
"""Memory one run takes in a lockstep model with its summary (measured: 14.8 KB a run, 4,000
baseline runs to day 560)."""

ROW_BYTES = 700
"""Memory one recorded day of one run's series takes until it is written (measured: 0.57 KB a
day weekly, 0.68 KB daily, both as Arrow tables)."""

SERIES_CHUNK = 4_000_000
"""Bytes of the series taken out of the recorded days at a time (see `Recorder.series`)."""

EVENT_BYTES = 60
"""Memory the event log takes a run and a day (measured in baseline: 0.34 events a day of about
100 bytes; taken at twice that)."""


def memory_needed(runs: int, days: int, every: int | None, events: bool) -> int:
    """Bytes a model of `runs` runs to day `days` needs, recording the series every `every`
    days (None: summary only) and the event log if `events`: an estimate from the figures
    above, for refusing a batch that cannot fit before anything is allocated."""
    rows = 0 if every is None else days // every + 1
    return runs * (STATE_BYTES + rows * ROW_BYTES + (days + 1) * EVENT_BYTES * events)


def check_memory(runs: int, days: int, every: int | None, events: bool, what: str) -> None:
    """A ValueError naming `what` if `memory_needed` is more than the memory free now."""
    import psutil  # only here: the model itself needs no system library

    needed, free = memory_needed(runs, days, every, events), psutil.virtual_memory().available
    if needed > free:
        kept = "with its daily series" if every == 1 else "with weekly series" if every else ""
        raise ValueError(
            f"{what}: {runs:,} runs to day {days} {kept} need about {needed / 1e9:,.1f} GB of "
            f"memory, more than the {free / 1e9:,.1f} GB free; ask for fewer runs "
            "(a sweep runs them in batches)".replace("  ", " ")
        )


_RUNGS = np.arange(1, len(LEVELS))
"""The levels above 0, for the first day at or above each."""
_FAMILY = {o.name: o.columns() for o in DAILY}  # each declared name's columns, made once
_ZONE_SHARES, _NE_SHARES = _FAMILY["zone_share_<actor>"], _FAMILY["ne_share_<actor>"]
_PAIR_LEVELS = _FAMILY["level_<pair>"]


def day_to_date(day: int) -> date:
    """The calendar date of a model day."""
    return START_DATE + timedelta(days=int(day))


class Recorder:
    """Collects the daily record and the per-run summary of one model."""

    def __init__(self, model: "EscalationModel", every: int | None, events: bool) -> None:
        self.model = model
        self.every = every
        self.events = EventLog(model) if events else None
        self.rows: list[tuple[np.ndarray, np.ndarray]] = []  # each recorded day's two blocks
        self.recorded_days: list[int] = []
        # the names and types of each block's columns, in the daily table's order
        self.block_names: tuple[list[str], list[str]] = ([], [])
        self.block_types: tuple[list[np.dtype], list[np.dtype]] = ([], [])
        r = model.replicates
        self.ladder = Ladder(r)
        self.peak_level = np.zeros(r, dtype=np.int8)
        self.first_day_level = np.full((r, len(LEVELS)), NO_DAY, dtype=np.int32)
        self.days_level_4_plus = np.zeros(r, dtype=np.int32)
        self.first_offensive_day = np.full(r, NO_DAY, dtype=np.int32)
        self.first_pause_day = np.full(r, NO_DAY, dtype=np.int32)
        self.last_attack_day = np.full(r, NO_DAY, dtype=np.int32)
        self.summits = np.zeros(r, dtype=np.int32)
        self.truces_broken = np.zeros(r, dtype=np.int32)
        self.ne_operation_day = np.full(r, NO_DAY, dtype=np.int32)
        self.kurd_damascus_deal_day = np.full(r, NO_DAY, dtype=np.int32)
        self.at_day: dict[str, np.ndarray] = {}
        self.displaced_peak = np.zeros(r)
        self.ne_displaced_peak = np.zeros(r)
        self.aid_delivered_total = np.zeros(r)
        self.aid_need_total = np.zeros(r)
        self.relation_low = model.world.relations.relation.copy()
        self.level = np.zeros(r, dtype=np.int8)

    @staticmethod
    def _first(day_so_far: np.ndarray, happened: np.ndarray, day: int) -> None:
        day_so_far[(day_so_far == NO_DAY) & happened] = day

    def record(self) -> None:
        """Close the day: compute the ladder, update the summary, keep the daily row."""
        m, world, day = self.model, self.model.world, self.model.day
        pairs = self.ladder.climb(world.today, m.params)
        self.level = level = theatre_level(pairs)
        self.peak_level = np.maximum(self.peak_level, level)
        rungs = self.first_day_level[:, 1:]  # a view: the first day at or above each level
        self._first(rungs, level[:, None] >= _RUNGS, day)
        self.days_level_4_plus += level >= GROUND_WAR
        self._offensives(day)
        attacked = world.today.attacked
        self._first(self.ne_operation_day, attacked[:, TURKEY, KURDS] > 0, day)
        self._first(self.kurd_damascus_deal_day, m.faction(KURDS).view("invited"), day)
        self.summits += world.today.summit
        self.truces_broken += m.faction(RUSSIA).view("truce_broken")
        self._windows(day)
        self.displaced_peak = np.maximum(
            self.displaced_peak, world.people.displaced + world.people.in_camps
        )
        self.ne_displaced_peak = np.maximum(
            self.ne_displaced_peak, world.people.ne_displaced + world.people.ne_camps
        )
        self.aid_delivered_total += world.people.aid_delivered
        self.aid_need_total += world.people.aid_need
        self.relation_low = np.minimum(self.relation_low, world.relations.relation)
        if self.every and day % self.every == 0:
            self.rows.append(self._daily_row(pairs))
            self.recorded_days.append(day)
        if self.events:
            self.events.record()

    def _offensives(self, day: int) -> None:
        """Damascus's ground attacks on the zone: the first, and the first pause."""
        attacked = self.model.world.today.attacked[:, DAMASCUS]
        on_zone = (attacked[:, HTS] + attacked[:, OPPOSITION]) > 0
        self._first(self.first_offensive_day, on_zone, day)
        self.last_attack_day = np.where(on_zone, day, self.last_attack_day)
        quiet = (self.last_attack_day != NO_DAY) & (day - self.last_attack_day >= PAUSE_DAYS)
        self._first(self.first_pause_day, quiet, day)

    def _windows(self, day: int) -> None:
        """Figures taken on the days that bound the two calibration windows."""
        world, at = self.model.world, self.at_day
        if day == CESSION_WINDOW[0] - 1:
            at["cessions_before"] = world.territory.cessions.copy()
        if day == CALIBRATION_DAY:
            at["breaches_day128"] = world.combat.breaches.copy()
            at["breach_killed_day128"] = world.combat.breach_killed.copy()
            at["breach_injured_day128"] = world.combat.breach_injured.copy()
            at["hts_zone_share_day128"] = world.territory.share("zone", HTS)
            at["cessions_day100_128"] = world.territory.cessions - at["cessions_before"]
        first, last = OFFENSIVE_WINDOW["civilians"]
        if day == first - 1:
            at["civilians_before"] = world.people.civilians_killed.copy()
        if day == last:
            at["civilians_killed_day224_346"] = (
                world.people.civilians_killed - at["civilians_before"]
            )
        first, last = OFFENSIVE_WINDOW["displaced"]
        if day == first - 1:
            at["displaced_before"] = world.people.fled.copy()
        if day == last:
            at["displaced_day225_340"] = world.people.fled - at["displaced_before"]
        if day == OFFENSIVE_WINDOW["held"]:
            geo, held = world.geo, world.territory.held(DAMASCUS)
            for district in P04_DISTRICTS:
                at[f"damascus_holds_{district}_day345"] = held[:, geo.index(district)].astype(float)
            zone = geo.population * geo.in_theatre("zone")
            at["damascus_zone_share_day345"] = total(held * zone) / zone.sum()

    def _daily_row(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The day's row as two blocks, each copied in one step (a row of some 60 columns costs
        a copy each otherwise): the figures as floats (exact for the counts and the level) and
        the rungs (int8: postures and pair levels), R values of a column after another."""
        m, world = self.model, self.model.world
        zone, northeast = THEATRES.index("zone"), THEATRES.index("northeast")
        hts_force, opposition_force = world.territory.zone_forces()
        figures: dict[str, np.ndarray] = {
            "level": self.level,
            "breaches": world.combat.breaches,
            "killed": world.people.killed,
            "injured": world.people.injured,
            "civilians_killed": world.people.civilians_killed,
            "displaced": world.people.displaced,
            "in_camps": world.people.in_camps,
            "ne_displaced": world.people.ne_displaced,
            "ne_in_camps": world.people.ne_camps,
            "left_for_turkey": world.people.left_for_turkey,
            "aid_need": world.people.aid_need,
            "aid_delivered": world.people.aid_delivered,
            "us_presence": world.relations.us_presence,
            "ru_tr_relation": world.relations.relation,
            "russia_frustration": m.faction(RUSSIA).view("frustration"),
            "summit": world.today.summit,
            "cessions": world.territory.cessions,
            "hts_force": hts_force,
            "opposition_force": opposition_force,
        }
        by_theatre = world.territory.shares()
        shares = by_theatre[[zone, northeast]].transpose(1, 0, 2)  # (7, 2, R), by actor
        postures = [f.posture for f in m.factions]
        if not self.rows:  # the first day names the columns
            share_names = [n for pair in zip(_ZONE_SHARES, _NE_SHARES, strict=True) for n in pair]
            posture_names = [f"posture_{f.name}" for f in m.factions]
            self.block_names = ([*figures, *share_names], [*posture_names, *_PAIR_LEVELS])
            self.block_types = (
                [v.dtype for v in figures.values()] + [shares.dtype] * len(share_names),
                [p.dtype for p in postures] + [pairs.dtype] * len(_PAIR_LEVELS),
            )
        return (
            np.concatenate([*figures.values(), shares], axis=None, dtype=float),
            np.concatenate([*postures, pairs.T], axis=None),  # one row per pair
        )

    def series(self) -> dict[str, np.ndarray]:
        """The recorded series: each daily column as an (R, recorded days) array of its own
        type, in the daily table's order. Taken out of the days' blocks a few columns at a time
        (`SERIES_CHUNK` bytes), so that no second copy of the whole series is made."""
        runs, n_days = self.model.replicates, len(self.rows)
        found: dict[str, np.ndarray] = {}
        if not n_days:
            return found
        blocks = zip(self.block_names, self.block_types, strict=True)
        for block, (names, types) in enumerate(blocks):
            step = max(1, SERIES_CHUNK // (n_days * runs * self.rows[0][block].itemsize))
            for first in range(0, len(names), step):
                part = slice(first * runs, (first + step) * runs)
                chunk = np.stack([row[block][part] for row in self.rows])  # (days, columns x R)
                by_column = chunk.reshape(n_days, -1, runs).transpose(1, 2, 0)
                kept = slice(first, first + step)
                for name, dtype, values in zip(names[kept], types[kept], by_column, strict=True):
                    found[name] = values.astype(dtype, order="C")
        return found

    def daily_columns(self) -> dict[str, np.ndarray]:
        """The recorded series as columns, rows ordered by run, then day."""
        m = self.model
        n_days = len(self.rows)
        days = np.array(self.recorded_days, dtype=np.int32)
        columns: dict[str, np.ndarray] = {
            "run": np.repeat(np.arange(m.replicates, dtype=np.int64), n_days),
            "seed": np.repeat(m.seeds, n_days),
            "day": np.tile(days, m.replicates),
        }
        columns.update((name, values.reshape(-1)) for name, values in self.series().items())
        return columns

    def summary_columns(self) -> dict[str, np.ndarray]:
        """One row per run: parameters, then outcomes (`sim.model.outcomes.SUMMARY`). Days of
        events that never happened, and figures of a window the run did not reach, are NaN."""
        m, world = self.model, self.model.world
        r = m.replicates
        columns: dict[str, np.ndarray] = {
            "run": np.arange(r, dtype=np.int64),
            "seed": m.seeds.copy(),
        }
        columns.update(m.params.as_dict())
        columns["peak_level"] = self.peak_level
        for k in range(1, len(LEVELS)):
            columns[f"first_day_level_{k}"] = self.first_day_level[:, k]
        columns["days_level_4_plus"] = self.days_level_4_plus
        columns["first_offensive_day"] = self.first_offensive_day
        columns["first_pause_day"] = self.first_pause_day
        columns["offensives"] = m.faction(DAMASCUS).view("offensives_begun").copy()
        columns["summits"] = self.summits
        columns["truces_broken"] = self.truces_broken
        columns["retaken"] = world.territory.retaken.copy()
        columns["turkish_soldiers_killed"] = world.combat.soldiers_killed.copy()
        columns["ne_operation_day"] = self.ne_operation_day
        columns["kurd_damascus_deal_day"] = self.kurd_damascus_deal_day
        window = (
            "breaches_day128",
            "breach_killed_day128",
            "breach_injured_day128",
            "hts_zone_share_day128",
            "cessions_day100_128",
            "civilians_killed_day224_346",
            "displaced_day225_340",
            *(f"damascus_holds_{d}_day345" for d in P04_DISTRICTS),
            "damascus_zone_share_day345",
        )
        for name in window:
            columns[name] = self.at_day.get(name, np.full(r, np.nan)).astype(float)
        columns["breaches"] = world.combat.breaches.copy()
        columns["killed"] = world.people.killed.copy()
        columns["injured"] = world.people.injured.copy()
        columns["returned"] = world.people.returned.copy()
        columns["civilians_killed"] = world.people.civilians_killed.copy()
        columns["ne_civilians_killed"] = world.people.ne_civilians_killed.copy()
        columns["displaced_peak"] = self.displaced_peak
        columns["ne_displaced_peak"] = self.ne_displaced_peak
        columns["left_for_turkey"] = world.people.left_for_turkey.copy()
        columns["aid_coverage"] = self.aid_delivered_total / np.maximum(self.aid_need_total, 1.0)
        columns["relation_low"] = self.relation_low
        columns["final_opposition_force"] = world.territory.zone_forces()[1]
        for theatre, shares in zip(THEATRES, world.territory.shares(), strict=True):
            for i, actor in enumerate(ACTORS):
                columns[f"final_share_{theatre}_{actor}"] = shares[i]
        for name, outcome in by_column("summary").items():
            if outcome.kind is Kind.DAY:
                columns[name] = np.where(columns[name] == NO_DAY, np.nan, columns[name])
        return columns


class RecordedData(mesa.DataCollector):
    """Mesa's DataCollector over the recorder: Mesa's model variables are the recorded days'
    rows (one value per variable for a one-run model, one array of a value per run for a
    lockstep batch), built when asked for, so that `mesa.batch_run` reads them at no cost to
    the run; `get_model_vars_dataframe()` is the recorded series as one tidy row per run and
    day, however many runs. Postures come as their names (`posture_<actor>`: "shelling", ...),
    in the data frame as ordered categories in ladder order."""

    def __init__(self, recorder: Recorder) -> None:  # no reporters: the recorder collects
        self.recorder = recorder
        self.model_reporters, self.agent_reporters, self.agenttype_reporters = {}, {}, {}
        self._agent_records, self._agenttype_records, self.tables = {}, {}, {}

    def collect(self, model: "EscalationModel") -> None:
        """Nothing to do: the recorder has kept the day's row (see `record`)."""

    @property
    def _collection_steps(self) -> list[int]:
        """Mesa's step (its `time`) after each recorded day: the day + 1."""
        return [day + 1 for day in self.recorder.recorded_days]

    @property
    def model_vars(self) -> dict[str, list]:
        """{variable: its value on each recorded day}, `seed` and `day` first."""
        model, days = self.recorder.model, np.array(self.recorder.recorded_days)
        if not len(days):
            return {}
        columns = {
            "seed": np.repeat(model.seeds[:, None], len(days), axis=1),
            "day": np.tile(days, (model.replicates, 1)),
            **self.recorder.series(),
        }
        for name, names in self.postures().items():
            columns[name] = np.array(names)[columns[name]]
        if model.replicates == 1:
            return {name: values[0].tolist() for name, values in columns.items()}
        return {name: list(values.T) for name, values in columns.items()}

    def get_model_vars_dataframe(self) -> "pd.DataFrame":
        """The recorded series: one row per run and day, with `run`, `seed` and `day` (as Mesa's
        DataCollector gives it: a pandas DataFrame)."""
        import pandas as pd  # only for Mesa's interface: the model's tables are numpy columns

        frame = pd.DataFrame(self.recorder.daily_columns())
        for name, names in self.postures().items():
            if name in frame:
                frame[name] = pd.Categorical.from_codes(frame[name], names, ordered=True)
        return frame

    def postures(self) -> dict[str, tuple[str, ...]]:
        """{"posture_<actor>": the actor's posture names, in ladder order}."""
        return {f"posture_{f.name}": f.posture_names() for f in self.recorder.model.factions}
