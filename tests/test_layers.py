"""The package's layers (shared/LAYOUT.md): each imports only from the layers below it."""

import ast
from pathlib import Path

import sim

LAYERS = ("model", "io", "sweeps", "analysis", "reports", "app", "cli")
"""Lowest first: a module may import from its own layer and those before it."""

ROOT = Path(sim.__file__).parent


PARTS = {"commandline": "cli"}
"""Modules named otherwise that belong to a layer: the command line's options and errors."""


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "sim":
        return None
    name = PARTS.get(parts[1], parts[1])
    return name if name in LAYERS else None


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_every_module_imports_only_its_own_layer_or_lower():
    checked = 0
    for path in ROOT.rglob("*.py"):
        own = layer_of("sim." + ".".join(path.relative_to(ROOT).with_suffix("").parts))
        if own is None:
            continue
        checked += 1
        for module in imported(path):
            other = layer_of(module)
            assert other is None or LAYERS.index(other) <= LAYERS.index(own), (
                f"{path.relative_to(ROOT)} ({own}) imports {module} ({other})"
            )
    assert checked > 20


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from sim.reports.files import write_run\n")
    assert "sim.reports.files" in imported(bad)
    assert LAYERS.index(layer_of("sim.reports.files")) > LAYERS.index("model")


def test_the_model_layer_imports_no_table_or_system_library_when_loaded():
    """Tables and disk live in `sim.io`; the model's modules import pyarrow, pandas and psutil
    at most inside the one function that needs them (Mesa's DataFrame, the memory check)."""
    for path in (ROOT / "model").rglob("*.py"):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module or "" for n in top if isinstance(n, ast.ImportFrom)}
        assert not {m.split(".")[0] for m in names} & {"pandas", "pyarrow", "psutil"}, path
