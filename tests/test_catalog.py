"""One type per column and a catalog of them: columns.parquet in every run folder and sweep
store, postures that SQL orders by the ladder, whole-number parameters as integers in every
file, table labels that say what each table is, and `sim.results.open` on a run folder."""

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.results
from sim.io.disk import SEAL, ResultsError, sealed, sha256
from sim.io.tables import POSTURES, RUN_TABLES
from sim.model.ladder import LEVELS
from sim.model.params import PARAMETERS
from sim.model.scenario import load
from sim.sweeps.results import RunResults, SweepResults
from tests.sweeps import invoke, run_in_process, write_sweep

WHOLE = "us_pullout_delay"
"""A whole-number parameter the store's design varies."""

DRAWN = ["shelling_rate", "capture_rate"]
SAMPLE = f"""
[sample]
names = {json.dumps(DRAWN)}
weights = [0.5, 0.5]
values = [[0.40, 0.05], [0.45, 0.07]]
"""
"""A sample each run draws a row of: its parameters are inputs too."""


def sampled(name: str, folder: Path) -> Path:
    """A named scenario's file with `SAMPLE` added, in `folder`."""
    path = folder / f"{name}_sampled.toml"
    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    path.write_text((scenarios / f"{name}.toml").read_text() + SAMPLE)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A small sweep of a sampled baseline varying a real and a whole-number parameter, with
    weekly series and events."""
    folder = tmp_path_factory.mktemp("catalog")
    changes = {
        'scenario = "baseline"': f'scenario = "{sampled("baseline", folder).name}"',
        "coordination = { range = [0.1, 0.9] }": f'{WHOLE} = {{ range = "registry" }}',
        "horizon = 140": "horizon = 63",
        'record = "weekly"': 'record = "weekly+events"',
    }
    return run_in_process(write_sweep(folder, **changes), folder / "store").folder


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A `sim run` of a sampled immediate_assault (Damascus climbs its whole ladder), three
    runs."""
    folder = tmp_path_factory.mktemp("run")
    scenario, out = sampled("immediate_assault", folder), folder / "assault"
    status, _, err = invoke("run", scenario, "--replicates", "3", "--out", out)
    assert status == 0, err
    return out


def catalog_of(folder: Path) -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM '{folder}/columns.parquet'").df()


def file_of(folder: Path, table: str) -> Path:
    """A table's file in a run folder, or its first batch (or the design) in a store."""
    if (folder / f"{table}.parquet").exists():
        return folder / f"{table}.parquet"
    return next((folder / table).glob("*.parquet"))


@pytest.mark.parametrize("kind", ["store", "run_folder"])
def test_the_catalog_lists_every_column_of_every_table_and_is_verified(kind, request):
    """columns.parquet, read by plain SQL, has a row for each column of each table the folder
    holds, with its kind, unit, meaning and what null means; its SHA-256 is in the manifest
    beside the other files'."""
    folder = request.getfixturevalue(kind)
    catalog = catalog_of(folder)
    tables = ["design", "summary", "series", "events"] if kind == "store" else RUN_TABLES
    assert sorted(set(catalog["table"])) == sorted(tables)
    for table in tables:
        written = pq.read_schema(file_of(folder, table)).names
        listed = catalog.loc[catalog["table"] == table, "column"]
        assert sorted(listed) == sorted(written), table
    assert catalog["description"].str.len().gt(0).all()
    roles = catalog[catalog["table"] == "summary"].set_index("column")["role"]
    assert (roles[DRAWN] == "input").all() and roles["seed"] == "id"
    assert roles["peak_level"] == "outcome" and roles["civilian_share"] == "parameter"
    days = catalog[catalog["kind"] == "day"]
    assert len(days) and (days["null"] == "the event never happened in the run").all()
    manifest = json.loads((folder / "manifest.json").read_text())
    found = manifest["columns_sha256"] if kind == "store" else manifest["files"]["columns.parquet"]
    assert found == sha256(folder / "columns.parquet")
    assert sim.results.open(folder).columns.equals(
        pq.read_table(folder / "columns.parquet").to_pandas()
    )


def test_the_catalog_gives_the_rungs_of_postures_and_levels_in_ladder_order(run_folder):
    catalog = catalog_of(run_folder).set_index("column")
    daily = catalog[catalog["table"] == "daily"]
    for name, names in POSTURES.items():
        rung = name.replace("posture_", "posture_rung_")
        assert list(daily.loc[name, "order"]) == list(names) == list(daily.loc[rung, "order"])
    assert list(daily.loc["level_name", "order"]) == list(LEVELS)
    assert list(daily.loc["level", "order"]) == list(LEVELS)
    assert pd.isna(daily.loc["killed", "order"])


def test_duckdb_orders_postures_by_the_ladder_with_no_glue(run_folder):
    """Damascus's postures, counted and ordered by plain SQL: shelling, offensive, assault (the
    ladder), where their names alone sort assault first."""
    found = duckdb.sql(
        f"""SELECT posture_damascus AS posture, count(*) AS days
            FROM '{run_folder}/daily.parquet'
            GROUP BY posture_damascus, posture_rung_damascus
            ORDER BY posture_rung_damascus"""
    ).fetchall()
    assert [posture for posture, _ in found] == ["shelling", "offensive", "assault"]
    assert sorted(p for p, _ in found) != [p for p, _ in found]  # the names alone sort otherwise
    highest = duckdb.sql(
        f"""SELECT arg_max(posture_damascus, posture_rung_damascus)
            FROM '{run_folder}/daily.parquet'"""
    ).fetchall()
    assert highest == [("assault",)]


def test_pandas_reads_postures_as_ordered_categories(run_folder):
    for frame in (
        pd.read_parquet(run_folder / "daily.parquet"),
        sim.results.open(run_folder).series,
    ):
        posture = frame["posture_damascus"]
        assert posture.cat.ordered and list(posture.cat.categories) == [
            "shelling",
            "offensive",
            "assault",
        ]
        assert (posture.cat.codes == frame["posture_rung_damascus"]).all()
        assert frame["level_name"].cat.ordered


def test_days_and_counts_are_integers_null_where_never_or_not_reached(run_folder):
    """Counts, a window's counts included, and days are 32-bit integers in every file, null
    where the model has NaN; pandas reads them as Int32 whether or not a null occurs."""
    summary = pq.read_schema(run_folder / "summary.parquet")
    daily = pq.read_schema(run_folder / "daily.parquet")
    for schema, names in (
        (summary, ["breaches", "cessions_day100_128", "first_offensive_day"]),
        (daily, ["breaches", "cessions"]),
    ):
        for name in names:
            assert str(schema.field(name).type) == "int32", name
    runs = sim.results.open(run_folder).runs()
    assert all(str(runs[n].dtype) == "Int32" for n in ("breaches", "breaches_day128", "offensives"))


def test_whole_number_parameters_are_integers_in_every_file(store):
    """us_pullout_delay is int64 in design.parquet, the summary and runs(), so a join on it
    (pandas, DuckDB) matches every run to its design point and adds no suffixed columns."""
    results = sim.results.open(store)
    for path in (store / "design.parquet", file_of(store, "summary")):
        assert str(pq.read_schema(path).field(WHOLE).type) == "int64", path
    design, runs = results.design, results.runs()
    assert design[WHOLE].dtype == runs[WHOLE].dtype == np.int64
    joined = runs.merge(design, on=["point", WHOLE, "turkey_effort"])
    assert len(joined) == len(runs) and not [c for c in joined if c.endswith(("_x", "_y"))]
    matched = duckdb.sql(
        f"""SELECT count(*) FROM '{store}/summary/*.parquet' s
            JOIN '{store}/design.parquet' d USING (point, {WHOLE})"""
    ).fetchall()
    assert matched == [(len(runs),)]
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{store}/design.parquet'").fetchall()
    assert (WHOLE, "BIGINT") in [row[:2] for row in described]


def test_the_metadata_says_what_each_table_and_column_is(store):
    """sim.table names the weekly series weekly and the design design; sim.outcomes lists
    outcomes only; sim.parameters every parameter column, sim.inputs the varied ones."""

    def meta(path: Path) -> dict[str, object]:
        found = pq.read_schema(path).metadata
        return {k.decode(): v.decode() for k, v in found.items() if k.startswith(b"sim.")}

    series, summary = meta(file_of(store, "series")), meta(file_of(store, "summary"))
    design, events = meta(store / "design.parquet"), meta(file_of(store, "events"))
    assert series["sim.table"] == "weekly" and summary["sim.table"] == "summary"
    assert design["sim.table"] == "design" and events["sim.table"] == "events"
    ids = {"run", "point", "replicate", "seed"}
    assert ids <= set(json.loads(summary["sim.ids"]))
    assert not ids & set(json.loads(summary["sim.outcomes"]))
    assert sorted(json.loads(summary["sim.outcomes"])) == sorted(sim.results.open(store).outcomes)
    assert json.loads(summary["sim.parameters"]) == list(PARAMETERS)
    varied = ["turkey_effort", WHOLE]
    assert json.loads(design["sim.inputs"]) == varied
    assert sorted(json.loads(summary["sim.inputs"])) == sorted(varied + DRAWN)
    assert json.loads(series["sim.inputs"]) == []
    field = pq.read_schema(store / "design.parquet").field(WHOLE)
    assert field.metadata[b"kind"] == b"parameter" and field.metadata[b"unit"] == b"days"


def test_results_open_reads_a_run_folder_as_it_reads_a_store(run_folder, store):
    run, sweep = sim.results.open(run_folder), sim.results.open(store)
    assert isinstance(run, RunResults) and isinstance(sweep, SweepResults)
    runs = run.runs()
    assert list(runs["run"]) == [0, 1, 2] and run.inputs == DRAWN and run.verify() == {}
    assert list(runs.columns) == ["run", "seed", *DRAWN, *run.outcomes]
    assert list(sweep.runs().columns) == [
        "run",
        "point",
        "replicate",
        "seed",
        *sweep.inputs,
        *sweep.outcomes,
    ]
    assert str(runs["ne_operation_day"].dtype) == "Int32"
    assert len(run.series) == 3 * (load("immediate_assault")[0].horizon + 1)
    assert set(run.events["run"]) == {0, 1, 2}
    experiments, outcomes = run.to_ema()
    assert list(experiments.columns) == ["seed", *DRAWN, "model"]
    assert outcomes["peak_level"].shape == (3,)


def test_a_run_folder_with_a_damaged_file_is_refused_in_one_line(run_folder, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run_folder, copy)
    with (copy / "columns.parquet").open("r+b") as file:
        file.seek(100)
        file.write(b"\x00\x01")
    with pytest.raises(ResultsError, match=r"columns\.parquet: altered") as error:
        sim.results.open(copy)
    assert "\n" not in str(error.value)


def older(store: Path, tmp_path: Path) -> Path:
    """A copy of the store as the sim before the catalog made it: no columns.parquet."""
    copy = tmp_path / "older"
    shutil.copytree(store, copy)
    (copy / "columns.parquet").unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["columns_sha256"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def test_an_older_store_is_read_but_not_added_to(store, tmp_path):
    """A store made before the catalog: its runs read as before, its catalog and a resume are
    refused in one line naming the reason."""
    copy = older(store, tmp_path)
    found = sim.results.open(copy)
    assert found.verify() == {} and len(found.runs()) == len(sim.results.open(store).runs())
    with pytest.raises(ResultsError, match=r"older sim, without columns\.parquet"):
        found.columns  # noqa: B018
    sweep_file = next(store.parent.glob("*.toml"))
    status, _, err = invoke("sweep", sweep_file, "--out", copy, "--workers", "0")
    assert status == 2 and len(err.strip().splitlines()) == 1
    assert "made by an older sim, without columns.parquet" in err


def test_an_older_run_folder_is_read_without_a_catalog(run_folder, tmp_path):
    """A `sim run` folder made before the catalog (sealed without columns.parquet): its runs
    read as before, its catalog is refused in one line."""
    copy = tmp_path / "older_run"
    shutil.copytree(run_folder, copy)
    (copy / "columns.parquet").unlink()
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest = {k: v for k, v in manifest.items() if k != SEAL}
    del manifest["files"]["columns.parquet"]
    (copy / "manifest.json").write_text(json.dumps(sealed(manifest)))
    found = sim.results.open(copy)
    assert found.verify() == {} and found.runs().equals(sim.results.open(run_folder).runs())
    with pytest.raises(ResultsError, match=r"older sim, without columns\.parquet"):
        found.columns  # noqa: B018


def test_a_store_whose_catalog_was_altered_is_refused(store, tmp_path):
    copy = tmp_path / "altered"
    shutil.copytree(store, copy)
    with (copy / "columns.parquet").open("ab") as file:
        file.write(b"\x00")
    with pytest.raises(ResultsError, match=r"columns\.parquet: altered"):
        sim.results.open(copy).verify()
    sweep_file = next(store.parent.glob("*.toml"))
    status, _, err = invoke("sweep", sweep_file, "--out", copy, "--workers", "0")
    assert status == 2 and "columns.parquet: altered" in err


def test_polars_reads_postures_as_an_enum_in_ladder_order(run_folder):
    """Where polars is installed (it is not among the project's dependencies): postures and
    level names come as Enums of the ladder's order, and sort so."""
    pl = pytest.importorskip("polars")
    daily = pl.read_parquet(run_folder / "daily.parquet")
    assert daily.schema["posture_damascus"] == pl.Enum(["shelling", "offensive", "assault"])
    assert daily.schema["level_name"] == pl.Enum(list(LEVELS))
    ordered = daily.group_by("posture_damascus").len().sort("posture_damascus")
    assert ordered["posture_damascus"].to_list() == ["shelling", "offensive", "assault"]
