"""The opposition (National Liberation Front and allied groups): survive and keep Turkish
backing; outmatched by HTS, groups sign their towns' administration over (C12)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, OPPOSITION


class Opposition(Faction):
    """The armed opposition groups in the zone."""

    actor = OPPOSITION
    Posture = postures.Opposition
    published = ("cedes",)

    def __init__(self, model) -> None:
        super().__init__(model)
        self.cedes = np.zeros((model.replicates, model.geography.size), dtype=bool)

    @rule("C12")
    def decide(self) -> None:
        """A group is ready to cede where HTS's local odds against it (as they stood yesterday)
        exceed `cede_odds` (C12: groups outmatched signed administration over); the cession
        happens when HTS moves on it (`HayatTahrirAlSham.expand`). Otherwise the groups
        fight when HTS moved on them or Damascus attacked yesterday."""
        outmatched = self.seen(HTS, "odds") > self.params.cede_odds[:, None]
        self.cedes = self.territory.held(OPPOSITION) & outmatched
        attacked = (self.yesterday(HTS) == postures.HayatTahrirAlSham.EXPAND) | (
            self.yesterday(DAMASCUS) >= postures.Damascus.OFFENSIVE
        )
        self.posture = self.choose(
            (self.cedes.any(axis=1), postures.Opposition.CEDE),
            (attacked, postures.Opposition.FIGHT),
            otherwise=postures.Opposition.HOLD,
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.lose_fighters()
        self.fight_back()

    @rule("C12")
    def lose_fighters(self) -> None:
        """Fighters leave for HTS or go home: the opposition loses `defection` of its force a day,
        and HTS gains `absorb_share` of it, spread over its districts of the zone (C12)."""
        p, territory = self.params, self.territory
        leaving = territory.force * territory.held(OPPOSITION) * p.defection[:, None]
        territory.wear_down(territory.held(OPPOSITION), p.defection * (1 - p.absorb_share))
        hts_zone = territory.force * territory.held(HTS) * self.geo.in_theatre("zone")
        territory.transfer(leaving * p.absorb_share[:, None], hts_zone)

    @rule("C12", "assumption")
    def fight_back(self) -> None:
        """Fighting, the groups defend with `fighting_resolve` times their force, in their own
        towns and where they stayed under HTS's administration (assumption: every town of
        theirs faces HTS or Damascus, so there is no rear to bring fighters from; C12: they
        yield only when outmatched)."""
        fighting = self.posture == postures.Opposition.FIGHT
        self.territory.stand_firm(OPPOSITION, np.where(fighting, self.params.fighting_resolve, 1.0))
