"""The seven actors, one module each (each agent's `actor` is its number in `ACTORS`)."""

from sim.model.agents.damascus import Damascus
from sim.model.agents.hts import HayatTahrirAlSham
from sim.model.agents.kurds import Kurds
from sim.model.agents.opposition import Opposition
from sim.model.agents.russia import Russia
from sim.model.agents.turkey import Turkey
from sim.model.agents.us import UnitedStates

FACTIONS = (Russia, Turkey, Damascus, HayatTahrirAlSham, Opposition, Kurds, UnitedStates)
"""The agents, in the order of `ACTORS` (each one's `actor` is its place there), as every actor
axis is. The order in which they perceive, decide or act changes nothing (docs/ODD.md, 1.3)."""

__all__ = [
    "FACTIONS",
    "Damascus",
    "HayatTahrirAlSham",
    "Kurds",
    "Opposition",
    "Russia",
    "Turkey",
    "UnitedStates",
]
