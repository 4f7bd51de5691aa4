"""Outcomes written as expressions over a sweep's summary columns (`sim outcomes`).

An expression is a small formula read through a whitelist, never run as code: column names,
numbers, `True` / `False`, parentheses, `+ - * /`, comparisons (`< <= > >= == !=`), `and`, `or`,
`not` (or `&`, `|`, `~`, with the precedence of `and`, `or`, `not`, as in pandas), and the
methods `notna()`, `isna()`, `abs()`, `fillna(x)` and `between(low, high)` with numbers as
arguments. Anything else (another name, an attribute, another call, `**`, `@`, a string) is
refused, and so is an expression longer than `MAX_LENGTH` characters.

Examples: a column name (`civilians_killed`), `peak_level >= 6`, `ne_operation_day.notna()`,
`first_offensive_day.isna() | (first_offensive_day > 128)`. Where an event never happened its
day is null: a condition on it is false there (`first_pause_day <= 365`), and a day column
named alone counts "never" as the horizon + 1.
"""

import ast
import io
import operator
import tokenize
from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.model.outcomes import Kind, by_column

MAX_LENGTH = 300
"""The longest expression read, in characters (a formula over a few columns is far shorter)."""

_ARITHMETIC: dict[type, Callable] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARISONS: dict[type, Callable] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_METHODS = {"notna": 0, "isna": 0, "abs": 0, "fillna": 1, "between": 2}
"""The methods an expression may call on a column or a formula, with how many numbers each
takes."""

_PANDAS_BOOLEANS = {"&": "and", "|": "or", "~": "not"}


class ExpressionError(ValueError):
    """An expression that is not one `evaluate` reads."""


def _parse(expression: str) -> ast.expr:
    """The expression's syntax tree, with `&`, `|`, `~` read as `and`, `or`, `not`."""
    if not isinstance(expression, str) or not expression.strip():
        raise ExpressionError("empty: name a summary column or a formula over them")
    if len(expression) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tokens = [
            (tokenize.NAME, _PANDAS_BOOLEANS[t.string])
            if t.type == tokenize.OP and t.string in _PANDAS_BOOLEANS
            else (t.type, t.string)
            for t in tokenize.generate_tokens(io.StringIO(expression.strip()).readline)
        ]
        return ast.parse(tokenize.untokenize(tokens).strip(), mode="eval").body
    except (SyntaxError, tokenize.TokenError, ValueError, RecursionError, MemoryError):
        raise ExpressionError("not a formula (see `sim outcomes` for the columns)") from None


def _number(node: ast.expr) -> float | int:
    """A method's argument: a number, perhaps with a sign."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * _constant(node.value)
    raise ExpressionError("a method's arguments must be numbers")


def _constant(value: object) -> object:
    """A number or True/False as NumPy holds it (so that 1 / 0 is inf, not an exception)."""
    if type(value) is bool:
        return np.bool_(value)
    if type(value) is int:
        if abs(value) >= 2**63:
            raise ExpressionError(f"{value} is too large a number")
        return np.int64(value)
    if type(value) is float:
        return np.float64(value)
    raise ExpressionError(f"{value!r} is not a number (only numbers and True/False)")


def _boolean(value: object, what: str) -> object:
    dtype = getattr(value, "dtype", None)
    if dtype is None or not pd.api.types.is_bool_dtype(dtype):
        raise ExpressionError(f"{what} needs true/false operands (a comparison, .notna(), ...)")
    return value


def _numeric(value: object, what: str) -> object:
    dtype = getattr(value, "dtype", None)
    if dtype is None or not pd.api.types.is_numeric_dtype(dtype):
        raise ExpressionError(f"{what} needs numbers")
    return value


def _value(node: ast.expr, runs: pd.DataFrame) -> object:
    """The value of one node: a column (a Series) or a NumPy scalar."""
    match node:
        case ast.Name(id=name):
            if name not in runs.columns:
                raise ExpressionError(f"no column {name!r} (see `sim outcomes --table summary`)")
            return runs[name]
        case ast.Constant(value=value):
            return _constant(value)
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _ARITHMETIC:
            what = f"'{ast.unparse(node)}'"
            a = _numeric(_value(left, runs), what)
            b = _numeric(_value(right, runs), what)
            return _ARITHMETIC[type(op)](a, b)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_numeric(_value(operand, runs), f"'{ast.unparse(node)}'")
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _numeric(_value(operand, runs), f"'{ast.unparse(node)}'")
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return ~_boolean(_value(operand, runs), "not")
        case ast.BoolOp(op=op, values=values):
            word = "and" if isinstance(op, ast.And) else "or"
            parts = [_boolean(_value(v, runs), word) for v in values]
            combined = parts[0]
            for part in parts[1:]:
                combined = combined & part if word == "and" else combined | part
            return combined
        case ast.Compare(left=left, ops=ops, comparators=comparators) if all(
            type(op) in _COMPARISONS for op in ops
        ):
            values = [_value(left, runs), *(_value(c, runs) for c in comparators)]
            result = None
            for op, a, b in zip(ops, values, values[1:], strict=False):
                step = _COMPARISONS[type(op)](a, b)
                result = step if result is None else result & step
            return result
        case ast.Call(func=ast.Attribute(value=receiver, attr=method), args=args, keywords=[]) if (
            method in _METHODS
        ):
            if len(args) != _METHODS[method]:
                raise ExpressionError(f".{method}() takes {_METHODS[method]} number(s)")
            target = _value(receiver, runs)
            if not isinstance(target, pd.Series):
                raise ExpressionError(f".{method}() applies to a column or a formula over them")
            return getattr(target, method)(*(_number(a) for a in args))
    raise ExpressionError(
        f"'{ast.unparse(node)}' is not allowed: only columns, numbers, + - * /, comparisons, "
        "and/or/not and the methods " + ", ".join(f".{m}()" for m in _METHODS)
    )


def evaluate(runs: pd.DataFrame, expression: str) -> pd.Series:
    """The expression's value for each run; a ValueError saying what is wrong otherwise."""
    try:
        tree = _parse(expression)
        with np.errstate(all="ignore"):
            value = _value(tree, runs)
    except ExpressionError as error:
        raise ExpressionError(f"--outcome {expression!r}: {error}") from None
    except (TypeError, ValueError, ArithmeticError) as error:  # pandas refusing an operation
        raise ExpressionError(f"--outcome {expression!r}: {error}") from None
    if not isinstance(value, pd.Series):
        raise ExpressionError(f"--outcome {expression!r}: not a value for each run")
    return value


def condition(runs: pd.DataFrame, expression: str) -> np.ndarray:
    """A true/false outcome for each run (false where it compares a null day)."""
    value = evaluate(runs, expression)
    if not pd.api.types.is_bool_dtype(value.dtype):
        raise ExpressionError(f"--outcome {expression!r}: not true or false for each run")
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
        raise ExpressionError(f"--outcome {expression!r}: not a number for each run")
    found = value.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(found).any():
        raise ExpressionError(
            f"--outcome {expression!r}: infinite in {np.isinf(found).sum():,} runs"
        )
    missing = int(np.isnan(found).sum())
    if missing:
        raise ExpressionError(
            f"--outcome {expression!r}: no value in {missing:,} runs (an event that never "
            "happened, or a day past the horizon): say what it means, e.g. with .notna() or "
            ".fillna(...)"
        )
    return found
