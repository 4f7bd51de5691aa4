"""The state of the world for R replicates at once, and the only ways to change it.

All state arrays have a leading replicate axis: district arrays are (R, D), per-run figures (R,).
The actors read this state (as it stood at the end of yesterday while they perceive and decide)
and change it only through the methods of its components, in their `act`:

- `territory` (`Territory`): who holds each district, and the forces on the map;
- `combat` (`Combat`): breaches, air strikes, ground fighting and their toll;
- `people` (`People`): residents, the displaced, the dead and injured, aid;
- `relations` (`Relations`): the Russia-Turkey relation, summits, clashes, US presence;

and `today` and `yesterday` (`Today`): what happened on the day, and the day before.
"""

from sim.model.geography import Geography
from sim.model.params import ParameterSet
from sim.model.streams import Streams
from sim.model.world.calendar import Calendar, Today
from sim.model.world.combat import Combat
from sim.model.world.people import People
from sim.model.world.relations import Relations
from sim.model.world.territory import Territory

__all__ = ["Combat", "People", "Relations", "Territory", "Today", "World"]


class World:
    """The shared state of a batch of runs: its four components and the day's record."""

    def __init__(self, geo: Geography, params: ParameterSet, streams: Streams, replicates: int):
        self.geo, self.params, self.streams = geo, params, streams
        self.calendar = Calendar(replicates, geo.size)
        self.people = People(geo, params, self.calendar, replicates)
        self.territory = Territory(geo, params, self.people, self.calendar, replicates)
        self.relations = Relations(params, self.calendar, replicates)
        self.combat = Combat(
            geo, params, streams, self.calendar, self.territory, self.people, self.relations
        )

    def start_day(self, day: int) -> None:
        """Yesterday's events become `yesterday`; today starts empty."""
        self.calendar.start(day)
        self.territory.dawn()

    @property
    def day(self) -> int:
        """Today's day number."""
        return self.calendar.day

    @property
    def today(self) -> Today:
        """What happened today so far."""
        return self.calendar.today

    @property
    def yesterday(self) -> Today:
        """What happened yesterday."""
        return self.calendar.yesterday
