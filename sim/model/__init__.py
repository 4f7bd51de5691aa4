"""The simulation: the escalation model, its actors, the world they share, and its inputs.

`from sim.model import EscalationModel` imports Mesa (and with it pandas and scipy) only when
the model is asked for, so that a command that needs no model starts at once.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel

__all__ = ["EscalationModel"]


def __getattr__(name: str) -> Any:
    if name == "EscalationModel":
        from sim.model.escalation import EscalationModel

        return EscalationModel
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
