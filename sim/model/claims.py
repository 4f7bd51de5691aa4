"""The source's claims (FT, 23 January 2019), the later patterns, and the `rule` marker.

Every rule of the model is a method marked `@rule("Cxx", ...)`; every parameter names its claims,
a pattern of what happened later (`P01`-`P05`: `external`, from UN reporting) or `assumption`
(see `sim.model.params`). `sim claims` lists, source by source, what rests on it.
"""

from collections.abc import Callable
from typing import TypeVar

CLAIMS: dict[str, str] = {
    "C01": "Russia wants new measures against extremists in Idlib; Turkey has not kept its promise "
    "to clear them.",
    "C02": "Terrorists must be fought wherever they are; the Idlib ceasefire has failed.",
    "C03": "Backing the ceasefire does not stop counter-terrorism; strikes may reach Idlib city.",
    "C04": "Sept 2018: the assault was postponed for Turkey's promise to clear militants; HTS now "
    "has full control.",
    "C05": "About 3 million people live in the enclave; an assault risks a humanitarian disaster.",
    "C06": "After long talks, many issues remain but both sides agree on ways to remedy them.",
    "C07": "Russia presses for every agreement to be fulfilled; both fight terrorists jointly.",
    "C08": "Erdogan repeats his assurances to Putin.",
    "C09": "Turkey keeps fighting terrorists, but slowly: it cannot be done overnight.",
    "C10": "Russia sees the de-escalation area deteriorating quickly.",
    "C11": "HTS controls the ceasefire zone after ousting moderates; >1,000 breaches, 65 killed, "
    ">200 injured in four months.",
    "C12": "HTS took northern Idlib from rival groups; other groups signed administration over to "
    "HTS in recent weeks.",
    "C13": "Extremists were barred from a 15-20 km buffer zone; HTS's advance breaks that term.",
    "C14": "The deal made Russian and Syrian forces postpone their assault.",
    "C15": "Assad wants every inch back; Russian air power and Iran-backed militias won his wars.",
    "C16": "HTS agreed not to levy fees on aid; 11,000 children at risk from floods in camps.",
    "C17": "Dec 2018: the US president abruptly announced US troops would leave north-east Syria.",
    "C18": "Turkey and Russia will coordinate more to prevent a power vacuum after the US leaves.",
    "C19": "Turkey vows to clear the north-east of Kurdish forces; Moscow wants Damascus back "
    "there.",
}

PATTERNS: dict[str, str] = {
    "P01": "External (OCHA, OHCHR): the Russian-backed ground offensive on the zone's south began "
    "29-30 April 2019 (day 224-225).",
    "P02": "External (OCHA, WFP): more than 400,000 people displaced inside Syria by that "
    "offensive, May-August 2019 (days 226-340).",
    "P03": "External (OHCHR): 1,089 civilians killed between 29 April and 29 August 2019 "
    "(days 224-346).",
    "P04": "External (OCHA): northern Hama and Khan Shaykhun taken by late August 2019; Maarat "
    "al-Numan, Saraqib, Ariha and Idlib city still held by the rebels.",
    "P05": "External (OCHA): the offensive paused under ceasefires in August 2019 (days 319-348).",
}
"""What happened after the article, from UN reporting (../shared/patterns.md): the second
calibration window. Citing one says `external`: it is hindsight, not the article's claim."""

ASSUMPTION = "assumption"

SOURCES: dict[str, str] = {**CLAIMS, **PATTERNS}
"""Everything a rule or a parameter may cite besides `assumption`."""


def cited(source: str) -> str:
    """A source as shown to readers: a pattern says it is external (hindsight), e.g.
    "P04 (external)"; a claim or `assumption` as it is."""
    return f"{source} (external)" if source in PATTERNS else source


F = TypeVar("F", bound=Callable[..., object])


def rule(*claims: str) -> Callable[[F], F]:
    """Mark a method as a model rule resting on the given claims (C01-C19), patterns (P01-P05,
    external) or `assumption`."""
    unknown = [c for c in claims if c not in SOURCES and c != ASSUMPTION]
    if not claims or unknown:
        raise ValueError(f"a rule must cite known claims, patterns or 'assumption', got {claims}")

    def mark(method: F) -> F:
        method.claims = claims  # type: ignore[attr-defined]
        return method

    return mark
