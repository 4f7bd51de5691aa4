"""Russia: wants terrorists fought wherever they are, every agreement fulfilled, and the
Turkish partnership kept (C01-C03, C06, C07, C18); backs Damascus from the air (C14, C15)."""

import numpy as np

from sim.model.agents.base import Faction
from sim.model.claims import rule
from sim.model.geography import HTS, district_total


class Russia(Faction):
    """Russia's frustration with the Idlib deal drives its posture, step by step up the ladder."""

    name = "russia"
    postures = ("restraint", "pressure", "air_strikes", "back_offensive")

    def __init__(self, model) -> None:
        super().__init__(model)
        r = model.replicates
        self.frustration = np.zeros(r)
        self.breach_rate = np.zeros(r)  # breaches a day, a week's moving average
        self.hold_until = np.zeros(r)  # no offensive backing before this day (deal, summits)
        self.mediating = np.zeros(r, dtype=bool)

    @rule("C01", "C04", "C10", "C11", "C13", "C08", "C09")
    def perceive(self) -> None:
        """Frustration with Turkey's unkept promise (C01) follows what Russia sees: HTS's share of
        the zone (C04), HTS inside the buffer zone (C13), the week's breaches (C10, C11), less
        Turkey's effort (C08, C09)."""
        p, world = self.params, self.world
        buffer = world.geo.buffer_zone
        people = world.residents[:, buffer]
        in_buffer = district_total(people * (world.control[:, buffer] == HTS))
        hts_in_buffer = in_buffer / district_total(people)
        yesterday = world.yesterday.breaches.sum(axis=(1, 2)) + world.yesterday.strikes
        self.breach_rate += (yesterday - self.breach_rate) / 7
        signal = (
            p.frustration_hts * world.share("zone", HTS)
            + p.frustration_buffer * hts_in_buffer
            + p.frustration_breaches * self.breach_rate / 10
            - p.frustration_relief * self.model.faction("turkey").effort
        )
        self.frustration += p.frustration_memory * (signal - self.frustration)

    @rule("C01", "C02", "C03", "C14", "C19")
    def decide(self) -> None:
        """Press Turkey (C01), then strike HTS from the air despite the ceasefire (C03), then back
        a Damascus ground offensive (C02, C14) once the deal's postponement and any summit's grace
        period are over. An imposed Damascus operation is a joint one (C14). Mediate between the
        Kurds and Damascus when the US is mostly gone (C19)."""
        p, f = self.params, self.frustration
        can_back = self.model.day >= self.hold_until
        self.posture = np.select(
            [
                self.model.imposed("damascus") | ((f > p.offensive_threshold) & can_back),
                f > p.strike_threshold,
                f > p.pressure_threshold,
            ],
            [3, 2, 1],
            0,
        ).astype(np.int8)
        self.mediating = self.world.us_presence < p.mediation_threshold

    @rule("C03")
    def act(self) -> None:
        """Air strikes on HTS-held districts of the zone despite the ceasefire (C03), spread evenly;
        they count as breaches."""
        p, world = self.params, self.world
        striking = self.posture >= self.posture_code("air_strikes")
        strikes = self.model.streams.poisson(
            self.model.day, "russia/strikes", p.air_strike_rate * striking
        )
        targets = world.held(HTS) & world.geo.in_theatre("zone")
        per_district = strikes / np.maximum(targets.sum(axis=1), 1)
        damage = np.minimum(p.strike_damage * per_district, 1.0)
        world.force *= 1 - damage[:, None] * targets
        world.today.strikes += strikes

    @rule("C04", "C14")
    def hold_off(self, until: np.ndarray) -> None:
        """The deal postpones the assault (C04, C14): no backing for an offensive before `until`."""
        self.hold_until = np.maximum(self.hold_until, until)

    @rule("C06", "C07")
    def attend_summit(self) -> None:
        """A summit relieves frustration (C06: ways to remedy agreed) and Russia gives Turkey a
        grace period to deliver (C07: every agreement to be fulfilled)."""
        self.frustration *= 1 - self.params.summit_relief
        self.hold_off(self.model.day + self.params.summit_grace_days)
