"""HTS: out of Jabhat al-Nusra (C12), wants full control of the zone (C04, C11); ousts or absorbs
the opposition (C12), raids regime lines (C11) and enters the buffer zone (C13)."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, OPPOSITION, district_total


class HayatTahrirAlSham(Faction):
    """Hay'at Tahrir al-Sham."""

    name = "hts"
    postures = ("raid", "expand", "defend")

    def __init__(self, model) -> None:
        super().__init__(model)
        self.odds = np.zeros((model.replicates, model.geography.size))
        self.moves = np.zeros((model.replicates, model.geography.size), dtype=bool)

    @rule("C12")
    def perceive(self) -> None:
        """Local odds of an HTS attack on each opposition district (C12; see `World.odds`), in
        the runs where the opposition still holds ground."""
        world = self.world
        self.odds = np.zeros(world.force.shape)
        rows = np.flatnonzero(world.held(OPPOSITION).any(axis=1))
        if rows.size:
            self.odds[rows] = world.odds(HTS, rows) * (world.control[rows] == OPPOSITION)

    @rule("C04", "C11", "C12")
    def decide(self) -> None:
        """Seeking full control of the zone (C04, C11), move on each opposition neighbour with
        daily chance hts_attack_hazard x odds^4 / (odds^4 + hts_attack_odds^4) (C12), unless
        Damascus attacked yesterday: then defend."""
        p = self.params
        defending = self.yesterday("damascus") == 1
        rows = np.flatnonzero((self.odds > 0).any(axis=1) & ~defending)
        self.moves = np.zeros(self.odds.shape, dtype=bool)
        if rows.size:
            k = self.odds[rows] ** 4
            chance = p.hts_attack_hazard[rows, None] * k / (k + p.hts_attack_odds[rows, None] ** 4)
            draws = self.model.streams.uniform(self.model.day, "hts/moves", k.shape[1], rows=rows)
            self.moves[rows] = draws < chance
        self.posture = np.where(defending, 2, self.moves.any(axis=1)).astype(np.int8)

    def act(self) -> None:
        """Today's actions, in order."""
        self.raid()
        self.recruit()
        self.expand()

    @rule("C11", "C13")
    def raid(self) -> None:
        """Breaches against regime lines: `raid_rate` a day per front-line pair HTS holds (C11),
        `buffer_raid_multiplier` times more from inside the buffer zone (C13)."""
        p, world = self.params, self.world
        facing = world.neighbours_of(world.held(DAMASCUS)) * world.held(HTS)
        weight = np.where(world.geo.buffer_zone, p.buffer_raid_multiplier[:, None], 1.0)
        mean = p.raid_rate * district_total(facing * weight)
        world.today.breaches[:, HTS, DAMASCUS] += self.model.streams.poisson(
            self.model.day, "hts/raids", mean
        )

    @rule("assumption")
    def recruit(self) -> None:
        """HTS's force grows by `hts_recruitment` a day (recruits and revenue)."""
        world = self.world
        world.force *= 1 + self.params.hts_recruitment[:, None] * world.held(HTS)

    @rule("C12", "C13")
    def expand(self) -> None:
        """Where HTS moves, an outmatched group signs administration over (C12: a cession; HTS
        absorbs `absorb_share` of its force); others fight it out. Taking buffer-zone districts
        breaks the deal's key term (C13)."""
        world = self.world
        cedes = self.moves & self.model.faction("opposition").cedes
        if cedes.any():
            absorbed = world.force * cedes * self.params.absorb_share[:, None]
            world.control = np.where(cedes, HTS, world.control)
            world.force = np.where(cedes, absorbed, world.force)
            world.cessions += cedes.sum(axis=1)
        contested = self.moves & ~cedes
        if contested.any():
            world.fight(HTS, contested, np.ones(len(contested)), "hts/fight", counted=False)
