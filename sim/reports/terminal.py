"""The terminal: stdout for results, stderr for notes, warnings and errors, one line a message
with the user's text made safe to echo."""

import os
import sys

from rich.console import Console

PIPED_WIDTH = 1000
"""Piped into a file or a program, tables are as wide as they need (never cut a name short)."""

# no markup: paths and names from the user are printed as they are ("[/x]" is not a style)
console = Console(
    soft_wrap=True,
    markup=False,
    highlight=False,
    width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPED_WIDTH,
)
errors = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)  # one line a message


def printable(text: str) -> str:
    """User text made safe to echo: control characters (escape sequences, new lines) shown as
    escapes, so a message stays one line and cannot drive the terminal."""
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def say(message: str) -> None:
    """One line on stdout, control characters escaped (it may hold the user's paths)."""
    console.print(printable(message))


def note(message: str) -> None:
    """One line on stderr that the command goes on after."""
    errors.print(f"note: {printable(message)}")


def warn(message: str) -> None:
    """One `warning:` line on stderr."""
    errors.print(f"warning: {printable(message)}")


def written(folder: object, outputs: list[str]) -> str:
    """The last line of a command that wrote a folder: its files and manifest.json."""
    return f"wrote {folder}/ ({', '.join(outputs)}, manifest.json)"
