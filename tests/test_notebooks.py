"""The notebooks of experiments/ (nbmake runs them, experiments/conftest.py sets their size): each
uses the public API only, is committed without outputs and listed in the docs; the figure check
they run under fails an unlabelled axis."""

import ast
from pathlib import Path

import matplotlib
import nbformat
import pytest
from matplotlib.figure import Figure

from tests.notebook_figures import unlabelled

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "experiments").glob("*.ipynb"))
PUBLIC = {"sim.model", "sim.sweep", "sim.results", "sim.analysis.sensitivity"}
"""The package's modules a notebook may import: the README's API and the sensitivity analysis."""


def code(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_scenarios.ipynb",
        "02_delayed_assault.ipynb",
        "03_power_vacuum.ipynb",
        "04_sensitivity.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_uses_the_public_api_and_its_small_size(path):
    imported = set()
    for node in ast.walk(ast.parse(code(path))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert {name for name in imported if name.split(".")[0] == "sim"} <= PUBLIC
    assert 'os.environ.get("SIM_NOTEBOOK_SIZE") == "small"' in code(path)
    if "sim.sweep.run(" in code(path):
        assert 'os.environ.get("SIM_NOTEBOOK_OUT", "../results/notebooks")' in code(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_is_committed_without_outputs_and_listed(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    for page in ("docs/analysis.md", "experiments/README.md"):
        assert f"`{path.name}`" in (ROOT / page).read_text(encoding="utf-8"), page


def test_the_figure_check_finds_unlabelled_axes_and_colour_bars():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    image = right.imshow([[0, 1], [1, 0]])
    colour_bar = figure.colorbar(image, ax=right)
    left.set_xlabel("day (days after 17 Sep 2018)")
    assert [line.split(": ")[1] for line in unlabelled(figure)] == [
        "no y label",
        "no x label",
        "no y label",
        "no y label",
    ]
    left.set_ylabel("runs (%)")
    figure.supxlabel("cell")
    right.set_ylabel("cell")
    assert unlabelled(figure) == ["axes 2 (colour bar): no y label"]
    colour_bar.set_label("runs with an offensive (%)")
    assert unlabelled(figure) == []


def test_the_notebooks_backend_is_importable_by_name():
    assert matplotlib.rcsetup.validate_backend("module://tests.notebook_figures")
