"""The opposition (National Liberation Front and allied groups): survive and keep Turkish
backing; outmatched by HTS, groups sign their towns' administration over (C12)."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import HTS, OPPOSITION, district_total


class Opposition(Faction):
    """The armed opposition groups in the zone."""

    name = "opposition"
    postures = ("hold", "fight", "cede")

    def __init__(self, model) -> None:
        super().__init__(model)
        self.cedes = np.zeros((model.replicates, model.geography.size), dtype=bool)

    @rule("C12")
    def decide(self) -> None:
        """A group cedes where HTS's local odds against it (as HTS perceives them today) exceed
        `cede_odds` (C12); otherwise it fights when attacked."""
        odds = self.model.faction("hts").odds
        self.cedes = self.world.held(OPPOSITION) & (odds > self.params.cede_odds[:, None])
        attacked = self.yesterday("hts") == 1
        self.posture = np.where(self.cedes.any(axis=1), 2, attacked).astype(np.int8)

    @rule("C12")
    def act(self) -> None:
        """Fighters leave for HTS or go home: the opposition loses `defection` of its force a day,
        and HTS gains `absorb_share` of it, spread over its districts of the zone (C12)."""
        p, world = self.params, self.world
        leaving = world.force * world.held(OPPOSITION) * p.defection[:, None]
        world.force -= leaving
        hts_zone = world.force * world.held(HTS) * world.geo.in_theatre("zone")
        weights = hts_zone / np.maximum(district_total(hts_zone), 1e-12)[:, None]
        world.force += weights * (district_total(leaving) * p.absorb_share)[:, None]
