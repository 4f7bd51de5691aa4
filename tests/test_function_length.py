"""No function of the model, or of the command line, is longer than a reader can hold at once."""

import ast
from pathlib import Path

import sim

MODEL = Path(sim.__file__).parent / "model"

MOST_LINES = 60
"""The most lines a function of `sim/model` may take, its docstring and signature included."""

COMMAND_LINE = [MODEL.parent / "cli.py", MODEL.parent / "commandline.py"]
MOST_COMMAND_LINES = 40
"""The most lines a function of the command line may take: a command parses, calls one function
of the layers below and prints."""
MOST_CLI_FILE_LINES = 400


def long_functions(path: Path, root: Path = MODEL, most: int = MOST_LINES) -> list[str]:
    """`file:line name (n lines)` for each function in the file longer than `most` lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = node.end_lineno - start + 1
            if lines > most:
                found.append(f"{path.relative_to(root)}:{start} {node.name} ({lines} lines)")
    return found


def test_no_function_of_the_model_is_over_60_lines():
    too_long = [f for path in sorted(MODEL.rglob("*.py")) for f in long_functions(path)]
    assert not too_long, "\n".join(too_long)


def test_the_command_line_is_thin():
    too_long = [f for p in COMMAND_LINE for f in long_functions(p, p.parent, MOST_COMMAND_LINES)]
    assert not too_long, "\n".join(too_long)
    lines = len((MODEL.parent / "cli.py").read_text().splitlines())
    assert lines < MOST_CLI_FILE_LINES, f"sim/cli.py has {lines} lines"


def test_the_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x = {k}" for k in range(MOST_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n\n\ndef short():\n    pass\n")
    assert long_functions(tmp_path / "long.py", tmp_path) == ["long.py:1 long (61 lines)"]
