"""Writing to disk safely, and where results came from: atomic files, one-line errors, git."""

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import sim


class ResultsError(RuntimeError):
    """A results folder that cannot be written or read; the message is one line."""


def write_atomic(path: Path, write: Any) -> None:
    """Call write(temporary path), then rename into place: readers never see half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    os.replace(temporary, path)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_commit() -> str | None:
    """The commit of the source tree the package runs from, if it is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(sim.__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
