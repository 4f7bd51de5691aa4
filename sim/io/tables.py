"""The model's recorded columns as self-describing Arrow tables, and the column catalog.

Each field carries, in its metadata, its description, unit, kind and what a null means (from the
outcome registry, `sim.model.outcomes`, and the parameter registry); the schema's metadata names
the table and which columns are ids, parameters, inputs (the parameters that differ from run to
run by design) and outcomes. Postures and `level_name` are ordered categories in ladder order
(pandas reads them so, polars as an `Enum`), each posture beside its rung
(`posture_rung_<actor>`, an integer that SQL orders by the ladder); days and counts are
integers, null for "never" or a window not reached; whole-number parameters are integers.

`catalog` is the same description as a table (`columns.parquet` of a run folder or a sweep
store): one row per column of each of the folder's tables, readable by SQL. `write_parquet`
writes a table to its file in one step.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.io.disk import write_atomic
from sim.model.agents import FACTIONS
from sim.model.claims import cited
from sim.model.geography import ACTORS
from sim.model.ladder import LEVELS
from sim.model.outcomes import SWEEP_IDS, Kind, Outcome, by_column
from sim.model.params import PARAMETERS
from sim.model.record import START_DATE

POSTURES: dict[str, tuple[str, ...]] = {
    f"posture_{ACTORS[f.actor]}": f.posture_names() for f in FACTIONS
}
"""{"posture_<actor>": the actor's posture names in ladder order}: the series' categories."""

RUNGS = {name: name.replace("posture_", "posture_rung_", 1) for name in POSTURES}
"""{"posture_<actor>": "posture_rung_<actor>"}, the integer column beside each posture."""


WHOLE = (Kind.DAY, Kind.COUNT)
"""Kinds of whole numbers: written as 32-bit integers (pandas: `Int32`), null where the model's
column has NaN."""


def series_name(every: int) -> str:
    """The series' name in its metadata, by the days between its rows: "daily", "weekly"."""
    return {1: "daily", 7: "weekly"}.get(every, f"every {every} days")


def declared(table: str) -> dict[str, Outcome]:
    """{column: its declaration} of a table: "daily", "summary", "events" (`sim.model.outcomes`)
    or "design" (`point`; the rest are parameters)."""
    return {o.name: o for o in SWEEP_IDS[:1]} if table == "design" else by_column(table)


def to_table(
    columns: dict[str, np.ndarray],
    table: str,
    label: str | None = None,
    inputs: Sequence[str] = (),
) -> pa.Table:
    """Columns of `table` ("daily", "summary", "events" or "design") as a described Arrow
    table; `label` is its name in the metadata (default `table`; "weekly" for a weekly series),
    `inputs` the parameters that differ from run to run by design."""
    outcomes = declared(table)
    fields: list[pa.Field] = []
    arrays: list[pa.Array] = []

    def add(name: str, array: pa.Array) -> None:
        arrays.append(array)
        meta = describe(name, outcomes) | polars_enum(array)
        fields.append(pa.field(name, array.type, metadata=meta))

    for name, values in columns.items():
        add(name, _array(name, values, outcomes.get(name)))
        if name == "day":
            start = np.datetime64(START_DATE, "D")
            add("date", pa.array(start + values.astype("timedelta64[D]")))
        if name == "level" and table == "daily":
            add("level_name", _categories(values, LEVELS))
        if name in RUNGS:
            add(RUNGS[name], pa.array(values.astype(np.int8)))
    names = [f.name for f in fields]
    meta = labels(label or table, names, outcomes, [n for n in inputs if n in names])
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def plain(table: pa.Table) -> pd.DataFrame:
    """A table as a DataFrame with its category columns (names) as plain strings, None where
    there is none."""
    frame = table.to_pandas()
    for column in frame.select_dtypes("category"):
        found = frame[column].cat
        names = np.array([*found.categories, None], dtype=object)  # code -1: none
        frame[column] = pd.Series(names[found.codes.to_numpy()], index=frame.index, dtype=object)
    return frame


def labels(
    table: str, names: list[str], outcomes: dict[str, Outcome], inputs: list[str]
) -> dict[str, str]:
    """A table's schema metadata: its name and the names of its ids, its parameters (every
    parameter column), its inputs (those that differ from run to run by design) and its
    outcomes."""
    roles = {name: role(name, outcomes, inputs) for name in names}
    return {
        "sim.table": table,
        "sim.ids": json.dumps([n for n in names if roles[n] == "id"]),
        "sim.parameters": json.dumps([n for n in names if n in PARAMETERS]),
        "sim.inputs": json.dumps(inputs),
        "sim.outcomes": json.dumps([n for n in names if roles[n] == "outcome"]),
    }


def role(name: str, outcomes: dict[str, Outcome], inputs: Sequence[str]) -> str:
    """What a column is: "id", "input" (a parameter that differs from run to run by design),
    "parameter" (any other parameter) or "outcome"."""
    if name in outcomes:
        return "id" if outcomes[name].kind is Kind.ID else "outcome"
    return "input" if name in inputs else "parameter"


def describe(name: str, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """The metadata of a column: description, unit, kind and what null means."""
    if name in PARAMETERS:
        p = PARAMETERS[name]
        basis = " ".join(cited(source) for source in p.basis)
        return {
            "description": f"{p.doc} (parameter; basis: {basis})",
            "unit": p.unit,
            "kind": "parameter",
        }
    o = outcomes[name]
    return {"description": o.description, "unit": o.unit, "kind": str(o.kind), "null": o.null}


def order(name: str, outcomes: dict[str, Outcome]) -> tuple[str, ...] | None:
    """The names of a posture's or a level's rungs, in ladder order (rung i is the i-th), or
    None for any other column."""
    for posture, rung in RUNGS.items():
        if name in (posture, rung):
            return POSTURES[posture]
    outcome = outcomes.get(name)
    return LEVELS if outcome is not None and outcome.kind is Kind.LEVEL else None


def _array(name: str, values: np.ndarray, outcome: Outcome | None) -> pa.Array:
    if name in POSTURES:
        return _categories(values, POSTURES[name])
    if outcome is not None and outcome.kind in WHOLE:
        missing = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), bool)
        return pa.array(np.where(missing, 0, values).astype(np.int32), mask=missing)
    if name in PARAMETERS and PARAMETERS[name].integer:
        return pa.array(values.astype(np.int64))
    if values.dtype == object:  # names, None where none applies
        return pa.array(values, type=pa.string()).dictionary_encode()
    if values.dtype.kind == "f":
        return pa.array(values, mask=np.isnan(values))  # NaN: not reached, null
    return pa.array(values)


POLARS_ENUM = "_PL_ENUM_VALUES"
"""The field metadata by which polars reads a dictionary column as an `Enum` of its categories
(each written as its length in bytes, ";", itself), keeping the ladder's order."""


def polars_enum(array: pa.Array) -> dict[str, str]:
    """An ordered category's `POLARS_ENUM` metadata; nothing for any other column."""
    if not (pa.types.is_dictionary(array.type) and array.type.ordered):
        return {}
    names = array.dictionary.to_pylist()
    return {POLARS_ENUM: "".join(f"{len(n.encode())};{n}" for n in names)}


def _categories(codes: np.ndarray, names: tuple[str, ...]) -> pa.DictionaryArray:
    """Codes 0..n-1 as an ordered category of the given names."""
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int8)), pa.array(names), ordered=True
    )


COLUMNS = "columns.parquet"
"""The catalog's file in a run folder or a sweep store."""

RUN_TABLES = {"daily": "daily", "summary": "summary", "events": "events"}
"""{table of a `sim run` folder (its file's name, less .parquet): its registry table}."""

STORE_TABLES = {"design": "design", "summary": "summary", "series": "daily", "events": "events"}
"""{table of a sweep store (design.parquet, or a folder of batches): its registry table}."""

CATALOG = pa.schema(
    [
        ("table", pa.string()),
        ("column", pa.string()),
        ("role", pa.string()),
        ("kind", pa.string()),
        ("unit", pa.string()),
        ("description", pa.string()),
        ("null", pa.string()),
        ("order", pa.list_(pa.string())),
    ],
    metadata={"sim.table": "columns"},
)
"""`columns.parquet`: one row per column. `role` is "id", "input" (a parameter that differs
from run to run by design), "parameter" (any other) or "outcome"; `null` says what a null
means ("" where none is written); `order` names a posture's or level's rungs in ladder order."""


def columns_of(table: str, design: Sequence[str] | None) -> list[str]:
    """The columns a table holds in a sweep store whose design varies `design`, or in a run
    folder (`design` None: no `point`, no `replicate`): ids, then parameters (all of them in
    the summary, the design's in the design), then outcomes, as the registries declare them
    (a file may order them otherwise)."""
    outcomes = declared(table)
    sweep_ids = {o.name for o in SWEEP_IDS}
    names = [n for n in outcomes if design is not None or n not in sweep_ids]
    ids = [n for n in names if outcomes[n].kind is Kind.ID]
    parameters = {"summary": list(PARAMETERS), "design": list(design or ())}.get(table, [])
    return ids + parameters + [n for n in names if n not in ids]


def catalog(
    tables: dict[str, str], inputs: Sequence[str], design: Sequence[str] | None = None
) -> pa.Table:
    """The column catalog of a folder holding `tables` ({its name in the folder: "daily",
    "summary", "events" or "design"}): a sweep store whose design varies `design`, or a run
    folder (`design` None); `inputs` are the parameters that differ from run to run by design
    (the design's and those drawn from a sample)."""
    rows: list[dict[str, object]] = []
    for where, table in tables.items():
        outcomes = declared(table)
        for name in columns_of(table, design):
            meta = describe(name, outcomes)
            rows.append(
                {"table": where, "column": name, "role": role(name, outcomes, inputs)}
                | {key: meta[key] for key in ("kind", "unit", "description")}
                | {"null": meta.get("null", ""), "order": order(name, outcomes)}
            )
    return pa.Table.from_pylist(rows, schema=CATALOG)


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write an Arrow table to a Parquet file, atomically (`write_atomic`). Only the category,
    whole-number and date columns are dictionary-encoded: pyarrow's default tries it on every
    column, and the floating-point ones seldom repeat (a sweep batch's weekly series: 0.21 s
    and 20.1 MB by default, 0.09 s and 17.6 MB so; an event log, mostly strings, 209 KB by
    default and 245 KB so, at the same speed; measured).
    """
    repeating = [
        f.name
        for f in table.schema
        if pa.types.is_dictionary(f.type) or pa.types.is_integer(f.type) or pa.types.is_date(f.type)
    ]
    write_atomic(path, lambda file: pq.write_table(table, file, use_dictionary=repeating))
