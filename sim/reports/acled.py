"""The event log in ACLED's columns and vocabulary (`sim events --format acled`), so that a run
can be set beside an ACLED export of north-west Syria month by month; the moves ACLED does not
code (summits, truces, deals) carry PLOVER's category instead.

`EVENT_TYPES` maps each event type of `sim.model.events.EVENTS` to ACLED's event type and sub
event type and PLOVER's category (None: the event is left out); `ACTORS_ACLED` names the actors
as ACLED does and `ADMIN` puts each district of the map in its governorate and district.
"""

from datetime import timedelta
from pathlib import Path

import pandas as pd

from sim.io.disk import ResultsError, refuse_inside_results, write_atomic
from sim.model.record import START_DATE
from sim.reports.story import geography, phrase, sentence
from sim.sweeps import results

CAPTURE = {
    "damascus": "Government regains territory",
    "hts": "Non-state actor overtakes territory",
    "opposition": "Non-state actor overtakes territory",
    "kurds": "Non-state actor overtakes territory",
    "turkey": "Armed clash",
    "russia": "Armed clash",
    "us": "Armed clash",
}
"""A district taken by force: ACLED's sub event type by who takes it (a foreign state's army
taking ground in Syria is coded as an armed clash)."""

CHANGE = ("Strategic developments", "Change to group/activity")

EVENT_TYPES: dict[str, tuple[str | None, str | dict[str, str] | None, str | None] | None] = {
    "posture_<name>": None,  # an actor's stance, not an event ACLED or PLOVER would code
    "offensive_begins": (*CHANGE, "MOBILIZE"),
    "offensive_ends": (*CHANGE, "RETREAT"),
    "district_captured": ("Battles", CAPTURE, "ASSAULT"),
    "district_ceded": ("Strategic developments", "Non-violent transfer of territory", "CONCEDE"),
    "idlib_city_struck": ("Explosions/Remote violence", "Air/drone strike", "ASSAULT"),
    "summit": (None, None, "CONSULT"),
    "truce": (None, None, "RETREAT"),  # PLOVER's "declare truce, ceasefire"
    "truce_broken": (None, None, "REJECT"),  # "decline to de-escalate military engagement"
    "clash": ("Battles", "Armed clash", "ASSAULT"),
    "soldiers_killed": (
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "ASSAULT",
    ),
    "ne_operation_begins": (*CHANGE, "MOBILIZE"),
    "ne_operation_ends": (*CHANGE, "RETREAT"),
    "kurd_damascus_deal": (None, None, "AGREE"),
    "camp_flood": None,  # a natural hazard, no political event
}
"""Each event type: (ACLED event_type, sub_event_type (or one by actor), PLOVER category), or
None where the row is left out."""

ACTORS_ACLED = {
    "russia": "Military Forces of Russia (2000-)",
    "turkey": "Military Forces of Turkey (2016-)",
    "damascus": "Military Forces of Syria (2000-)",
    "hts": "Hayat Tahrir al Sham",
    "opposition": "NLF: National Front for Liberation",
    "kurds": "QSD: Syrian Democratic Forces",
    "us": "Military Forces of the United States (2017-2021)",
}
"""The actors as ACLED names them."""

ADMIN = {
    "idlib_city": ("Idleb", "Idleb"),
    "binnish": ("Idleb", "Idleb"),
    "sarmada_camps": ("Idleb", "Harim"),
    "harem": ("Idleb", "Harim"),
    "salqin": ("Idleb", "Harim"),
    "darkush": ("Idleb", "Jisr-Ash-Shugur"),
    "kafr_takharim": ("Idleb", "Harim"),
    "jisr_al_shughur": ("Idleb", "Jisr-Ash-Shugur"),
    "latakia_mountains": ("Lattakia", "Al-Haffa"),
    "ghab_west": ("Hama", "As-Suqaylabiyah"),
    "ariha": ("Idleb", "Ariha"),
    "jabal_al_zawiya": ("Idleb", "Ariha"),
    "kafr_nabl": ("Idleb", "Maarrat An Nu'man"),
    "maarat_al_numan": ("Idleb", "Maarrat An Nu'man"),
    "khan_shaykhun": ("Idleb", "Maarrat An Nu'man"),
    "northern_hama": ("Hama", "Muhradah"),
    "saraqib": ("Idleb", "Idleb"),
    "eastern_idlib": ("Idleb", "Maarrat An Nu'man"),
    "atarib": ("Aleppo", "Jebel Saman"),
    "darat_izza": ("Aleppo", "Jebel Saman"),
    "western_aleppo_edge": ("Aleppo", "Jebel Saman"),
    "aleppo_city": ("Aleppo", "Jebel Saman"),
    "southern_aleppo": ("Aleppo", "Jebel Saman"),
    "abu_al_duhur": ("Idleb", "Idleb"),
    "hama_city": ("Hama", "Hama"),
    "northern_hama_regime": ("Hama", "Muhradah"),
    "ghab_plain": ("Hama", "As-Suqaylabiyah"),
    "latakia_coast": ("Lattakia", "Lattakia"),
    "eastern_aleppo": ("Aleppo", "Al Bab"),
    "deir_ez_zor_west": ("Deir-ez-Zor", "Deir-ez-Zor"),
    "afrin": ("Aleppo", "Afrin"),
    "azaz": ("Aleppo", "A'zaz"),
    "al_bab": ("Aleppo", "Al Bab"),
    "manbij": ("Aleppo", "Menbij"),
    "kobani": ("Aleppo", "Ain Al Arab"),
    "tal_abyad": ("Ar-Raqqa", "Tell Abiad"),
    "ras_al_ain": ("Al-Hasakeh", "Ras Al Ain"),
    "qamishli": ("Al-Hasakeh", "Quamishli"),
    "hasakah": ("Al-Hasakeh", "Al-Hasakeh"),
    "raqqa": ("Ar-Raqqa", "Ar-Raqqa"),
    "deir_ez_zor_east": ("Deir-ez-Zor", "Al Mayadin"),
}
"""Each district of the map: (admin1, admin2), the governorate and district that hold most of
it, spelt as in OCHA's administrative units."""

COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "plover_event",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "notes",
    "run",
    "seed",
    "event",
)
"""The columns written: ACLED's, PLOVER's category, and the run, seed and event type it came
from."""


def coded(event: str) -> tuple[str | None, str | dict[str, str] | None, str | None] | None:
    """The codes of an event type (a move to a posture: `posture_<name>`'s)."""
    return EVENT_TYPES["posture_<name>" if event.startswith("posture_") else event]


def to_acled(events: pd.DataFrame) -> pd.DataFrame:
    """An event log's rows that ACLED or PLOVER code, in the columns `COLUMNS`."""
    rows = []
    where = geography()
    numbers = events.groupby("run").cumcount()  # each row's number in its run's log
    for (_, event), number in zip(events.iterrows(), numbers, strict=True):
        codes = coded(event["event"])
        if codes is None:
            continue
        kind, sub, plover = codes
        district = event["district"]
        at = where.ids.index(district) if district else None
        day = START_DATE + timedelta(days=int(event["day"]))
        rows.append(
            {
                "event_id_cnty": f"SIM{int(event['run'])}-{number}",
                "event_date": day.isoformat(),
                "year": day.year,
                "time_precision": 1,
                "event_type": kind,
                "sub_event_type": sub[event["actor"]] if isinstance(sub, dict) else sub,
                "plover_event": plover,
                "actor1": ACTORS_ACLED.get(event["actor"]),
                "actor2": ACTORS_ACLED.get(event["target"]),
                "country": "Syria",
                "admin1": ADMIN[district][0] if district else None,
                "admin2": ADMIN[district][1] if district else None,
                "location": where.names[at] if district else None,
                "latitude": where.lat[at] if district else None,
                "longitude": where.lon[at] if district else None,
                "geo_precision": 2 if district else None,
                "fatalities": int(event["value"]) if event["event"] == "soldiers_killed" else None,
                "notes": sentence(phrase(event)),
                "run": int(event["run"]),
                "seed": int(event["seed"]),
                "event": event["event"],
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"fatalities": "Int64", "geo_precision": "Int64", "year": "Int64"})


def export(folder: Path, form: str, run: int | None, out: Path | None) -> str:
    """The event log of a `sim run` folder or a sweep store (run `run`, or all) as CSV, as it is
    (`form` "log") or in ACLED's columns ("acled"); written to `out` (a new file) if given,
    else returned."""
    if form not in ("log", "acled"):
        raise ValueError(f"--format {form}: one of log, acled")
    if out is not None and out.exists():
        raise ResultsError(f"{out}: already exists; choose another --out")
    if out is not None:
        refuse_inside_results(out)
    stored = results.open(folder)
    if run is not None:
        stored.check_run(run)
    events = stored.table("events", run)
    table = to_acled(events) if form == "acled" else events
    text = table.to_csv(index=False)
    if out is None:
        return text
    write_atomic(out, lambda file: file.write(text.encode()))
    return ""
