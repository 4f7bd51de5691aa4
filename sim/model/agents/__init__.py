"""The seven actors, one module each, in the order the model creates them (and they act)."""

from sim.model.agents.damascus import Damascus
from sim.model.agents.hts import HayatTahrirAlSham
from sim.model.agents.kurds import Kurds
from sim.model.agents.opposition import Opposition
from sim.model.agents.russia import Russia
from sim.model.agents.turkey import Turkey
from sim.model.agents.us import UnitedStates

FACTIONS = (UnitedStates, Russia, Damascus, Turkey, HayatTahrirAlSham, Opposition, Kurds)

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
