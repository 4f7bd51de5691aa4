"""HTS: out of Jabhat al-Nusra (C12), wants full control of the zone (C04, C11); ousts or absorbs
the opposition (C12), raids regime lines (C11) and enters the buffer zone (C13)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import DAMASCUS, HTS, OPPOSITION, runs_where

LEVY_UNIT = 1000
"""`hts_levy_ratio` counts fighters per this many residents."""


class HayatTahrirAlSham(Faction):
    """Hay'at Tahrir al-Sham."""

    actor = HTS
    Posture = postures.HayatTahrirAlSham
    shared = ("odds",)

    def __init__(self, model) -> None:
        super().__init__(model)
        self.odds = np.zeros((model.replicates, model.geography.size))
        self.moves = np.zeros((model.replicates, model.geography.size), dtype=bool)

    @rule("C12")
    def perceive(self) -> None:
        """Local odds of an HTS attack (see `Territory.odds`) on each district it could move on:
        the opposition's (C12), and the zone's districts Damascus holds (to retake them), in the
        runs that have one next to HTS."""
        territory = self.territory
        self.odds = np.zeros(territory.force.shape)
        open_to = self.open_to()
        rows = runs_where((open_to & (territory.bordering(HTS) > 0)).any(axis=1))
        if rows.size:
            self.odds[rows] = territory.odds(HTS, rows) * open_to[rows]

    def open_to(self) -> np.ndarray:
        """(R, D) bool: the districts HTS could move on: the groups' and the zone's held by
        Damascus."""
        held = self.territory.held
        return held(OPPOSITION) | (held(DAMASCUS) & self.geo.in_theatre("zone"))

    @rule("C04", "C11", "C12", "C15", "assumption")
    def decide(self) -> None:
        """Seeking full control of the zone (C04, C11), move on each opposition neighbour with
        daily chance hts_attack_hazard x odds^s / (odds^s + hts_attack_odds^s), s =
        `hts_attack_steepness` (C12), unless Damascus attacked yesterday: then defend. Whether
        defending or not, counter-attack each district of the zone Damascus holds next to HTS
        with the same chance (assumption: Damascus means to retake every inch, C15, and the
        ground it took can be lost again)."""
        p = self.params
        defending = self.yesterday(DAMASCUS) >= postures.Damascus.OFFENSIVE
        damascus = self.territory.held(DAMASCUS)
        hazard = p.hts_attack_hazard[:, None] * (damascus | ~defending[:, None])
        open_ = (self.odds > 0) & (hazard > 0)
        rows = runs_where(open_.any(axis=1))
        self.moves = np.zeros(self.odds.shape, dtype=bool)
        if rows.size:  # the chances, and their draws, only where a move is open
            odds = self.odds[rows]
            at, draws = self.streams.uniform_where(self.day, "hts/moves", open_[rows], rows)
            run = at // odds.shape[1]
            steep = p.hts_attack_steepness[rows][run]
            k = odds.ravel()[at] ** steep
            even = p.hts_attack_odds[rows][run]
            chance = hazard[rows].ravel()[at] * k / (k + even**steep)
            moves = np.zeros(odds.shape, dtype=bool)
            moves.ravel()[at] = draws < chance
            self.moves[rows] = moves
        expanding = (self.moves & self.territory.held(OPPOSITION)).any(axis=1)
        self.posture = self.choose(
            (defending, postures.HayatTahrirAlSham.DEFEND),
            (expanding, postures.HayatTahrirAlSham.EXPAND),
            otherwise=postures.HayatTahrirAlSham.RAID,
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.raid()
        self.recruit()
        self.defend()
        self.expand()
        self.counter_attack()

    @rule("C11", "C13")
    def raid(self) -> None:
        """Breaches against regime lines: `raid_rate` a day per front-line pair HTS holds (C11),
        `buffer_raid_multiplier` times more from inside the buffer zone (C13)."""
        p, territory = self.params, self.territory
        facing = territory.bordering(HTS) * territory.held(DAMASCUS)
        from_buffer = territory.bordering(HTS, buffer_zone=True)
        pairs = facing + (p.buffer_raid_multiplier[:, None] - 1) * from_buffer * territory.held(
            DAMASCUS
        )
        mean = p.raid_rate[:, None] * pairs
        raids = self.streams.poisson(self.day, "hts/raids", mean)
        self.combat.shell(HTS, raids, against=(DAMASCUS,))

    @rule("C16", "assumption")
    def recruit(self) -> None:
        """HTS's force grows by `hts_recruitment` a day (recruits and revenue, assumption), and
        by `fee_revenue` per unit of the aid fee it levies (C16). Below `hts_levy_ratio`
        fighters per 1,000 residents of its districts, it levies recruits among the people it
        rules, making up `hts_levy_rate` of the gap a day (assumption): a group that rules the
        zone does not run out of fighters while the zone has people."""
        p = self.params
        self.territory.grow(self.territory.held(HTS), p.hts_recruitment + p.fee_revenue * p.aid_fee)
        self.territory.levy(HTS, p.hts_levy_ratio / LEVY_UNIT, p.hts_levy_rate)

    @rule("assumption")
    def defend(self) -> None:
        """Defending against a Damascus offensive, HTS moves `front_reinforcement` of its force in
        the rear to its districts on Damascus's front line each day (assumption)."""
        defending = self.posture == postures.HayatTahrirAlSham.DEFEND
        front = self.territory.bordering(DAMASCUS) > 0
        self.territory.redeploy(HTS, front, self.params.front_reinforcement * defending)

    @rule("C12", "C13")
    def expand(self) -> None:
        """Where HTS moves, a group that would rather cede signs administration over (C12: a
        cession; HTS absorbs `absorb_share` of its force, and `signed_keep_arms` of the rest stay
        in the district as the opposition's, under HTS: `Territory.sign_over`); others fight it out.
        Taking buffer-zone districts breaks the deal's key term (C13)."""
        # the moves on the groups' districts (the others are counter-attacks)
        moves = self.moves & self.territory.held(OPPOSITION)
        cedes = moves & self.model.faction(OPPOSITION).view("cedes")
        if cedes.any():
            self.territory.sign_over(cedes, self.params.absorb_share, self.params.signed_keep_arms)
        contested = moves & ~cedes
        if contested.any():
            ones = np.ones(len(contested))
            self.combat.fight(HTS, contested, ones, "hts/fight", against=(OPPOSITION,))

    @rule("assumption")
    def counter_attack(self) -> None:
        """HTS attacks the districts of the zone Damascus holds that it moved on (`decide`):
        won, they are retaken (assumption)."""
        targets = self.moves & self.territory.held(DAMASCUS)
        if targets.any():
            ones = np.ones(len(targets))
            self.combat.fight(HTS, targets, ones, "hts/counter", against=(DAMASCUS,))
