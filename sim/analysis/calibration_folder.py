"""A calibration's folder and its life cycle: made (or taken up again when it holds the same
calibration), locked while a calibration runs in it, checked against the calibration that made
it (identity.json), and given back when a calibration fails before it saved a generation.

pyabc's database (abc.db) in the folder makes a calibration resumable: the same calibration
into the same folder goes on from its last generation.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis import calibrate as abc
from sim.analysis.posterior import Posterior
from sim.io.disk import LOCK, ResultsError, lock, read_json, refuse_inside_results, write_atomic

Write = Callable[[Posterior, pd.DataFrame], None]
"""What writes a finished calibration's outputs into its folder (the posterior, the predictive
check), while the folder is still locked."""


class CalibrationFailed(ValueError):
    """A calibration that stopped with an error; its folder was given back if nothing in it
    can be resumed."""


class CalibrationFolder:
    """One calibration's folder: `path`, and the `identity` of the calibration run in it
    (`sim.analysis.calibrate.identity`)."""

    def __init__(self, path: Path, identity: dict[str, Any]) -> None:
        self.path, self.identity = path, identity
        self.new = not path.exists()
        self.identity_file = path / "identity.json"
        self.made: list[Path] = []  # what this calibration made, taken back if it fails early

    @property
    def database(self) -> str:
        """pyabc's database of the folder, as an SQLAlchemy address."""
        return f"{abc.SQLITE}{(self.path / 'abc.db').resolve()}"

    def claim(self) -> Any:
        """Make the folder (or take an existing calibration folder) and take its lock; return
        the lock (closing it lets go). A one-line ResultsError for a folder that cannot be
        used."""
        try:
            if self.new:
                refuse_inside_results(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            others = {p.name for p in self.path.iterdir()} - {LOCK}
            if others and not self.identity_file.is_file():
                raise ResultsError(
                    f"{self.path}: not a calibration folder (it holds other files); choose "
                    "another --out"
                )
            return lock(self.path)
        except OSError as error:
            raise ResultsError(f"{self.path}: cannot use the folder: {error.strerror}") from None

    def resume(self) -> None:
        """Check the folder's identity against the calibration's (a one-line ResultsError if
        another calibration made it) and write it."""
        try:
            file = self.identity_file
            known = read_json(file, "identity") if file.is_file() else None
        except ResultsError as error:
            raise ResultsError(
                f"{error}; the calibration folder cannot be resumed, choose another --out"
            ) from None
        if known is not None and known != self.identity:
            raise ResultsError(
                f"{self.path}: made by another calibration (its parameters, targets, scenario, "
                "seed, population, runs a particle, distance or model code); choose another --out"
            )
        text = json.dumps(self.identity, indent=1).encode()
        write_atomic(self.identity_file, lambda file: file.write(text))
        self.made = [self.identity_file] if known is None else []
        database = self.path / "abc.db"
        self.made += [database] if not database.exists() else []

    def give_back(self) -> None:
        """After a failure: take back what this calibration made if no generation is saved
        (nothing to resume), the lock file too in a folder it made."""
        if not abc.saved(self.database):
            for path in [*self.made, *([self.path / LOCK] if self.new else [])]:
                path.unlink(missing_ok=True)


def calibrate_into(
    folder: Path,
    problem: abc.Problem,
    identity: dict[str, Any],
    client: Any,
    write: Write,
    label: str,
) -> tuple[Posterior, pd.DataFrame]:
    """Calibrate (`sim.analysis.calibrate.calibrate`, on a Dask `client` or a null context)
    into a folder made or resumed for the calibration of this `identity`
    (`sim.analysis.calibrate.identity`), then the posterior predictive check, and `write` them
    there. A ResultsError for a folder that cannot be used; a CalibrationFailed ("<label>:
    <reason>") for a calibration that failed, its folder given back when nothing can be
    resumed."""
    place = CalibrationFolder(folder, identity)
    failed = None
    with place.claim():
        place.resume()
        try:
            with client as dask:
                posterior = abc.calibrate(problem, place.database, dask)
            checked = abc.predictive(problem, posterior, problem.calibration.predictive)
        except (ValueError, ResultsError) as error:
            failed = f"{label}: {error}"
            place.give_back()
        if failed is None:
            write(posterior, checked)
    if failed is not None:
        if place.new:
            folder.rmdir()
        raise CalibrationFailed(failed)
    return posterior, checked
