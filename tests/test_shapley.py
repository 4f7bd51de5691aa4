"""Shapley effects over a posterior (`sim.analysis.shapley`, `sim sensitivity --posterior`).

On Y = b1 X1 + b2 X2 with X1 independent and X2, X3 standard normal with correlation rho, the
Shapley effects are known in closed form (Owen & Prieur 2017): b1^2, b2^2 (1 - rho^2 / 2) and
b2^2 rho^2 / 2. X3 has no effect of its own yet gets a share through its correlation with X2
(independent Sobol indices would give it none). The estimates must match within their Monte
Carlo error, and the same check must fail when the correlation is ignored."""

import html
import json
import logging

import numpy as np
import pandas as pd
import pytest

from sim.analysis import shapley
from sim.analysis.sensitivity import Anova, chance_split
from tests.sweeps import invoke
from tests.test_calibrate import write

B1, B2, RHO = 1.0, 2.0, 0.8
EXACT = np.array([B1**2, B2**2 * (1 - RHO**2 / 2), B2**2 * RHO**2 / 2])
CORRELATION = np.array([[1, 0, 0], [0, 1, RHO], [0, RHO, 1]])
PERMUTATIONS, VARIANCE = 600, 4000
NOISE = 4.0
SMALL = 0.01


def linear(x: np.ndarray) -> np.ndarray:
    return B1 * x[:, 0] + B2 * x[:, 1]


def standard_normals(correlation: np.ndarray) -> shapley.Copula:
    return shapley.Copula(correlation, [lambda z: z] * len(correlation))


def estimate(
    copula: shapley.Copula, noise_sd: float = 0.0, runs: int = 1, take_out: bool = True
) -> pd.DataFrame:
    """The effects of the linear model over `copula`, each point the mean of `runs` runs with
    normal noise of sd `noise_sd`: as the command finds them (`of_runs`), or with chance left
    in (not `take_out`)."""
    made = shapley.design(copula, permutations=PERMUTATIONS, variance_points=VARIANCE, seed=5)
    x = copula.values(made.scores)
    rng = np.random.default_rng(6)
    per_run = np.repeat(linear(x), runs) + rng.normal(0, noise_sd, len(x) * runs)
    if not take_out:
        return shapley.effects(made, per_run.reshape(-1, runs).mean(axis=1))
    return shapley.of_runs(made, per_run, runs)[0]


def matches(found: pd.DataFrame) -> bool:
    """Every effect within three half-widths of 95% (about six standard errors) of the exact
    one, and the intervals narrow enough to mean something: below an eighth of the variance."""
    error = np.abs(found["shapley"] - EXACT)
    narrow = found["shapley_conf"] < EXACT.sum() / 8
    return bool((error <= 3 * found["shapley_conf"]).all() and narrow.all())


def test_the_linear_gaussian_effects_are_recovered_and_a_correlated_null_gets_a_share():
    copula = standard_normals(CORRELATION)
    found = estimate(copula)
    assert matches(found), found
    # within two half-widths for most: the intervals are not so wide that anything passes
    assert (np.abs(found["shapley"] - EXACT) <= 2 * found["shapley_conf"]).sum() >= 2
    assert found.loc[2, "shapley"] > 0.8  # X3: no effect of its own, a share of 1.28
    # efficiency: the effects add up to the variance estimated from the variance sample
    y = linear(copula.values(shapley.design(copula, PERMUTATIONS, VARIANCE, 5).scores))
    assert found["shapley"].sum() == pytest.approx(np.var(y[:VARIANCE], ddof=1), rel=1e-12)


def test_an_uncorrelated_null_gets_nothing():
    found = estimate(standard_normals(np.eye(3)))
    assert abs(found.loc[2, "shapley"]) <= found.loc[2, "shapley_conf"] + 1e-12
    assert found.loc[1, "shapley"] == pytest.approx(B2**2, abs=3 * found.loc[1, "shapley_conf"])


def test_ignoring_the_correlation_fails_the_check(monkeypatch):
    """Mutations: a copula fitted without the correlation, and conditional draws that forget
    it (the free parameters drawn from their marginals)."""
    assert not matches(estimate(standard_normals(np.eye(3))))

    def forgetful(self, scores, free, count, rng):
        drawn = np.tile(scores, (count, 1))
        drawn[:, free] = rng.standard_normal((count, len(free)))
        return drawn

    monkeypatch.setattr(shapley.Copula, "given", forgetful)
    assert not matches(estimate(standard_normals(CORRELATION)))


def test_chance_is_taken_out_and_the_effects_add_up_to_the_parameters_part():
    """Noise of variance NOISE^2 on each run, 4 runs a point: left in, it adds NOISE^2 / 4 to
    every cost but the empty set's, so the effects add up to the variance of the points' means,
    not the parameters' part; taken out, they add up to it and match again."""
    found = estimate(standard_normals(CORRELATION), noise_sd=NOISE, runs=4)
    assert matches(found), found
    assert found["shapley"].sum() == pytest.approx(EXACT.sum(), rel=0.1)
    assert found["share"].sum() == pytest.approx(1.0)  # of the parameters' part
    left_in = estimate(standard_normals(CORRELATION), NOISE, 4, take_out=False)
    assert left_in["shapley"].sum() == pytest.approx(EXACT.sum() + NOISE**2 / 4, rel=0.1)


def test_the_variance_sample_is_analysed_once_an_outcome(monkeypatch):
    """`of_runs` analyses the variance sample's runs once (`Anova.of`) for both the chance it
    takes out and the split it reports, which is `chance_split`'s, number for number."""
    copula = standard_normals(CORRELATION)
    made = shapley.design(copula, permutations=20, variance_points=300, seed=5)
    rng = np.random.default_rng(6)
    per_run = np.repeat(linear(copula.values(made.scores)), 4)
    per_run += rng.normal(0, NOISE, len(per_run))
    calls = []
    of = Anova.of.__func__
    monkeypatch.setattr(Anova, "of", classmethod(lambda cls, *a: calls.append(a) or of(cls, *a)))
    _, split = shapley.of_runs(made, per_run, 4)
    assert len(calls) == 1
    monkeypatch.undo()
    points = np.repeat(np.arange(len(made.scores)), 4)
    head = points < made.variance_points
    expected = chance_split(per_run[head], points[head], 4)
    assert {name: split[name] for name in expected} == expected


def test_where_chance_dominates_the_shares_are_left_out_with_the_reason():
    """Y = SMALL (X1 + 2 X2) plus noise of sd NOISE on each of 4 runs: the parameters' part
    (about 5 SMALL^2) is far inside its error, so shares of it would divide by noise; the
    outcome is marked chance-dominated, its shares empty, its effects kept. The same design
    without the shrinking keeps its shares."""
    copula = standard_normals(CORRELATION)
    made = shapley.design(copula, permutations=PERMUTATIONS, variance_points=VARIANCE, seed=5)
    rng = np.random.default_rng(6)
    signal = np.repeat(linear(copula.values(made.scores)), 4)
    noise = rng.normal(0, NOISE, len(signal))
    found, split = shapley.of_runs(made, SMALL * signal + noise, 4)
    assert split["chance_dominated"] and split["reason"].startswith("chance-dominated")
    assert abs(split["parameters_part"]) < split["parameters_part_conf"]
    assert found["share"].isna().all() and found["share_conf"].isna().all()
    assert found["shapley"].notna().all() and (found["shapley_conf"] > 0).all()
    # the shares would have been meaningless: each effect's interval wider than the whole part
    assert (found["shapley_conf"] > abs(split["parameters_part"])).all()
    found, split = shapley.of_runs(made, signal + noise, 4)
    assert not split["chance_dominated"] and split["reason"] == ""
    assert split["parameters_part"] > 2 * split["parameters_part_conf"]
    assert found["share"].sum() == pytest.approx(1.0)


def test_the_copula_of_weighted_particles_has_their_correlation_and_margins():
    """Particles drawn independently and weighted to a correlated target: the fit must use the
    weights (unweighted, the correlation is 0)."""
    rng = np.random.default_rng(1)
    particles = rng.normal(0, 1.5, (6000, 2))
    target = np.array([[1, RHO], [RHO, 1]])
    inverse = np.linalg.inv(target)
    log_target = -0.5 * np.einsum("ij,jk,ik->i", particles, inverse, particles)
    weights = np.exp(log_target + 0.5 * (particles**2).sum(axis=1) / 1.5**2)
    fitted = shapley.Copula.fit(particles, weights)
    assert fitted.correlation[0, 1] == pytest.approx(RHO, abs=0.05)
    drawn = fitted.values(fitted.draw(20_000, rng))
    assert drawn.std(axis=0) == pytest.approx([1, 1], abs=0.1)
    assert np.corrcoef(drawn.T)[0, 1] == pytest.approx(RHO, abs=0.05)
    assert drawn.min() >= particles.min() and drawn.max() <= particles.max()


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    """A tiny calibration folder (two parameters, 12 particles, 2 generations)."""
    logging.getLogger("ABC").setLevel(logging.WARNING)
    folder = tmp_path_factory.mktemp("shapley")
    out = folder / "calibration"
    status, _, err = invoke(
        "calibrate", write(folder, population=12, generations=2), "--out", out, "--workers", "0"
    )
    assert status == 0, err
    return out


def test_the_command_over_a_posterior_writes_its_folder(calibration, tmp_path):
    out = tmp_path / "shapley"
    args = ["--permutations", "3", "--replicates", "2", "--workers", "0", "--out", out]
    args += ["--format", "json"]
    outcomes = ["--outcome", "civilians_killed", "--outcome", "first_offensive_day"]
    status, printed, err = invoke("sensitivity", "--posterior", calibration, *outcomes, *args)
    assert status == 0, err
    rows = pd.DataFrame(json.loads(printed))
    assert set(rows["parameter"]) == {"shelling_rate", "killed_per_breach"}
    assert set(rows["outcome"]) == {"civilians_killed", "first_offensive_day"}
    found = pd.read_parquet(out / "shapley.parquet")
    chance = pd.read_parquet(out / "chance.parquet").set_index("outcome")
    assert {"shapley.png", "correlation.parquet", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    manifest = json.loads((out / "manifest.json").read_text())
    # 3 orders x 1 step x 3 inner points, and 3 x 1 for the variance
    assert manifest["points"] == 12 and manifest["calibration"] == str(calibration)
    for outcome, part in found.groupby("outcome"):
        # the shares add up to one: the effects to the parameters' part of the variance; or
        # there are none, and the chance table and the printed rows say why
        said = chance.loc[outcome]
        if said["reason"]:
            assert part["share"].isna().all(), outcome
        else:
            assert part["share"].sum() == pytest.approx(1.0)
        printed = rows[rows["outcome"] == outcome]
        assert (printed["reason"] == said["reason"]).all()
        assert (printed["chance_dominated"] == said["chance_dominated"]).all()
    status, table, err = invoke(
        "sensitivity",
        "--posterior",
        calibration,
        "--outcome",
        "peak_level",
        *args[:6],
        "--out",
        tmp_path / "table",
    )
    assert status == 0 and "shelling_rate" in table and "chance" in table, err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--posterior", "STORE_OR_NONE"], "not a calibration folder"),
        (["--posterior", "CALIBRATION", "--outcome", "nonsense"], "nonsense"),
        ([], "name a sweep store (FOLDER) or a calibration folder (--posterior)"),
        (["STORE_OR_NONE", "--workers", "2"], "--workers, --scheduler: with --posterior only"),
        (["--posterior", "CALIBRATION", "--scheduler", "tcp://x:1"], "exclude each other"),
    ],
)
def test_bad_posterior_input_is_one_line(calibration, tmp_path, args, said):
    named = {"STORE_OR_NONE": tmp_path, "CALIBRATION": calibration}
    out = tmp_path / "never"
    args = [named.get(a, a) for a in args] + ([] if "--workers" in args else ["--workers", "0"])
    status, _, err = invoke("sensitivity", *args, "--out", out)
    assert status == 2 and err.count("\n") == 1 and err.startswith("error:") and said in err
    assert not out.exists()


def test_a_bad_outcome_is_refused_before_dask_starts(calibration, tmp_path, monkeypatch):
    """The folder and the outcomes are checked before the workers are started: a typo costs no
    cluster."""
    import contextlib

    from sim.sweeps import runner

    @contextlib.contextmanager
    def no_dask(*_):
        raise AssertionError("Dask started before the input was checked")
        yield

    monkeypatch.setattr(runner, "dask_client", no_dask)
    args = ["--posterior", calibration, "--outcome", "nonsense", "--out", tmp_path / "never"]
    status, _, err = invoke("sensitivity", *args)
    assert status == 2 and err.startswith("error:") and "nonsense" in err


def test_a_report_shows_the_shapley_folder_it_is_given(calibration, tmp_path):
    """`sim report DIR --with SHAPLEY_DIR`: the table as the command prints it and the figure;
    the folder is of a calibration, so a run folder's report takes it too."""
    out = tmp_path / "shapley"
    args = ["--permutations", "3", "--replicates", "2", "--workers", "0", "--out", out]
    args += ["--outcome", "peak_level"]
    status, _, err = invoke("sensitivity", "--posterior", calibration, *args)
    assert status == 0, err
    runs = tmp_path / "runs"
    status, _, err = invoke("run", "baseline", "--replicates", "2", "--out", runs)
    assert status == 0, err
    status, _, err = invoke("report", runs, "--out", tmp_path / "r.html", "--with", out)
    assert status == 0, err
    page = (tmp_path / "r.html").read_text()
    part = page[page.index('<section id="analyses">') :]
    name = json.loads((out / "manifest.json").read_text())["calibration_name"]
    assert f"<h3>Shapley effects over the posterior of {name}</h3>" in part
    chance = pd.read_parquet(out / "chance.parquet").iloc[0]
    mark = ", chance-dominated" if chance["chance_dominated"] else ""
    assert f"<td>peak_level</td><td>{chance['chance_share']:.0%}{mark}</td>" in part
    if chance["reason"]:  # a few points: most likely no shares, and the page says why
        assert html.escape(f"peak_level: {chance['reason']}; no shares") in part
    found = pd.read_parquet(out / "shapley.parquet")
    for effect in found.itertuples():
        assert f"<td>{effect.parameter}</td>" in part
        assert f"<td>{effect.shapley:.3g}±{effect.shapley_conf:.2g}</td>" in part
    assert part.count('<figure class="chart">') == 1


def test_the_runs_on_dask_workers_give_the_same_effects(calibration, tmp_path):
    """`--workers 2` splits the points between two Dask workers (a batch each); a run's seed
    depends on its point and replicate only, so the folder's tables are the same."""
    found = {}
    for workers in ("0", "2"):
        out = tmp_path / workers
        args = ["--permutations", "3", "--replicates", "2", "--workers", workers]
        args += ["--outcome", "civilians_killed"]
        status, _, err = invoke("sensitivity", "--posterior", calibration, *args, "--out", out)
        assert status == 0, err
        found[workers] = [pd.read_parquet(out / f"{t}.parquet") for t in ("shapley", "chance")]
    for alone, on_dask in zip(found["0"], found["2"], strict=True):
        pd.testing.assert_frame_equal(alone, on_dask)
