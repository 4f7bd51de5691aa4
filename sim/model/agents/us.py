"""The United States: an outside actor whose presence in the north-east follows the scenario."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import US


class UnitedStates(Faction):
    """US forces in the north-east (C17)."""

    actor = US
    Posture = postures.UnitedStates

    def __init__(self, model) -> None:
        super().__init__(model)
        self.presence = np.ones(model.replicates)

    @rule("C17", "assumption")
    def decide(self) -> None:
        """Presence is 1 until `us_pullout_delay` days after the withdrawal announcement (C17;
        the delay is an assumption), then falls by `us_pullout_share` over `us_pullout_days`
        days. No announcement: it stays."""
        announced = self.model.spec.events.us_announcement_day
        p = self.params
        if announced is None:
            progress = np.zeros(self.model.replicates)
        else:
            started = self.day - announced - p.us_pullout_delay
            progress = np.clip(started / p.us_pullout_days, 0.0, 1.0)
        self.posture = self.choose(
            (progress >= 1, postures.UnitedStates.GONE),
            (progress > 0, postures.UnitedStates.WITHDRAWING),
            otherwise=postures.UnitedStates.STAY,
        )
        self.presence = 1.0 - p.us_pullout_share * progress

    @rule("C17")
    def act(self) -> None:
        """US forces in the north-east are where the decision put them (C17)."""
        self.relations.set_us_presence(self.presence)
