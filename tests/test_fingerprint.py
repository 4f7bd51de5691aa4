"""The model's outputs, bit for bit: a change to them is deliberate (see `tests/fingerprint.py`).

A change to the model's results updates `EXPECTED` with the new hashes
(`python -m tests.fingerprint`) and says why in its commit; a refactor leaves them alone.
"""

from tests.fingerprint import fingerprint

EXPECTED = "a2228bc802a8a1f1a6c475b2bcc2c017b3d3a77eb44d9d8976525ffa8138bd55"
"""The hash of all the batches' hashes (`all`), for numpy and friends as in requirements.lock."""


def test_outputs_are_bit_for_bit_as_recorded():
    hashes = fingerprint()
    assert hashes["all"] == EXPECTED, "\n".join(f"{v}  {k}" for k, v in hashes.items())
