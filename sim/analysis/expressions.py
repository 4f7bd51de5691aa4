"""Outcomes written as expressions over a sweep's summary columns (`sim outcomes`).

An expression is evaluated by pandas (`DataFrame.eval`, which runs no other code): a column
name (`civilians_killed`) or a formula over them (`peak_level >= 6`,
`ne_operation_day.notna()`). Where an event never happened its day is null: a condition on it
is false there (`first_pause_day <= 365`), and a day column named alone counts "never" as the
horizon + 1.
"""

import numpy as np
import pandas as pd

from sim.model.outcomes import Kind, by_column


def evaluate(runs: pd.DataFrame, expression: str) -> pd.Series:
    """The expression's value for each run; a ValueError saying what is wrong otherwise."""
    try:
        value = runs.eval(expression, engine="python")
    except Exception as error:  # pandas raises many kinds for a bad expression
        raise ValueError(
            f"--outcome {expression!r}: {type(error).__name__}: {error} "
            "(a summary column, see `sim outcomes`, or an expression over them)"
        ) from None
    if not isinstance(value, pd.Series):
        raise ValueError(f"--outcome {expression!r}: not a value for each run")
    return value


def condition(runs: pd.DataFrame, expression: str) -> np.ndarray:
    """A true/false outcome for each run (false where it compares a null day)."""
    value = evaluate(runs, expression)
    if not pd.api.types.is_bool_dtype(value.dtype):
        raise ValueError(f"--outcome {expression!r}: not true or false for each run")
    return value.fillna(False).to_numpy(dtype=bool)


def numbers(runs: pd.DataFrame, expression: str, horizon: int) -> np.ndarray:
    """A number for each run: true/false as 1/0, a day column's "never" as horizon + 1. A
    ValueError for an expression that is not a number or has no value in some runs."""
    days = {name for name, o in by_column("summary").items() if o.kind is Kind.DAY}
    if expression in days and expression in runs.columns:
        return runs[expression].fillna(horizon + 1).to_numpy(dtype=float)
    value = evaluate(runs, expression)
    if pd.api.types.is_bool_dtype(value.dtype):
        return value.fillna(False).to_numpy(dtype=float)
    if not pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_complex_dtype(value.dtype):
        raise ValueError(f"--outcome {expression!r}: not a number for each run")
    found = value.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(found).any():
        raise ValueError(f"--outcome {expression!r}: infinite in {np.isinf(found).sum():,} runs")
    missing = int(np.isnan(found).sum())
    if missing:
        raise ValueError(
            f"--outcome {expression!r}: no value in {missing:,} runs (an event that never "
            "happened, or a day past the horizon): say what it means, e.g. with .notna() or "
            ".fillna(...)"
        )
    return found
