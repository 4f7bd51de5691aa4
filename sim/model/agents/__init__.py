"""The seven actors, one module each (each agent's `actor` is its number in `ACTORS`)."""

from sim.model.agents.damascus import Damascus
from sim.model.agents.hts import HayatTahrirAlSham
from sim.model.agents.kurds import Kurds
from sim.model.agents.opposition import Opposition
from sim.model.agents.russia import Russia
from sim.model.agents.turkey import Turkey
from sim.model.agents.us import UnitedStates

FACTIONS = (UnitedStates, Russia, Damascus, Turkey, HayatTahrirAlSham, Opposition, Kurds)
"""The agents in the order the model creates them and they act, a rule of the day (docs/ODD.md,
1.3: each acts on the world the ones before it left). Every actor axis follows `ACTORS`."""

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
