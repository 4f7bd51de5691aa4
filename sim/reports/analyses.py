"""The folders the analyses write: a sensitivity analysis, a calibration and its coverage check,
each with its outputs, its figure and manifest.json."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.io.disk import ResultsError
from sim.reports import files, plots
from sim.reports.files import claim, release, staged

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
    name = found.manifest["sweep"]["name"]
    target = claim(out, Path("results") / "analysis" / f"{name}-sensitivity", noted)
    about = {
        "analysis": f"{result.method} sensitivity (SALib)",
        "store": str(run["store"]),
        "store_identity": found.manifest["identity"],
        "outcomes": {name: OUTCOMES.get(name, "") for name in result.chance["outcome"]},
        "base_samples": result.base_samples,
        "resamples": run["resamples"],
        "started": run["started"].isoformat(timespec="seconds"),
    }
    try:
        with staged(target) as written:
            files.write_analysis(written, outputs, about, run["argv"])
    except ResultsError:
        release(target)
        raise
    return target, list(outputs)


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
