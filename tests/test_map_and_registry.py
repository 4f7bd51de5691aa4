"""The map data, the parameter registry and the traceability of every rule to the source."""

import functools
import importlib.util
import operator
import re
import tomllib
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.calibrate import fitted_parameters
from sim.model import EscalationModel
from sim.model.agents import FACTIONS
from sim.model.claims import ASSUMPTION, CLAIMS, PATTERNS, SOURCES, cited
from sim.model.geography import ACTORS, THEATRES, district_total, district_totals, load, parse
from sim.model.params import (
    CONSTANTS,
    MIN_DEFENCE,
    PARAMETERS,
    PAUSE_DAYS,
    WEEK,
    ParameterSet,
)
from sim.model.rules import RULE_OWNERS, all_rules

ROOT = Path(__file__).parent.parent


def test_map_size_theatres_and_population():
    geo = load()
    assert 30 <= geo.size <= 45
    for theatre in THEATRES:
        assert geo.in_theatre(theatre).sum() >= 3
    assert geo.population[geo.in_theatre("zone")].sum() == pytest.approx(3_000_000, rel=0.05)
    assert not (geo.buffer_zone & ~geo.in_theatre("zone")).any()


def test_adjacency_is_symmetric_and_connected():
    geo = load()
    assert np.array_equal(geo.adjacency, geo.adjacency.T)
    assert (np.diag(geo.adjacency) == 0).all()
    assert nx.is_connected(nx.from_numpy_array(geo.adjacency))
    x = np.random.default_rng(0).random((3, geo.size))
    assert np.allclose(geo.neighbour_sum(x), x @ geo.adjacency)  # the sums, in their own order
    labels = np.random.default_rng(1).integers(0, 3, (3, geo.size))
    same = (labels[:, :, None] == labels[:, None, :]) * geo.adjacency
    assert np.allclose(geo.neighbour_sum(x, same_as=labels), np.einsum("rj,rij->ri", x, same))


def test_bad_map_data_is_refused():
    row = """[[district]]
id = "a"
name = "A"
theatre = "moon"
lat = 0
lon = 0
population = 1
area = 1
controller = "hts"
force = 1
buffer_zone = false
turkish_post = false
camps = false
turkish_border = false
neighbours = []
"""
    with pytest.raises(ValueError, match=r"a\.theatre"):
        parse(row)
    with pytest.raises(ValueError, match=r"a\.neighbours"):
        parse(row.replace('"moon"', '"zone"').replace("neighbours = []", 'neighbours = ["b"]'))
    zone = row.replace('"moon"', '"zone"')
    with pytest.raises(ValueError, match=r"a\.area"):
        parse(zone.replace("area = 1", "area = 0"))
    with pytest.raises(ValueError, match=r"a\.camp_room"):
        parse(zone.replace("camps = false", "camps = true"))
    with pytest.raises(ValueError, match=r"a\.camp_room"):
        parse(zone.replace("camps = false", "camps = false\ncamp_room = 5"))
    alone = parse(zone)  # one district, no neighbours: sums of nothing
    assert (alone.neighbour_sum(np.ones((2, 1))) == 0).all()


def test_every_parameter_has_a_basis_and_a_range_holding_its_default():
    for p in PARAMETERS.values():
        assert p.basis and all(b in SOURCES or b == ASSUMPTION for b in p.basis), p.name
        assert p.low < p.high and p.low <= p.default <= p.high, p.name
        assert p.doc and p.unit, p.name


def test_parameter_set_refuses_unknown_and_out_of_range_values():
    with pytest.raises(ValueError, match="nonsense: unknown parameter"):
        ParameterSet(2, {"nonsense": 1.0})
    with pytest.raises(ValueError, match="turkey_effort"):
        ParameterSet(2, {"turkey_effort": np.array([0.5, 1.5])})
    values = ParameterSet(3, {"turkey_effort": np.array([0.0, 0.5, 1.0])})
    assert values.turkey_effort.tolist() == [0.0, 0.5, 1.0]


def names_claim(doc: str, claim: str) -> bool:
    """The docstring names the claim, alone or inside a range such as 'C06-C08'."""
    n = int(claim[1:])
    ranges = re.findall(rf"{claim[0]}(\d\d)-{claim[0]}(\d\d)", doc)
    return claim in doc or any(int(a) <= n <= int(b) for a, b in ranges)


def test_every_agent_rule_cites_claims_and_its_docstring_names_them():
    for faction in FACTIONS:
        for name in ("perceive", "decide", "act"):
            method = vars(faction).get(name)
            if method is None:
                continue
            dispatches = name == "act" and method.__doc__.startswith("Today's actions")
            assert getattr(method, "claims", None) or dispatches, f"{faction.__name__}.{name}"
    owners = {c.__name__: c for c in RULE_OWNERS}
    for name, sources in all_rules().items():
        owner, method = name.split(".")
        doc = vars(owners[owner])[method].__doc__
        for claim in sources:
            assert claim == ASSUMPTION or names_claim(doc, claim), f"{name} cites {claim} silently"


def test_every_claim_and_pattern_is_used_by_a_rule_or_a_parameter():
    used = {c for sources in all_rules().values() for c in sources}
    used |= {b for p in PARAMETERS.values() for b in p.basis}
    assert set(CLAIMS) - used == set(), f"claims used nowhere: {set(CLAIMS) - used}"
    assert set(PATTERNS) - used == set(), f"patterns used nowhere: {set(PATTERNS) - used}"


def test_no_duration_the_article_does_not_give_is_credited_to_it():
    """Hindsight is not a claim: the US pull-out's delay is not in C17 (the article gives no
    length). And no parameter is a truce's length or a day before which something cannot
    happen: truces hold as long as the state lets them (`Russia.decide`)."""
    assert PARAMETERS["us_pullout_delay"].basis == (ASSUMPTION,)
    clocks = [
        name
        for name, p in PARAMETERS.items()
        if p.unit == "days" and any(w in p.doc.lower() for w in ("truce", "postpone"))
    ]
    assert clocks == []


def test_the_fitted_defaults_say_so_and_no_other_does():
    """A default found by `experiments/fit_defaults.py`'s search or calibrated by
    `experiments/calibrate_baseline.toml` cites the window it was fitted to (C11, C12 or a
    pattern, shown as external) and no `assumption`; `sim calibrate` fits exactly those by
    default. The ladder's thresholds, which define outcomes, are searched by neither."""
    path = ROOT / "experiments" / "fit_defaults.py"
    spec = importlib.util.spec_from_file_location("fit_defaults", path)
    fit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fit)
    searched = {name for stage in fit.STAGES.values() for name in stage["search"]}
    calibration = tomllib.loads((ROOT / "experiments" / "calibrate_baseline.toml").read_text())
    searched |= set(calibration["parameters"])
    assert not [name for name in searched if PARAMETERS[name].defines_outcome]
    assert set(fitted_parameters()) == searched
    assert cited("P04") == "P04 (external)" and cited("C11") == "C11"


def test_the_morris_screening_covers_every_uncertain_parameter():
    """`experiments/morris_baseline.toml` screens "every uncertain parameter": a parameter added
    to the registry must be added there (the ladder's thresholds stay at their defaults)."""
    screened = tomllib.loads((ROOT / "experiments" / "morris_baseline.toml").read_text())
    uncertain = {name for name, p in PARAMETERS.items() if not p.defines_outcome}
    assert set(screened["parameters"]) == uncertain


def test_the_readme_tables_and_the_recorded_columns_come_from_the_outcome_registry():
    """Every column the recorder writes is declared, and docs/outputs.md shows the registry."""
    import re
    from pathlib import Path

    from sim.io.tables import RUNGS
    from sim.model import outcomes
    from sim.model.params import PARAMETERS
    from tests.sweeps import invoke

    model = EscalationModel("baseline", 2, 1, record_every=50)
    model.run(140)
    added = {"date", "level_name", "point", "replicate", *RUNGS.values()}  # by the writers
    recorded = set(model.recorder.daily_columns()) | added
    assert recorded == set(outcomes.by_column("daily"))
    summary = set(model.recorder.summary_columns()) - set(PARAMETERS) | {"point", "replicate"}
    assert summary == set(outcomes.by_column("summary"))
    readme = Path(__file__).resolve().parents[1].joinpath("docs", "outputs.md").read_text()
    for table in ("daily", "summary"):
        shown = re.search(
            rf"<!-- outcomes --table {table} -->\n(.*?)\n<!-- end of outcomes -->", readme, re.S
        )
        status, printed, _ = invoke("outcomes", "--table", table, "--format", "markdown")
        assert status == 0 and shown and shown.group(1) == printed.strip(), table


@given(st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_district_totals_add_left_to_right_whatever_the_batch(runs, seed):
    """A few runs take a running sum, more a row-by-row sum of the transposed array: the same
    left-to-right order, so the same bits for each run alone or in any batch."""
    x = np.random.default_rng(seed).lognormal(0, 3, size=(runs, 41))
    alone = np.array([district_total(x[k : k + 1])[0] for k in range(runs)])
    left_to_right = [functools.reduce(operator.add, row.tolist()) for row in x]
    assert np.array_equal(district_total(x), alone) and alone.tolist() == left_to_right
    assert (district_total(x[:, :0]) == 0).all()  # no districts (an empty mask): zero
    columns = np.flatnonzero(load().in_theatre("northeast"))
    for some in (columns, columns[:0]):
        everywhere, there = district_totals(x, some)
        assert np.array_equal(everywhere, alone)
        assert np.array_equal(there, district_total(x.take(some, axis=1)))


@given(st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_neighbour_sums_are_the_same_alone_or_in_a_batch(runs, seed):
    """A few runs gather padded rows and take a running sum, more add one k-th neighbour after
    another: each district's neighbours in the same order, so the same bits either way."""
    geo, rng = load(), np.random.default_rng(seed)
    x = rng.lognormal(0, 3, size=(runs, geo.size))
    labels = rng.integers(0, 3, size=(runs, geo.size))
    for sides in (np.zeros_like(labels), labels):  # one side: all neighbours
        together = geo.neighbour_sum(x, same_as=sides)
        alone = [geo.neighbour_sum(x[k : k + 1], same_as=sides[k : k + 1]) for k in range(runs)]
        assert np.array_equal(together, np.concatenate(alone))
    in_map_order = [
        [
            functools.reduce(operator.add, row[np.flatnonzero(geo.adjacency[d])].tolist(), 0.0)
            for d in range(geo.size)
        ]
        for row in x
    ]
    assert geo.neighbour_sum(x).tolist() == in_map_order
    assert not np.signbit(geo.neighbour_sum(-np.zeros_like(x))).any()  # from +0, either way


def test_every_actor_has_one_agent():
    assert [faction.actor for faction in FACTIONS] == list(range(len(ACTORS)))  # one order


def test_fixed_constants_are_declared_but_are_no_parameters():
    """A constant has a unit and basis like a parameter but is neither swept nor recorded."""
    assert not set(CONSTANTS) & set(PARAMETERS)
    assert (WEEK, MIN_DEFENCE, PAUSE_DAYS) == (7, 0.05, 14)


def test_sim_params_counts_the_parameters_by_kind_of_basis():
    """Each parameter's default is a claim's, fitted to a window (the article's or the 2019
    offensive's) or assumed; `sim params` counts them, and the fitted ones are those the
    calibration fits."""
    from collections import Counter

    from sim.analysis.calibrate import fitted_parameters
    from tests.sweeps import invoke

    kinds = Counter(p.kind for p in PARAMETERS.values())
    assert set(kinds) <= {"claim", "fitted (article)", "fitted (external)", "assumption"}
    fitted = {n for n, p in PARAMETERS.items() if p.kind.startswith("fitted")}
    assert fitted - {n for n, p in PARAMETERS.items() if p.defines_outcome} == set(
        fitted_parameters()
    )
    status, printed, _ = invoke("params")
    assert status == 0 and f"{len(PARAMETERS)} parameters: " in printed
    assert all(f"{n} {kind}" in printed for kind, n in kinds.items()), printed[-300:]
