"""Turkey: keeps its assurances at a limited pace (C08, C09), wants no power vacuum (C18) and the
Kurdish forces off its border (C19), and guards its observation posts in the zone (C13)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction, us_gone
from sim.model.claims import rule
from sim.model.geography import (
    DAMASCUS,
    HTS,
    KURDS,
    RUSSIA,
    TURKEY,
    district_total,
    runs_where,
)
from sim.model.params import US_SPREAD


class Turkey(Faction):
    """Turkey's effort against HTS, its posts in the zone and its north-east operation."""

    actor = TURKEY
    Posture = postures.Turkey
    shared = ("effort",)

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.effort = np.zeros(r)  # effort shown against HTS today (C08, C09)
        self.operation_until = np.full(r, -1.0)  # last day of the north-east operation
        self.vacuum = np.zeros(r)
        self.losses = np.zeros(r)  # soldiers killed, as Turkey remembers them
        self.killed_yesterday = np.zeros(r)
        self.retaliating = np.zeros(r, dtype=bool)
        self.calling_summit = np.zeros(r, dtype=bool)
        geo = model.geography
        self.ne_border = np.flatnonzero(geo.turkish_border & geo.in_theatre("northeast"))

    @rule("C17", "C19", "assumption")
    def perceive(self) -> None:
        """The vacuum Turkey fears: the share of the north-east's border districts still held by
        the Kurdish forces (C19), counted as the US goes: half at a US presence of `ne_threshold`
        (`us_gone`, C17).
        Its losses: the soldiers killed yesterday, on top of those it remembers, of which it
        forgets `loss_memory` a day (assumption)."""
        p = self.params
        held = self.territory.control.take(self.ne_border, axis=1) == KURDS
        kurdish = district_total(held) / len(self.ne_border)
        self.vacuum = kurdish * us_gone(self.relations.us_presence, p.ne_threshold, US_SPREAD)
        self.killed_yesterday = self.world.yesterday.soldiers_killed.sum(axis=1)
        self.losses = self.losses * (1 - p.loss_memory) + self.killed_yesterday

    def coordination(self) -> np.ndarray:
        """(R,) how far Russia and Turkey coordinate today: `coordination` at the day-0
        relation, more or less as the relation stands above or below it (C18)."""
        p = self.params
        return np.clip(p.coordination * self.relations.relation / p.relation_start, 0.0, 1.0)

    @rule("C01", "C08", "C09", "C13", "C18", "C19", "assumption")
    def decide(self) -> None:
        """Launch the north-east operation with daily chance ne_hazard x vacuum x (1 -
        coordination), for `operation_days`: coordinating with Russia fills the vacuum by
        agreement instead (C18, C19); a scenario's imposed operation runs the days it says.
        Effort against HTS: `turkey_effort`, and `pressure_response` more the day after Russia
        pressed (C01, C08) if Turkey complies at all; none while the north-east operation runs
        (C09: it cannot do everything at once). Guard the posts while Damascus attacks the zone
        (C13). Its soldiers killed yesterday, it calls a summit (C07: consultations) and guards
        its posts; while Damascus attacks the zone or the day after a hit, it strikes Damascus's
        forces with a chance that grows with the losses it remembers, 1 - exp(-`retaliation` x
        losses): a single answer to a few dead, an intervention when they mount (assumption).
        As the border camps overfill it presses for a summit, with daily chance
        1 - exp(-`crowding_summit` x overfull share) (C05: fears of a humanitarian disaster;
        P05: the 2019 offensive paused on a bargain)."""
        p, day = self.params, self.day
        idlib_front = self.yesterday(DAMASCUS) >= postures.Damascus.OFFENSIVE
        chance = p.ne_hazard * self.vacuum * (1 - self.coordination())
        launch = self.streams.bernoulli(
            day, "turkey/launch", chance, where=day > self.operation_until
        )
        self.operation_until = np.where(launch, day + p.operation_days - 1, self.operation_until)
        operating = (day <= self.operation_until) | self.model.imposed(TURKEY)
        pressed = self.yesterday(RUSSIA) >= postures.Russia.PRESSURE
        extra = p.pressure_response * pressed * (p.turkey_effort > 0)
        self.effort = np.where(operating, 0.0, np.minimum(p.turkey_effort + extra, 1.0))
        hit = self.killed_yesterday > 0
        anger = 1 - np.exp(-p.retaliation * self.losses)
        self.retaliating = self.streams.bernoulli(
            day, "turkey/retaliate", anger, where=idlib_front | hit
        )
        overfull = self.people.overfull()
        crowded = self.streams.bernoulli(
            day, "turkey/crowding", 1 - np.exp(-p.crowding_summit * overfull)
        )
        self.calling_summit = hit | crowded
        guarding = idlib_front | hit
        self.posture = self.choose(
            (operating, postures.Turkey.NE_OPERATION),
            (guarding, postures.Turkey.GUARD_POSTS),
            (self.effort > 0, postures.Turkey.COMPLY),
            otherwise=postures.Turkey.HOLD,
        )

    def act(self) -> None:
        """Today's actions, in order."""
        self.fight_hts()
        self.guard_posts()
        self.answer_attacks()
        self.run_ne_operation()

    @rule("C08", "C09")
    def fight_hts(self) -> None:
        """Turkey keeps its assurances (C08): its effort wears HTS's force down slowly, at most
        `turkey_pace` a day at full effort (C09)."""
        zone_hts = self.territory.held(HTS) & self.geo.in_theatre("zone")
        self.territory.wear_down(zone_hts, self.params.turkey_pace * self.effort)

    @rule("C13", "assumption")
    def guard_posts(self) -> None:
        """Guarding its posts (C13: they watch the deal's lines), Turkey sends
        `post_reinforcement` troops a day to each, up to `post_max`: Turkish troops inside the
        zone raise the defence and the price of an attack there (assumption)."""
        p = self.params
        guarding = self.posture == postures.Turkey.GUARD_POSTS
        self.territory.reinforce_posts(p.post_reinforcement * guarding, p.post_max)

    @rule("C07", "assumption")
    def answer_attacks(self) -> None:
        """Turkey strikes back at Damascus's forces near its posts (`Combat.retaliate`): a clash
        between the two states (ladder level 6; the relation loses `clash_shock`). Russian
        forces answer with chance `ru_tr_clash` x (1 - relation / `relation_start`), none while
        the relation is at its day-0 level or better: a Russia-Turkey clash (level 7) that kills
        Turkish soldiers. Its soldiers killed, Turkey calls a summit (C07: consultations;
        the rest assumption)."""
        p = self.params
        self.combat.retaliate(runs_where(self.retaliating))
        strained = np.clip(1 - self.relations.relation / p.relation_start, 0.0, 1.0)
        self.draw_russia_in(self.retaliating, p.ru_tr_clash * strained, "russia/turkey")
        self.relations.call_summit(self.calling_summit)

    def draw_russia_in(self, clashing: np.ndarray, chance: np.ndarray, purpose: str) -> None:
        """Where Turkey clashes with Damascus today ((R,) `clashing`), Russian forces answer
        with `chance`: a Russia-Turkey clash (level 7) that kills Turkish soldiers."""
        drawn = self.streams.bernoulli(self.day, purpose, chance, where=clashing)
        rows = runs_where(drawn)
        self.relations.clash(RUSSIA, TURKEY, rows)
        self.combat.kill_soldiers(RUSSIA, rows, purpose)

    @rule("C18", "C19", "assumption")
    def run_ne_operation(self) -> None:
        """The operation attacks Kurdish-held districts of the north-east on the Turkish border or
        next to Turkish-held ones, with the Turkish army behind them (C19). It never attacks
        districts Damascus has entered; where it attacks next to them, the two states' forces
        meet with daily chance `ne_clash` x (1 - coordination) (`Combat.meet_in_north_east`),
        and Russian forces with Damascus there, as far as Russia mediates (C19), answer with
        chance `ru_tr_clash` x mediation x (1 - coordination): coordinating to prevent a vacuum,
        Russia and Turkey keep the forces apart (C18; assumption)."""
        operating = self.posture == postures.Turkey.NE_OPERATION
        if not operating.any():
            return
        land = self.territory
        reach = land.turkish_reach() & self.geo.in_theatre("northeast")
        targets = operating[:, None] & land.held(KURDS) & reach
        army = self.params.turkish_army[:, None] * self.geo.turkish_border
        ones = np.ones(self.model.replicates)
        self.combat.fight(TURKEY, targets, ones, "turkey/ne", from_outside=army, against=(KURDS,))
        near = land.neighbours_of(targets) > 0  # districts next to today's targets
        contact = (near & land.held(DAMASCUS)).any(axis=1)
        apart = 1 - self.coordination()
        met = self.streams.bernoulli(
            self.day, "turkey/ne-contact", self.params.ne_clash * apart, where=contact
        )
        rows = runs_where(met)
        self.combat.meet_in_north_east(rows, near[rows] & self.geo.in_theatre("northeast"))
        chance = self.params.ru_tr_clash * self.seen(RUSSIA, "mediation") * apart
        self.draw_russia_in(met, chance, "russia/turkey-ne")

    @rule("C06", "C07", "C18")
    def attend_summit(self, rows: np.ndarray) -> None:
        """A summit strengthens the relation by `summit_boost` (C06, C07, C18)."""
        self.relations.mend(self.params.summit_boost[rows], rows)
