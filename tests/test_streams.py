"""Counter-based random streams."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.model.streams import _FEW_ELEMENTS, Streams, poisson_quantile, run_seeds


def test_uniforms_are_uniform_and_purposes_independent():
    streams = Streams(run_seeds(1, 2000))
    a = streams.uniform(7, "a", 50).ravel()
    b = streams.uniform(7, "b", 50).ravel()
    assert stats.kstest(a, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.01
    assert not np.array_equal(streams.uniform(7, "a"), streams.uniform(8, "a"))


@given(st.integers(0, 2**63 - 1), st.integers(1, 50), st.integers(1, 50))
def test_run_seeds_do_not_depend_on_the_count(seed, n, m):
    short, long = run_seeds(seed, min(n, m)), run_seeds(seed, max(n, m))
    assert np.array_equal(short, long[: len(short)])
    assert (long >= 0).all() and (long < 2**53).all() and len(set(long.tolist())) == len(long)


@given(st.lists(st.integers(0, 2**63 - 1), min_size=2, max_size=20, unique=True), st.data())
def test_a_replicate_draws_the_same_alone_or_in_a_batch(seeds, data):
    k = data.draw(st.integers(0, len(seeds) - 1))
    together = Streams(np.array(seeds)).uniform(3, "x", 5)[k]
    alone = Streams(np.array([seeds[k]])).uniform(3, "x", 5)[0]
    assert np.array_equal(together, alone)


def test_poisson_quantile_matches_scipy():
    u = Streams(run_seeds(2, 3000)).uniform(0, "p")
    for mean in (0.05, 1.0, 9.0, 80.0):
        ours = poisson_quantile(u, np.full(u.shape, mean))
        assert np.array_equal(ours, stats.poisson.ppf(u, mean).astype(int))
    assert (poisson_quantile(u, np.zeros(u.shape)) == 0).all()
    big = poisson_quantile(u, np.full(u.shape, 5000.0))
    assert abs(big.mean() - 5000) < 10
    odd = np.arange(u.size) % 2 == 1
    mixed = poisson_quantile(u, np.where(odd, 5000.0, 9.0))
    assert np.array_equal(mixed, np.where(odd, big, poisson_quantile(u, np.full(u.shape, 9.0))))


@given(st.integers(0, 2**40), st.lists(st.floats(0.0, 600.0), min_size=1, max_size=_FEW_ELEMENTS))
def test_a_few_poisson_draws_equal_the_same_draws_among_many(seed, means):
    """Up to `_FEW_ELEMENTS` the walk goes element by element in Python: the same quantiles."""
    u = Streams(run_seeds(seed, 64)).uniform(0, "p")
    many = np.resize(np.array(means), u.shape)
    few = slice(0, len(means))
    assert np.array_equal(poisson_quantile(u[few], many[few]), poisson_quantile(u, many)[few])


@given(st.floats(0.0, 400.0), st.floats(0.0, 400.0), st.integers(1, 40))
def test_a_poisson_draw_at_the_largest_uniform_ignores_the_means_beside_it(mean, other, n):
    """The largest uniform a stream gives, 1 - 2**-53, can lie above the walk's cumulative sum
    (stopped short of 1 by rounding): the walk then stops at the element's own cap, so the
    quantile is the same alone or beside larger means, few or many (mean 0.01 once gave 31
    alone and 630 beside a mean of 300)."""
    u = np.full(n, 1 - 2.0**-53)
    alone = poisson_quantile(u[:1], np.array([mean]))[0]
    beside = poisson_quantile(u, np.r_[mean, np.full(n - 1, other)])[0]
    assert alone == beside and alone < 31 + 2 * mean  # the step from below the cap


def test_poisson_quantile_edges_are_the_same_for_few_and_many():
    """No elements, and u = 0 under the normal approximation (ndtri(0) = -inf): 0, as numpy's."""
    assert poisson_quantile(np.zeros(0), np.zeros(0)).shape == (0,)
    u, mean = np.zeros(_FEW_ELEMENTS + 1), np.full(_FEW_ELEMENTS + 1, 500.0)
    assert (poisson_quantile(u[:1], mean[:1]) == 0).all() and (poisson_quantile(u, mean) == 0).all()


def test_a_subset_of_runs_draws_what_it_draws_in_the_full_batch():
    streams = Streams(run_seeds(4, 30))
    rows = np.array([2, 7, 29])
    assert np.array_equal(streams.uniform(9, "f", 6, rows=rows), streams.uniform(9, "f", 6)[rows])


@given(
    st.lists(st.integers(0, 2**53 - 1), min_size=1, max_size=12, unique=True),
    st.integers(0, 3650),
    st.text(min_size=1, max_size=12),
    st.data(),
)
def test_a_few_uniforms_equal_the_same_uniforms_of_a_full_draw(seeds, day, purpose, data):
    """Up to `_FEW_ELEMENTS` draws are made one by one in Python integers: the same numbers."""
    streams = Streams(np.array(seeds))
    rows = data.draw(st.none() | st.lists(st.integers(0, len(seeds) - 1), min_size=1))
    runs_in = len(seeds) if rows is None else len(rows)
    count = data.draw(st.integers(1, _FEW_ELEMENTS))
    runs = np.array(
        data.draw(st.lists(st.integers(0, runs_in - 1), min_size=count, max_size=count))
    )
    slots = np.array(data.draw(st.lists(st.integers(0, 40), min_size=count, max_size=count)))
    full = streams.uniform(day, purpose, 41, rows=None if rows is None else np.array(rows))
    few = streams.uniform_at(day, purpose, runs, slots, None if rows is None else np.array(rows))
    assert np.array_equal(few, full[runs, slots])
