"""What the model records: the daily series (optional) and the per-run summary, as columns.

The summary is kept up to date day by day, so a sweep that needs only summaries holds no series.
Column meanings are listed in README.md ("Output columns").
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from sim.model.geography import ACTORS, DAMASCUS, HTS, KURDS, OPPOSITION, THEATRES, TURKEY
from sim.model.ladder import LEVELS, PAIRS, pair_levels, theatre_level

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel

START_DATE = date(2018, 9, 17)
"""Day 0: the Sochi agreement."""

CALIBRATION_DAY = 128
"""23 January 2019, the Moscow talks: the end of the calibration window."""

CESSION_WINDOW = (100, 128)
"""The last weeks of the window, when groups ceded administration to HTS (C12)."""

NO_DAY = -1  # internal marker for "never"; written as null


def day_to_date(day: int) -> date:
    """The calendar date of a model day."""
    return START_DATE + timedelta(days=int(day))


class Recorder:
    """Collects the daily record and the per-run summary of one model."""

    def __init__(self, model: "EscalationModel", every: int | None) -> None:
        self.model = model
        self.every = every
        self.days: list[dict[str, np.ndarray]] = []
        self.recorded_days: list[int] = []
        r = model.replicates
        self.peak_level = np.zeros(r, dtype=np.int8)
        self.first_day_level = np.full((r, len(LEVELS)), NO_DAY, dtype=np.int32)
        self.days_level_4_plus = np.zeros(r, dtype=np.int32)
        self.first_offensive_day = np.full(r, NO_DAY, dtype=np.int32)
        self.ne_operation_day = np.full(r, NO_DAY, dtype=np.int32)
        self.kurd_damascus_deal_day = np.full(r, NO_DAY, dtype=np.int32)
        self.at_calibration_day: dict[str, np.ndarray] = {}
        self.cessions_before_window = np.zeros(r, dtype=np.int64)
        self.displaced_peak = np.zeros(r)
        self.level = np.zeros(r, dtype=np.int8)

    @staticmethod
    def _first(day_so_far: np.ndarray, happened: np.ndarray, day: int) -> None:
        day_so_far[(day_so_far == NO_DAY) & happened] = day

    def record(self) -> None:
        """Close the day: compute the ladder, update the summary, keep the daily row."""
        m, world, day = self.model, self.model.world, self.model.day
        pairs = pair_levels(world.today, m.params)
        self.level = level = theatre_level(pairs)
        self.peak_level = np.maximum(self.peak_level, level)
        for k in range(1, len(LEVELS)):
            self._first(self.first_day_level[:, k], level >= k, day)
        self.days_level_4_plus += level >= 4
        attacked = world.today.attacked
        on_zone = attacked[:, DAMASCUS, HTS] + attacked[:, DAMASCUS, OPPOSITION]
        self._first(self.first_offensive_day, on_zone > 0, day)
        self._first(self.ne_operation_day, attacked[:, TURKEY, KURDS] > 0, day)
        self._first(self.kurd_damascus_deal_day, m.faction("kurds").invited, day)
        if day == CESSION_WINDOW[0] - 1:
            self.cessions_before_window = world.cessions.copy()
        if day == CALIBRATION_DAY:
            self.at_calibration_day = {
                "breaches_day128": world.breaches.copy(),
                "killed_day128": world.killed.copy(),
                "injured_day128": world.injured.copy(),
                "hts_zone_share_day128": world.share("zone", HTS),
                "cessions_day100_128": world.cessions - self.cessions_before_window,
            }
        self.displaced_peak = np.maximum(self.displaced_peak, world.displaced + world.in_camps)
        if self.every and day % self.every == 0:
            self.days.append(self._daily_row(pairs))
            self.recorded_days.append(day)

    def _daily_row(self, pairs: np.ndarray) -> dict[str, np.ndarray]:
        m, world = self.model, self.model.world
        row: dict[str, np.ndarray] = {
            "level": self.level.copy(),
            "breaches": world.breaches.copy(),
            "killed": world.killed.copy(),
            "injured": world.injured.copy(),
            "civilians_killed": world.civilians_killed.copy(),
            "displaced": world.displaced.copy(),
            "in_camps": world.in_camps.copy(),
            "left_for_turkey": world.left_for_turkey.copy(),
            "aid_delivered": world.aid_delivered.copy(),
            "us_presence": world.us_presence.copy(),
            "ru_tr_relation": world.relation.copy(),
            "russia_frustration": m.faction("russia").frustration.copy(),
            "cessions": world.cessions.copy(),
        }
        for i, actor in enumerate(ACTORS):
            row[f"zone_share_{actor}"] = world.share("zone", i)
            row[f"ne_share_{actor}"] = world.share("northeast", i)
        for faction in m.factions:
            row[f"posture_{faction.name}"] = faction.posture.copy()
        for k, (i, j) in enumerate(PAIRS):
            row[f"level_{ACTORS[i]}_{ACTORS[j]}"] = pairs[:, k].copy()
        return row

    def daily_columns(self) -> dict[str, np.ndarray]:
        """The recorded series as columns, rows ordered by run, then day."""
        m = self.model
        n_days = len(self.days)
        days = np.array(self.recorded_days, dtype=np.int32)
        columns: dict[str, np.ndarray] = {
            "run": np.repeat(np.arange(m.replicates, dtype=np.int64), n_days),
            "seed": np.repeat(m.seeds, n_days),
            "day": np.tile(days, m.replicates),
        }
        for name in self.days[0] if self.days else []:
            columns[name] = np.stack([d[name] for d in self.days], axis=1).reshape(-1)
        return columns

    def summary_columns(self) -> dict[str, np.ndarray]:
        """One row per run: parameters, then outcomes. Days never reached are NO_DAY (-1)."""
        m, world = self.model, self.model.world
        columns: dict[str, np.ndarray] = {
            "run": np.arange(m.replicates, dtype=np.int64),
            "seed": m.seeds.copy(),
        }
        columns.update(m.params.as_dict())
        columns["peak_level"] = self.peak_level
        for k in range(1, len(LEVELS)):
            columns[f"first_day_level_{k}"] = self.first_day_level[:, k]
        columns["days_level_4_plus"] = self.days_level_4_plus
        columns["first_offensive_day"] = self.first_offensive_day
        columns["ne_operation_day"] = self.ne_operation_day
        columns["kurd_damascus_deal_day"] = self.kurd_damascus_deal_day
        for name in ("breaches_day128", "killed_day128", "injured_day128"):
            columns[name] = self.at_calibration_day.get(name, np.full(m.replicates, NO_DAY))
        columns["hts_zone_share_day128"] = self.at_calibration_day.get(
            "hts_zone_share_day128", np.full(m.replicates, np.nan)
        )
        columns["cessions_day100_128"] = self.at_calibration_day.get(
            "cessions_day100_128", np.full(m.replicates, NO_DAY)
        )
        columns["civilians_killed"] = world.civilians_killed.copy()
        columns["displaced_peak"] = self.displaced_peak
        for theatre in THEATRES:
            for i, actor in enumerate(ACTORS):
                columns[f"final_share_{theatre}_{actor}"] = world.share(theatre, i)
        return columns
