"""What every actor shares: a Mesa agent whose state holds one value per replicate."""

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from sim.model.geography import ACTORS

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel


class Faction(mesa.Agent):
    """An actor of the conflict. `posture` is an (R,) array of indices into `postures`.

    Each day the model calls `perceive`, then `decide` (reading only yesterday's state, so the
    order of the actors does not matter), then `act`.
    """

    name: ClassVar[str]
    postures: ClassVar[tuple[str, ...]]
    model: "EscalationModel"

    def __init__(self, model: "EscalationModel") -> None:
        super().__init__(model)
        self.index = ACTORS.index(self.name)
        self.posture = np.zeros(model.replicates, dtype=np.int8)

    @property
    def world(self):
        """The shared state of the model (districts, forces, people)."""
        return self.model.world

    @property
    def params(self):
        """This batch's parameter values, one per replicate."""
        return self.model.params

    def yesterday(self, actor: str) -> np.ndarray:
        """The posture an actor chose yesterday (R,), as an index into its `postures`."""
        return self.model.postures_yesterday[ACTORS.index(actor)]

    def posture_code(self, name: str) -> int:
        """The index of one of this actor's postures."""
        return self.postures.index(name)

    def perceive(self) -> None:
        """Update what the actor perceives (default: nothing beyond the shared state)."""

    def decide(self) -> None:
        """Choose today's posture."""

    def act(self) -> None:
        """Carry out today's posture."""
