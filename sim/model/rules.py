"""Every rule of the model with the claims it cites, found from the `@rule` marks in the code."""

from sim.model.agents import FACTIONS
from sim.model.escalation import EscalationModel
from sim.model.world import World


def all_rules() -> dict[str, tuple[str, ...]]:
    """{"Russia.decide": ("C01", ...), ...} for the agents, the world's mechanics and the model."""
    found: dict[str, tuple[str, ...]] = {}
    for owner in (*FACTIONS, World, EscalationModel):
        for name in sorted(vars(owner)):
            claims = getattr(vars(owner)[name], "claims", None)
            if claims:
                found[f"{owner.__name__}.{name}"] = claims
    return found
