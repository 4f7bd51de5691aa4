"""A fingerprint of the model's outputs: SHA-256 of the summaries, series and event logs of a
few scenario batches, over the exact bytes of every column.

A refactor that moves code changes no bits, so it leaves these hashes as they are; a change to
the model changes them, and `tests/test_fingerprint.py` asks for the new ones to be written down.

    python -m tests.fingerprint      # prints each batch's hash and the hash of them all
"""

import hashlib

import numpy as np

from sim.model import EscalationModel
from sim.model.scenario import load

BATCHES: tuple[tuple[str, int, int, int], ...] = (
    # scenario, replicates, master seed, days between series rows
    ("baseline", 200, 1, 1),
    ("power_vacuum", 150, 2, 7),
    ("coordinated_transition", 150, 3, 7),
    ("immediate_assault", 100, 4, 1),
    ("baseline", 5, 5, 1),  # a few runs: the model's few-run paths (`geography._FEW_RUNS`)
)
"""Each to its scenario's horizon, with the daily (or weekly) series and the event log."""


def add_columns(digest: "hashlib._Hash", table: str, columns: dict[str, np.ndarray]) -> None:
    """Feed a table's columns to `digest`: each name, type, shape and exact bytes, in order.
    Columns of Python objects (the event log's names, None where none applies) as their text."""
    digest.update(table.encode())
    for name, values in columns.items():
        values = np.asarray(values)
        digest.update(f"{name}|{values.dtype.str}|{values.shape}".encode())
        if values.dtype == object:
            digest.update("\x00".join(repr(v) for v in values.tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(values).tobytes())


def batch_hash(scenario: str, replicates: int, seed: int, every: int) -> str:
    """The SHA-256 of one batch's summary, series and event log."""
    model = EscalationModel(load(scenario)[0], replicates, seed, record_every=every)
    model.run()
    digest = hashlib.sha256()
    add_columns(digest, "summary", model.recorder.summary_columns())
    add_columns(digest, "daily", model.recorder.daily_columns())
    add_columns(digest, "events", model.recorder.events.columns())
    return digest.hexdigest()


def fingerprint() -> dict[str, str]:
    """{"scenario/replicates/seed/every": its hash, ..., "all": the hash of those}."""
    hashes = {"/".join(map(str, batch)): batch_hash(*batch) for batch in BATCHES}
    hashes["all"] = hashlib.sha256(" ".join(hashes.values()).encode()).hexdigest()
    return hashes


if __name__ == "__main__":
    for name, value in fingerprint().items():
        print(f"{value}  {name}")
