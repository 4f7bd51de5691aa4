"""Every figure and number of docs/calibration.md, made by the commands that page shows:

1. `sim calibrate` of calibrate_baseline.toml (both windows), calibrate_article.toml (the
   article's window, the offensive's held out) and calibrate_offensive.toml (the other way
   round), into --folders (a folder that is there is resumed, so a finished one costs only its
   predictive check);
2. with --check, `sim calibrate calibrate_check.toml --check 50`, the coverage check, unless its
   folder (<folders>/calibrate_check-check-50) is there already (its 50 calibrations run one
   after another); without, the check's folder is read if it is there;
3. docs/calibration_pairs.png, docs/calibration_predictive.png and (once the check has run)
   docs/calibration_coverage.png, the numbers the page quotes in docs/calibration.json (the
   noise floor's taken from experiments/results/noise_floor.json, which
   experiments/noise_floor.py writes), and the page's marked blocks (`<!-- figures: NAME -->`
   to `<!-- /figures -->`) rewritten from them;
   tests/test_analysis_figures.py checks that the blocks are the JSON's and that every number
   the prose quotes is in a block.

The three calibrations take from about 40 minutes to some hours of CPU each (the JSON has each
one's time). `PYTHONPATH=.` makes it use this checkout's `sim`.

    PYTHONPATH=. .venv/bin/python experiments/calibration_figures.py
"""

import argparse
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
from analysis_figures import DOCS, HERE, ROOT, minutes, rewrite, sim

from sim.analysis import posterior as posteriors
from sim.analysis.calibrate import ALL_BANDS
from sim.analysis.coverage import JOINT
from sim.model.params import PARAMETERS

COMMAND = "python experiments/calibration_figures.py"
FITS = ("baseline", "article", "offensive")
"""The calibrations: experiments/calibrate_NAME.toml into FOLDERS/calibrate_NAME."""
DRAWS = 50
"""The coverage check's draws."""
COVERAGE_FIGURE = "calibration_coverage.png"
"""The coverage check's figure in docs/, there only if the check has been run."""


def calibration(name: str, folders: Path) -> dict[str, Any]:
    """Run (or resume) a calibration; what the page quotes of it."""
    import pyabc  # here: the tests read this module for its blocks alone

    file, folder = HERE / f"calibrate_{name}.toml", folders / f"calibrate_{name}"
    sim("calibrate", file, "--out", folder)
    setup = tomllib.loads(file.read_text(encoding="utf-8"))
    populations = pyabc.History(f"sqlite:///{folder / 'abc.db'}").get_all_populations()
    found = posteriors.read(folder)
    generations = pd.read_parquet(folder / "generations.parquet")
    checked = pd.read_parquet(folder / "predictive.parquet")
    rows = checked[checked["target"] != ALL_BANDS]
    return {
        "population": setup["population"],
        "generations": len(generations),
        "replicates": setup["replicates"],
        "simulated": int(generations["simulated"].sum()),
        "seconds": float(populations["wall_time"].sum()),  # its generations', resumed or not
        "ess": [round(e, 1) for e in generations["ess"]],
        "acceptance": [round(a, 3) for a in generations["acceptance"]],
        "posterior": [
            {
                "parameter": p,
                "prior": [PARAMETERS[p].low, PARAMETERS[p].high],
                "default": PARAMETERS[p].default,
                "mean": found.mean()[p],
                "interval": list(found.interval(p, 0.9)),
            }
            for p in found.names
        ],
        "predictive": [
            {
                "target": r.target,
                "source": r.source.split(":")[0],
                "held_out": bool(r.held_out),
                "band": [r.band_low, r.band_high],
                "q05": r.q05,
                "median": r.median,
                "q95": r.q95,
                "in_band": r.in_band,
            }
            for r in rows.itertuples()
        ],
        "all_bands": float(checked.loc[checked["target"] == ALL_BANDS, "in_band"].iloc[0]),
    }


def coverage(folders: Path, run: bool) -> list[dict[str, Any]] | None:
    """The coverage check's verdict, a row a parameter: run first if asked and its folder is not
    there; None if it has not been run."""
    folder = folders / f"calibrate_check-check-{DRAWS}"
    if run and not (folder / "verdict.parquet").exists():
        check = HERE / "calibrate_check.toml"
        sim("calibrate", check, "--out", folders / "calibrate_check", "--check", DRAWS)
    if not (folder / "verdict.parquet").exists():
        (DOCS / COVERAGE_FIGURE).unlink(missing_ok=True)
        return None
    shutil.copyfile(folder / "coverage.png", DOCS / COVERAGE_FIGURE)
    return pd.read_parquet(folder / "verdict.parquet").to_dict("records")


def number(x: float) -> str:
    """A figure as the tables print it: whole and thousands separated from 100 up, three
    significant digits below."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def calibration_blocks(found: dict[str, Any]) -> dict[str, str]:
    """docs/calibration.md's marked blocks, from its JSON."""
    blocks = {}
    for name in FITS:
        c = found[name]
        blocks[f"{name}_run"] = (
            f"{c['population']} particles a generation, {c['generations']} generations, "
            f"{c['replicates']} runs a particle: {c['simulated']:,} particles simulated in "
            f"{minutes(c['seconds'])}; effective sample size by generation "
            f"{', '.join(f'{e:g}' for e in c['ess'])}; acceptance rate "
            f"{', '.join(f'{a:.0%}' for a in c['acceptance'])}.\n"
        )
    lines = ["| parameter | prior | registry default | posterior mean | 90% interval |"]
    lines.append("|---|---|---|---|---|")
    for p in found["baseline"]["posterior"]:
        low, high = p["interval"]
        lines.append(
            f"| `{p['parameter']}` | {p['prior'][0]:g}-{p['prior'][1]:g} | {p['default']:g} "
            f"| {p['mean']:.3g} | {low:.3g}-{high:.3g} |"
        )
    blocks["posterior"] = "\n".join(lines) + "\n"
    lines = [
        "| target | source | band | 5-95% of runs | median | runs in band |",
        "|---|---|---|---|---|---|",
    ]
    for t in found["baseline"]["predictive"]:
        lines.append(
            f"| `{t['target']}` | {t['source']} | {number(t['band'][0])}-{number(t['band'][1])} "
            f"| {number(t['q05'])}-{number(t['q95'])} | {number(t['median'])} "
            f"| {t['in_band']:.0%} |"
        )
    lines.append(f"| all at once | | | | | {found['baseline']['all_bands']:.1%} |")
    blocks["predictive"] = "\n".join(lines) + "\n"
    blocks["held_out"] = held_out_table(found)
    blocks["coverage"] = coverage_table(found["coverage"])
    n = found["noise_floor"]
    blocks["noise_floor"] = (
        f"{n['repeats']} sets of {n['replicates']} runs to day 365, the {n['targets']} targets: "
        f"{n['runs_in_every_band']:.1%} of single runs fall inside all {n['targets']} bands at "
        f"once, and the log-likelihood over all {n['repeats'] * n['replicates']:,} runs is "
        f"{n['log_likelihood_pooled']:.2f}. Estimated from one set of {n['replicates']} runs it "
        f"has a median of {n['log_likelihood_median']:.2f} and a spread (sd) of "
        f"{n['log_likelihood_sd']:.2f} between sets, below the 1 to 1.7 at which pseudo-marginal "
        "samplers work best (Doucet et al. 2015). A band-of-medians distance (how far a "
        f"set's medians and shares fall outside the bands, in half-bands) is 0 in "
        f"{n['distance_zero_share']:.0%} of the sets, with a median of "
        f"{n['distance_median']:.2f} and a 90th percentile of {n['distance_q90']:.2f}.\n"
    )
    return blocks


def coverage_table(verdict: list[dict[str, Any]] | None) -> str:
    """The coverage check's table and figure, or what stands in for them where it has not been
    run."""
    if verdict is None:
        return (
            f"The check has not been run at the model as it is: its {DRAWS} calibrations run one "
            "after another, and the first took more than ten minutes beside other work on a "
            f"2-core machine. `{COMMAND} --check` runs it.\n"
        )
    lines = ["| parameter | inside 50% | inside 90% | KS p-value |", "|---|---|---|---|"]
    for row in verdict:
        name = JOINT if row["parameter"] == JOINT else f"`{row['parameter']}`"
        lines.append(
            f"| {name} | {row['inside_50%']:.0%} | {row['inside_90%']:.0%} | {row['p_value']:.2g} |"
        )
    figure = f"![Each parameter's ranks against the uniform's]({COVERAGE_FIGURE})"
    return "\n".join([*lines, "", figure]) + "\n"


def held_out_table(found: dict[str, Any]) -> str:
    """Each target's share of posterior predictive runs inside its band: fitted on both windows,
    and fitted on the other window alone (held out)."""
    lines = [
        "| target | source | fitted on both windows | fitted on the other window only |",
        "|---|---|---|---|",
    ]
    both = {t["target"]: t for t in found["baseline"]["predictive"]}
    alone = {
        t["target"]: t
        for name in ("article", "offensive")
        for t in found[name]["predictive"]
        if t["held_out"]
    }
    for target, t in both.items():
        lines.append(
            f"| `{target}` | {t['source']} | {t['in_band']:.0%} | {alone[target]['in_band']:.0%} |"
        )
    lines.append(
        f"| all at once | | {found['baseline']['all_bands']:.1%} | "
        f"article's fit {found['article']['all_bands']:.1%}, "
        f"offensive's fit {found['offensive']['all_bands']:.1%} |"
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", type=Path, default=ROOT / "results" / "calibrations")
    parser.add_argument("--check", action="store_true", help="run the coverage check if needed")
    args = parser.parse_args()
    folders = args.folders
    found: dict[str, Any] = {"command": COMMAND}
    found |= {name: calibration(name, folders) for name in FITS}
    found["coverage"] = coverage(folders, args.check)
    noise = HERE / "results" / "noise_floor.json"
    found["noise_floor"] = json.loads(noise.read_text(encoding="utf-8"))
    for figure in ("pairs", "predictive"):
        source = folders / "calibrate_baseline" / f"{figure}.png"
        shutil.copyfile(source, DOCS / f"calibration_{figure}.png")
    (DOCS / "calibration.json").write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    path = DOCS / "calibration.md"
    path.write_text(rewrite(path, calibration_blocks(found)), encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} and calibration.json")


if __name__ == "__main__":
    main()
