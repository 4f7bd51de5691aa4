"""The parameter registry: every knob of the model, its default, plausible range, unit and basis.

A basis lists the claims (C01-C19) a default rests on, or says `assumption`. Defaults marked C11
or C12 are fitted to the calibration window (days 0-128, see docs/ODD.md). Sweeps explore the
ranges. Parameters may differ per replicate: a `ParameterSet` holds one value per replicate.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.model.claims import ASSUMPTION, CLAIMS


@dataclass(frozen=True)
class Param:
    """One model parameter."""

    name: str
    default: float
    low: float
    high: float
    unit: str
    basis: tuple[str, ...]
    doc: str
    integer: bool = False

    def check(self, value: float) -> None:
        """Raise ValueError when `value` lies outside the plausible range."""
        if not self.low <= value <= self.high:
            raise ValueError(f"{value:g} is outside its range [{self.low:g}, {self.high:g}]")
        if self.integer and value != int(value):
            raise ValueError(f"{value:g} is not a whole number")


A = (ASSUMPTION,)

# fmt: off
_REGISTRY = [
    # --- ceasefire breaches and their toll (C11) ---
    Param("shelling_rate", 0.49, 0.2, 1.5, "breaches/front-line pair/day", ("C11", "C15"),
          "Damascus shelling across each front-line pair with a rebel district, in calm posture."),
    Param("raid_rate", 0.26, 0.1, 1.0, "breaches/front-line pair/day", ("C11",),
          "HTS attacks on regime lines from each front-line district it holds."),
    Param("buffer_raid_multiplier", 1.5, 1.0, 3.0, "x", ("C13",),
          "HTS raids from inside the buffer zone are this many times as frequent."),
    Param("frustration_shelling", 0.5, 0.0, 2.0, "x per unit frustration", ("C10", "C15"),
          "Extra Damascus shelling per unit of Russian frustration."),
    Param("killed_per_breach", 0.057, 0.03, 0.09, "people/breach", ("C11",),
          "Deaths per recorded breach (65 killed in >1,000 breaches)."),
    Param("injured_per_breach", 0.22, 0.15, 0.32, "people/breach", ("C11",),
          "Injuries per recorded breach (>200 injured in >1,000 breaches)."),
    Param("civilian_share", 0.5, 0.2, 0.8, "share", A,
          "Share of breach and strike deaths that are civilians."),
    # --- Russia (C01-C03, C06, C07, C10, C14) ---
    Param("frustration_memory", 0.04, 0.01, 0.1, "1/day", A,
          "How fast Russian frustration follows what Russia perceives (1/days of memory)."),
    Param("frustration_hts", 0.62, 0.5, 2.0, "per zone share", ("C01", "C04", "C10"),
          "Weight of the HTS share of the zone in Russian frustration."),
    Param("frustration_buffer", 0.5, 0.0, 1.5, "per buffer share", ("C13",),
          "Weight of HTS presence in the buffer zone in Russian frustration."),
    Param("frustration_breaches", 0.3, 0.0, 1.0, "per 10 breaches/day", ("C10", "C11"),
          "Weight of the week's breach rate in Russian frustration."),
    Param("frustration_relief", 0.6, 0.0, 1.5, "per unit effort", ("C08", "C09"),
          "How much Turkey's effort against HTS calms Russian frustration."),
    Param("pressure_threshold", 0.6, 0.3, 1.0, "frustration", ("C01",),
          "Frustration at which Russia presses Turkey in public."),
    Param("strike_threshold", 0.85, 0.5, 1.3, "frustration", ("C03",),
          "Frustration at which Russia strikes HTS from the air despite the ceasefire."),
    Param("offensive_threshold", 1.3, 0.7, 1.6, "frustration", ("C02", "C14"),
          "Frustration at which Russia backs a Damascus ground offensive."),
    Param("summit_relief", 0.5, 0.0, 0.9, "share", ("C06", "C07"),
          "Share of frustration a summit removes (both sides agree on ways to remedy)."),
    Param("summit_grace_days", 90, 0, 240, "days", ("C07",),
          "After a summit Russia gives Turkey this long to deliver before backing an offensive.",
          integer=True),
    Param("postponement_days", 30, 0, 365, "days", ("C04", "C14"),
          "The deal postpones the assault at least this long from the deal's day.", integer=True),
    Param("air_strike_rate", 1.5, 0.2, 5.0, "strikes/day", ("C03",),
          "Russian air strikes a day on HTS districts when Russia strikes."),
    Param("strike_damage", 0.03, 0.005, 0.1, "share of force/strike", A,
          "Share of a district's HTS force one strike destroys."),
    Param("air_support", 2.0, 1.2, 4.0, "x", ("C15",),
          "Russian air power multiplies the force of a Damascus offensive."),
    Param("mediation_threshold", 0.5, 0.2, 0.8, "US presence", ("C19",),
          "US presence below which Russia mediates between the Kurds and Damascus."),
    # --- Turkey (C08, C09, C18, C19) ---
    Param("turkey_effort", 0.3, 0.0, 1.0, "share", ("C08", "C09"),
          "Share of its capacity Turkey turns against HTS (its compliance effort)."),
    Param("turkey_pace", 0.01, 0.001, 0.02, "share of HTS force/day", ("C09",),
          "Most of HTS's force Turkey's full effort can remove in a day: not overnight."),
    Param("ne_threshold", 0.35, 0.1, 0.7, "US presence", ("C17", "C19"),
          "US presence below which Turkey weighs its north-east operation."),
    Param("ne_hazard", 0.03, 0.005, 0.1, "1/day", ("C19",),
          "Daily chance of launching the north-east operation with no US and no coordination."),
    Param("coordination", 0.5, 0.0, 1.0, "share", ("C18",),
          "Russia-Turkey coordination: fills the vacuum by agreement, not a Turkish operation."),
    Param("turkish_army", 6.0, 2.0, 15.0, "thousand fighter-eq/district", A,
          "Turkish army and allied force thrown across the border at each north-east target."),
    Param("operation_days", 40, 5, 120, "days", A,
          "How long a Turkish north-east operation runs once launched.", integer=True),
    Param("post_clash", 0.1, 0.0, 0.5, "1/day", A,
          "Daily chance that a Damascus attack on a district with a Turkish post hits the post."),
    Param("ru_tr_clash", 0.1, 0.0, 0.5, "1/clash", A,
          "Chance a Turkey-Damascus clash draws Russian forces in when the relation is broken."),
    # --- Damascus and ground fighting (C14, C15) ---
    Param("militia_support", 1.3, 1.0, 2.0, "x", ("C15",),
          "Iran-backed militias multiply Damascus's ground force."),
    Param("offensive_width", 1, 1, 8, "districts/day", A,
          "Districts a Russian-backed (limited) offensive attacks at once; imposed assaults: all.",
          integer=True),
    Param("commit_share", 0.5, 0.2, 0.8, "share", A,
          "Share of a district's force committed to attacking each neighbour."),
    Param("attrition", 0.03, 0.005, 0.1, "1/day", A,
          "Lanchester attrition: daily force loss per unit of opposing force."),
    Param("capture_rate", 0.08, 0.01, 0.3, "1/day", A,
          "Most a contested district can fall in a day, at overwhelming odds."),
    Param("death_share", 0.3, 0.1, 0.5, "share", A,
          "Share of lost fighting strength that is fighters killed (the rest wounded or gone)."),
    Param("injured_per_killed", 3.0, 1.5, 5.0, "people/death", A,
          "Fighters injured per fighter killed in ground fighting."),
    # --- HTS and the opposition (C12, C13, C16) ---
    Param("defection", 0.019, 0.004, 0.03, "share/day", ("C12",),
          "Share of the opposition's force that goes over to HTS or disbands each day."),
    Param("hts_attack_hazard", 0.06, 0.02, 0.4, "1/day", ("C12",),
          "Daily chance HTS moves on an opposition neighbour at even odds or better."),
    Param("hts_attack_odds", 2.0, 1.0, 3.0, "force ratio", ("C12",),
          "Local HTS-to-opposition force ratio at which HTS moves with half its hazard."),
    Param("cede_odds", 3.0, 1.5, 5.0, "force ratio", ("C12",),
          "Local force ratio above which an opposition group signs administration over."),
    Param("absorb_share", 0.5, 0.0, 1.0, "share", ("C12",),
          "Share of a ceding group's force that HTS absorbs."),
    Param("hts_recruitment", 0.001, 0.0, 0.005, "share/day", A,
          "Daily growth of HTS's force from recruitment and revenue."),
    Param("aid_fee", 0.0, 0.0, 0.3, "share", ("C16",),
          "Share of aid HTS levies as fees (C16: it agreed to levy none)."),
    # --- Kurdish forces and the US (C17, C19) ---
    Param("kurd_invite_threat", 0.5, 0.2, 0.9, "threat", ("C19",),
          "Threat (US gone x Turkey poised) at which the Kurds let Damascus in."),
    Param("kurd_invite_hazard", 0.05, 0.005, 0.2, "1/day", ("C19",),
          "Daily chance the Kurds strike their deal once the threat is above the threshold."),
    Param("us_pullout_delay", 270, 0, 400, "days", ("C17",),
          "Days from the withdrawal announcement to the start of the pull-out."),
    Param("us_pullout_days", 30, 1, 365, "days", A, "How long the pull-out takes.", integer=True),
    Param("us_pullout_share", 0.8, 0.0, 1.0, "share", ("C17",),
          "Share of US presence that leaves (1 = all)."),
    # --- The Russia-Turkey relation (C06, C07, C18) ---
    Param("relation_start", 0.7, 0.4, 0.9, "0-1", ("C06", "C07"),
          "The Russia-Turkey relation on day 0 (1 = close partnership)."),
    Param("relation_recovery", 0.02, 0.005, 0.1, "1/day", A,
          "How fast the relation returns towards its resting level."),
    Param("relation_strain", 0.01, 0.0, 0.05, "1/day", ("C01",),
          "Daily strain on the relation per unit of Russian frustration above the pressure line."),
    Param("summit_boost", 0.1, 0.0, 0.3, "0-1", ("C06", "C07", "C18"),
          "How much a summit improves the relation."),
    Param("clash_shock", 0.3, 0.1, 0.6, "0-1", A,
          "How much one clash between the two states' forces drops the relation."),
    Param("relation_break", 0.3, 0.1, 0.5, "0-1", A,
          "Below this relation a Turkey-Damascus clash can become a Russia-Turkey clash."),
    # --- People (C05, C16) ---
    Param("contest_flight", 0.01, 0.002, 0.05, "share/day", ("C05",),
          "Share of a contested district's residents who flee each day of fighting."),
    Param("capture_flight", 0.2, 0.05, 0.5, "share", ("C05",),
          "Share of a district's residents who flee when it changes hands by force."),
    Param("contest_deaths", 0.0003, 0.0, 0.002, "share/day", A,
          "Share of a contested district's residents killed each day of fighting."),
    Param("camp_share", 0.4, 0.1, 0.7, "share", ("C16",),
          "Share of newly displaced people who end up in the border camps."),
    Param("border_open", 0.05, 0.0, 0.5, "share", A,
          "Share of newly displaced people who cross into Turkey."),
    Param("aid_capacity", 60000, 10000, 200000, "people/day", A,
          "People aid convoys can reach in a day, with no fees and no fighting."),
    Param("flood_share", 0.05, 0.0, 0.3, "share", ("C16",),
          "Share of camp residents a winter flood leaves without shelter."),
    # --- The escalation ladder ---
    Param("sustained_breaches", 20, 5, 60, "breaches/day", A,
          "Breaches in a day that count as sustained shelling (level 2).", integer=True),
    Param("full_assault_districts", 3, 2, 8, "districts/day", A,
          "Districts attacked in one day that make a full-scale assault (level 5).", integer=True),
]
# fmt: on

PARAMETERS: dict[str, Param] = {p.name: p for p in _REGISTRY}


def _check_registry() -> None:
    for p in _REGISTRY:
        bad = [b for b in p.basis if b not in CLAIMS and b != ASSUMPTION]
        if bad or not p.basis:
            raise ValueError(f"parameter {p.name} has a bad basis {p.basis}")
        p.check(p.default)


_check_registry()


class ParameterSet:
    """Parameter values for a batch of replicates: `params.turkey_effort` is an (R,) array."""

    def __init__(self, replicates: int, overrides: Mapping[str, float | np.ndarray] | None = None):
        values: dict[str, np.ndarray] = {}
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(PARAMETERS))
        if unknown:
            raise KeyError(f"unknown parameter(s): {', '.join(unknown)}")
        for name, p in PARAMETERS.items():
            raw = np.asarray(overrides.get(name, p.default), dtype=float)
            value = np.broadcast_to(raw, (replicates,)).copy()
            for v in np.unique(value):
                try:
                    p.check(float(v))
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
            values[name] = value
        self._values = values

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, np.ndarray]:
        """All values, one array of shape (R,) per parameter."""
        return dict(self._values)
