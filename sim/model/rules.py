"""Every rule of the model with the claims it cites, found from the `@rule` marks in the code."""

from sim.model.agents import FACTIONS
from sim.model.escalation import EscalationModel
from sim.model.world import Combat, People, Relations, Territory

RULE_OWNERS = (*FACTIONS, Territory, Combat, People, Relations, EscalationModel)
"""The classes whose methods are rules: the agents, the world's components and the model."""


def all_rules() -> dict[str, tuple[str, ...]]:
    """{"Russia.decide": ("C01", ...), ...} for `RULE_OWNERS`."""
    found: dict[str, tuple[str, ...]] = {}
    for owner in RULE_OWNERS:
        for name in sorted(vars(owner)):
            claims = getattr(vars(owner)[name], "claims", None)
            if claims:
                found[f"{owner.__name__}.{name}"] = claims
    return found
