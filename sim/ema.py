"""`sim.ema`: the EMA Workbench adapter (see `sim.sweeps.ema`)."""

from sim.sweeps.ema import LockstepEvaluator, from_sweep, model, perform_experiments, uncertain

__all__ = ["LockstepEvaluator", "from_sweep", "model", "perform_experiments", "uncertain"]
