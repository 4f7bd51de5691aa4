"""The parameter registry: every knob of the model, its default, plausible range, unit and basis,
and the model's fixed constants (`CONSTANTS`), with their unit and basis.

A basis lists the claims (C01-C19) a default rests on, the patterns (P01-P05: `external`, what
happened later) it was fitted to, or says `assumption`; a claim with `assumption` means the rule
rests on the claim and the value is assumed (the article gives no figure for it). Defaults marked
C11 or C12 and no `assumption` are fitted to the article's window (days 0-128), those marked
P01-P05 and no `assumption` to the 2019 offensive (docs/ODD.md): the eight that
`experiments/calibrate_baseline.toml` calibrates are the best particle of its ABC posterior
(`experiments/defaults_from_posterior.py`), the others the best point of the search in
`experiments/fit_defaults.py`. Sweeps explore the ranges. Parameters
may differ per replicate: a `ParameterSet` holds one value per replicate."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.model.claims import ASSUMPTION, PATTERNS, SOURCES


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
    defines_outcome: bool = False
    """True for the ladder's thresholds: they define how an outcome is measured, not what the
    model does, so they are not uncertainties to explore (EMA, Sobol) and stay at their
    defaults."""

    @property
    def kind(self) -> str:
        """What the default rests on: "assumption" (the value is assumed, whatever claim the
        rule rests on), "fitted (external)" (fitted to the 2019 offensive, P01-P05), "fitted
        (article)" (fitted to the article's figures, C11, C12) or "claim" (read from a claim)."""
        basis = set(self.basis)
        if ASSUMPTION in basis:
            return "assumption"
        if basis & set(PATTERNS):
            return "fitted (external)"
        return "fitted (article)" if basis & {"C11", "C12"} else "claim"

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
    Param("shelling_rate", 0.442, 0.2, 1.5, "breaches/front-line pair/day", ("C11", "C15"),
          "Damascus shelling across each front-line pair with a rebel district, in calm posture."),
    Param("raid_rate", 0.398, 0.1, 1.0, "breaches/front-line pair/day", ("C11",),
          "HTS attacks on regime lines from each front-line district it holds."),
    Param("buffer_raid_multiplier", 1.5, 1.0, 3.0, "x", ("C13", "assumption"),
          "HTS raids from inside the buffer zone are this many times as frequent."),
    Param("frustration_shelling", 0.26, 0.0, 2.0, "x per unit frustration", ("C10", "C15", "P01"),
          "Extra Damascus shelling per unit of Russian frustration."),
    Param("offensive_shelling", 3.0, 1.0, 6.0, "x", A,
          "Damascus shelling is this many times heavier while it is on the offensive."),
    Param("killed_per_breach", 0.051, 0.03, 0.09, "people/breach", ("C11",),
          "Deaths per recorded breach (65 killed in >1,000 breaches)."),
    Param("injured_per_breach", 0.271, 0.15, 0.32, "people/breach", ("C11",),
          "Injuries per recorded breach (>200 injured in >1,000 breaches)."),
    Param("civilian_share", 0.5, 0.2, 0.8, "share", A,
          "Share of the deaths in shelling breaches and raids that are civilians."),
    # --- Russia (C01-C03, C06, C07, C10, C14) ---
    Param("frustration_memory", 0.0775, 0.01, 0.1, "1/day", ("C10", "P01"),
          "How fast Russian frustration follows what Russia perceives (1/days of memory)."),
    Param("frustration_hts", 0.84, 0.5, 2.0, "per zone share", ("C01", "C04", "C10", "P01"),
          "Weight of the HTS share of the zone in Russian frustration."),
    Param("frustration_buffer", 0.5, 0.0, 1.5, "per buffer share", ("C13", "assumption"),
          "Weight of HTS presence in the buffer zone in Russian frustration."),
    Param("frustration_breaches", 0.213, 0.0, 1.0, "per 10 breaches/day", ("C10", "C11", "P01"),
          "Weight of the week's breach rate in Russian frustration."),
    Param("frustration_relief", 0.6, 0.0, 1.5, "per unit effort", ("C08", "C09", "assumption"),
          "How much Turkey's effort against HTS calms Russian frustration."),
    Param("pressure_threshold", 0.6, 0.3, 1.0, "frustration", ("C01", "assumption"),
          "Frustration at which Russia presses Turkey in public."),
    Param("strike_threshold", 1.17, 0.5, 1.3, "frustration", ("C03", "P01"),
          "Frustration at which Russia strikes HTS from the air despite the ceasefire."),
    Param("offensive_threshold", 1.32, 0.8, 2.0, "frustration", ("C02", "C14", "P01"),
          "Frustration at which Russia backs a Damascus ground offensive with half its hazard."),
    Param("offensive_spread", 0.2, 0.05, 0.4, "frustration", A,
          "How gradual Russia's resolve is around the threshold (logistic scale)."),
    Param("offensive_hazard", 0.03, 0.01, 0.3, "1/day", A,
          "Most daily chance that Russia starts backing an offensive, far above the threshold."),
    Param("relation_patience", 0.59, 0.0, 1.5, "frustration per relation", ("C06", "C18", "P01"),
          "A closer relation with Turkey raises the frustration Russia tolerates in Idlib."),
    Param("summit_relief", 0.5, 0.0, 0.9, "share", ("C06", "C07", "assumption"),
          "Share of frustration a summit removes (both sides agree on ways to remedy)."),
    Param("truce_breakdown", 0.05, 0.005, 0.2, "1/day", A,
          "Daily chance a truce breaks down early once Russia's frustration is well past its "
          "patience (half of it at patience: the offensive's logistic)."),
    Param("air_strike_rate", 1.58, 0.2, 5.0, "strikes/day", ("C03", "P03"),
          "Russian air strikes a day on HTS districts when Russia strikes."),
    Param("offensive_air", 7.5, 1.0, 10.0, "x", ("C15", "P03"),
          "Russian air strikes are this many times as many while Russia backs an offensive."),
    Param("idlib_city_weight", 2.0, 1.0, 5.0, "x", ("C03", "assumption"),
          "Idlib city draws this many times its share of the strikes (C03: Idlib city itself)."),
    Param("strike_damage", 0.03, 0.005, 0.1, "share of force/strike", A,
          "Share of a district's rebel force one strike destroys."),
    Param("offensive_support", 4.771, 1.2, 8.0, "x", ("C14", "C15", "P04"),
          "Russian air power and Iran-backed militias multiply the force of a Damascus "
          "offensive."),
    Param("mediation_threshold", 0.5, 0.2, 0.8, "US presence", ("C19", "assumption"),
          "US presence at which Russia half mediates between the Kurds and Damascus."),
    # --- Turkey (C08, C09, C18, C19) ---
    Param("turkey_effort", 0.3, 0.0, 1.0, "share", ("C08", "C09", "assumption"),
          "Share of its capacity Turkey turns against HTS (its compliance effort)."),
    Param("pressure_response", 0.3, 0.0, 0.7, "share", ("C01", "C08", "assumption"),
          "Extra effort Turkey shows against HTS on a day after Russia pressed it."),
    Param("turkey_pace", 0.01, 0.001, 0.02, "share of HTS force/day", ("C09", "assumption"),
          "Most of HTS's force Turkey's full effort can remove in a day: not overnight."),
    Param("ne_threshold", 0.35, 0.1, 0.7, "US presence", ("C17", "C19", "assumption"),
          "US presence at which Turkey counts the US half gone in its north-east vacuum."),
    Param("ne_hazard", 0.03, 0.005, 0.1, "1/day", ("C19", "assumption"),
          "Daily chance of launching the north-east operation with no US and no coordination."),
    Param("coordination", 0.5, 0.0, 1.0, "share", ("C18", "assumption"),
          "Russia-Turkey coordination at the day-0 relation: fills the vacuum by agreement, "
          "not by a Turkish operation; it scales with the relation."),
    Param("turkish_army", 6.0, 2.0, 15.0, "thousand fighter-eq/district", A,
          "Turkish army and allied force thrown across the border at each north-east target."),
    Param("operation_days", 40, 5, 120, "days", A,
          "How long a Turkish north-east operation runs once launched.", integer=True),
    Param("post_reinforcement", 0.05, 0.0, 0.2, "thousand fighter-eq/post/day", A,
          "Troops Turkey adds to each post a day while it guards its posts."),
    Param("post_max", 1.5, 0.3, 3.0, "thousand fighter-eq/post", A,
          "Most troops a guarded post holds."),
    Param("post_clash", 0.06, 0.0, 0.5, "1/day", A,
          "Daily chance that a Damascus attack on a district with a Turkish post hits the post."),
    Param("soldiers_per_hit", 5.0, 1.0, 10.0, "soldiers", A,
          "Turkish soldiers killed, on average, each time fire hits Turkish forces."),
    Param("loss_memory", 0.05, 0.01, 0.3, "share/day", A,
          "Share of its remembered soldiers killed that Turkey's anger forgets each day."),
    Param("retaliation", 0.01, 0.0, 0.05, "1/soldier", A,
          "Turkey strikes Damascus's forces with daily chance 1 - exp(-retaliation x soldiers "
          "killed it remembers), while Damascus attacks the zone or the day after a hit."),
    Param("retaliation_damage", 0.05, 0.0, 0.3, "share", A,
          "Share of Damascus's force that a clash with Turkey destroys where it is fought: next "
          "to the Turkish posts (Turkey's retaliation) or in the north-east."),
    Param("ne_clash", 0.1, 0.0, 0.5, "1/day", ("C19", "assumption"),
          "Daily chance that Turkey's north-east operation, attacking next to districts Damascus "
          "holds there, clashes with Damascus's forces, without coordination with Russia."),
    Param("ru_tr_clash", 0.1, 0.0, 0.5, "1/clash", A,
          "Chance a Turkish strike on Damascus's forces draws Russian fire on Turkish forces at "
          "a relation of 0; less as the relation rises, none at `relation_start` or above. In "
          "the north-east: times Russia's mediation and (1 - coordination)."),
    # --- Damascus and ground fighting (C14, C15) ---
    Param("damascus_recovery", 0.01, 0.0, 0.05, "share/day", ("C15", "assumption"),
          "Share of its shortfall against its day-0 force around Idlib that Damascus makes "
          "good a day (Russian air power, allied militias)."),
    Param("offensive_width", 1, 1, 8, "districts/day", A,
          "Districts a Russian-backed offensive attacks at once when it starts; imposed assaults: "
          "all.", integer=True),
    Param("renewal_widening", 1, 0, 3, "districts/offensive", ("C15", "assumption"),
          "Districts more a renewed offensive attacks at once for each offensive before it "
          "(C15: Damascus means to retake every inch).", integer=True),
    Param("widen_days", 95, 5, 120, "days", ("P04",),
          "An offensive Russia keeps backing attacks one more district every this many days.",
          integer=True),
    Param("commit_share", 0.5, 0.2, 0.8, "share", A,
          "Share of a district's force committed to an attack or to a neighbour's defence, split "
          "over the districts it fights for."),
    Param("attrition", 0.03, 0.005, 0.1, "1/day", A,
          "Lanchester attrition: daily force loss per unit of opposing force."),
    Param("capture_rate", 0.07, 0.01, 0.3, "1/day", ("P04",),
          "Most a contested district can fall in a day, at overwhelming odds."),
    Param("capture_steepness", 2, 1, 4, "exponent", A,
          "How sharply the chance of capture rises with the force ratio.", integer=True),
    Param("garrison_share", 0.33, 0.1, 0.6, "share", A,
          "Share of the surviving attack that moves into a captured district."),
    Param("death_share", 0.3, 0.1, 0.5, "share", A,
          "Share of lost fighting strength that is fighters killed (the rest wounded or gone)."),
    Param("injured_per_killed", 3.0, 1.5, 5.0, "people/death", A,
          "Fighters injured per fighter killed in ground fighting or by air strikes."),
    # --- HTS and the opposition (C12, C13, C16) ---
    Param("defection", 0.0228, 0.004, 0.03, "share/day", ("C12",),
          "Share of the opposition's force that goes over to HTS or disbands each day."),
    Param("hts_attack_hazard", 0.0369, 0.01, 0.2, "1/day", ("C12",),
          "Daily chance HTS moves on an opposition neighbour, or counter-attacks a district of "
          "the zone Damascus took, at odds far above `hts_attack_odds` (half of it at those "
          "odds)."),
    Param("hts_attack_odds", 1.34, 1.0, 3.0, "force ratio", ("C12",),
          "Local HTS-to-opposition force ratio at which HTS moves with half its hazard."),
    Param("hts_attack_steepness", 4, 2, 8, "exponent", A,
          "How sharply HTS's chance to move rises with its odds around `hts_attack_odds`.",
          integer=True),
    Param("cede_odds", 1.73, 1.5, 5.0, "force ratio", ("C12",),
          "Local force ratio above which an opposition group signs administration over."),
    Param("absorb_share", 0.5, 0.0, 1.0, "share", ("C12", "assumption"),
          "Share of a ceding group's force that HTS absorbs."),
    Param("signed_keep_arms", 1.0, 0.0, 1.0, "share", ("C12", "assumption"),
          "Share of a ceding group's fighters HTS does not absorb that keep their arms in the "
          "district under HTS's administration (0: they all go home)."),
    Param("hts_recruitment", 0.001, 0.0, 0.005, "share/day", A,
          "Daily growth of HTS's force from recruitment and revenue."),
    Param("hts_levy_ratio", 4.0, 0.0, 8.0, "fighters/1,000 residents", A,
          "Fighters per 1,000 residents of its districts below which HTS levies recruits "
          "(day 0: 7; 0 turns the levy off)."),
    Param("hts_levy_rate", 0.03, 0.0, 0.05, "share of gap/day", A,
          "Share of the gap to `hts_levy_ratio` that HTS's levy makes up a day."),
    Param("fee_revenue", 0.004, 0.0, 0.01, "share/day per unit fee", ("C16", "assumption"),
          "Extra daily growth of HTS's force per unit of aid fee it levies (its revenue)."),
    Param("front_reinforcement", 0.057, 0.0, 0.2, "share/day", ("P04",),
          "Share of its force in the rear an actor moves to the front a day while it fights."),
    Param("fighting_resolve", 1.3, 1.0, 2.0, "x", A,
          "How many times their force counts in defence when the opposition groups fight for "
          "their towns or the Kurds resist an operation."),
    Param("aid_fee", 0.0, 0.0, 0.3, "share", ("C16",),
          "Share of aid HTS levies as fees (C16: it agreed to levy none)."),
    # --- Kurdish forces and the US (C17, C19) ---
    Param("kurd_invite_threat", 0.45, 0.2, 0.9, "threat", ("C19", "assumption"),
          "Threat (US gone x Turkey poised) at which the Kurds' daily chance of a deal with "
          "Damascus is half its full value."),
    Param("kurd_invite_spread", 0.1, 0.02, 0.2, "threat", A,
          "How gradually that chance rises with the threat around `kurd_invite_threat`."),
    Param("kurd_invite_hazard", 0.01, 0.005, 0.2, "1/day", ("C19", "assumption"),
          "Daily chance the Kurds strike their deal when the threat is well above the threshold."),
    Param("kurd_vow_weight", 0.6, 0.3, 1.0, "share", ("C19", "assumption"),
          "How much Turkey's vow alone threatens the Kurds, against an operation under way (1)."),
    Param("mediation_boost", 2.0, 1.0, 4.0, "x", ("C19", "assumption"),
          "Russian mediation multiplies the Kurds' daily chance of a deal with Damascus."),
    Param("us_pullout_delay", 200, 0, 400, "days", A,
          "Days from the withdrawal announcement to the start of the pull-out; the article "
          "gives none (C17 says only that it was announced abruptly), so the default is its "
          "range's middle.", integer=True),
    Param("us_pullout_days", 30, 1, 365, "days", A, "How long the pull-out takes.", integer=True),
    Param("us_pullout_share", 0.8, 0.0, 1.0, "share", ("C17", "assumption"),
          "Share of US presence that leaves (1 = all)."),
    # --- The Russia-Turkey relation (C06, C07, C18) ---
    Param("relation_start", 0.7, 0.4, 0.9, "0-1", ("C06", "C07", "assumption"),
          "The Russia-Turkey relation on day 0 (1 = close partnership)."),
    Param("relation_recovery", 0.02, 0.005, 0.1, "1/day", A,
          "How fast the relation returns towards its resting level."),
    Param("relation_strain", 0.01, 0.0, 0.05, "1/day", ("C01", "assumption"),
          "Daily strain on the relation per unit of Russian frustration above the pressure line."),
    Param("offensive_strain", 0.0009, 0.0, 0.005, "1/day", ("C06", "C13", "P05"),
          "Daily strain on the relation while a Russian-backed offensive breaks the deal's lines."),
    Param("ne_strain", 0.004, 0.0, 0.02, "1/day", ("C19", "assumption"),
          "Daily strain while Turkey's north-east operation runs (Moscow wants Damascus there)."),
    Param("summit_boost", 0.1, 0.0, 0.3, "0-1", ("C06", "C07", "C18", "assumption"),
          "How much a summit improves the relation."),
    Param("summit_relation", 0.13, 0.1, 0.6, "0-1", ("C06", "C07", "P05"),
          "Relation below which the two leaders call a summit."),
    Param("crowding_summit", 0.05, 0.01, 0.5, "1/day per overfull share", ("C05", "P05"),
          "How fast Turkey calls a summit as the border camps overfill: daily chance "
          "1 - exp(-this x (crowding - 1)) above full."),
    Param("humanitarian_restraint", 0.1, 0.0, 1.0, "frustration per overfull share",
          ("C05", "C14", "assumption"),
          "Overfull border camps raise the frustration Russia tolerates in Idlib by this much "
          "per share of their room they are over it (fears of a humanitarian disaster)."),
    Param("clash_shock", 0.072, 0.02, 0.5, "0-1", A,
          "How much each clash between two states' forces drops the relation."),
    # --- People (C05, C16) ---
    Param("return_after", 60, 14, 180, "days", ("C05", "assumption"),
          "Days without fighting in a district after which its displaced go home.", integer=True),
    Param("return_rate", 0.005, 0.0, 0.03, "share/day", ("C05", "assumption"),
          "Share of the people displaced inside Syria and in camps who set out home a day, as "
          "far as quiet districts have room."),
    Param("contest_flight", 0.0056, 0.002, 0.05, "share/day", ("C05", "P02"),
          "Share of a contested district's residents who flee each day of fighting."),
    Param("capture_flight", 0.2, 0.05, 0.5, "share", ("C05", "assumption"),
          "Share of a district's residents who flee when it changes hands by force."),
    Param("flight_per_strike", 0.0106, 0.0, 0.02, "share/strike", ("C05", "P02"),
          "Share of a district's residents who flee for each air strike on it."),
    Param("flight_per_shell", 0.00047, 0.0, 0.003, "share/breach", ("C05", "P02"),
          "Share of a district's residents who flee for each shelling breach on it."),
    Param("strike_lethality", 6.0, 0.5, 15.0, "civilians/strike at 1,000 people/km2", ("P03",),
          "Civilians one air strike kills where 1,000 people live on a km2 (scales with "
          "density)."),
    Param("ground_lethality", 0.2, 0.0, 0.5, "civilians/day per k attackers at 1,000/km2",
          ("P03",),
          "Civilians killed a day in a contested district per thousand attacking fighter-eq, "
          "where 1,000 people live on a km2."),
    Param("camp_share", 0.4, 0.1, 0.7, "share", ("C16", "assumption"),
          "Share of newly displaced people who head for the camps; the rest stay with hosts."),
    Param("camp_capacity", 1.0, 0.5, 2.0, "x", A,
          "The camps' room for newcomers, as a multiple of the map's `camp_room`."),
    Param("border_open", 0.05, 0.0, 0.5, "share", A,
          "Share of the people reaching full border camps (or flooded out of them) who cross "
          "into Turkey."),
    Param("aid_capacity", 60000, 10000, 200000, "people/day", A,
          "People aid convoys can reach in a day, with no fees and no fighting."),
    Param("aid_offensive_access", 0.5, 0.1, 1.0, "share", A,
          "Share of the aid capacity that still gets through during a Damascus offensive."),
    Param("aid_flight", 0.02, 0.0, 0.1, "share/day", ("C16", "assumption"),
          "Share of the displaced that aid does not reach who move to the border camps a day."),
    Param("flood_share", 0.05, 0.0, 0.3, "share", ("C16", "assumption"),
          "Share of camp residents a winter flood leaves without shelter."),
    # --- The escalation ladder ---
    Param("sustained_breaches", 7, 5, 60, "breaches/day", A,
          "A pair's breaches a day, averaged over a week, that count as sustained shelling "
          "(level 2).", integer=True, defines_outcome=True),
    Param("sustained_days", 4, 2, 7, "days of 7", A,
          "Days of the last week with breaches (level 2) or strikes (level 3) that make them "
          "sustained.",
          integer=True, defines_outcome=True),
    Param("full_assault_districts", 3, 2, 8, "districts/day", A,
          "Districts attacked in one day that make a full-scale assault (level 5).", integer=True,
          defines_outcome=True),
]
# fmt: on

PARAMETERS: dict[str, Param] = {p.name: p for p in _REGISTRY}


@dataclass(frozen=True)
class Constant:
    """A fixed value a rule or a measure uses: declared with its unit and basis as a parameter
    is, but the same in every run, so never swept and not written with the results."""

    name: str
    value: int | float
    unit: str
    basis: tuple[str, ...]
    doc: str


# fmt: off
_CONSTANTS = [
    Constant("week", 7, "days", A,
             "Days that sustained measures look back over: the ladder's levels 2 and 3, "
             "Russia's breach rate; the displaced set out home once a week."),
    Constant("min_defence", 0.05, "thousand fighter-eq", A,
             "The least defence a district counts with in an attack's odds: none is wholly "
             "undefended (keeps the odds finite)."),
    Constant("max_shelling", 8.0, "breaches/front-line pair/day", A,
             "The most Damascus's guns fire across one front-line pair a day. It bounds the loop "
             "of shelling, breaches and Russian frustration, which otherwise grows without end "
             "where the ranges' high ends meet; it does not bind at the defaults."),
    Constant("us_spread", 0.05, "US presence", A,
             "How gradually Turkey and Russia count the US as gone around their lines "
             "(`ne_threshold`, `mediation_threshold`): a logistic's scale, there so that no "
             "sweep straddles a step; across 0.02-0.15 it moved no outcome measurably."),
    Constant("post_garrison", 0.3, "thousand fighter-eq/post", A,
             "Turkish troops at an observation post on day 0; guarding adds more "
             "(`post_reinforcement`), which soon outweighs them: across 0-1 they moved no "
             "outcome measurably."),
    Constant("ne_garrison", 1.0, "thousand fighter-eq/district", ("C19", "assumption"),
             "Least force Damascus keeps in each north-east district it holds, drawn from its "
             "force around Idlib; across 0.2-3 it moved no outcome measurably."),
    Constant("pause_days", 14, "days", ("P05", "assumption"),
             "Days without a Damascus ground attack after which an offensive has paused "
             "(`first_pause_day`, P05)."),
]
# fmt: on
CONSTANTS: dict[str, Constant] = {c.name: c for c in _CONSTANTS}

# the constants by the names the rules use
WEEK = int(CONSTANTS["week"].value)
MIN_DEFENCE = float(CONSTANTS["min_defence"].value)
PAUSE_DAYS = int(CONSTANTS["pause_days"].value)
MAX_SHELLING = float(CONSTANTS["max_shelling"].value)
US_SPREAD = float(CONSTANTS["us_spread"].value)
POST_GARRISON = float(CONSTANTS["post_garrison"].value)
NE_GARRISON = float(CONSTANTS["ne_garrison"].value)


def _check_registry() -> None:
    for p in [*_REGISTRY, *_CONSTANTS]:
        bad = [b for b in p.basis if b not in SOURCES and b != ASSUMPTION]
        if bad or not p.basis:
            raise ValueError(f"{p.name} has a bad basis {p.basis}")
    for p in _REGISTRY:
        p.check(p.default)


_check_registry()


class ParameterSet:
    """Parameter values for a batch of replicates: `params.turkey_effort` is an (R,) array."""

    def __init__(self, replicates: int, overrides: Mapping[str, float | np.ndarray] | None = None):
        values: dict[str, np.ndarray] = {}
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(PARAMETERS))
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown parameter (see `sim params`)")
        for name, p in PARAMETERS.items():
            given = np.asarray(overrides.get(name, p.default))
            if given.dtype.kind not in "iuf":  # as a scenario file: no text or true/false
                raise ValueError(f"{name}: {overrides[name]!r} is not a number")
            raw = given.astype(float)
            if raw.ndim > 1 or raw.size not in (1, replicates):
                raise ValueError(
                    f"{name}: {raw.size} values for {replicates} runs (give one, or one a run)"
                )
            value = np.broadcast_to(raw, (replicates,)).copy()
            for v in np.unique(value):
                try:
                    p.check(float(v))
                except ValueError as error:
                    raise ValueError(f"{name}: {error}") from None
            values[name] = value
        self.__dict__.update(values)  # plain attributes: the rules read them some 100 times a day

    def as_dict(self) -> dict[str, np.ndarray]:
        """All values, one array of shape (R,) per parameter."""
        return {name: self.__dict__[name] for name in PARAMETERS}
