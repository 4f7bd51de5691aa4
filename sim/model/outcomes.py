"""Every column the model writes, declared once: its kind, unit, meaning, and what a missing
value (null) means. The recorder's columns, the Parquet schema and metadata, `sim outcomes`,
`sim results` and the tables of docs/outputs.md all come from here (a test checks that they agree).

A name with `<actor>`, `<theatre>`, `<district>`, `<k>` or `<pair>` stands for a family of
columns, one per actor, theatre, P04 district, ladder level 1-7, or pair of actors.
"""

from dataclasses import dataclass
from enum import StrEnum

from sim.model.geography import ACTORS, THEATRES
from sim.model.ladder import LEVELS, PAIRS


class Kind(StrEnum):
    """What sort of value a column holds."""

    ID = "id"  # run, seed, day: which row this is
    DAY = "day"  # a model day (day 0 = 17 Sept 2018); null: it never happened
    COUNT = "count"  # a whole number of events or districts
    PEOPLE = "people"  # a number of people (may be fractional: people are split by share)
    SHARE = "share"  # a fraction, 0-1
    LEVEL = "level"  # a rung of the escalation ladder, 0-7
    FLAG = "flag"  # true/false (or 1/0 in a summary)
    POSTURE = "posture"  # an actor's posture: an ordered category
    FIGURE = "figure"  # any other quantity, in its unit


P04_DISTRICTS = ("northern_hama", "khan_shaykhun", "maarat_al_numan")

NEVER = "the event never happened in the run"
NOT_REACHED = "the run ended before the window"


@dataclass(frozen=True)
class Outcome:
    """One column, or a family of columns, of the daily series or the summary."""

    name: str
    kind: Kind
    unit: str
    description: str
    null: str = ""  # what a missing value means ("": never missing)
    key: bool = False  # one of the key outcomes `sim results` shows

    def columns(self) -> list[str]:
        """The concrete column names this declaration stands for."""
        names = [self.name]
        for marker, values in _FAMILIES.items():
            if marker in self.name:
                names = [n.replace(marker, v) for n in names for v in values]
        return names


_FAMILIES = {
    "<theatre>": THEATRES,
    "<actor>": ACTORS,
    "<district>": P04_DISTRICTS,
    "<k>": tuple(str(k) for k in range(1, len(LEVELS))),
    "<pair>": tuple(f"{ACTORS[i]}_{ACTORS[j]}" for i, j in PAIRS),
}

D, C, P, S = Kind.DAY, Kind.COUNT, Kind.PEOPLE, Kind.SHARE  # the kinds most columns have

IDS = [
    Outcome("run", Kind.ID, "", "run number in the batch (in a sweep, in the sweep)"),
    Outcome("seed", Kind.ID, "", "the run's own seed: `sim run --run-seed` re-runs it"),
]

DAILY = [
    *IDS,
    Outcome("day", Kind.ID, "day", "model day (day 0 = 17 Sept 2018, the Sochi deal)"),
    Outcome("date", Kind.ID, "date", "the calendar date of the day"),
    Outcome("level", Kind.LEVEL, "0-7", "the theatre's escalation level (the ladder's rungs)"),
    Outcome("level_name", Kind.LEVEL, "", "the name of that rung"),
    Outcome("breaches", C, "breaches", "ceasefire breaches so far: shelling, raids, air strikes"),
    Outcome("killed", P, "people", "everyone killed so far, fighters and civilians, all causes"),
    Outcome("injured", P, "people", "everyone injured so far"),
    Outcome("civilians_killed", P, "people", "civilians killed so far, all causes; in `killed`"),
    Outcome("displaced", P, "people", "the north-west's people displaced inside Syria"),
    Outcome("in_camps", P, "people", "the north-west's people in the border camps"),
    Outcome("ne_displaced", P, "people", "the north-east's people displaced"),
    Outcome("ne_in_camps", P, "people", "the north-east's people in its own camps"),
    Outcome("left_for_turkey", P, "people", "people gone to Turkey so far"),
    Outcome("aid_need", P, "people", "people needing aid that day (north-west displaced, camps)"),
    Outcome("aid_delivered", P, "people", "people reached by aid that day"),
    Outcome("us_presence", S, "0-1", "US presence in the north-east, 1 = as in 2018, 0 = gone"),
    Outcome("ru_tr_relation", S, "0-1", "the Russia-Turkey relation"),
    Outcome("russia_frustration", Kind.FIGURE, "", "Russia's frustration with the deal"),
    Outcome("summit", Kind.FLAG, "", "a Putin-Erdogan summit met that day"),
    Outcome("cessions", C, "districts", "opposition districts ceded to HTS so far"),
    Outcome("hts_force", Kind.FIGURE, "thousand fighters", "HTS's force in the zone"),
    Outcome(
        "opposition_force",
        Kind.FIGURE,
        "thousand fighters",
        "the opposition's in the zone, its own districts and under HTS",
    ),
    Outcome("zone_share_<actor>", S, "0-1", "share of the zone's residents the actor rules"),
    Outcome("ne_share_<actor>", S, "0-1", "share of the north-east's residents the actor rules"),
    Outcome("posture_<actor>", Kind.POSTURE, "", "the actor's posture that day, in ladder order"),
    Outcome(
        "posture_rung_<actor>",
        Kind.POSTURE,
        "rung",
        "that posture's rung, from 0: orders postures by the ladder (names in columns.parquet)",
    ),
    Outcome("level_<pair>", Kind.LEVEL, "0-7", "the escalation level between the two actors"),
]

SUMMARY = [
    *IDS,
    Outcome("peak_level", Kind.LEVEL, "0-7", "the highest level of the run", key=True),
    Outcome("first_day_level_<k>", D, "day", "first day at level k or above", NEVER),
    Outcome("days_level_4_plus", C, "days", "days at level 4 or above", key=True),
    Outcome(
        "first_offensive_day", D, "day", "first Damascus ground attack into the zone", NEVER, True
    ),
    Outcome(
        "first_pause_day",
        D,
        "day",
        "first day 14 days after the last Damascus ground attack (P05)",
        NEVER,
    ),
    Outcome("offensives", C, "offensives", "Damascus ground offensives begun"),
    Outcome("summits", C, "summits", "Putin-Erdogan summits met"),
    Outcome("truces_broken", C, "truces", "truces that broke down"),
    Outcome("retaken", C, "districts", "districts HTS or the opposition took back from Damascus"),
    Outcome("turkish_soldiers_killed", C, "soldiers", "Turkish soldiers killed (in `killed`)"),
    Outcome(
        "ne_operation_day", D, "day", "first Turkish ground attack in the north-east", NEVER, True
    ),
    Outcome("kurd_damascus_deal_day", D, "day", "first day the Kurds let Damascus in", NEVER),
    Outcome("breaches_day128", C, "breaches", "breaches by day 128 (C11)", NOT_REACHED),
    Outcome("breach_killed_day128", P, "people", "killed in them by day 128 (C11)", NOT_REACHED),
    Outcome("breach_injured_day128", P, "people", "injured in them by day 128", NOT_REACHED),
    Outcome(
        "hts_zone_share_day128", S, "0-1", "HTS's share of the zone on day 128", NOT_REACHED, True
    ),
    Outcome("cessions_day100_128", C, "districts", "cessions, days 100-128 (C12)", NOT_REACHED),
    Outcome(
        "civilians_killed_day224_346",
        P,
        "people",
        "civilians killed, days 224-346 (P03)",
        NOT_REACHED,
    ),
    Outcome(
        "displaced_day225_340",
        P,
        "people",
        "north-west people who fled their homes, days 225-340 (P02)",
        NOT_REACHED,
    ),
    Outcome(
        "damascus_holds_<district>_day345",
        Kind.FLAG,
        "1/0",
        "Damascus holds it on day 345 (P04)",
        NOT_REACHED,
    ),
    Outcome(
        "damascus_zone_share_day345",
        S,
        "0-1",
        "Damascus's share of the zone's day-0 residents on day 345 (P04)",
        NOT_REACHED,
    ),
    Outcome("breaches", C, "breaches", "breaches by the horizon"),
    Outcome("killed", P, "people", "everyone killed by the horizon"),
    Outcome("injured", P, "people", "everyone injured by the horizon"),
    Outcome("civilians_killed", P, "people", "civilians killed by the horizon", key=True),
    Outcome("ne_civilians_killed", P, "people", "of them, in the north-east"),
    Outcome("displaced_peak", P, "people", "peak of the north-west's displaced + camps", key=True),
    Outcome("ne_displaced_peak", P, "people", "the same for the north-east"),
    Outcome("left_for_turkey", P, "people", "people gone to Turkey by the horizon"),
    Outcome("returned", P, "people", "displaced people who went home by the horizon"),
    Outcome("aid_coverage", S, "0-1", "aid delivered over aid needed, over the run"),
    Outcome("relation_low", S, "0-1", "the lowest Russia-Turkey relation of the run"),
    Outcome(
        "final_opposition_force",
        Kind.FIGURE,
        "thousand fighters",
        "the opposition's fighters in the zone at the horizon (under HTS included)",
    ),
    Outcome(
        "final_share_<theatre>_<actor>",
        S,
        "0-1",
        "share of the theatre's residents the actor rules at the horizon",
    ),
]

SWEEP_IDS = [
    Outcome("point", Kind.ID, "", "the sweep's design point (a row of design.parquet)"),
    Outcome("replicate", Kind.ID, "", "the replicate of the design point"),
]


TABLES = ("daily", "summary", "events")
"""The tables a run writes: the series ("daily", also when weekly), the summary, the events."""


def declarations(table: str) -> list[Outcome]:
    """The declarations of a table (one of TABLES; a sweep's ids included)."""
    own = {"daily": DAILY, "summary": SUMMARY, "events": EVENT_COLUMNS}[table]
    return [*own, *SWEEP_IDS]


def by_column(table: str) -> dict[str, Outcome]:
    """{column name: its declaration} of a table, families expanded."""
    return {name: o for o in declarations(table) for name in o.columns()}


def summary_outcomes() -> list[str]:
    """The summary's outcome columns (ids left out), in order."""
    return [name for o in SUMMARY if o.kind is not Kind.ID for name in o.columns()]


def key_outcomes() -> list[str]:
    """The summary columns `sim results` shows."""
    return [name for o in SUMMARY if o.key for name in o.columns()]


EVENT_COLUMNS = [
    *IDS,
    Outcome("day", Kind.ID, "day", "model day of the event"),
    Outcome("date", Kind.ID, "date", "its calendar date"),
    Outcome("actor", Kind.ID, "", "the actor the event is about (null: none, a camp flood)"),
    Outcome("event", Kind.ID, "", "what happened (docs/outputs.md, table of events)"),
    Outcome("district", Kind.ID, "", "the district's id, where one applies", "none applies"),
    Outcome("target", Kind.ID, "", "the other actor, where one applies", "none applies"),
    Outcome("value", Kind.FIGURE, "", "the event's figure (docs/outputs.md, table of events)"),
]
