"""The map: districts, theatres and adjacency, loaded from `sim/model/data/districts.toml`."""

import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np

ACTORS: tuple[str, ...] = ("russia", "turkey", "damascus", "hts", "opposition", "kurds", "us")
"""The seven actors, in the order used by every actor axis of the model's arrays. An actor is
its number (`RUSSIA`, ... below) everywhere in the model; its name here is what the map, the
scenarios and the results write."""

THEATRES: tuple[str, ...] = ("zone", "front", "north", "northeast")
"""The Idlib de-escalation zone, the regime front, the Turkish-held north, the north-east."""

RUSSIA, TURKEY, DAMASCUS, HTS, OPPOSITION, KURDS, US = range(len(ACTORS))


@dataclass(frozen=True)
class Geography:
    """District attributes as arrays of length D, and the D x D adjacency matrix."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    theatre: np.ndarray  # index into THEATRES
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    area: np.ndarray  # km^2
    controller: np.ndarray  # index into ACTORS, int8 (see `parse`)
    force: np.ndarray  # thousands of fighter-equivalents
    buffer_zone: np.ndarray  # bool (C13)
    turkish_post: np.ndarray  # bool
    camps: np.ndarray  # bool (C16)
    camp_room: np.ndarray  # people the camps shelter beyond their day-0 residents
    turkish_border: np.ndarray  # bool (C19)
    adjacency: np.ndarray  # float 0/1, symmetric, zero diagonal
    by_degree: np.ndarray  # (D,) the districts, most neighbours first (the order of the sums)
    with_kth: tuple[int, ...]  # how many districts have a k-th neighbour (a prefix of by_degree)
    neighbours: np.ndarray  # (E,) the 0th neighbours of the districts that have one (in
    # `by_degree` order), then their 1st neighbours, and so on: `with_kth` of each
    owners: np.ndarray  # (E,) the district each entry of `neighbours` is a neighbour of

    def neighbour_sum(
        self,
        x: np.ndarray,
        same_as: np.ndarray | None = None,
        same: np.ndarray | None = None,
    ) -> np.ndarray:
        """(R, D): for each district, the sum of x (R, D) over its neighbours; with `same_as`
        (R, D labels, such as controllers), only over neighbours with the district's own label;
        `same` is `same_side(same_as)` computed once for several sums.

        Added in a fixed order, each district's neighbours one after another in map order, so a
        replicate's result has the same bits whatever the number of replicates beside it (a
        matrix product does not promise that). The sum has x's type. For a few runs, each
        district's neighbours are gathered into a row padded with zeros and added as a running
        sum (`_few_neighbour_sum`). For more, districts become rows (D, R): all neighbours'
        values are gathered at once (E, R), then added one k-th neighbour after another: the
        districts with most neighbours first, so that each k-th neighbour is a slice of a
        prefix of them.
        """
        if len(x) < _FEW_RUNS:
            return self._few_neighbour_sum(x, same_as, same)
        rows = np.ascontiguousarray(x.T)
        terms = rows.take(self.neighbours, axis=0)  # `take`: a third of the time of `[...]`
        if same is None and same_as is not None:
            same = self.same_side(same_as)
        if same is not None:
            terms *= same  # a product, not `np.where`: a quarter of the time (measured)
        total = np.zeros((self.size, len(x)), dtype=x.dtype)  # districts in `by_degree` order
        start = 0
        for n in self.with_kth:  # the k-th neighbours of the first n districts
            total[:n] += terms[start : start + n]
            start += n
        return total.take(self._from_degree_order, axis=0).T

    def same_side(self, labels: np.ndarray) -> np.ndarray:
        """Whether each neighbour has the label of the district it is a neighbour of (labels
        (R, D), such as controllers), for `neighbour_sum(..., same=...)` on as many runs: (E, R)
        bool, or (R, D, 1 + K) for a few runs (see `_padded`)."""
        if len(labels) < _FEW_RUNS:
            return self._gather(labels) == labels[:, :, None]
        rows = np.ascontiguousarray(labels.T)
        return rows.take(self.neighbours, axis=0) == rows.take(self.owners, axis=0)

    def _few_neighbour_sum(
        self, x: np.ndarray, same_as: np.ndarray | None, same: np.ndarray | None
    ) -> np.ndarray:
        """`neighbour_sum` for a few runs: each district's neighbours gathered into a padded row
        (R, D, 1 + K) and added left to right as a running sum from zero, as the many-run path
        adds them (a third of the time on one run)."""
        terms = self._gather(x)
        if same is None and same_as is not None:
            same = self.same_side(same_as)
        if same is not None:
            terms *= same
        return np.add.accumulate(terms, axis=2, dtype=x.dtype)[:, :, -1]

    def _gather(self, x: np.ndarray) -> np.ndarray:
        """(R, D, 1 + K): 0, then x's values at each district's neighbours (`_padded`)."""
        return np.concatenate((x, np.zeros((len(x), 1), x.dtype)), axis=1).take(
            self._padded, axis=1
        )

    @cached_property
    def _padded(self) -> np.ndarray:
        """(D, 1 + K): D (a column of zeros in `_gather`: each sum starts from 0), then each
        district's neighbours in map order, then D up to the most neighbours any district has,
        K."""
        table = np.full((self.size, 1 + len(self.with_kth)), self.size)
        table[self.owners, 1 + np.repeat(np.arange(len(self.with_kth)), self.with_kth)] = (
            self.neighbours
        )
        return table

    @cached_property
    def _from_degree_order(self) -> np.ndarray:
        return np.argsort(self.by_degree)

    def neighbour_count(self, mask: np.ndarray) -> np.ndarray:
        """(R, D): how many of each district's neighbours are inside `mask` (R, D bool).

        Counted in bytes (a district has at most a handful of neighbours): a quarter of the
        time of the same sum in floating point for 2,000 runs (measured).
        """
        return self.neighbour_sum(mask.view(np.uint8))

    @property
    def size(self) -> int:
        """Number of districts."""
        return len(self.ids)

    def index(self, district: str) -> int:
        """The position of a district (by id) on the district axis."""
        return self.ids.index(district)

    def in_theatre(self, name: str) -> np.ndarray:
        """Boolean mask of the districts of a theatre (read-only: the rules ask for it often)."""
        return self._theatres[name]

    def theatre_columns(self, name: str) -> np.ndarray:
        """The positions of a theatre's districts on the district axis, for `x.take(...,
        axis=1)`: a fifth of the time of indexing with its mask on one run (measured)."""
        return self._theatre_columns[name]

    @cached_property
    def _theatre_columns(self) -> dict[str, np.ndarray]:
        return {name: np.flatnonzero(mask) for name, mask in self._theatres.items()}

    @cached_property
    def _theatres(self) -> dict[str, np.ndarray]:
        masks = {name: self.theatre == k for k, name in enumerate(THEATRES)}
        for mask in masks.values():
            mask.flags.writeable = False
        return masks


_FEW_RUNS = 16
"""Below this many runs a running sum is the faster way to add over districts (measured: 1.6
against 4 us for one run; 10 against 4 us for 64 runs)."""


def district_total(x: np.ndarray) -> np.ndarray:
    """(R,): the sum of x (R, D) over districts, added left to right.

    numpy's `x.sum(axis=1)` adds each row pairwise, in an order that can depend on the CPU.
    Here, for a few runs, a running sum (`np.add.accumulate`) adds one district after another;
    for more, the districts become the rows of a (D, R) array, which numpy adds one row after
    another. Both add in the same order, so every replicate's total has the same bits whatever
    the batch size.
    """
    if len(x) < _FEW_RUNS and x.shape[1]:
        return np.add.accumulate(x, axis=1, dtype=float)[:, -1]
    return np.add.reduce(np.ascontiguousarray(x.T, dtype=float), axis=0)


def district_totals(x: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R,) and (R,): `district_total` of x (R, D) over all districts, and over the districts at
    `columns` only (such as a theatre's), the same bits as two calls. For many runs both come
    from one transposed copy of x, half the time of two (2,000 runs, measured)."""
    if len(x) < _FEW_RUNS:
        return district_total(x), district_total(x.take(columns, axis=1))
    rows = np.ascontiguousarray(x.T, dtype=float)
    return np.add.reduce(rows, axis=0), np.add.reduce(rows.take(columns, axis=0), axis=0)


def runs_where(mask: np.ndarray) -> np.ndarray:
    """The positions where an (R,) bool mask holds (the runs of a batch it picks): what
    `np.flatnonzero` gives, in a fifth of its time on one run (measured)."""
    return mask.nonzero()[0]


def _fail(where: str, problem: str) -> ValueError:
    return ValueError(f"districts.toml: {where}: {problem}")


def parse(text: str) -> Geography:
    """Build the geography from the text of a districts file, checking it as it goes."""
    rows = tomllib.loads(text)["district"]
    ids = tuple(r["id"] for r in rows)
    if len(set(ids)) != len(ids):
        raise _fail("id", "district ids repeat")
    index = {d: i for i, d in enumerate(ids)}
    adjacency = np.zeros((len(ids), len(ids)))
    for i, r in enumerate(rows):
        if r["theatre"] not in THEATRES:
            raise _fail(f"{r['id']}.theatre", f"unknown theatre {r['theatre']!r}")
        if r["controller"] not in ACTORS:
            raise _fail(f"{r['id']}.controller", f"unknown actor {r['controller']!r}")
        for n in r["neighbours"]:
            if n not in index or n == r["id"]:
                raise _fail(f"{r['id']}.neighbours", f"bad neighbour {n!r}")
            adjacency[i, index[n]] = adjacency[index[n], i] = 1.0
        if not r["area"] > 0:
            raise _fail(f"{r['id']}.area", f"{r['area']!r} is not a positive area in km^2")
        if r["camps"] != (r.get("camp_room", 0) > 0):
            raise _fail(f"{r['id']}.camp_room", "camps need a positive camp_room, and only camps")

    degrees = adjacency.sum(axis=1).astype(int)
    by_degree = np.argsort(-degrees, kind="stable")
    table = np.full((len(ids), degrees.max()), len(ids))
    for i, district in enumerate(by_degree):
        found = np.flatnonzero(adjacency[district])  # in map order: the order of the sums
        table[i, : len(found)] = found
    with_kth = tuple(int((degrees > k).sum()) for k in range(degrees.max()))
    by_k = table.T  # row k: the k-th neighbours, padded with D
    real = by_k != len(ids)  # k-major; a map without neighbours has none

    def column(key: str, dtype: type) -> np.ndarray:
        return np.array([r[key] for r in rows], dtype=dtype)

    return Geography(
        ids=ids,
        names=tuple(r["name"] for r in rows),
        theatre=np.array([THEATRES.index(r["theatre"]) for r in rows]),
        lat=column("lat", float),
        lon=column("lon", float),
        population=column("population", float),
        area=column("area", float),
        # one byte a district: who holds what is compared and copied many times a day, and a
        # run's labels in int64 took four times the time to compare (2,000 runs, measured)
        controller=np.array([ACTORS.index(r["controller"]) for r in rows], dtype=np.int8),
        force=column("force", float),
        buffer_zone=column("buffer_zone", bool),
        turkish_post=column("turkish_post", bool),
        camps=column("camps", bool),
        camp_room=np.array([r.get("camp_room", 0.0) for r in rows], dtype=float),
        turkish_border=column("turkish_border", bool),
        adjacency=adjacency,
        by_degree=by_degree,
        with_kth=with_kth,
        neighbours=by_k[real],
        owners=np.broadcast_to(by_degree, by_k.shape)[real],
    )


@cache
def load() -> Geography:
    """The shipped map."""
    return parse(resources.files("sim.model").joinpath("data/districts.toml").read_text())
