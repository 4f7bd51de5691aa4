"""The seven actors, one module each, in the order the model creates them (and they act)."""

from sim.agents.damascus import Damascus
from sim.agents.hts import HayatTahrirAlSham
from sim.agents.kurds import Kurds
from sim.agents.opposition import Opposition
from sim.agents.russia import Russia
from sim.agents.turkey import Turkey
from sim.agents.us import UnitedStates

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
