"""`sim.sweep.run(file, out=..., workers=...)`: run or resume a sweep from Python and open its
store (see `sim.sweeps.runner.run`)."""

from sim.sweeps.runner import run

__all__ = ["run"]
