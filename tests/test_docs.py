"""The documents say what is, not how it came to be: no session talk, commit hashes, accounts of
reviews, helpers' names or dates of change in the README, the reference pages (the model's ODD
and the calibration's page included), the benchmarks' figures or CONTRIBUTING.md (history lives
in git). The ODD links the reference pages and counts the parameters as the registry does."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HISTORY = {
    "session talk": re.compile(r"\bsessions?\b", re.IGNORECASE),
    "a commit hash": re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"),
    "an account of a review": re.compile(r"\ba review (found|showed|said)\b", re.IGNORECASE),
    "a date of change": re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b"),
    "a helper's name": re.compile(r"\bhelper-\d+\b", re.IGNORECASE),
}
"""What history looks like in a document."""


def documents() -> list[Path]:
    pages = sorted((ROOT / "docs").glob("*.md"))
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "benchmarks" / "README.md", *pages]


def history(text: str) -> list[str]:
    """`line: what (the words)` for each trace of history in a text."""
    return [
        f"{number}: {what} ({found.group(0)!r})"
        for number, line in enumerate(text.splitlines(), 1)
        for what, pattern in HISTORY.items()
        for found in pattern.finditer(line)
    ]


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_documents_hold_no_history(path):
    found = history(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}:\n" + "\n".join(found)


def test_the_check_sees_history():
    text = (
        "In the tenth session the batch took 29 s.\n"
        "Since commit 1f4dc73 the groups stand firm.\n"
        "A review found two bugs.\n"
        "Until 2026-11-26 the deal held.\n"
        "The SHA-256 of each file; 100000 runs; a decade; ff; 20190123.\n"
        "Measured by helper-17 on 500 runs.\n"
    )
    assert [line.split(":")[0] for line in history(text)] == ["1", "2", "3", "4", "6"]


def test_the_odd_links_the_reference_pages():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for page in ("outputs", "calibration", "sensitivity", "discovery", "out_of_sample"):
        assert f"]({page}.md)" in odd, f"docs/ODD.md does not link {page}.md"


def test_the_odd_counts_the_parameters_by_basis():
    """The ODD's counts of parameters (all, citing a claim, citing a pattern, fitted, assumed)
    are the registry's."""
    from sim.analysis.calibrate import fitted_parameters
    from sim.model.claims import ASSUMPTION
    from sim.model.params import PARAMETERS

    params = PARAMETERS.values()
    counts = {
        "holds": len(PARAMETERS),
        "cite a claim": sum(any(b.startswith("C") for b in p.basis) for p in params),
        "cite a pattern": sum(any(b.startswith("P") for b in p.basis) for p in params),
        "were fitted": len(fitted_parameters()),
        "have assumed values": sum(ASSUMPTION in p.basis for p in params),
    }
    odd = " ".join((ROOT / "docs" / "ODD.md").read_text(encoding="utf-8").split())
    said = {
        "holds": re.search(r"holds (\d+) parameters", odd),
        "cite a claim": re.search(r"(\d+) cite a claim", odd),
        "cite a pattern": re.search(r"(\d+) cite a pattern", odd),
        "were fitted": re.search(r"(\d+) were fitted", odd),
        "have assumed values": re.search(r"(\d+) have assumed values", odd),
    }
    for what, count in counts.items():
        assert said[what], f"docs/ODD.md does not say how many parameters {what}"
        assert int(said[what].group(1)) == count, f"{what}: the registry has {count}"
