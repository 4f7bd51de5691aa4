"""`sim.results.open(folder)`: read a sweep's store or a `sim run` folder (see
`sim.sweeps.results`)."""

from sim.sweeps.results import Results, RunResults, SweepResults, open

__all__ = ["Results", "RunResults", "SweepResults", "open"]
