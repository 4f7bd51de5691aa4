"""`sim.sweep.run(file, out=..., workers=..., replicates=...)`: run or resume a sweep from Python
(the file's size keys replaced if given) and open its store (see `sim.sweeps.runner.run`)."""

from sim.sweeps.runner import run

__all__ = ["run"]
