"""The day's orders: what the actors do, worked out from the morning's world and carried out
together, so that the order in which the actors act cannot matter.

While the actors act, every change they ask of the world (a method marked `@order(phase)`) is
written down with its arguments, worked out from the world as it stood in the morning; nothing
changes yet. Then the orders are carried out phase by phase, and within a phase actor by actor
in the order of `ACTORS`, each actor's in the order it gave them:

1. `POLICY`: the relation strained, US presence, summits called, posts manned, resolve;
2. `FORCES`: recruits, supplies, wear, moves of force, handovers and cessions;
3. `FIRE`: shelling, raids, air strikes, strikes between the states' forces;
4. `GROUND`: ground attacks, each on the districts still held by the side it was aimed at.
"""

import functools
from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Phase(IntEnum):
    """The phases of the day's orders, in the order they are carried out."""

    POLICY = 0
    FORCES = 1
    FIRE = 2
    GROUND = 3


class OrderBook:
    """The orders given while the actors act, to be carried out together (`carry_out`)."""

    def __init__(self) -> None:
        self.actor = -1  # who is giving orders now
        self._orders: list[tuple[int, int, int, Callable[..., Any], tuple, dict]] = []

    def add(self, phase: Phase, call: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        """Write down an order of the actor giving orders now."""
        self._orders.append((phase, self.actor, len(self._orders), call, args, kwargs))

    def carry_out(self) -> None:
        """Carry out the orders: by phase, then by actor, then in the order given."""
        for *_, call, args, kwargs in sorted(self._orders, key=lambda o: o[:3]):
            call(*args, **kwargs)


def order(phase: Phase) -> Callable[[F], F]:
    """Mark a method of a world component as an order of the given phase: called while the
    actors act, it is written down in the day's `OrderBook` (the component's
    `calendar.orders`) and returns None; called at any other time, it is carried out at once."""

    def mark(method: F) -> F:
        @functools.wraps(method)
        def given(self: Any, *args: Any, **kwargs: Any) -> Any:
            book: OrderBook | None = self.calendar.orders
            if book is None:
                return method(self, *args, **kwargs)
            book.add(phase, functools.partial(method, self), args, kwargs)
            return None

        given.phase = phase  # type: ignore[attr-defined]
        return given  # type: ignore[return-value]

    return mark


def act_together(calendar: Any, acts: Iterable[tuple[int, Callable[[], None]]]) -> None:
    """Let each (actor, act) give its orders against the morning's world, then carry them all
    out (`OrderBook.carry_out`)."""
    book = calendar.orders = OrderBook()
    try:
        for actor, act in acts:
            book.actor = actor
            act()
    finally:
        calendar.orders = None
    book.carry_out()
