"""How the calibrated defaults were fitted: a random (Latin hypercube) search on both windows.

Each candidate is a set of values for the parameters of one stage; it runs `--replicates` times,
all candidates side by side in lockstep batches (parameters differ run by run). A candidate's
loss adds, for every target of `TARGETS`, how far its median (or share of runs) falls outside
the band, in units of the band's width. The best candidates are printed; the registry's
defaults were set to the best one, rounded, and then checked on 1,000 runs by
tests/test_calibration.py; since then the defaults of the 8 parameters that
calibrate_baseline.toml calibrates come from its ABC posterior (defaults_from_posterior.py).
`offensive_spread` and `offensive_hazard` are not searched: they are set so that the share of
runs with an offensive falls gradually across `offensive_threshold`'s range
(tests/test_day_cycle.py), and the search fits the rest around them.

    .venv/bin/python experiments/fit_defaults.py --stage article --candidates 400
    .venv/bin/python experiments/fit_defaults.py --stage offensive --candidates 400
    .venv/bin/python experiments/fit_defaults.py --stage both --around 0.25 --candidates 1200
"""

import argparse
import time

import numpy as np
from scipy.stats import qmc

from sim.model import EscalationModel
from sim.model.params import PARAMETERS
from sim.model.scenario import load

STAGES = {
    # the article's window (C11, C12): breaches, their toll, HTS's takeover
    "article": {
        "horizon": 128,
        "search": {
            "shelling_rate": (0.3, 0.8),
            "raid_rate": (0.1, 0.5),
            "killed_per_breach": (0.04, 0.08),
            "injured_per_breach": (0.17, 0.3),
            "defection": (0.004, 0.025),
            "hts_attack_hazard": (0.01, 0.2),
            "hts_attack_odds": (1.0, 2.5),
            "cede_odds": (1.5, 5.0),
            "frustration_hts": (0.5, 1.5),
            "frustration_memory": (0.02, 0.08),
        },
    },
    # the 2019 offensive (P01-P05): its timing, toll, displacement, gains and pause
    "offensive": {
        "horizon": 365,
        "search": {
            "offensive_threshold": (0.8, 1.5),
            "relation_patience": (0.0, 1.0),
            "offensive_air": (2.0, 10.0),
            "strike_lethality": (0.5, 15.0),
            "ground_lethality": (0.0, 0.5),
            "flight_per_strike": (0.0, 0.02),
            "flight_per_shell": (0.0, 0.002),
            "contest_flight": (0.002, 0.03),
            "capture_rate": (0.01, 0.15),
            "widen_days": (15, 90),
            "offensive_strain": (0.0, 0.005),
            "crowding_summit": (0.01, 0.5),
            "summit_relation": (0.1, 0.4),
            "frustration_shelling": (0.0, 2.0),
            "strike_threshold": (0.6, 1.2),
            "air_strike_rate": (0.2, 2.0),
            "front_reinforcement": (0.0, 0.15),
            "offensive_support": (1.5, 7.0),
        },
    },
}


STAGES["both"] = {
    "horizon": 365,
    "search": {**STAGES["article"]["search"], **STAGES["offensive"]["search"]},
}
"""Both windows at once: used with --around to refine the defaults the two stages found."""


def median(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(np.median(x)) if x.size else np.nan


def share(x: np.ndarray) -> float:
    return float(np.mean(x))


TARGETS = {
    # name: (statistic of a candidate's runs, low, high, source)
    "breaches_day128": (lambda s: median(s["breaches_day128"]), 1000, 1300, "C11"),
    "breach_killed_day128": (lambda s: median(s["breach_killed_day128"]), 50, 80, "C11"),
    "breach_injured_day128": (lambda s: median(s["breach_injured_day128"]), 200, 320, "C11"),
    "hts_share": (lambda s: median(s["hts_zone_share_day128"]), 0.9, 1.0, "C04, C11"),
    "hts_share_runs": (lambda s: share(s["hts_zone_share_day128"] >= 0.9), 0.75, 1.0, "C04"),
    "cessions": (lambda s: median(s["cessions_day100_128"]), 2, 4, "C12"),
    "no_early_offensive": (
        lambda s: share(np.isnan(s["first_offensive_day"]) | (s["first_offensive_day"] > 128)),
        0.9,
        1.0,
        "C04, C14",
    ),
    "P01": (
        lambda s: median(np.nan_to_num(s["first_offensive_day"], nan=999)),
        200,
        250,
        "P01",
    ),
    "P02": (lambda s: median(s["displaced_day225_340"]), 300_000, 650_000, "P02"),
    "P03": (lambda s: median(s["civilians_killed_day224_346"]), 700, 1600, "P03"),
    "P04_hama": (lambda s: share(s["damascus_holds_northern_hama_day345"] == 1), 0.5, 1.0, "P04"),
    "P04_khan": (lambda s: share(s["damascus_holds_khan_shaykhun_day345"] == 1), 0.5, 1.0, "P04"),
    "P04_maarat": (
        lambda s: share(s["damascus_holds_maarat_al_numan_day345"] == 1),
        0.0,
        0.25,
        "P04",
    ),
    "P04_share": (lambda s: median(s["damascus_zone_share_day345"]), 0.0, 0.10, "P04"),
    "ladder_order": (
        lambda s: share(
            (s["first_day_level_2"] >= 0)
            & ((s["first_day_level_2"] < s["first_day_level_3"]) | np.isnan(s["first_day_level_3"]))
        ),
        0.5,
        1.0,
        "ladder: sustained shelling before an air campaign",
    ),
    "P05": (
        lambda s: share((s["first_pause_day"] > 0) & (s["first_pause_day"] <= 365)),
        0.5,
        1.0,
        "P05",
    ),
}


def loss(summary: dict[str, np.ndarray], names: list[str]) -> tuple[float, dict[str, float]]:
    """Sum over targets of the distance outside the band, in band widths."""
    total, stats = 0.0, {}
    for name in names:
        statistic, low, high, _ = TARGETS[name]
        value = statistic(summary)
        stats[name] = value
        if np.isnan(value):
            total += 10.0
        else:
            total += max(low - value, value - high, 0.0) / (high - low)
    return total, stats


def targets_of(horizon: int) -> list[str]:
    last_day = {"P01": 250, "P02": 340, "P03": 346, "P04": 345, "P05": 365, "ladder_order": 365}
    return [n for n in TARGETS if horizon >= last_day.get(n[:3], last_day.get(n, 128))]


def latin_hypercube(
    names: list[str], low: np.ndarray, high: np.ndarray, count: int, seed: int
) -> np.ndarray:
    """`count` candidates (rows) of a Latin hypercube over [low, high], one column a parameter,
    whole numbers where the parameter is one."""
    values = qmc.scale(qmc.LatinHypercube(d=len(names), seed=seed).random(count), low, high)
    for i, name in enumerate(names):
        if PARAMETERS[name].integer:
            values[:, i] = np.rint(values[:, i])
    return values


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stage", choices=list(STAGES), required=True)
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--replicates", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=4000, help="runs per lockstep model")
    ap.add_argument("--top", type=int, default=8)
    ap.add_argument(
        "--around",
        type=float,
        default=None,
        help="search within this share of the current defaults (e.g. 0.3), inside the registry",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="search only these of the stage's parameters; the others stay at their defaults",
    )
    args = ap.parse_args()
    stage = STAGES[args.stage]
    names = list(stage["search"])
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            ap.error(f"--only: {', '.join(unknown)} not searched in stage {args.stage}")
        stage = {**stage, "search": {n: stage["search"][n] for n in args.only}}
        names = list(args.only)
    low, high = np.array(list(stage["search"].values()), dtype=float).T
    if args.around is not None:
        default = np.array([PARAMETERS[n].default for n in names])
        low = np.maximum(default * (1 - args.around), [PARAMETERS[n].low for n in names])
        high = np.minimum(default * (1 + args.around), [PARAMETERS[n].high for n in names])
    values = latin_hypercube(names, low, high, args.candidates, args.seed)
    scenario = load("baseline")[0]
    per_run = np.repeat(values, args.replicates, axis=0)
    candidate = np.repeat(np.arange(args.candidates), args.replicates)
    runs = len(per_run)
    summaries: list[dict[str, np.ndarray]] = []
    start = time.perf_counter()
    for first in range(0, runs, args.batch):
        chunk = slice(first, min(first + args.batch, runs))
        model = EscalationModel(
            scenario,
            seeds=np.arange(first, chunk.stop) + 10**6 * args.seed,
            parameters={name: per_run[chunk, i] for i, name in enumerate(names)},
            record_every=None,
        )
        model.run(stage["horizon"])
        summaries.append(model.recorder.summary_columns())
    summary = {k: np.concatenate([s[k] for s in summaries]) for k in summaries[0]}
    print(f"{runs} runs in {time.perf_counter() - start:.0f} s")
    wanted = targets_of(stage["horizon"])
    scored = []
    for c in range(args.candidates):
        mine = {k: v[candidate == c] for k, v in summary.items()}
        scored.append((*loss(mine, wanted), c))
    scored.sort(key=lambda item: item[0])
    for total, stats, c in scored[: args.top]:
        print(
            f"loss {total:.3f}: "
            + ", ".join(f"{n}={values[c, i]:.4g}" for i, n in enumerate(names))
        )
        print("    " + ", ".join(f"{k}={v:.3g}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
