"""The model's outputs, bit for bit: a change to them is deliberate (see `tests/fingerprint.py`).

A change to the model's results updates `EXPECTED` with the new hashes
(`python -m tests.fingerprint`) and says why in its commit; a refactor leaves them alone.
"""

from tests.fingerprint import fingerprint

EXPECTED = "45f70af41270e2e5fe78e05db67bb9f2c35b2f9c717c6fcf4a9fcc07a8b2ddce"
"""The hash of all the batches' hashes (`all`), for numpy and friends as in requirements.lock."""


def test_outputs_are_bit_for_bit_as_recorded():
    hashes = fingerprint()
    assert hashes["all"] == EXPECTED, "\n".join(f"{v}  {k}" for k, v in hashes.items())
