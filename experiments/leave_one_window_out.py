"""Leave one window out: fit the fitted parameters on one calibration window, predict the other.

The model has two calibration windows (sim/analysis/data/targets.toml): the article's, days
0-128 (C04, C11, C12, C14), and the 2019 offensive's (P01-P05). The registry's defaults were
fitted to both. This script fits the same parameters (the union of `fit_defaults.py`'s two
stages' search lists) on one window alone, the other window's targets with zero weight, and
asks how well the fit predicts the window it never saw, without refitting:

1. search: `--rounds` Latin hypercubes (`fit_defaults.latin_hypercube`) of `--candidates`
   points, the first over the registry's plausible ranges (not the stages' narrower ones),
   each next one `--shrink` times as wide around the best so far; `--replicates` runs a
   candidate, to the window's last day; a candidate's distance is `sim calibrate`'s: the
   Euclidean norm of its misses outside the window's bands, in half-bands (`Target.miss`);
2. confirm: the `--finalists` best run again, `--confirm` runs each (new seeds), ranked the
   same way (`defaults_from_posterior.judge`); the best of them is the window's fit;
3. redraw: the fit with the parameters that only the other window's stage searches drawn
   afresh over their ranges (`--redraws` points, `--confirm` runs each): whether the window
   still holds, and how far the other window's targets follow the draws (what the window
   cannot identify, the prediction takes from the ranges);
4. check: each window's fit and the registry's defaults (fitted to both) run `--check` times on
   the same seeds, and every target measured: the statistic, in band or not, and the miss in
   half-bands. A fit's targets in the other window are out of sample.

Everything is read from the registry, the targets file and `fit_defaults.py` at run time, so a
re-run follows the model. It writes experiments/results/leave_one_window_out.json and prints
the tables of docs/out_of_sample.md (about 4 min of CPU at the default budget).
`PYTHONPATH=.` makes it use this checkout's `sim`, wherever the environment's install points.

    PYTHONPATH=. .venv/bin/python experiments/leave_one_window_out.py
    PYTHONPATH=. .venv/bin/python experiments/leave_one_window_out.py --candidates 4000 --check 2000
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from defaults_from_posterior import judge
from fit_defaults import STAGES, latin_hypercube

from sim.analysis import calibrate
from sim.model.params import PARAMETERS
from sim.model.scenario import cut, load
from sim.sweeps.design import Varied

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "results" / "leave_one_window_out.json"
COMMAND = "python experiments/leave_one_window_out.py"

WINDOWS = ("article", "offensive")
"""The calibration windows: days 0-128 (C04, C11, C12, C14), and the 2019 offensive (P01-P05)."""
FITS = {
    "article": "fit on the article",
    "offensive": "fit on the offensive",
    "defaults": "defaults (fitted to both)",
}
"""The tables' columns: each window's fit, and the registry's defaults."""

SEARCH_KEYS = {"article": 2**40, "offensive": 2**41}
CONFIRM_KEYS = {"article": 2**42, "offensive": 2**43}
REDRAW_KEYS = {"article": 2**45, "offensive": 2**46}
CHECK_KEY = 2**44
"""Where each stage's particle keys start, so that no two stages share seeds; the check gives
the three parameter sets the same key: the same seeds (common random numbers)."""


def window_of(target: calibrate.Target) -> str:
    """The window a target belongs to: the article's if it needs no day after the talks."""
    return "article" if target.day <= STAGES["article"]["horizon"] else "offensive"


def targets_in(targets: list[calibrate.Target], window: str) -> list[calibrate.Target]:
    """The window's targets among `targets`."""
    return [t for t in targets if window_of(t) == window]


def problem(seed: int) -> calibrate.Problem:
    """Baseline, the fitted parameters over the registry's ranges, all targets, to their last
    day."""
    fitted = {name: Varied() for name in STAGES["both"]["search"]}
    calibration = calibrate.Calibration(name="leave_one_window_out", parameters=fitted, seed=seed)
    targets = calibrate.read_targets()
    scenario = cut(load("baseline")[0], max(t.day for t in targets))
    return calibrate.Problem(calibration, scenario, targets, calibration.priors(), text="")


def search(p: calibrate.Problem, window: str, args: argparse.Namespace) -> pd.DataFrame:
    """Every candidate of the window's rounds, judged on the window's targets alone (run only
    to their last day), best first. The first round spans the registry's ranges; each next one
    a box `shrink` times as wide around the best so far, inside the ranges."""
    targets = targets_in(p.targets, window)
    scenario = cut(p.scenario, max(t.day for t in targets))
    alone = calibrate.Problem(p.calibration, scenario, targets, p.priors, text="")
    names = list(p.priors)
    low, high = np.array(list(p.priors.values())).T
    box, judged = (low, high), pd.DataFrame()
    chunk = max(1, args.batch // args.replicates)
    for r in range(args.rounds):
        values = latin_hypercube(names, *box, args.candidates, args.seed + r)
        candidates = pd.DataFrame(values, columns=names)
        keys = SEARCH_KEYS[window] + r * 2**32
        rounds = [
            judge(alone, candidates.iloc[i : i + chunk], args.replicates, keys + i)
            for i in range(0, len(candidates), chunk)
        ]
        judged = pd.concat([judged, *rounds], ignore_index=True).sort_values(["miss", "off_middle"])
        best = judged.iloc[0][names].to_numpy(dtype=float)
        half = (high - low) * args.shrink ** (r + 1) / 2
        box = (np.maximum(best - half, low), np.minimum(best + half, high))
    return judged


def fit(p: calibrate.Problem, window: str, args: argparse.Namespace) -> dict:
    """The window's fit: the search's `finalists` best run again, ranked on the window's
    targets; the best one's values, and what redrawing the other stage's parameters does."""
    targets = targets_in(p.targets, window)
    searched = search(p, window, args)
    finalists = judge(p, searched.head(args.finalists), args.confirm, CONFIRM_KEYS[window], targets)
    values = {n: float(finalists.iloc[0][n]) for n in p.priors}
    return {
        "window": window,
        "values": values,
        "search_in_band": int((searched["miss"] == 0).sum()),
        "redrawn": redraw(p, window, values, args),
    }


def redraw(p: calibrate.Problem, window: str, values: dict, args: argparse.Namespace) -> dict:
    """The fit with the parameters only the other window's stage searches drawn afresh over
    their ranges (a Latin hypercube of `redraws` points), `confirm` runs each: how many draws
    keep each target in band, and the range of its statistic. A window blind to them keeps its
    bands while the other window's targets follow the draws: their prediction rests on the
    ranges."""
    other = STAGES[next(w for w in WINDOWS if w != window)]["search"]
    names = [n for n in other if n not in STAGES[window]["search"]]
    low, high = np.array([p.priors[n] for n in names]).T
    drawn = pd.DataFrame(latin_hypercube(names, low, high, args.redraws, args.seed), columns=names)
    fixed = {n: v for n, v in values.items() if n not in names}
    targets = targets_in(p.targets, window)
    judged = judge(p, drawn.assign(**fixed), args.confirm, REDRAW_KEYS[window], targets)
    return {
        "parameters": names,
        "window_in_band": int((judged["miss"] == 0).sum()),
        "in_band": {t.name: int(sum(t.miss(v) == 0 for v in judged[t.name])) for t in p.targets},
        "range": {
            t.name: [float(judged[t.name].min()), float(judged[t.name].max())] for t in p.targets
        },
    }


def check(p: calibrate.Problem, sets: dict[str, dict[str, float]], runs: int) -> dict:
    """Each parameter set's statistics over `runs` runs on the same seeds, target by target."""
    values = {n: np.array([s[n] for s in sets.values()]) for n in p.priors}
    stats = calibrate.simulate(p, values, np.full(len(sets), CHECK_KEY), runs)
    result = {}
    for row, name in zip(stats.to_dict("records"), sets, strict=True):
        result[name] = {
            t.name: {
                "value": float(row[t.name]),
                "in_band": bool(t.miss(row[t.name]) == 0),
                "miss": float(t.miss(row[t.name])),
            }
            for t in p.targets
        }
    return result


def measure(args: argparse.Namespace) -> dict:
    """Both fits and the defaults, checked on every target: the JSON's contents."""
    start = time.perf_counter()
    p = problem(args.seed)
    fits = {window: fit(p, window, args) for window in WINDOWS}
    sets = {window: f["values"] for window, f in fits.items()}
    sets["defaults"] = {n: PARAMETERS[n].default for n in p.priors}
    fits["defaults"] = {"window": "both", "values": sets["defaults"]}
    for name, targets in check(p, sets, args.check).items():
        fits[name]["targets"] = targets
        for window in WINDOWS:
            misses = [targets[t.name]["miss"] for t in targets_in(p.targets, window)]
            fits[name][f"distance_{window}"] = float(np.hypot.reduce(misses))
    return {
        "command": COMMAND,
        "budget": {k: getattr(args, k) for k in BUDGET},
        "seconds": round(time.perf_counter() - start),
        "parameters": list(p.priors),
        "targets": {
            t.name: {
                "window": window_of(t),
                "statistic": t.statistic,
                "band": list(t.band),
                "source": t.source,
            }
            for t in p.targets
        },
        "fits": fits,
    }


BUDGET = {
    "rounds": (2, "search: Latin hypercubes a window, each narrower than the last"),
    "candidates": (1000, "search: points a round"),
    "shrink": (0.3, "search: a round's box, as a share of the last one's width"),
    "replicates": (16, "search: runs a candidate"),
    "finalists": (20, "confirm: the search's best, run again"),
    "confirm": (100, "confirm: runs a finalist"),
    "redraws": (20, "redraw: draws of the other stage's parameters, `confirm` runs each"),
    "check": (1000, "check: runs of each fit and of the defaults"),
    "seed": (1, "the hypercube's and the runs' master seed"),
    "batch": (8000, "runs in one lockstep model (memory: about 25 kB a run)"),
}


def number(value: float) -> str:
    """A statistic as the tables show it."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def cell(result: dict, fit_name: str, target: str) -> str:
    """A fit's statistic for a target, with its miss; bold where it is out of sample."""
    measured = result["fits"][fit_name]["targets"][target]
    text = number(measured["value"])
    text += " in" if measured["in_band"] else f" out {measured['miss']:.2f}"
    window = result["fits"][fit_name]["window"]
    return f"**{text}**" if window not in ("both", result["targets"][target]["window"]) else text


def budget(result: dict) -> str:
    """What the tables cost: the runs of each stage and the wall time."""
    b = result["budget"]
    minutes, seconds = divmod(result["seconds"], 60)
    return (
        f"Budget: {b['rounds']} rounds of {b['candidates']:,} candidates x {b['replicates']} "
        f"runs a window (each round's box {b['shrink']:g} of the last's width), the "
        f"{b['finalists']} best and {b['redraws']} redraws x {b['confirm']} runs, each fit and "
        f"the defaults x {b['check']:,} runs (seed {b['seed']}): {minutes} min {seconds} s of "
        "wall time."
    )


def header(cells: list[str]) -> list[str]:
    """A markdown table's first two lines."""
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def table(result: dict) -> str:
    """The budget, then the markdown tables: every target under each fit, then under each
    window's fit with the other stage's parameters redrawn."""
    return "\n".join([budget(result), "", *fits_table(result), "", *redraws_table(result)]) + "\n"


def fits_table(result: dict) -> list[str]:
    """Every target's statistic under each fit, the windows' distances and the searches'
    yield."""
    lines = header(["target", "window", "band", *FITS.values()])
    for name, target in result["targets"].items():
        band = " - ".join(number(b) for b in target["band"])
        cells = [cell(result, f, name) for f in FITS]
        lines.append(f"| {name} | {target['window']} | {band} | " + " | ".join(cells) + " |")
    for window in WINDOWS:
        distances = [f"{result['fits'][f][f'distance_{window}']:.2f}" for f in FITS]
        lines.append(f"| distance, {window} | | | " + " | ".join(distances) + " |")
    b = result["budget"]
    found = [
        f"{result['fits'][w]['search_in_band']} of {b['rounds'] * b['candidates']:,}"
        for w in WINDOWS
    ]
    lines.append(
        "| search: candidates in all its window's bands | | | " + " | ".join(found) + " | |"
    )
    return lines


def redraws_table(result: dict) -> list[str]:
    """How many redraws keep each target in band, and the range of its statistic."""
    b = result["budget"]
    head = ["target", "window"]
    for window in WINDOWS:
        head += [f"{FITS[window]}, other stage redrawn: in band (of {b['redraws']})", "range"]
    lines = header(head)
    for name, target in result["targets"].items():
        cells = [name, target["window"]]
        for window in WINDOWS:
            redrawn = result["fits"][window]["redrawn"]
            low, high = (number(v) for v in redrawn["range"][name])
            cells += [str(redrawn["in_band"][name]), f"{low} - {high}"]
        lines.append("| " + " | ".join(cells) + " |")
    held = [str(result["fits"][w]["redrawn"]["window_in_band"]) for w in WINDOWS]
    lines.append(f"| every band of its window | | {held[0]} | | {held[1]} | |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, (default, text) in BUDGET.items():
        kind = type(default)
        parser.add_argument(f"--{name}", type=kind, default=default, help=f"{text} ({default})")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the JSON to write")
    args = parser.parse_args()
    result = measure(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))
    print(f"{result['seconds']} s; wrote {args.output}")


if __name__ == "__main__":
    main()
