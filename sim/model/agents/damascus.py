"""Damascus: means to retake "every inch" (C15); shells the zone under the ceasefire (C11) and
goes on the ground offensive only with Russian air support (C14, C15)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, OPPOSITION, RUSSIA, district_total, runs_where
from sim.model.params import MAX_SHELLING, NE_GARRISON
from sim.model.world.territory import TINY

SHORT = 1e-9
"""A garrison this little below `NE_GARRISON` (thousand) is not short: rounding, not losses."""


class Damascus(Faction):
    """The Syrian government's forces, with Iran-backed militias as a capability (C15)."""

    actor = DAMASCUS
    Posture = postures.Damascus
    published = ("offensives_begun",)

    def __init__(self, model) -> None:
        super().__init__(model)
        self.days_on_offensive = np.zeros(model.replicates, dtype=np.int64)
        self.offensives_begun = np.zeros(model.replicates, dtype=np.int32)  # the runs' count
        self.width = np.zeros(model.replicates, dtype=np.int64)
        geo = model.geography
        zone = geo.in_theatre("zone")
        self.idlib_front = zone | (geo.neighbour_count(zone[None, :])[0] > 0)  # (D,)
        self.strength = (geo.force * (geo.controller == DAMASCUS) * self.idlib_front).sum()

    @rule("C14", "C15", "assumption")
    def decide(self) -> None:
        """Go on the offensive only when Russia backed one yesterday (C14, C15) and no summit
        met this morning (its truce starts today, C07), or when the scenario imposes it;
        otherwise keep shelling (C11). A backed offensive starts on
        `offensive_width` districts, `renewal_widening` more for each offensive before it, and
        widens by one every `widen_days` days that Russia keeps backing it (C15, assumption):
        from `full_assault_districts` on it is a full-scale assault, as an imposed operation is
        from its first day (C05, C14)."""
        p = self.params
        imposed = self.model.imposed(DAMASCUS)
        truce = self.world.today.summit  # a summit met this morning: its truce holds today
        backed = (self.yesterday(RUSSIA) == postures.Russia.BACK_OFFENSIVE) & ~truce
        on = imposed | backed
        self.days_on_offensive = np.where(on, self.days_on_offensive + 1, 0)
        self.offensives_begun += self.days_on_offensive == 1
        earlier = np.maximum(self.offensives_begun - 1, 0)
        widened = (
            p.offensive_width
            + p.renewal_widening * earlier
            + (self.days_on_offensive - 1) // p.widen_days
        )
        self.width = np.where(imposed, self.geo.size, np.where(on, widened, 0))
        self.posture = self.choose(
            (on & (self.width >= p.full_assault_districts), postures.Damascus.ASSAULT),
            (on, postures.Damascus.OFFENSIVE),
            otherwise=postures.Damascus.SHELLING,
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.shell()
        self.garrison()
        self.recover()
        self.reinforce()
        self.attack()

    @rule("C19", "assumption")
    def garrison(self) -> None:
        """Damascus keeps at least `NE_GARRISON` in each district of the north-east it holds,
        drawing the troops from its force around Idlib in proportion to each district's (C19:
        the area returns to Damascus's control, which must hold it; assumption)."""
        land = self.territory
        short = np.maximum(NE_GARRISON - land.force, 0.0)
        short *= land.held(DAMASCUS) & self.geo.in_theatre("northeast")
        rows = runs_where((short > SHORT).any(axis=1))  # most days, none
        if rows.size == 0:
            return
        short = short[rows]
        source = land.force[rows] * (land.held(DAMASCUS)[rows] & self.idlib_front)
        share = np.minimum(district_total(short) / np.maximum(district_total(source), TINY), 1.0)
        land.transfer(source * share[:, None], short, rows)

    @rule("C15", "assumption")
    def recover(self) -> None:
        """Russian air power and allied militias make good Damascus's losses (C15): its force
        around Idlib (the zone and the districts next to it) grows back towards its day-0
        strength there by `damascus_recovery` of the gap a day (assumption)."""
        level = np.full(self.model.replicates, self.strength)
        rate = self.params.damascus_recovery
        self.territory.replenish(DAMASCUS, self.idlib_front, level, rate)

    @rule("C15", "assumption")
    def reinforce(self) -> None:
        """On the offensive, Damascus moves `front_reinforcement` of its force in the rear around
        Idlib (what it holds of the zone and the districts next to it) to the districts facing
        the rebels each day (C15: it means to retake every inch). Its garrisons further away
        (the Euphrates, the north-east) stay there."""
        attacking = self.posture >= postures.Damascus.OFFENSIVE
        if not attacking.any():
            return
        front = (self.territory.bordering(HTS) + self.territory.bordering(OPPOSITION)) > 0
        share = self.params.front_reinforcement * attacking
        self.territory.redeploy(DAMASCUS, front, share, within=self.idlib_front)

    @rule("C11", "C10", "C15")
    def shell(self) -> None:
        """Breaches: each front-line pair facing a rebel district draws `shelling_rate` breaches a
        day (C11), more as Russian frustration grows (C10, C15), `offensive_shelling` times as
        many on the offensive, up to `MAX_SHELLING` (its guns' capacity, assumption); they land
        in the rebel districts."""
        p = self.params
        facing = self.territory.bordering(DAMASCUS)
        rebel = self.territory.rebels()
        attacking = self.posture >= postures.Damascus.OFFENSIVE
        intensity = p.shelling_rate * (
            1 + p.frustration_shelling * self.seen(RUSSIA, "frustration")
        )
        on_offensive = intensity * np.where(attacking, p.offensive_shelling, 1.0)
        intensity = np.minimum(on_offensive, MAX_SHELLING)
        mean = intensity[:, None] * facing * rebel
        landed = self.streams.poisson(self.day, "damascus/shell", mean)
        self.combat.shell(DAMASCUS, landed, against=(HTS, OPPOSITION))

    @rule("C14", "C15", "C05")
    def attack(self) -> None:
        """On the offensive, attack the `width` rebel-held districts next to Damascus's lines
        where its odds (`Territory.odds`) are best, their people in harm's way (C05). Russian air
        power and Iran-backed militias multiply the force (`offensive_support`, C14, C15)."""
        p = self.params
        rows = runs_where(self.posture >= postures.Damascus.OFFENSIVE)
        if rows.size == 0:
            return
        front = self.territory.rebels(rows) & (self.territory.bordering(DAMASCUS)[rows] > 0)
        odds = np.where(front, self.territory.odds(DAMASCUS, rows), -np.inf)
        order = np.argsort(-odds, axis=1, kind="stable")  # best odds first, ties by district
        rank = np.argsort(order, axis=1)  # each district's place in that order
        targets = np.zeros(self.territory.control.shape, dtype=bool)
        targets[rows] = front & (rank < self.width[rows, None])
        self.combat.fight(
            DAMASCUS, targets, p.offensive_support, "damascus/attack", against=(HTS, OPPOSITION)
        )
