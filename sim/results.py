"""`sim.results.open(folder)`: read a sweep's store (see `sim.sweeps.results`)."""

from sim.sweeps.results import SweepResults, open

__all__ = ["SweepResults", "open"]
