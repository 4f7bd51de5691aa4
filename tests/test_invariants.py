"""Invariants over random parameter values within their plausible ranges (Hypothesis)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import qmc

from sim.model import EscalationModel
from sim.model.geography import THEATRES
from sim.model.ladder import LEVELS
from sim.model.outcomes import Kind, by_column, summary_outcomes
from sim.model.params import PARAMETERS
from sim.model.scenario import load

REPLICATES = 6


@st.composite
def parameter_values(draw) -> dict[str, np.ndarray]:
    """One value per replicate for a random subset of the parameters, each within its range."""
    names = draw(
        st.lists(st.sampled_from(sorted(PARAMETERS)), min_size=1, max_size=20, unique=True)
    )
    values = {}
    for name in names:
        p = PARAMETERS[name]
        if p.integer:
            each = st.integers(int(p.low), int(p.high)).map(float)
        else:
            each = st.floats(p.low, p.high, allow_nan=False)
        values[name] = np.array(draw(st.lists(each, min_size=REPLICATES, max_size=REPLICATES)))
    return values


COUNTERS = (
    "combat.breaches",
    "people.killed",
    "people.injured",
    "people.civilians_killed",
    "combat.breach_killed",
    "territory.cessions",
    "people.left_for_turkey",
)
STOCKS = (
    "people.residents",
    "people.displaced",
    "people.in_camps",
    "people.ne_displaced",
    "people.ne_camps",
    "people.sheltered",
    "people.away",
    "territory.force",
    "territory.posts",
)


def figure(world, name: str) -> np.ndarray:
    """A component's figure by "component.attribute"."""
    component, attribute = name.split(".")
    return getattr(getattr(world, component), attribute)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=parameter_values(),
    scenario=st.sampled_from(["baseline", "immediate_assault", "power_vacuum"]),
    seed=st.integers(0, 2**32),
)
def test_people_shares_levels_and_counters(values, scenario, seed):
    model = EscalationModel(load(scenario)[0], REPLICATES, seed, parameters=values)
    world = model.world
    people = world.people.everyone()
    before = {name: figure(world, name).copy() for name in COUNTERS}
    for _ in range(260):
        model.step()
        # people are conserved: residents + displaced and camps (both regions) + Turkey + killed
        np.testing.assert_allclose(world.people.everyone(), people, rtol=1e-9)
        # each region's displaced, counted where they shelter and where they came from
        for region in world.people.regions.values():
            sheltered = (world.people.sheltered * region).sum(axis=1)
            away = (world.people.away * region).sum(axis=1)
            np.testing.assert_allclose(away, sheltered, rtol=1e-6, atol=1e-3)
        for stock in STOCKS:
            assert (figure(world, stock) >= -1e-9).all(), stock
        assert (world.people.killed >= world.people.civilians_killed - 1e-9).all()
        assert (world.people.aid_delivered <= world.people.aid_need + 1e-9).all()
        # control and population shares sum to one in each theatre
        for theatre in THEATRES:
            shares = [world.territory.share(theatre, actor) for actor in range(7)]
            np.testing.assert_allclose(np.sum(shares, axis=0), 1.0, rtol=1e-9)
        level = model.recorder.level
        assert ((level >= 0) & (level < len(LEVELS))).all()
        assert (world.relations.relation >= 0).all() and (world.relations.relation <= 1).all()
        assert ((world.relations.us_presence >= 0) & (world.relations.us_presence <= 1)).all()
        for name in COUNTERS:
            now = figure(world, name)
            assert (now >= before[name]).all() and (now >= 0).all(), name
            before[name] = now.copy()


def test_the_whole_parameter_space_stays_finite_and_conserves_people():
    """Every parameter at once across its range (a Latin hypercube of 64 runs, and the all-low
    and all-high corners), to day 560: no count overflows, goes negative or loses people. (The
    loop of shelling, breaches and Russian frustration once grew without end where the ranges'
    high ends met.)"""
    names = sorted(PARAMETERS)
    low = np.array([PARAMETERS[n].low for n in names])
    high = np.array([PARAMETERS[n].high for n in names])
    unit = np.vstack(
        [
            qmc.LatinHypercube(d=len(names), seed=7).random(64),
            [0.0] * len(names),
            [1.0] * len(names),
        ]
    )
    values = low + unit * (high - low)
    parameters = {
        n: np.rint(values[:, i]) if PARAMETERS[n].integer else values[:, i]
        for i, n in enumerate(names)
    }
    model = EscalationModel(load("power_vacuum")[0], len(unit), 3, parameters=parameters)
    people = model.world.people.everyone()
    model.run(560)
    np.testing.assert_allclose(model.world.people.everyone(), people, rtol=1e-9)
    summary = model.recorder.summary_columns()
    amounts = [o for o in summary_outcomes() if by_column("summary")[o].kind is not Kind.DAY]
    for name in amounts:
        values = summary[name]
        reached = values[~np.isnan(values)]
        assert np.isfinite(reached).all() and (reached >= -1e-9).all(), name
    assert (summary["breaches"] < 10**7).all()
