"""The Kurdish-led forces (SDF/YPG): hold the north-east; when the US leaves and Turkey threatens,
let Damascus (and Russia) in (C19)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction, rising
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, KURDS, RUSSIA, TURKEY


class Kurds(Faction):
    """The Kurdish-led forces of the north-east."""

    actor = KURDS
    Posture = postures.Kurds
    published = ("invited", "inviting")

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.threat = np.zeros(r)
        self.invited = np.zeros(r, dtype=bool)
        self.inviting = np.zeros(r, dtype=bool)

    @rule("C17", "C19")
    def perceive(self) -> None:
        """Threat: how far the US has gone (C17) times how poised Turkey is: `kurd_vow_weight`
        while it only vows an operation, whole while one runs (C19)."""
        operating = self.yesterday(TURKEY) == postures.Turkey.NE_OPERATION
        weight = np.where(operating, 1.0, self.params.kurd_vow_weight)
        self.threat = (1 - self.relations.us_presence) * weight

    @rule("C19", "assumption")
    def decide(self) -> None:
        """Strike a deal with Damascus at a daily chance that rises smoothly with the threat,
        half of `kurd_invite_hazard` at `kurd_invite_threat` (spread `kurd_invite_spread`,
        assumption), none without a threat (the US still all there), and `mediation_boost`
        times that while Russia mediates fully, in proportion as it mediates in part (C19).
        Resist an operation."""
        p = self.params
        mediated = 1 + (p.mediation_boost - 1) * self.seen(RUSSIA, "mediation")
        threatened = self.threat > 0
        ready = rising(self.threat, p.kurd_invite_threat, p.kurd_invite_spread) * threatened
        chance = p.kurd_invite_hazard * mediated * ready
        drawn = self.streams.bernoulli(self.day, "kurds/invite", chance)
        self.inviting = drawn & ~self.invited
        self.invited = self.invited | self.inviting
        resisting = self.yesterday(TURKEY) == postures.Turkey.NE_OPERATION
        self.posture = self.choose(
            (self.invited, postures.Kurds.INVITE_DAMASCUS),
            (resisting, postures.Kurds.RESIST),
            otherwise=postures.Kurds.HOLD,
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.let_damascus_in()
        self.resist()

    @rule("C19", "assumption")
    def let_damascus_in(self) -> None:
        """On the day of the deal, Damascus takes over the Kurdish-held districts on the Turkish
        border and those next to Turkish-held ground (C19); the Kurdish fighters there withdraw
        to the Kurds' other districts (staying only where none is left), and Damascus garrisons
        what it gained (`Damascus.garrison`; assumption)."""
        if not self.inviting.any():
            return
        land = self.territory
        exposed = land.turkish_reach() & self.geo.in_theatre("northeast")
        handed = self.inviting[:, None] & land.held(KURDS) & exposed
        land.redeploy(KURDS, ~handed, self.inviting.astype(float))  # all of it, out of `handed`
        land.cede(handed, DAMASCUS, np.ones(self.model.replicates))

    @rule("C19", "assumption")
    def resist(self) -> None:
        """Resisting a Turkish operation (C19), the Kurds move `front_reinforcement` of their
        force in the rear to the districts Turkey can reach, and defend with
        `fighting_resolve` times their force (assumption)."""
        p = self.params
        resisting = self.posture == postures.Kurds.RESIST
        self.territory.redeploy(
            KURDS, self.territory.turkish_reach(), p.front_reinforcement * resisting
        )
        self.territory.stand_firm(KURDS, np.where(resisting, p.fighting_resolve, 1.0))
