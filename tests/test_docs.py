"""The documents say what is, not how it came to be: no session talk, commit hashes, accounts of
reviews or dates of change in the README, the reference pages, the benchmarks' figures or
CONTRIBUTING.md (history lives in git)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REWRITTEN_ELSEWHERE = {"ODD.md", "calibration.md"}
"""Pages of docs/ that are not checked here."""

HISTORY = {
    "session talk": re.compile(r"\bsessions?\b", re.IGNORECASE),
    "a commit hash": re.compile(r"\b(?=[0-9a-f]*[0-9])(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b"),
    "an account of a review": re.compile(r"\ba review (found|showed|said)\b", re.IGNORECASE),
    "a date of change": re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b"),
}
"""What history looks like in a document."""


def documents() -> list[Path]:
    pages = [p for p in sorted((ROOT / "docs").glob("*.md")) if p.name not in REWRITTEN_ELSEWHERE]
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
    )
    assert [line.split(":")[0] for line in history(text)] == ["1", "2", "3", "4"]
