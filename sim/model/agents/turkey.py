"""Turkey: keeps its assurances at a limited pace (C08, C09), wants no power vacuum (C18) and the
Kurdish forces off its border (C19), and guards its observation posts in the zone."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, KURDS, RUSSIA, TURKEY


class Turkey(Faction):
    """Turkey's effort against HTS, its posts in the zone and its north-east operation."""

    name = "turkey"
    postures = ("hold", "comply", "guard_posts", "ne_operation")

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.effort = np.zeros(r)  # effort shown against HTS today (C08, C09)
        self.operation_until = np.full(r, -1.0)  # last day of the north-east operation
        self.vacuum = np.zeros(r)

    @rule("C17", "C19")
    def perceive(self) -> None:
        """The vacuum Turkey fears: the share of the north-east's border districts still held by
        the Kurdish forces (C19), counted only once US presence is below `ne_threshold` (C17)."""
        world = self.world
        border = world.geo.turkish_border & world.geo.in_theatre("northeast")
        kurdish = (world.control[:, border] == KURDS).mean(axis=1)
        self.vacuum = kurdish * (world.us_presence < self.params.ne_threshold)

    @rule("C08", "C09", "C18", "C19")
    def decide(self) -> None:
        """Launch the north-east operation with daily chance ne_hazard x vacuum x (1 -
        coordination): coordinating with Russia fills the vacuum by agreement instead (C18, C19).
        Otherwise guard the posts when Damascus attacks, else comply with the deal at its slow
        pace (C08, C09)."""
        p, day = self.params, self.model.day
        chance = p.ne_hazard * self.vacuum * (1 - p.coordination)
        drawn = self.model.streams.bernoulli(day, "turkey/launch", chance)
        launch = (drawn | self.model.imposed("turkey")) & (day > self.operation_until)
        self.operation_until = np.where(launch, day + p.operation_days, self.operation_until)
        operating = day <= self.operation_until
        damascus_attacking = self.yesterday("damascus") == 1
        complying = p.turkey_effort > 0
        self.posture = np.select([operating, damascus_attacking, complying], [3, 2, 1], 0).astype(
            np.int8
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.fight_hts()
        self.defend_posts()
        self.run_ne_operation()
        self.tend_relation()

    @rule("C08", "C09")
    def fight_hts(self) -> None:
        """Turkey keeps its assurances (C08): its effort wears HTS's force down slowly, at most
        `turkey_pace` a day at full effort (C09)."""
        p, world = self.params, self.world
        self.effort = p.turkey_effort.copy()
        zone_hts = world.held(HTS) & world.geo.in_theatre("zone")
        world.force *= 1 - (p.turkey_pace * self.effort)[:, None] * zone_hts

    @rule("C13", "assumption")
    def defend_posts(self) -> None:
        """Turkey's observation posts watch the deal's lines (C13). A Damascus attack on a district
        with a post can hit it: a Turkey-Damascus clash (daily chance `post_clash`). When the
        relation is broken (below `relation_break`), a clash can draw in Russia (`ru_tr_clash`)."""
        p, world, day = self.params, self.world, self.model.day
        streams = self.model.streams
        posts_hit = world.today.post_attacks > 0
        clash = posts_hit & streams.bernoulli(day, "turkey/post-clash", p.post_clash)
        broken = world.relation < p.relation_break
        ru_clash = clash & broken & streams.bernoulli(day, "turkey/russia-clash", p.ru_tr_clash)
        world.today.clashes[:, TURKEY, DAMASCUS] |= clash
        world.today.clashes[:, RUSSIA, TURKEY] |= ru_clash

    @rule("C19")
    def run_ne_operation(self) -> None:
        """The operation attacks Kurdish-held districts of the north-east on the Turkish border or
        next to Turkish-held ones, with the Turkish army behind them (C19). It never attacks
        districts Damascus has entered."""
        world = self.world
        operating = self.posture == self.posture_code("ne_operation")
        if not operating.any():
            return
        geo = world.geo
        reach = geo.turkish_border | (world.neighbours_of(world.held(TURKEY)) > 0)
        targets = operating[:, None] & world.held(KURDS) & reach & geo.in_theatre("northeast")
        army = self.params.turkish_army[:, None] * geo.turkish_border
        ones = np.ones(self.model.replicates)
        world.fight(TURKEY, targets, ones, "turkey/ne", counted=True, from_outside=army)

    @rule("C01", "assumption")
    def tend_relation(self) -> None:
        """The relation with Russia returns towards its day-0 level, is strained by Russian
        frustration above the pressure line (C01) and drops by `clash_shock` with each clash."""
        p, world = self.params, self.world
        russia = self.model.faction("russia")
        rest = p.relation_start
        strain = p.relation_strain * np.maximum(russia.frustration - p.pressure_threshold, 0.0)
        clashed = world.today.clashes[:, TURKEY, DAMASCUS] | world.today.clashes[:, RUSSIA, TURKEY]
        relation = world.relation + p.relation_recovery * (rest - world.relation) - strain
        world.relation = np.clip(np.where(clashed, relation - p.clash_shock, relation), 0.0, 1.0)

    @rule("C06", "C07", "C18")
    def attend_summit(self) -> None:
        """A summit strengthens the relation (C06, C07, C18)."""
        world = self.world
        world.relation = np.minimum(world.relation + self.params.summit_boost, 1.0)
