"""Counter-based random streams: each draw is a pure function of (run seed, day, purpose, slot).

A replicate's random numbers therefore never depend on which batch, worker or machine runs it, or
on how many other replicates run beside it. The generator is SplitMix64 (Steele, Lea & Flood
2014): the key (seed, day, purpose) selects a stream; slot i of it is mix(key + (i+1)*gamma).
"""

import math
import zlib
from collections.abc import Iterable
from functools import cache

import numpy as np
from scipy.special import ndtri

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_SEED_MASK = np.uint64(2**53 - 1)


_SHIFTS = tuple(np.uint64(n) for n in (30, 27, 31))
_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 arrays (wrapping arithmetic); `z` is left as it was."""
    first, second, third = _SHIFTS
    z = z ^ (z >> first)
    z *= _MULTIPLIERS[0]
    z ^= z >> second
    z *= _MULTIPLIERS[1]
    z ^= z >> third
    return z


_WORD = 2**64 - 1
_GAMMA_INT = int(_GAMMA)


def _mix_int(z: int) -> int:
    """`_mix` on one Python integer (the same wrapping arithmetic, without numpy's overhead)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _WORD
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _WORD
    return z ^ (z >> 31)


@cache
def _purpose(purpose: str) -> int:
    return zlib.crc32(purpose.encode())


def _tag(day: int, purpose: str) -> int:
    """What selects the stream of (day, purpose) from a run's key."""
    return _mix_int((day << 32 | _purpose(purpose)) & _WORD)


def _child(key: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The key of child `index` of `key`: slot index of key's SplitMix64 stream."""
    return _mix(key + (np.asarray(index, dtype=np.uint64) + np.uint64(1)) * _GAMMA)


def _seed_of(key: np.ndarray) -> np.ndarray:
    """A key as a run seed below 2**53."""
    return (key & _SEED_MASK).astype(np.int64)


def _unit(bits: np.ndarray) -> np.ndarray:
    """64 random bits as a uniform number in [0, 1) (the top 53)."""
    return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53


def run_seeds(seed: int, runs: int | np.ndarray) -> np.ndarray:
    """Seeds of runs 0..runs-1 (or of the given run numbers) of a batch with master `seed`.

    Run k's seed depends only on (seed, k), so the first runs are the same whatever the count.
    Seeds are below 2**53, so they survive a trip through floating point (a pandas row, a
    spreadsheet, JSON in a browser) unchanged.
    """
    k = np.arange(runs) if np.isscalar(runs) else np.asarray(runs)
    return _seed_of(_child(_mix(np.atleast_1d(np.uint64(seed))), k))


_NORMAL_ABOVE = 400.0
_ALL_ELEMENTS_STEPS = 3
"""Steps of the walk taken for all elements at once; most quantiles are 0 to 3 (measured)."""
_FEW_ELEMENTS = 24
"""Up to this many elements (a single run's draws) uniforms are drawn, and Poisson quantiles
walked, element by element in Python numbers: numpy's cost per call is most of the time on so
few (a Poisson draw of 12 elements 25 us against 47 us, of 24 43 us against 52 us; measured)."""


def poisson_quantile(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """The Poisson(mean) quantile of u (mean of u's shape): the smallest k with P(X <= k) >= u.

    Walks the cumulative distribution upwards: a few steps for all elements at once, then on
    with the few still climbing (twice as fast as all elements all the way, measured); a few
    elements one by one. Means above 400 use the normal approximation (within a few counts of
    the exact quantile there). `Streams.poisson` passes only the positive means.
    """
    if u.size <= _FEW_ELEMENTS:
        quantiles = _quantile_each(u.ravel().tolist(), np.ravel(mean).tolist())
        return np.array(quantiles, dtype=np.int64).reshape(u.shape)
    mean = np.maximum(mean, 0.0)
    small = np.where(mean > _NORMAL_ABOVE, 0.0, mean)
    term = np.exp(-small)
    cdf = term.copy()
    k = np.zeros(u.shape, dtype=np.int64)
    n = _climb(u, small, term, cdf, k, 0, _ALL_ELEMENTS_STEPS)  # below every element's `_cap`
    if n == _ALL_ELEMENTS_STEPS:
        up = np.flatnonzero(u > cdf)
        climbing = [a.take(up) for a in (u, small, term, cdf, k)]
        _climb(*climbing, n, _cap(climbing[1]))
        k[up] = climbing[-1]
    big = mean > _NORMAL_ABOVE
    if big.any():
        normal = np.rint(mean[big] + np.sqrt(mean[big]) * ndtri(u[big])).clip(min=0)
        k[big] = normal.astype(np.int64)
    return k


def _cap(mean: np.ndarray | float) -> np.ndarray | float:
    """The step at which an element's walk stops: the tail beyond it is below 1e-16, and the
    cumulative sum may stop short of the largest uniform by rounding. Each element's own, so
    that its quantile does not depend on the other means drawn beside it."""
    return 30 + 2 * mean


def _climb(
    u: np.ndarray,
    small: np.ndarray,
    term: np.ndarray,
    cdf: np.ndarray,
    k: np.ndarray,
    n: int,
    stop: int | np.ndarray,
) -> int:
    """Steps n+1, n+2, ... of the walk, up to `stop` (one step for all elements, or each
    element's) or until no element climbs; `term` (the probability of k = n), `cdf` and the
    quantiles `k` are updated in place. Returns the step reached."""
    above = np.empty(np.shape(u), dtype=bool)
    each = np.ndim(stop) > 0
    while each or n < stop:
        np.greater(u, cdf, out=above)
        if each:
            above &= n < stop
        if not above.any():
            break
        n += 1
        term *= small  # in place: the same numbers as term * small / n, with no new arrays
        term /= n
        cdf += term
        k += above
    return n


def _quantile_each(u: list[float], mean: list[float]) -> list[int]:
    """`poisson_quantile` of a few elements, each walked in turn in Python floats: the same IEEE
    arithmetic (numpy's exp for the first terms, as the array path), so the same quantiles (a
    test compares them)."""
    mean = [m if m > 0.0 else 0.0 for m in mean]
    small = [0.0 if m > _NORMAL_ABOVE else m for m in mean]
    terms = np.exp([-m for m in small]).tolist()
    quantiles = []
    for x, m, t, whole in zip(u, small, terms, mean, strict=True):
        if whole > _NORMAL_ABOVE:  # as np.rint(...).clip(min=0), -inf (u = 0) included
            normal = whole + math.sqrt(whole) * float(ndtri(x))
            quantiles.append(round(normal) if normal > 0 else 0)
            continue
        cdf, n, stop = t, 0, _cap(m)
        while x > cdf and n < stop:
            n += 1
            t = t * m / n
            cdf += t
        quantiles.append(n)
    return quantiles


def sweep_seeds(master: int, point: np.ndarray, replicate: np.ndarray) -> np.ndarray:
    """Seeds of sweep runs (design point, replicate) under a master seed: they depend on nothing
    else, so not on the batch size, the worker count or the order."""
    key = _mix(np.atleast_1d(np.uint64(master)))
    return _seed_of(_child(_child(key, point), replicate))


class Streams:
    """Random draws for a batch of replicates, one independent stream per (seed, day, purpose)."""

    def __init__(self, seeds: np.ndarray):
        self.keys = _mix(np.asarray(seeds, dtype=np.int64).astype(np.uint64))
        self._key_ints = self.keys.tolist()  # the same keys as Python integers, for few draws

    def uniform(
        self, day: int, purpose: str, slots: int | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Uniform draws in [0, 1): shape (R,), or (R, slots) when `slots` is given; with `rows`,
        only those runs' draws (the same numbers they get in a full draw)."""
        key = self._key(day, purpose, self.keys if rows is None else self.keys[rows])
        bits = _child(key, 0) if slots is None else _child(key[:, None], np.arange(slots))
        return _unit(bits)

    def uniform_at(
        self,
        day: int,
        purpose: str,
        runs: np.ndarray,
        slots: np.ndarray | int,
        rows: np.ndarray | None = None,
    ) -> np.ndarray:
        """The uniform draws of the given (run, slot) pairs only (runs counted within `rows` if
        given): the same numbers as the same elements of a full draw."""
        one_each = np.ndim(slots) == 0 or np.shape(slots) == np.shape(runs)
        if np.ndim(runs) == 1 and len(runs) <= _FEW_ELEMENTS and one_each:
            slots = np.broadcast_to(slots, np.shape(runs)).tolist()
            pairs = zip(np.asarray(runs).tolist(), slots, strict=True)
            return np.array(self._few(day, purpose, pairs, rows))
        keys = self.keys if rows is None else self.keys[rows]
        return _unit(_child(self._key(day, purpose, keys)[runs], slots))

    def _few(
        self,
        day: int,
        purpose: str,
        pairs: Iterable[tuple[int, int]],
        rows: np.ndarray | None,
    ) -> list[float]:
        """`uniform_at` for a few (run, slot) pairs, one by one in Python integers: the same
        wrapping 64-bit arithmetic, so the same numbers (a test compares them), without numpy's
        cost per call on so few (most of a single run's draws)."""
        tag, keys = _tag(day, purpose), self._key_ints
        stream: dict[int, int] = {}  # each run's stream key, derived once
        draws = []
        for run, slot in pairs:
            key = stream.get(run)
            if key is None:
                key = stream[run] = _mix_int(keys[run if rows is None else int(rows[run])] ^ tag)
            draws.append((_mix_int((key + (slot + 1) * _GAMMA_INT) & _WORD) >> 11) * 2.0**-53)
        return draws

    def uniform_where(
        self, day: int, purpose: str, mask: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The uniform draws of the elements of the (runs, slots) or (runs,) `mask` only, and
        their flat positions in it: the same numbers as the same elements of a full draw."""
        at = mask.ravel().nonzero()[0]  # flat: several times faster than a 2-D `nonzero`
        return at, self._uniform_flat(day, purpose, at, mask.shape, rows)

    def _few_flat(
        self,
        day: int,
        purpose: str,
        at: list[int],
        shape: tuple[int, ...],
        rows: np.ndarray | None,
    ) -> list[float]:
        """`_few` at a few flat positions of a (runs, slots) or (runs,) draw."""
        if len(shape) == 2:
            return self._few(day, purpose, (divmod(a, shape[1]) for a in at), rows)
        return self._few(day, purpose, ((a, 0) for a in at), rows)

    def _uniform_flat(
        self,
        day: int,
        purpose: str,
        at: np.ndarray,
        shape: tuple[int, ...],
        rows: np.ndarray | None,
    ) -> np.ndarray:
        """The uniform draws at flat positions `at` of a (runs, slots) or (runs,) draw."""
        if at.size <= _FEW_ELEMENTS:  # `uniform_at` would check too, after numpy's divmod
            return np.array(self._few_flat(day, purpose, at.tolist(), shape, rows))
        runs, slots = np.divmod(at, shape[1]) if len(shape) == 2 else (at, 0)
        return self.uniform_at(day, purpose, runs, slots, rows)

    @staticmethod
    def _key(day: int, purpose: str, keys: np.ndarray) -> np.ndarray:
        """The keys of the runs' streams for (day, purpose)."""
        return _mix(keys ^ np.uint64(_tag(day, purpose)))

    def poisson(
        self, day: int, purpose: str, mean: np.ndarray, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Poisson counts with the given means, (R,) or (R, slots), or one row per run of `rows`
        (by inverse transform of one uniform each). Only the elements with a positive mean are
        drawn: the others are 0, and the drawn ones get the same numbers as in a full draw."""
        mean = np.asarray(mean, dtype=float)
        counts = np.zeros(mean.shape, dtype=np.int64)
        flat = mean.ravel()
        drawn = (flat > 0).nonzero()[0]
        if drawn.size == 0:
            return counts
        if drawn.size <= _FEW_ELEMENTS:  # in Python numbers throughout (see `_few`)
            at, into, means = drawn.tolist(), counts.ravel(), flat.tolist()
            u = self._few_flat(day, purpose, at, mean.shape, rows)
            for a, k in zip(at, _quantile_each(u, [means[a] for a in at]), strict=True):
                into[a] = k
            return counts
        # `ravel()[...]`, not `.flat[...]`: five times faster on 2,000 runs
        u = self._uniform_flat(day, purpose, drawn, mean.shape, rows)
        counts.ravel()[drawn] = poisson_quantile(u, flat[drawn])
        return counts

    def bernoulli(
        self,
        day: int,
        purpose: str,
        p: np.ndarray,
        rows: np.ndarray | None = None,
        where: np.ndarray | None = None,
    ) -> np.ndarray:
        """True with probability p, elementwise; p has shape (R,) or (R, slots), or one row per
        run of `rows` (those runs' draws only). Only the elements with a positive chance, and
        inside `where` when given, are drawn: the others are False, and the drawn ones get the
        same numbers as in a full draw."""
        p = np.asarray(p, dtype=float)
        drawn = p > 0 if where is None else (p > 0) & where
        outcome = np.zeros(p.shape, dtype=bool)
        at = drawn.ravel().nonzero()[0]
        if at.size == 0:
            return outcome
        chance, into = p.ravel(), outcome.ravel()
        if at.size <= _FEW_ELEMENTS:  # in Python numbers (see `_few`)
            at = at.tolist()
            for a, x in zip(at, self._few_flat(day, purpose, at, p.shape, rows), strict=True):
                into[a] = x < chance[a]
        else:
            into[at] = self._uniform_flat(day, purpose, at, p.shape, rows) < chance[at]
        return outcome
