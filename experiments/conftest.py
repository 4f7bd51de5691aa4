"""The notebooks in the test suite (nbmake runs each top to bottom in a kernel of its own, which
inherits this environment): at their small size (`SIM_NOTEBOOK_SIZE=small`: a few runs a scenario
or design point), with their stores in a temporary folder instead of results/
(`SIM_NOTEBOOK_OUT`), this checkout's package first on the kernels' path, and a matplotlib
backend that fails a figure with an unlabelled axis (tests/notebook_figures.py)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("SIM_NOTEBOOK_SIZE", "small")
if "SIM_NOTEBOOK_OUT" not in os.environ:
    os.environ["SIM_NOTEBOOK_OUT"] = tempfile.mkdtemp(prefix="sim-notebooks-")
    atexit.register(shutil.rmtree, os.environ["SIM_NOTEBOOK_OUT"], True)
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
)
os.environ["MPLBACKEND"] = "module://tests.notebook_figures"

DEFAULT_OUT = ROOT / "results" / "notebooks"
"""Where the notebooks write their stores for a user; nothing may appear there in the tests."""


def _written(folder: Path) -> set[tuple[str, int]]:
    return {(str(p), p.stat().st_mtime_ns) for p in folder.rglob("*")} if folder.exists() else set()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A notebook runs in a kernel of its own, for tens of seconds: marked `slow`, started first
    (tests/conftest.py)."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """A notebook fails if it wrote into results/notebooks/ instead of `SIM_NOTEBOOK_OUT`."""
    before = _written(DEFAULT_OUT) if item.path.suffix == ".ipynb" else None
    result = yield
    if before is not None and (new := _written(DEFAULT_OUT) - before):
        raise AssertionError(f"{item.path.name} wrote into results/: {sorted(new)[0][0]}")
    return result
