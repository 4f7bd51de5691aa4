"""docs/sensitivity.md and docs/discovery.md are made by experiments/analysis_figures.py, and
docs/calibration.md by experiments/calibration_figures.py: their marked blocks are the JSON the
script wrote beside them, and every number their prose quotes (a decimal or a percentage) is one
a block shows, or a setting of the analyses."""

import importlib
import json
import re
from pathlib import Path

import pytest

from sim.analysis.coverage import ALPHA
from sim.analysis.discover import DENSITY, QP_LIMIT
from sim.analysis.sensitivity import CONFIDENCE
from sim.model.params import PARAMETERS

ROOT = Path(__file__).resolve().parents[1]
PAGES = {
    "sensitivity": ("analysis_figures", "sensitivity_blocks"),
    "discovery": ("analysis_figures", "discovery_blocks"),
    "calibration": ("calibration_figures", "calibration_blocks"),
}
"""Each page's script (experiments/NAME.py) and the function that makes its blocks."""
QUOTED = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+)?%|\d*\.\d+(?!\.?\d))")
"""A quoted figure: a percentage or a decimal (not a version such as 1.6.0)."""
NAMED = re.compile(r"`(\w+)`")
SETTINGS = {f"{CONFIDENCE:.0%}", f"{DENSITY}", f"{QP_LIMIT}", "90%", "5%", "50%", f"{ALPHA}"}
"""Numbers the pages quote that are the analyses' settings, not their findings: the intervals'
level, PRIM's density rule, the qp limit, the Wilson bound's level, EMA's minimum mass, the
coverage check's intervals and its test's level."""


def script_of(page: str):
    """The script that makes a page, as a module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "experiments"))
        return importlib.import_module(PAGES[page][0])


@pytest.fixture(scope="module")
def script():
    """experiments/analysis_figures.py as a module."""
    return script_of("sensitivity")


def unbacked(text: str, block: re.Pattern) -> list[str]:
    """The figures the prose of a page quotes (outside its marked blocks and code) that none of
    its blocks shows and no setting explains: the SETTINGS, and the registry's default and range
    of a parameter the page names."""
    shown = set(QUOTED.findall("".join(m.group(3) for m in block.finditer(text))))
    named = [PARAMETERS[n] for n in set(NAMED.findall(text)) & set(PARAMETERS)]
    registry = {f"{v:g}" for p in named for v in (p.default, p.low, p.high)}
    prose = re.sub(r"```.*?```", "", block.sub("", text), flags=re.DOTALL)
    return [n for n in QUOTED.findall(prose) if n not in shown | SETTINGS | registry]


@pytest.mark.parametrize("page", PAGES)
def test_the_blocks_are_the_jsons(page):
    script = script_of(page)
    path = ROOT / "docs" / f"{page}.md"
    found = json.loads((ROOT / "docs" / f"{page}.json").read_text(encoding="utf-8"))
    assert found["command"] == script.COMMAND and script.COMMAND in path.read_text()
    blocks = getattr(script, PAGES[page][1])(found)
    assert script.rewrite(path, blocks) == path.read_text(encoding="utf-8"), (
        f"docs/{page}.md: re-run {script.COMMAND}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_prose_quotes_the_blocks(script, page):
    text = (ROOT / "docs" / f"{page}.md").read_text(encoding="utf-8")
    assert not unbacked(text, script.BLOCK)


def test_a_number_from_nowhere_is_seen(script):
    text = (
        "The share is 0.42 and 33% chance; SALib 1.6.0; a 0.95 at the end.\n"
        "`ne_threshold` is 0.35 by default, 0.1-0.7; the box ends at 0.56.\n"
        "<!-- figures: t -->\n| x | 0.42 | 33% |\n<!-- /figures -->\n"
    )
    assert unbacked(text, script.BLOCK) == ["0.95", "0.56"]
