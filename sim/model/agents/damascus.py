"""Damascus: means to retake "every inch" (C15); shells the zone under the ceasefire (C11) and
goes on the ground offensive only with Russian air support (C14, C15)."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, OPPOSITION, district_total


class Damascus(Faction):
    """The Syrian government's forces, with Iran-backed militias as a capability (C15)."""

    name = "damascus"
    postures = ("shelling", "offensive")

    @rule("C14", "C15")
    def decide(self) -> None:
        """Go on the offensive only when Russia backed one yesterday (C14, C15) or the scenario
        imposes it; otherwise keep shelling (C11)."""
        backed = self.yesterday("russia") == 3
        self.posture = (backed | self.model.imposed("damascus")).astype(np.int8)

    def act(self) -> None:
        """Today's actions, in order."""
        self.shell()
        self.attack()

    @rule("C11", "C10", "C15")
    def shell(self) -> None:
        """Breaches: each front-line pair facing a rebel district draws `shelling_rate` breaches a
        day (C11), more as Russian frustration grows (C10, C15)."""
        p, world, day = self.params, self.world, self.model.day
        facing = world.neighbours_of(world.held(DAMASCUS))
        russia = self.model.faction("russia")
        intensity = p.shelling_rate * (1 + p.frustration_shelling * russia.frustration)
        for rebel in (HTS, OPPOSITION):
            pairs = district_total(facing * world.held(rebel))
            breaches = self.model.streams.poisson(day, f"damascus/shell/{rebel}", intensity * pairs)
            world.today.breaches[:, DAMASCUS, rebel] += breaches

    @rule("C14", "C15", "C05")
    def attack(self) -> None:
        """On the offensive, attack the `offensive_width` rebel-held districts next to Damascus's
        lines where its odds (`World.odds`) are best: a limited offensive. An imposed operation
        is the planned full-scale assault on the whole front (C05, C14). Russian air power
        (`air_support`, C14, C15) and Iran-backed militias (`militia_support`, C15) multiply
        the force."""
        world, p = self.world, self.params
        rows = np.flatnonzero(self.posture == self.posture_code("offensive"))
        if rows.size == 0:
            return
        control = world.control[rows]
        rebel = (control == HTS) | (control == OPPOSITION)
        front = rebel & (world.neighbours_of(control == DAMASCUS) > 0)
        odds = np.where(front, world.odds(DAMASCUS, rows), -np.inf)
        rank = np.argsort(np.argsort(-odds, axis=1), axis=1)
        width = np.where(self.model.imposed("damascus"), world.geo.size, p.offensive_width)[rows]
        targets = np.zeros(world.control.shape, dtype=bool)
        targets[rows] = front & (rank < width[:, None])
        world.today.post_attacks += (targets & world.geo.turkish_post).sum(axis=1)
        boost = p.air_support * p.militia_support
        world.fight(DAMASCUS, targets, boost, "damascus/attack", counted=True)
