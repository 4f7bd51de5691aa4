"""The model's recorded columns as Arrow tables: postures as categories, "never" days as null."""

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from sim.model.record import NO_DAY, START_DATE

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel

DAY_COLUMNS_SUFFIXES = ("_day", "_day128", "_day100_128")
"""Summary columns where NO_DAY (-1) means "never" or "not reached" and is written as null."""


def to_table(columns: dict[str, np.ndarray], postures: dict[str, tuple[str, ...]]) -> pa.Table:
    """Columns as an Arrow table: postures as ordered categories, "never" days and figures of
    windows not reached as null, a date column."""
    arrays: dict[str, pa.Array] = {}
    for name, values in columns.items():
        if name in postures:
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(values.astype(np.int8)), pa.array(postures[name]), ordered=True
            )
        elif name.startswith("first_day_level_") or name.endswith(DAY_COLUMNS_SUFFIXES):
            arrays[name] = pa.array(values, mask=values == NO_DAY)
        elif values.dtype == object:  # names, None where none applies
            arrays[name] = pa.array(values, type=pa.string()).dictionary_encode()
        elif values.dtype.kind == "f":
            arrays[name] = pa.array(values, mask=np.isnan(values))  # NaN: not reached, null
        else:
            arrays[name] = pa.array(values)
        if name == "day":
            start = np.datetime64(START_DATE, "D")
            arrays["date"] = pa.array(start + values.astype("timedelta64[D]"))
    return pa.table(arrays)


def posture_names(model: "EscalationModel") -> dict[str, tuple[str, ...]]:
    """{"posture_<actor>": the actor's posture names} for the series' category columns."""
    return {f"posture_{f.name}": f.posture_names() for f in model.factions}
