"""Russia: wants terrorists fought wherever they are, every agreement fulfilled, and the
Turkish partnership kept (C01-C03, C06, C07, C18); backs Damascus from the air (C14, C15)."""

import numpy as np

from sim.model.agents import postures
from sim.model.agents.base import Faction, rising, us_gone
from sim.model.claims import rule
from sim.model.geography import (
    DAMASCUS,
    HTS,
    OPPOSITION,
    RUSSIA,
    TURKEY,
    district_total,
    runs_where,
)
from sim.model.params import US_SPREAD, WEEK

BREACH_UNIT = 10
"""`frustration_breaches` weighs the breach rate per 10 breaches a day."""


class Russia(Faction):
    """Russia's frustration with the Idlib deal drives its posture, step by step up the ladder."""

    actor = RUSSIA
    Posture = postures.Russia
    shared = ("frustration", "mediation")
    published = ("frustration", "truce_since", "truce_broken")

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.frustration = np.zeros(r)
        self.breach_rate = np.zeros(r)  # breaches a day, a week's moving average
        self.truce = np.zeros(r, dtype=bool)  # no offensive backing while it holds
        self.truce_since = np.full(r, -1)  # the day the latest truce began
        self.truce_broken = np.zeros(r, dtype=bool)
        self.mediation = np.zeros(r)  # 0-1: how far Russia mediates in the north-east

    @rule("C01", "C04", "C10", "C11", "C13", "C08", "C09")
    def perceive(self) -> None:
        """Frustration with Turkey's unkept promise (C01) follows what Russia sees: HTS's share of
        the zone (C04), HTS inside the buffer zone (C13), the week's breaches by Damascus and the
        rebels (its own strikes left out; C10, C11), less Turkey's effort yesterday (C08, C09)."""
        p, world = self.params, self.world
        hts_in_buffer = self.territory.share(self.geo.buffer_zone, HTS)
        breaches = world.yesterday.breaches.sum(axis=(1, 2))  # its own strikes do not count
        self.breach_rate += (breaches - self.breach_rate) / WEEK
        signal = (
            p.frustration_hts * self.territory.share("zone", HTS)
            + p.frustration_buffer * hts_in_buffer
            + p.frustration_breaches * self.breach_rate / BREACH_UNIT
            - p.frustration_relief * self.seen(TURKEY, "effort")
        )
        self.frustration += p.frustration_memory * (signal - self.frustration)

    def patience(self) -> np.ndarray:
        """(R,) the frustration Russia tolerates before backing an offensive: its threshold,
        raised by a relation with Turkey better than on day 0 and lowered by a worse one
        (C06, C18: the partnership restrains it), and raised by `humanitarian_restraint` per
        share of their room that the border camps are overfull (C05, C14: fears of a
        humanitarian disaster postponed the 2018 assault; assumption)."""
        p = self.params
        overfull = self.people.overfull()
        return (
            p.offensive_threshold
            + p.relation_patience * (self.relations.relation - p.relation_start)
            + p.humanitarian_restraint * overfull
        )

    def resolve(self) -> np.ndarray:
        """(R,) 0-1: Russia's resolve to back an offensive, rising smoothly as its frustration
        passes its patience (`rising`, over `offensive_spread`)."""
        return rising(self.frustration, self.patience(), self.params.offensive_spread)

    @rule("C01", "C02", "C03", "C14", "C06", "C18", "C19", "assumption")
    def decide(self) -> None:
        """Press Turkey (C01), then strike HTS from the air despite the ceasefire (C03), then back
        a Damascus ground offensive (C02, C14) with a daily chance that rises smoothly as
        frustration passes Russia's patience (C06, C18), once no truce holds. A truce (the
        deal's postponement, a summit's) has no set length: it breaks down with a daily chance
        that rises smoothly to `truce_breakdown` as frustration passes patience (the same
        logistic). Once backed, an offensive goes on until a summit's truce or until
        frustration falls below the pressure line. An imposed Damascus operation is a joint
        one (C14). After its forces clashed with Turkey's yesterday, Russia steps back: a truce
        begins (C06, C18: the partnership comes first; assumption). Mediate between the Kurds
        and Damascus as the US goes: half at a US presence of `mediation_threshold` (`us_gone`,
        C19)."""
        p, f, day = self.params, self.frustration, self.day
        self.begin_truce(runs_where(self.world.yesterday.clashes[:, RUSSIA, TURKEY]))
        resolve = self.resolve()
        self.truce_broken = self.streams.bernoulli(
            day, "russia/truce", p.truce_breakdown * resolve, where=self.truce
        )
        self.truce &= ~self.truce_broken
        holding = self.truce
        going_on = (self.posture == postures.Russia.BACK_OFFENSIVE) & (f > p.pressure_threshold)
        starts = self.streams.bernoulli(
            day, "russia/offensive", p.offensive_hazard * resolve, where=~holding & ~going_on
        )
        backing = self.model.imposed(DAMASCUS) | (~holding & (going_on | starts))
        self.posture = self.choose(
            (backing, postures.Russia.BACK_OFFENSIVE),
            (f > p.strike_threshold, postures.Russia.AIR_STRIKES),
            (f > p.pressure_threshold, postures.Russia.PRESSURE),
            otherwise=postures.Russia.RESTRAINT,
        )
        self.mediation = us_gone(self.relations.us_presence, p.mediation_threshold, US_SPREAD)

    def act(self) -> None:
        """Today's actions."""
        self.press_turkey()
        self.strike()

    @rule("C01", "C07")
    def press_turkey(self) -> None:
        """Pressing Turkey in public strains the relation by `relation_strain` per unit of
        frustration above the pressure line (C01, C07); Turkey answers with more effort
        tomorrow (see `Turkey.decide`)."""
        p = self.params
        pressing = self.posture >= postures.Russia.PRESSURE
        above = np.maximum(self.frustration - p.pressure_threshold, 0.0)
        self.relations.strain(p.relation_strain * above * pressing)

    @rule("C03", "C15")
    def strike(self) -> None:
        """Air strikes despite the ceasefire (C03): `air_strike_rate` a day on HTS's districts of
        the zone, Idlib city `idlib_city_weight` times its share (C03). Backing an offensive,
        `offensive_air` times as many, on the rebel districts of the front and those behind them
        (C15: Russian air power)."""
        p = self.params
        rows = runs_where(self.posture >= postures.Russia.AIR_STRIKES)  # only the runs that strike
        if rows.size == 0:
            return
        backing = self.posture[rows] == postures.Russia.BACK_OFFENSIVE
        rate = p.air_strike_rate[rows] * np.where(backing, p.offensive_air[rows], 1.0)
        geo, control = self.geo, self.territory.control[rows]
        zone = geo.in_theatre("zone")
        hts = zone & (control == HTS)
        rebel = hts | (zone & (control == OPPOSITION))
        city = np.where(np.arange(geo.size) == geo.index("idlib_city"), 1.0, 0.0)
        weight = hts * (1 + (p.idlib_city_weight[rows, None] - 1) * city)
        if backing.any():
            on = runs_where(backing)
            front = rebel[on] & (self.territory.bordering(DAMASCUS)[rows[on]] > 0)
            weight[on] = rebel[on] & ((geo.neighbour_count(front) > 0) | front)
        mean = rate[:, None] * weight / np.maximum(district_total(weight), 1.0)[:, None]
        self.combat.bombard(self.streams.poisson(self.day, "russia/strikes", mean, rows), rows)

    @rule("C06", "C07", "P05", "assumption")
    def accepts_summit(self, called: np.ndarray) -> np.ndarray:
        """(R,) bool: Russia meets Turkey at a summit called yesterday (C06, C07), once no truce
        holds (a truce is what a summit would bring), with chance 1 - its resolve to back an
        offensive (`resolve`, as `decide` uses it): it talks while what it wants from Idlib is
        within reach of talks, and lets calls lapse while it presses for gains on the ground
        (P05: the offensive's ceasefires came after months of fighting; assumption)."""
        return self.streams.bernoulli(
            self.day, "russia/summit", 1 - self.resolve(), where=called & ~self.truce
        )

    @rule("C04", "C14", "C07")
    def begin_truce(self, rows: np.ndarray | slice = slice(None)) -> None:
        """A truce begins in the given runs: the deal postpones the assault (C04, C14), a summit
        agrees that every agreement be fulfilled (C07). Russia backs no offensive while it
        holds; how long it holds is up to its frustration (`decide`)."""
        self.truce[rows] = True
        self.truce_since[rows] = self.day

    @rule("C06", "C07")
    def attend_summit(self, rows: np.ndarray) -> None:
        """A summit relieves frustration (C06: ways to remedy agreed) and brings a truce (C07:
        every agreement to be fulfilled)."""
        p = self.params
        self.frustration[rows] *= 1 - p.summit_relief[rows]
        self.begin_truce(rows)
