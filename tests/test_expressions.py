"""Outcome expressions (`--outcome`, calibration targets) are read by a whitelist: they mean
what pandas would make of them, and nothing in them can run code or hang."""

import contextlib
import tomllib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.analysis.calibrate import TARGETS
from sim.analysis.expressions import MAX_LENGTH, ExpressionError, condition, evaluate, numbers
from sim.analysis.sensitivity import OUTCOMES
from sim.model.outcomes import by_column
from tests.sweeps import invoke

RUNS = pd.DataFrame(
    {
        "peak_level": pd.array([3, 6, 7, 4, 0], dtype="Int64"),
        "ne_operation_day": [np.nan, 200.0, 300.0, np.nan, 10.0],
        "first_offensive_day": pd.array([100, None, 300, 129, None], dtype="Int64"),
        "civilians_killed": [0.0, 12.5, 900.0, 3.0, 40.0],
    }
)

columns = st.sampled_from(["peak_level", "ne_operation_day", "civilians_killed"])
numerals = st.integers(-20, 400).map(str)
sums = st.recursive(
    columns | numerals,
    lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    ),
    max_leaves=4,
)
tests = st.recursive(
    st.tuples(sums, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), sums).map(" ".join)
    | columns.map(lambda c: f"{c}.notna()")
    | columns.map(lambda c: f"{c}.isna()"),
    lambda inner: (
        st.tuples(inner, st.sampled_from(["and", "or", "&", "|"]), inner).map(
            lambda t: f"({t[0]}) {t[1]} ({t[2]})"
        )
        | inner.map(lambda e: f"not ({e})")
        | inner.map(lambda e: f"~({e})")
    ),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(tests)
def test_a_whitelisted_expression_means_what_pandas_makes_of_it(expression):
    assume(len(expression) <= MAX_LENGTH)  # longer ones are refused (a test below)
    floats = RUNS.astype(float)  # pandas' eval and the whitelist agree on NaN; this checks the rest
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        try:
            pandas = floats.eval(expression, engine="python")
        except DeprecationWarning:  # `not (0 < 1)` is ~True = -2 to pandas: no logic to compare
            assume(False)
    if not isinstance(pandas, pd.Series):  # a formula of numbers alone: no value for each run
        with pytest.raises(ExpressionError, match="not a value for each run"):
            evaluate(floats, expression)
        return
    ours = evaluate(floats, expression)
    pd.testing.assert_series_equal(ours.astype(bool), pandas.astype(bool), check_names=False)


texts = st.lists(
    st.sampled_from(
        [
            *"abcdeglopstu_.()[]{}'\"@*/+-<>=!&|~,:;^%01239 ",
            *["peak_level", "__import__", "os", "system", "pd", "lambda", "notna", "between"],
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_any_text_gives_a_value_a_run_or_one_clear_error(expression):
    try:
        value = evaluate(RUNS, expression)
    except ExpressionError as error:
        assert "\n" not in str(error) and str(error).startswith("--outcome")
    else:
        assert isinstance(value, pd.Series) and len(value) == len(RUNS)


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("@pd.io.common.os.system('id')", "not a formula"),
        ("__import__('os').system('id')", "not allowed"),
        ("peak_level.__class__.__mro__", "not allowed"),
        ("peak_level.astype('str')", "not allowed"),
        ("9**9**9 > peak_level", "not allowed"),
        ("peak_level ** 2", "not allowed"),
        ("peak_level + 'a'", "not a number"),
        ("99999999999999999999999 < peak_level", "too large"),
        ("peak_level.fillna(peak_level)", "must be numbers"),
        ("peak_level.between(1)", "takes 2"),
        ("peak_level and 1", "true/false"),
        ("colour > 1", "no column 'colour'"),
        ("peak_level in [1, 2]", "not allowed"),
        ("", "empty"),
        ("1 > " + "1" * MAX_LENGTH, "longer than"),
    ],
)
def test_what_is_not_a_formula_is_refused(expression, said):
    with pytest.raises(ExpressionError, match=said):
        evaluate(RUNS, expression)


def test_nulls_keep_their_documented_meaning():
    assert condition(RUNS, "first_offensive_day <= 128").tolist() == [1, 0, 0, 0, 0]
    assert numbers(RUNS, "first_offensive_day", 560).tolist() == [100, 561, 300, 129, 561]
    assert numbers(RUNS, "ne_operation_day.notna()", 560).tolist() == [0, 1, 1, 0, 1]
    with pytest.raises(ExpressionError, match="infinite"):
        numbers(RUNS, "civilians_killed / 0", 560)
    assert condition(RUNS, "1 / 0 > peak_level").tolist() == [1, 1, 1, 1, 1]


def test_every_shipped_outcome_reads():
    summary = pd.DataFrame({name: [1.0, np.nan] for name in by_column("summary")})
    targets = tomllib.loads(TARGETS.read_text())["target"]
    for expression in [t["outcome"] for t in targets] + list(OUTCOMES):
        assert len(evaluate(summary, expression)) == 2


@pytest.mark.parametrize("command", ["discover", "sensitivity"])
def test_an_outcome_cannot_run_a_command(reference, tmp_path, command):
    planted = tmp_path / "planted"
    with contextlib.chdir(tmp_path):
        status, _, err = invoke(
            command, reference.folder, "--outcome", f"@pd.io.common.os.system('touch {planted}')"
        )
    assert status == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1, err
    assert not planted.exists()
