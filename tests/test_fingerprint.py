"""The model's outputs, bit for bit: a change to them is deliberate (see `tests/fingerprint.py`).

A change to the model's results updates `EXPECTED` with the new hashes
(`python -m tests.fingerprint`) and says why in its commit; a refactor leaves them alone.
"""

from tests.fingerprint import fingerprint

EXPECTED = "988d13b26bce5d14d1e4c181fc8b020745d3132fb82c6f06b68023ca44bbd2f9"
"""The hash of all the batches' hashes (`all`), for numpy and friends as in requirements.lock."""


def test_outputs_are_bit_for_bit_as_recorded():
    hashes = fingerprint()
    assert hashes["all"] == EXPECTED, "\n".join(f"{v}  {k}" for k, v in hashes.items())
