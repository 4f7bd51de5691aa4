"""The simulation: the escalation model, its actors, the world they share, and its inputs."""

from sim.model.escalation import EscalationModel

__all__ = ["EscalationModel"]
