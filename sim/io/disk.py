"""Writing to disk safely, and where results came from: atomic files, a lock, one-line errors,
digests of files and of the model's code, git."""

import errno
import fcntl
import hashlib
import io
import json
import os
import socket
import subprocess
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import sim

MACHINE_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ENOMEM, errno.EROFS}
"""Faults of the machine rather than of the user's input: exit status 1, not 2."""


class ResultsError(RuntimeError):
    """A results folder that cannot be written or read; the message is one line. `status` is
    the command line's exit status for it: 1 where the `cause` is a fault of the machine (a
    full disk), 2 otherwise."""

    def __init__(self, message: str, cause: OSError | None = None) -> None:
        super().__init__(message)
        self.status = 1 if cause is not None and cause.errno in MACHINE_FAULTS else 2


SHARED = 0o644
"""The mode of every file the package writes: its owner writes it, everyone may read it."""


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call write(file) on a new temporary file beside `path`, then rename it into place.

    The temporary name is unpredictable and created exclusively (`mkstemp`: O_EXCL, so a planted
    file or symlink is never followed or overwritten); the file is flushed to disk before the
    rename and the folder after it, so a crash leaves either the old file or the whole new one.
    Results are for sharing: the file is readable by all (0644, not mkstemp's 0600).
    """
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            os.fchmod(file.fileno(), SHARED)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def results_folder_around(path: Path) -> Path | None:
    """The `sim run` folder or sweep store that `path` lies inside, if any (a folder above it
    whose manifest.json is one of theirs)."""
    for folder in path.resolve().parents:
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(manifest, dict) and ("batches" in manifest or "scenario_file" in manifest):
            return folder
    return None


def refuse_inside_results(out: Path) -> None:
    """A one-line ResultsError if `out` lies inside a `sim run` folder or a sweep store: they
    hold only what their manifests list."""
    around = results_folder_around(out)
    if around is not None:
        raise ResultsError(
            f"{out}: inside the results folder {around}, which holds only what its manifest "
            "lists; choose an --out outside it"
        )


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_whole(value: Any, least: int = 0) -> bool:
    """A JSON value that is a whole number of at least `least` (true/false are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def json_digest(value: Any) -> str:
    """SHA-256 of a JSON value written with its keys sorted: the same content, the same digest."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def file_problem(path: Path, expected: str | None) -> str | None:
    """What is wrong with a stored file against the SHA-256 its manifest gives, or None."""
    if not path.is_file():
        return "missing"
    try:
        found = sha256(path)
    except OSError as error:
        return f"unreadable ({error.strerror})"
    if found != expected:
        return "altered or truncated (its SHA-256 differs from the manifest's)"
    return None


SEAL = "manifest_sha256"
"""The field of a `sim run` or analysis manifest holding the digest of its other fields."""


def sealed(manifest: dict[str, Any]) -> dict[str, Any]:
    """A run or analysis folder's manifest with its own digest (`SEAL`) added: with the SHA-256
    of each of its files (`files`), it proves what the folder holds."""
    return manifest | {SEAL: json_digest(manifest)}


def read_sealed(folder: Path) -> dict[str, Any]:
    """The manifest of a `sim run` or analysis folder, checked (`check_sealed`); a missing one
    raises FileNotFoundError."""
    manifest = read_json(folder / "manifest.json", "manifest")
    check_sealed(folder, manifest)
    return manifest


def check_sealed(folder: Path, manifest: Any) -> None:
    """A one-line ResultsError naming the file, unless the manifest read from a `sim run` or
    analysis folder matches its own digest and each of its files its SHA-256."""
    path = folder / "manifest.json"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ResultsError(f"{path}: not the manifest of a results folder")
    if SEAL not in manifest:
        raise ResultsError(f"{path}: made by an older sim, which it can no longer check")
    fields = {key: value for key, value in manifest.items() if key != SEAL}
    if json_digest(fields) != manifest[SEAL]:
        raise ResultsError(f"{path}: edited after it was written (its SHA-256 differs)")
    for name, expected in manifest["files"].items():
        problem = file_problem(folder / name, expected)
        if problem:
            raise ResultsError(f"{folder / name}: {problem}")


def code_digest() -> str:
    """SHA-256 over the model's source and data files (`sim/model`), names and bytes: two
    installs with the same digest run the same rules on the same map."""
    root = Path(sim.__file__).parent / "model"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml"):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def installed_versions() -> dict[str, str]:
    """The version of every package installed beside the project (requirements.lock pins them
    for `sim.sh`): what a run's bits depend on, numpy above all."""
    from importlib.metadata import distributions

    found = {}
    for distribution in distributions():
        text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO") or ""
        fields = metadata_header(text)
        if fields.get("Name"):
            found[fields["Name"].lower()] = fields.get("Version", "")
    return dict(sorted(found.items()))


def metadata_header(text: str) -> dict[str, str]:
    """The first Name and Version of a package's METADATA, read from its header alone (the lines
    before the first blank one): parsing the whole file as e-mail, long description included,
    costs a run's manifest a tenth of a second."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line:
            break
        key, _, value = line.partition(":")
        if key in ("Name", "Version"):
            fields.setdefault(key, value.strip())
    return fields


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


LOCK = ".lock"


def lock(folder: Path) -> io.FileIO:
    """Take the folder's lock file (`fcntl.flock`; the system lets go of it if the process dies)
    and return it open: closing it lets go. If another process holds it, a one-line
    ResultsError says which."""
    path = folder / LOCK
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        raise ResultsError(f"{path}: cannot open the lock file: {error.strerror}", error) from None
    held = io.FileIO(descriptor, "r+")
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 4096, 0).decode("utf-8", "replace")
        held.close()
        raise ResultsError(
            f"{folder}: another process is writing this folder ({who(holder)})"
        ) from None
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, whoami(), 0)
    return held


def whoami() -> bytes:
    """This process as a lock file or a claimed folder records it (pid, host, since when)."""
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": now()}).encode()


def gone(holder: str) -> bool:
    """Whether the process a lock or claim records (`whoami`) has ended: it ran on this host and
    its pid is no longer alive. An unreadable record, or another host's, is never gone."""
    try:
        found = json.loads(holder)
        pid, host = found["pid"], found["host"]
    except (ValueError, KeyError, TypeError):
        return False
    if host != socket.gethostname() or not is_whole(pid, 1):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def lock_holder(folder: Path) -> str | None:
    """Who holds the folder's lock ("pid N on HOST since ..."), or None if nobody does; the
    lock is only tested, never taken or made."""
    try:
        descriptor = os.open(folder / LOCK, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    with io.FileIO(descriptor, "r") as held:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return who(held.read(4096).decode("utf-8", "replace"))
        fcntl.flock(descriptor, fcntl.LOCK_UN)
    return None


def who(holder: str) -> str:
    """A lock's or claim's record (`whoami`) as words."""
    try:
        found = json.loads(holder)
        return f"pid {found['pid']} on {found['host']} since {found['since']}"
    except (ValueError, KeyError, TypeError):
        return "a process that did not say who it is"


def now() -> str:
    """The local time to the second, with its offset (as manifests record it)."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def read_json(path: Path, what: str) -> Any:
    """A JSON file's content; a missing file raises FileNotFoundError, one that is not a regular
    file (a pipe would never end), unreadable or not JSON is a one-line ResultsError."""
    if path.exists() and not path.is_file():
        raise ResultsError(f"{path}: unreadable {what}: not a regular file")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise ResultsError(f"{path}: unreadable {what}: {reason}") from None
    except RecursionError:
        raise ResultsError(f"{path}: not a valid {what}: nested too deeply") from None
