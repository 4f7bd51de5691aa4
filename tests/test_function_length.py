"""No function of the model is longer than a reader can hold at once (issue 24)."""

import ast
from pathlib import Path

import sim

MODEL = Path(sim.__file__).parent / "model"

MOST_LINES = 60
"""The most lines a function of `sim/model` may take, its docstring and signature included."""


def long_functions(path: Path, root: Path = MODEL) -> list[str]:
    """`file:line name (n lines)` for each function in the file longer than `MOST_LINES`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = node.end_lineno - start + 1
            if lines > MOST_LINES:
                found.append(f"{path.relative_to(root)}:{start} {node.name} ({lines} lines)")
    return found


def test_no_function_of_the_model_is_over_60_lines():
    too_long = [f for path in sorted(MODEL.rglob("*.py")) for f in long_functions(path)]
    assert not too_long, "\n".join(too_long)


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x = {k}" for k in range(MOST_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    pass\n")
    assert long_functions(tmp_path / "long.py", tmp_path) == ["long.py:1 long (61 lines)"]
