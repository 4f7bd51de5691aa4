"""The folders the analyses write: a sensitivity analysis, Shapley effects over a posterior, a
scenario discovery, a calibration and its coverage check, each with its outputs, its figure and
manifest.json; and an analysis folder read back for a report (`sim report DIR --with DIR`)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from sim.io.disk import ResultsError, read_sealed
from sim.reports import files, plots
from sim.reports.files import claim, release, staged
from sim.sweeps.results import SweepResults

SENSITIVITY, DISCOVERY, SHAPLEY = "sensitivity", "discovery", "shapley"
"""The kinds of analysis folder a report shows, each known by its first table."""

FIRST_TABLE = {
    SENSITIVITY: "indices.parquet",
    DISCOVERY: "trajectory.parquet",
    SHAPLEY: "shapley.parquet",
}

Noted = Callable[[str], None]
"""Where a note goes that the command goes on after (a folder taken over, say)."""


def sensitivity(
    found: Any, result: Any, out: Path | None, run: dict[str, Any], noted: Noted
) -> tuple[Path, list[str]]:
    """A sensitivity analysis (`sim.analysis.sensitivity.analyse`) of a sweep store into a new
    folder (default: results/analysis/<sweep>-sensitivity): indices, chance, convergence (and
    second order), sensitivity.png and manifest.json. `run` says how it was made (store,
    resamples, started, argv). The folder and its outputs' names."""
    from sim.analysis.sensitivity import OUTCOMES

    outputs = {
        "indices.parquet": result.indices,
        "chance.parquet": result.chance,
        "convergence.parquet": result.convergence,
    }
    if not result.second_order.empty:
        outputs["second_order.parquet"] = result.second_order
    outputs["sensitivity.png"] = plots.sensitivity(result)
    about = {
        "analysis": f"{result.method} sensitivity (SALib)",
        "outcomes": {name: OUTCOMES.get(name, "") for name in result.chance["outcome"]},
        "base_samples": result.base_samples,
        "resamples": run["resamples"],
    }
    return _of_store(SENSITIVITY, found, outputs, about, out, run, noted)


def posterior_sensitivity(
    calibration: Path, result: Any, out: Path | None, run: dict[str, Any], noted: Noted
) -> tuple[Path, list[str]]:
    """Shapley effects over a calibration's posterior (`sim.analysis.shapley.over_posterior`)
    into a new folder (default: results/analysis/<calibration>-shapley): shapley, chance and
    correlation (.parquet), shapley.png and manifest.json naming the calibration folder. The
    folder and its outputs' names."""
    from sim.analysis.sensitivity import OUTCOMES
    from sim.analysis.shapley import INNER

    outputs = {
        "shapley.parquet": result.indices,
        "chance.parquet": result.chance,
        "correlation.parquet": result.correlation.rename_axis("parameter").reset_index(),
        "shapley.png": plots.shapley(result),
    }
    about = {
        "analysis": "Shapley effects over the posterior (Song, Nelson & Staum 2016, Gaussian "
        "copula)",
        "outcomes": {name: OUTCOMES.get(name, "") for name in result.chance["outcome"]},
        "calibration": str(calibration),
        "calibration_name": result.calibration,
        "particles": result.particles,
        "ess": result.ess,
        "permutations": result.permutations,
        "inner": INNER,
        "points": result.points,
        "replicates": result.replicates,
        "started": run["started"].isoformat(timespec="seconds"),
    }
    default = Path("results") / "analysis" / f"{result.calibration}-shapley"
    return _new_folder(outputs, about, out, default, run["argv"], noted)


def discovery(
    found: Any, result: Any, out: Path | None, run: dict[str, Any], noted: Noted
) -> tuple[Path, list[str]]:
    """A scenario discovery (`sim.analysis.discover.discover_sweep`) of a sweep store into a
    new folder (default: results/analysis/<sweep>-discovery): the peeling trajectory, the box,
    each parameter's range, stability and score, which runs were held out, discovery.png and
    manifest.json (with the outcome, the chosen box and its rule). The folder and its
    outputs' names."""
    parameters = result.ranges.join(result.stability.rename("restricted"))
    parameters = parameters.join(result.scores.rename("score")).rename_axis("parameter")
    runs = found.finished_runs()[["run", "point"]].assign(held_out=result.held_out)
    outputs = {
        "trajectory.parquet": result.trajectory,
        "box.parquet": result.box.rename_axis("parameter").reset_index(),
        "parameters.parquet": parameters.reset_index(),
        "runs.parquet": runs,
        "discovery.png": plots.discovery(result),
    }
    about = {
        "analysis": "scenario discovery (PRIM, EMA Workbench)",
        "outcome": result.outcome,
        "share": result.share,
        "chosen": result.chosen,
        "rule": result.rule,
        "coverage": result.coverage,
        "density": result.density,
        "halves": list(result.halves),
        "peeled": result.peeled,
    }
    return _of_store(DISCOVERY, found, outputs, about, out, run, noted)


def _of_store(
    kind: str,
    found: Any,
    outputs: dict[str, Any],
    about: dict[str, Any],
    out: Path | None,
    run: dict[str, Any],
    noted: Noted,
) -> tuple[Path, list[str]]:
    """An analysis of a sweep store written into a new folder (default:
    results/analysis/<sweep>-<kind>), its manifest naming the store and its identity."""
    name = found.manifest["sweep"]["name"]
    about = about | {"store": str(run["store"])}
    about |= {"store_identity": found.manifest["identity"]}
    about |= {"started": run["started"].isoformat(timespec="seconds")}
    default = Path("results") / "analysis" / f"{name}-{kind}"
    return _new_folder(outputs, about, out, default, run["argv"], noted)


def _new_folder(
    outputs: dict[str, Any],
    about: dict[str, Any],
    out: Path | None,
    default: Path,
    argv: list[str],
    noted: Noted,
) -> tuple[Path, list[str]]:
    """An analysis's outputs and manifest written into a new folder (`out`, or the first free
    name of `default`), given back if writing fails."""
    target = claim(out, default, noted)
    try:
        with staged(target) as written:
            files.write_analysis(written, outputs, about, argv)
    except ResultsError:
        release(target)
        raise
    return target, list(outputs)


def read_analysis(folder: Path, results: Any) -> tuple[str, Any]:
    """An analysis folder for the report of `results` (`sim.results.open`), checked against its
    manifest: its kind and its result (`Sensitivity`, `Discovery` or `PosteriorShapley`). A
    sensitivity or discovery folder must be of the sweep store `results`; a Shapley folder is
    of a calibration, so it goes with any results. A one-line ResultsError for another folder,
    or an analysis of another store."""
    neither = f"{folder}: --with: not a `sim sensitivity` or `sim discover` folder"
    try:
        manifest = read_sealed(folder)
    except FileNotFoundError:
        raise ResultsError(f"{neither} (no manifest.json)") from None
    kinds = [k for k, first in FIRST_TABLE.items() if first in manifest["files"]]
    if not kinds:
        raise ResultsError(neither)
    kind = kinds[0]
    if kind != SHAPLEY:
        _check_store(folder, manifest, results)
    tables = {name.removesuffix(".parquet"): folder / name for name in manifest["files"]}
    try:
        read = {k: pd.read_parquet(p) for k, p in tables.items() if p.suffix == ".parquet"}
    except (OSError, pa.ArrowException) as error:
        raise ResultsError(f"{folder}: unreadable ({error})") from None
    made = {SENSITIVITY: _sensitivity, DISCOVERY: _discovery, SHAPLEY: _shapley}[kind]
    return kind, made(manifest, read)


def _check_store(folder: Path, manifest: dict[str, Any], results: Any) -> None:
    """A one-line ResultsError unless the analysis folder (its `manifest`) is of `results`,
    a sweep store."""
    if not isinstance(results, SweepResults):
        raise ResultsError(
            f"{results.folder}: --with {folder}: a `sim run` folder has no sweep to analyse"
        )
    if manifest.get("store_identity") != results.manifest["identity"]:
        raise ResultsError(
            f"{folder}: --with: an analysis of another sweep ({manifest.get('store')}), not of "
            f"{results.folder}"
        )


def _sensitivity(manifest: dict[str, Any], read: dict[str, pd.DataFrame]) -> Any:
    from sim.analysis.sensitivity import Sensitivity

    return Sensitivity(
        method=manifest["analysis"].split()[0],
        base_samples=manifest["base_samples"],
        indices=read["indices"],
        second_order=read.get("second_order", pd.DataFrame()),
        chance=read["chance"],
        convergence=read["convergence"],
    )


def _shapley(manifest: dict[str, Any], read: dict[str, pd.DataFrame]) -> Any:
    from sim.analysis.shapley import PosteriorShapley

    return PosteriorShapley(
        indices=read["shapley"],
        chance=read["chance"],
        correlation=read["correlation"].set_index("parameter").rename_axis(None),
        calibration=manifest["calibration_name"],
        particles=manifest["particles"],
        ess=manifest["ess"],
        permutations=manifest["permutations"],
        points=manifest["points"],
        replicates=manifest["replicates"],
    )


def _discovery(manifest: dict[str, Any], read: dict[str, pd.DataFrame]) -> Any:
    from sim.analysis.discover import Discovery

    parameters = read["parameters"].set_index("parameter").rename_axis(None)
    return Discovery(
        outcome=manifest["outcome"],
        share=manifest["share"],
        trajectory=read["trajectory"],
        chosen=manifest["chosen"],
        rule=manifest["rule"],
        box=read["box"].set_index("parameter").rename_axis(None),
        ranges=parameters[["low", "high"]],
        coverage=manifest["coverage"],
        density=manifest["density"],
        held_out=read["runs"]["held_out"].to_numpy(dtype=bool),
        halves=(manifest["halves"][0], manifest["halves"][1]),
        peeled=manifest["peeled"],
        stability=parameters["restricted"].sort_values(ascending=False, kind="stable"),
        scores=parameters["score"].sort_values(ascending=False, kind="stable"),
    )


def coverage_check(
    problem: Any, draws: int, folder: Path, client: Any, argv: list[str], noted: Noted
) -> tuple[Any, Path, list[str]]:
    """The coverage check (`sim.analysis.calibrate.coverage`) into a new <folder>-check-K/:
    coverage and verdict (.parquet), coverage.png and manifest.json. The verdict, the folder
    and its outputs' names; a ValueError or ResultsError for a check that failed (its folder
    given back)."""
    from sim.analysis import calibrate as abc
    from sim.analysis.coverage import verdict

    about = {"calibration_file": problem.text, "identity": abc.identity(problem)}
    target = claim(None, folder.with_name(f"{folder.name}-check-{draws}"), noted)
    try:
        with client as dask:
            found = abc.coverage(problem, draws, dask)
        judged = verdict(found)
        with staged(target) as written:
            outputs = {
                "coverage.parquet": found,
                "verdict.parquet": judged,
                "coverage.png": plots.coverage(found),
            }
            files.write_analysis(written, outputs, about | {"draws": draws}, argv)
    except BaseException:
        release(target)
        raise
    return judged, target, list(outputs)


def calibration(
    problem: Any, folder: Path, client: Any, run: dict[str, Any]
) -> tuple[Any, Any, list[str]]:
    """A calibration (`sim.analysis.calibration_folder.calibrate_into`) into its folder, made or
    resumed: posterior and predictive (.parquet), predictive.png, parameters.toml, sample.toml
    and manifest.json; `run` says how it was made (started, argv, label: the file named in a
    failure). The posterior, the predictive check and the outputs' names."""
    from sim.analysis import calibrate as abc
    from sim.analysis.calibration_folder import calibrate_into

    identity = abc.identity(problem)
    written: list[str] = []

    def write(posterior: Any, checked: Any) -> None:
        outputs = {
            "posterior.parquet": posterior.particles,
            "predictive.parquet": checked,
            "predictive.png": plots.predictive(checked),
            "generations.parquet": posterior.generations(),
            "pairs.png": plots.pairs(posterior),
            "parameters.toml": abc.parameter_file(problem, posterior),
            "sample.toml": abc.sample_file(problem, posterior),
        }
        about = {"calibration_file": problem.text, "identity": identity}
        about |= {"started": run["started"].isoformat(timespec="seconds")}
        files.write_analysis(
            folder, outputs, about | {"temperatures": posterior.temperatures}, run["argv"]
        )
        written.extend(outputs)

    posterior, checked = calibrate_into(folder, problem, identity, client, write, run["label"])
    return posterior, checked, written
