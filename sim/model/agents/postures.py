"""Every actor's postures, in ladder order: the values of its (R,) `posture` array.

An actor chooses one posture a day (in `decide`); the others read it the next day (`yesterday`).
The order matters: the results write a posture as its rung, and `>=` compares rungs (Damascus's
OFFENSIVE or above: any ground offensive).
"""

from enum import IntEnum


class UnitedStates(IntEnum):
    """US forces in the north-east (C17)."""

    STAY = 0
    WITHDRAWING = 1
    GONE = 2


class Russia(IntEnum):
    """Russia, step by step up the ladder as its frustration grows (C01-C03, C14)."""

    RESTRAINT = 0
    PRESSURE = 1
    AIR_STRIKES = 2
    BACK_OFFENSIVE = 3


class Damascus(IntEnum):
    """Damascus: shelling under the ceasefire, or a ground offensive (C11, C14, C15)."""

    SHELLING = 0
    OFFENSIVE = 1
    ASSAULT = 2


class Turkey(IntEnum):
    """Turkey: its effort against HTS, its posts, its north-east operation (C08, C13, C19)."""

    HOLD = 0
    COMPLY = 1
    GUARD_POSTS = 2
    NE_OPERATION = 3


class HayatTahrirAlSham(IntEnum):
    """HTS: raids on regime lines, expansion against the opposition, defence (C11, C12)."""

    RAID = 0
    EXPAND = 1
    DEFEND = 2


class Opposition(IntEnum):
    """The opposition groups: hold, fight, or cede to HTS (C12)."""

    HOLD = 0
    FIGHT = 1
    CEDE = 2


class Kurds(IntEnum):
    """The Kurdish-led forces: hold, resist an operation, or let Damascus in (C19)."""

    HOLD = 0
    RESIST = 1
    INVITE_DAMASCUS = 2
