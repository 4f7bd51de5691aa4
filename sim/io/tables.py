"""The model's recorded columns as self-describing Arrow tables.

Each field carries, in its metadata, its description, unit, kind and what a null means (from the
outcome registry, `sim.model.outcomes`, and the parameter registry); the schema's metadata names
the table and which columns are inputs (parameters) and which are outcomes. Postures and
`level_name` are ordered categories in ladder order, days are nullable integers ("never" is
null), whole-number parameters are integers.
"""

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.model.claims import cited
from sim.model.ladder import LEVELS
from sim.model.outcomes import Kind, Outcome, by_column
from sim.model.params import PARAMETERS
from sim.model.record import START_DATE

if TYPE_CHECKING:
    from sim.model.escalation import EscalationModel


def to_table(
    columns: dict[str, np.ndarray], table: str, postures: dict[str, tuple[str, ...]] | None = None
) -> pa.Table:
    """Columns of `table` ("daily", "summary" or "events") as a described Arrow table; the
    posture columns' category names are given in `postures` (see `posture_names`)."""
    outcomes, postures = by_column(table), postures or {}
    fields: list[pa.Field] = []
    arrays: list[pa.Array] = []

    def add(name: str, array: pa.Array) -> None:
        arrays.append(array)
        fields.append(pa.field(name, array.type, metadata=describe(name, outcomes)))

    for name, values in columns.items():
        add(name, _array(name, values, outcomes.get(name), postures))
        if name == "day":
            start = np.datetime64(START_DATE, "D")
            add("date", pa.array(start + values.astype("timedelta64[D]")))
        if name == "level" and table == "daily":
            add("level_name", _categories(values, LEVELS))
    inputs = [name for name in columns if name in PARAMETERS]
    meta = {
        "sim.table": table,
        "sim.inputs": json.dumps(inputs),
        "sim.outcomes": json.dumps([f.name for f in fields if f.name in outcomes]),
    }
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def plain(table: pa.Table) -> pd.DataFrame:
    """A table as a DataFrame with its category columns (names) as plain strings, None where
    there is none."""
    frame = table.to_pandas()
    for column in frame.select_dtypes("category"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def describe(name: str, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """The metadata of a column: description, unit, kind and what null means."""
    if name in PARAMETERS:
        p = PARAMETERS[name]
        basis = " ".join(cited(source) for source in p.basis)
        return {
            "description": f"{p.doc} (parameter; basis: {basis})",
            "unit": p.unit,
            "kind": "input",
        }
    o = outcomes[name]
    return {"description": o.description, "unit": o.unit, "kind": str(o.kind), "null": o.null}


def _array(
    name: str, values: np.ndarray, outcome: Outcome | None, postures: dict[str, tuple[str, ...]]
) -> pa.Array:
    if name in postures:
        return _categories(values, postures[name])
    if outcome is not None and outcome.kind is Kind.DAY:
        never = np.isnan(values)
        return pa.array(np.where(never, 0, values).astype(np.int32), mask=never)
    if name in PARAMETERS and PARAMETERS[name].integer:
        return pa.array(values.astype(np.int64))
    if values.dtype == object:  # names, None where none applies
        return pa.array(values, type=pa.string()).dictionary_encode()
    if values.dtype.kind == "f":
        return pa.array(values, mask=np.isnan(values))  # NaN: not reached, null
    return pa.array(values)


def _categories(codes: np.ndarray, names: tuple[str, ...]) -> pa.DictionaryArray:
    """Codes 0..n-1 as an ordered category of the given names."""
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int8)), pa.array(names), ordered=True
    )


def posture_names(model: "EscalationModel") -> dict[str, tuple[str, ...]]:
    """{"posture_<actor>": the actor's posture names} for the series' category columns."""
    return {f"posture_{f.name}": f.posture_names() for f in model.factions}
