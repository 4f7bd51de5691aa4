"""The Kurdish-led forces (SDF/YPG): hold the north-east; when the US leaves and Turkey threatens,
let Damascus (and Russia) in (C19)."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, KURDS, TURKEY


class Kurds(Faction):
    """The Kurdish-led forces of the north-east."""

    name = "kurds"
    postures = ("hold", "resist", "invite_damascus")

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.threat = np.zeros(r)
        self.invited = np.zeros(r, dtype=bool)
        self.inviting = np.zeros(r, dtype=bool)

    @rule("C17", "C19")
    def perceive(self) -> None:
        """Threat: how far the US has gone (C17) times how poised Turkey is: half while it only
        vows an operation, whole while one runs (C19)."""
        operating = self.yesterday("turkey") == 3
        self.threat = (1 - self.world.us_presence) * np.where(operating, 1.0, 0.5)

    @rule("C19")
    def decide(self) -> None:
        """Above `kurd_invite_threat`, strike a deal with Damascus at daily chance
        `kurd_invite_hazard`, doubled while Russia mediates (C19). Resist an operation."""
        p = self.params
        russia = self.model.faction("russia")
        chance = p.kurd_invite_hazard * np.where(russia.mediating, 2.0, 1.0)
        chance = chance * (self.threat > p.kurd_invite_threat) * ~self.invited
        self.inviting = self.model.streams.bernoulli(self.model.day, "kurds/invite", chance)
        self.invited |= self.inviting
        resisting = self.yesterday("turkey") == 3
        self.posture = np.select([self.invited, resisting], [2, 1], 0).astype(np.int8)

    @rule("C19")
    def act(self) -> None:
        """On the day of the deal, Damascus takes over the Kurdish-held districts on the Turkish
        border and those next to Turkish-held ground, the Kurdish garrisons staying (C19)."""
        world = self.world
        if not self.inviting.any():
            return
        geo = world.geo
        exposed = geo.turkish_border | (world.neighbours_of(world.held(TURKEY)) > 0)
        handed = self.inviting[:, None] & world.held(KURDS) & exposed & geo.in_theatre("northeast")
        world.control = np.where(handed, DAMASCUS, world.control)
