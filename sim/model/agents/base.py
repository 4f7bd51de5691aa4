"""What every actor shares: a Mesa agent whose state holds one value per replicate."""

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.model.geography import ACTORS

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel
    from sim.model.geography import Geography
    from sim.model.params import ParameterSet
    from sim.model.streams import Streams
    from sim.model.world import Combat, People, Relations, Territory, World


@dataclass(frozen=True)
class Snapshot:
    """How the actors stood at the end of yesterday: every posture, and what each actor lets
    the others see (its `shared` attributes). Taken once at the start of the day, so what one
    actor decides today cannot reach another before tomorrow, whatever their order."""

    postures: np.ndarray  # (F, R): the factions' postures, one row each in the model's order
    rows: dict[int, int]  # each actor's row of `postures`
    signals: dict[int, dict[str, np.ndarray]]

    @classmethod
    def of(cls, factions: "list[Faction]") -> "Snapshot":
        """Copies of the factions' postures and shared attributes as they are now."""
        return cls(
            postures=postures_of(factions),
            rows={f.actor: row for row, f in enumerate(factions)},
            signals={f.actor: {a: getattr(f, a).copy() for a in f.shared} for f in factions},
        )

    def posture(self, actor: int) -> np.ndarray:
        """(R,) the posture an actor had."""
        return self.postures[self.rows[actor]]


def rising(value: np.ndarray, midpoint: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """(R,) from 0 to 1 as `value` passes `midpoint`, half there, over about four `spread`s
    (a logistic): a readiness that grows with what drives it, with no switch at a threshold
    for a sweep to straddle."""
    return 1.0 / (1.0 + np.exp(-(value - midpoint) / spread))


def us_gone(presence: np.ndarray, line: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """(R,) from 0 to 1 as US presence falls past `line`, half there (`rising`, over about four
    `spread`s), and 0 while the US is all there (C17): how far an actor counts the US as gone,
    with no step across the line's range for a sweep to straddle (it starts, once the pull-out
    starts, at a small value: 0.21 at most, with the line and the spread at their ranges' top
    ends)."""
    return rising(-presence, -line, spread) * (presence < 1)


def postures_of(factions: "list[Faction]") -> np.ndarray:
    """(F, R): the factions' postures now, a row each in their order (one array: compared
    with a `Snapshot`'s in one step)."""
    return np.array([f.posture for f in factions])


class Faction(mesa.Agent):
    """An actor of the conflict. `posture` is an (R,) array of values of its `Posture` enum.

    Each day the model calls `perceive` and `decide` on every actor (in any order: they read
    the world as it stood at the end of yesterday and the `Snapshot`, and write only the actor's
    own attributes), then `act` in any order: acts give orders, worked out from the morning's
    world, through the methods of its components (`territory`, `combat`, `relations`, `people`),
    and the world carries them out together (`sim.model.world.orders`).
    """

    actor: ClassVar[int]
    """Who the actor is: its number on every actor axis (`sim.model.geography.ACTORS`)."""
    Posture: ClassVar[type[IntEnum]]
    shared: ClassVar[tuple[str, ...]] = ()
    """Attributes the other actors may read, as they stood yesterday (`seen`)."""
    published: ClassVar[tuple[str, ...]] = ()
    """Attributes the recorder and the event log may read as they are now (`view`), and the
    other actors once every actor has decided (in `act`). Anything else is the actor's own."""
    model: "EscalationModel"

    def __init__(self, model: "EscalationModel") -> None:
        super().__init__(model)
        self.posture = np.zeros(model.replicates, dtype=np.int8)
        self.world: World = model.world  # the shared state, and what happened yesterday
        self.territory: Territory = model.world.territory  # who holds what, and the forces
        self.combat: Combat = model.world.combat  # breaches, air strikes, ground fighting
        self.relations: Relations = model.world.relations  # between the states; US presence
        self.people: People = model.world.people  # residents, the displaced, camps, the dead
        self.geo: Geography = model.geography  # the map
        self.params: ParameterSet = model.params  # this batch's values, one per replicate
        self.streams: Streams = model.streams  # the batch's counter-based random streams

    @property
    def name(self) -> str:
        """The actor's name, as the results write it (`ACTORS`)."""
        return ACTORS[self.actor]

    @classmethod
    def posture_names(cls) -> tuple[str, ...]:
        """The names of the actor's postures, in ladder order (as written in the results)."""
        return tuple(p.name.lower() for p in cls.Posture)

    @property
    def day(self) -> int:
        """Today's day number."""
        return self.model.day

    def choose(self, *cases: tuple[np.ndarray, IntEnum], otherwise: IntEnum) -> np.ndarray:
        """(R,) postures: in each run, the posture of the first case whose (R,) condition holds,
        else `otherwise` (what `np.select` does, in a fifth of its time on one run)."""
        posture = np.empty(self.model.replicates, dtype=np.int8)
        posture.fill(otherwise)
        for condition, chosen in reversed(cases):
            posture[condition] = int(chosen)  # as an int: numpy converts an enum slowly
        return posture

    def yesterday(self, actor: int) -> np.ndarray:
        """The posture an actor chose yesterday (R,), comparable with its `Posture` values."""
        return self.model.seen.posture(actor)

    def seen(self, actor: int, attribute: str) -> np.ndarray:
        """One of an actor's `shared` attributes as it stood at the end of yesterday."""
        return self.model.seen.signals[actor][attribute]

    def view(self, attribute: str) -> np.ndarray:
        """One of the actor's `published` attributes (or its `posture`) as it is now, read-only."""
        if attribute not in (*self.published, "posture"):
            raise AttributeError(f"{self.name} does not publish {attribute!r}")
        value = getattr(self, attribute).view()
        value.flags.writeable = False
        return value

    def perceive(self) -> None:
        """Update what the actor perceives (default: nothing beyond the shared state)."""

    def decide(self) -> None:
        """Choose today's posture."""

    def act(self) -> None:
        """Carry out today's posture."""
