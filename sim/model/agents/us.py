"""The United States: an outside actor whose presence in the north-east follows the scenario."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule


class UnitedStates(Faction):
    """US forces in the north-east (C17)."""

    name = "us"
    postures = ("stay", "withdrawing", "gone")

    @rule("C17")
    def decide(self) -> None:
        """Presence is 1 until `us_pullout_delay` days after the withdrawal announcement (C17),
        then falls by `us_pullout_share` over `us_pullout_days` days. No announcement: it stays."""
        announced = self.model.spec.events.us_announcement_day
        p = self.params
        if announced is None:
            progress = np.zeros(self.model.replicates)
        else:
            started = self.model.day - announced - p.us_pullout_delay
            progress = np.clip(started / p.us_pullout_days, 0.0, 1.0)
        self.posture = np.where(progress <= 0, 0, np.where(progress < 1, 1, 2)).astype(np.int8)
        self.world.us_presence = 1.0 - p.us_pullout_share * progress
