"""The figures docs/ODD.md quotes, measured on 1,000 baseline runs (seed 20190123, the seed of
tests/test_calibration.py) to the horizon (day 560):

    PYTHONPATH=. python experiments/odd_figures.py [--runs 1000] [--seed 20190123]

It prints the count of parameters by basis, both calibration windows (the median with its
10-90% range, or the share of runs), the figures beyond them, in the order of the ODD's tables,
and the coupling of the theatres (section 3.4: the north-east operation with the Idlib links
switched off or turned up, the same seeds). About a minute on one core.
"""

import argparse

import numpy as np

from sim.analysis.calibrate import fitted_parameters
from sim.model import EscalationModel
from sim.model.claims import ASSUMPTION
from sim.model.geography import RUSSIA
from sim.model.params import PARAMETERS


def spread(values: np.ndarray, digits: int = 0) -> str:
    """`median (10-90%: low-high)` of the finite values, with how many runs they are."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return "none"
    low, mid, high = np.percentile(v, [10, 50, 90])
    f = f"{{:,.{digits}f}}"
    return f"{f.format(mid)} ({f.format(low)}-{f.format(high)}; {v.size} runs)"


def share(flags: np.ndarray) -> str:
    """The share of runs where `flags` holds, in per cent."""
    return f"{100 * np.mean(flags):.1f}%"


def basis_counts() -> dict[str, int]:
    """How many parameters cite a claim, a pattern (`external`), were fitted or are assumed."""
    fitted = set(fitted_parameters())
    params = PARAMETERS.values()
    return {
        "parameters": len(PARAMETERS),
        "cite a claim (C01-C19)": sum(any(b.startswith("C") for b in p.basis) for p in params),
        "cite a pattern (P01-P05, external)": sum(
            any(b.startswith("P") for b in p.basis) for p in params
        ),
        "fitted (sim.analysis.calibrate.fitted_parameters)": len(fitted),
        "assumption (basis says so)": sum(ASSUMPTION in p.basis for p in params),
        "claim, not fitted, no assumption": sum(
            p.name not in fitted and ASSUMPTION not in p.basis for p in params
        ),
        "ladder thresholds (define an outcome)": sum(p.defines_outcome for p in params),
    }


COUPLING = {
    "defaults": {},
    "hardly any offensive (offensive_threshold 2.0)": {"offensive_threshold": 2.0},
    "offensives that do not strain (offensive_strain 0)": {"offensive_strain": 0.0},
    "the highest strain (offensive_strain 0.005)": {"offensive_strain": 0.005},
}
"""The runs of section 3.4: how an Idlib offensive changes the north-east."""


def coupling(runs: int, seed: int) -> None:
    """The north-east operation's share of runs and median day under each of `COUPLING`."""
    for what, values in COUPLING.items():
        model = EscalationModel(
            "baseline", runs, seed, record_every=None, record_events=False, **values
        )
        model.run()
        s = model.recorder.summary_columns()
        ne = np.asarray(s["ne_operation_day"], dtype=float)
        offensives = np.median(s["offensives"])
        print(
            f"{what}: operation in {share(np.isfinite(ne))}, day {spread(ne)}; "
            f"offensives {offensives:g}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20190123)
    args = parser.parse_args()

    for what, count in basis_counts().items():
        print(f"{what}: {count}")

    model = EscalationModel(
        "baseline", args.runs, args.seed, record_every=None, record_events=False
    )
    frustration = {}
    while model.running:
        model.step()
        if model.day - 1 in (30, 90, 127):
            frustration[model.day - 1] = float(np.median(model.faction(RUSSIA).frustration))
    s = model.recorder.summary_columns()
    nan = lambda name: np.asarray(s[name], dtype=float)  # noqa: E731

    first = nan("first_offensive_day")
    pause = nan("first_pause_day")
    print(f"\nThe article's window ({args.runs} baseline runs, seed {args.seed})")
    print("breaches by day 128:", spread(nan("breaches_day128")))
    print("killed in them:", spread(nan("breach_killed_day128")))
    print("injured in them:", spread(nan("breach_injured_day128")))
    hts = nan("hts_zone_share_day128")
    print("HTS share day 128:", spread(hts, 3), "; >= 0.9 in", share(hts >= 0.9))
    ces = nan("cessions_day100_128")
    print("cessions days 100-128:", spread(ces), "; >= 2 in", share(ces >= 2))
    print("no offensive before day 128:", share(np.isnan(first) | (first > 128)))
    print(
        "frustration days 30 / 90 / 127:",
        " / ".join(f"{frustration[d]:.2f}" for d in (30, 90, 127)),
    )

    print("\nThe 2019 offensive")
    print("first offensive day:", spread(first), "; none by 560 in", share(np.isnan(first)))
    print("earliest 5% of first offensives: days", np.nanpercentile(first, [0, 5]))
    print("fled days 225-340 (P02):", spread(nan("displaced_day225_340")))
    print("civilians killed days 224-346 (P03):", spread(nan("civilians_killed_day224_346")))
    for d in ("northern_hama", "khan_shaykhun", "maarat_al_numan"):
        print(f"Damascus holds {d} day 345:", share(nan(f"damascus_holds_{d}_day345") == 1))
    print("Damascus zone share day 345:", spread(nan("damascus_zone_share_day345"), 3))
    print(
        "paused by day 365 (P05):",
        share((pause >= 0) & (pause <= 365)),
        "; pause day",
        spread(pause),
    )

    print("\nBeyond the windows, to day", model.day - 1)
    print("offensives:", spread(nan("offensives")))
    print("summits:", spread(nan("summits")))
    print("truces broken:", spread(nan("truces_broken")))
    peak = nan("peak_level")
    for k in range(3, 8):
        print(f"peak level >= {k}:", share(peak >= k))
    l3, l4 = nan("first_day_level_3"), nan("first_day_level_4")
    reach4 = np.isfinite(l4)
    print(
        "level 3 before level 4, of runs reaching 4:",
        share(np.nan_to_num(l3[reach4], nan=1e9) < l4[reach4]),
    )
    ne = nan("ne_operation_day")
    print(
        "north-east operation:",
        share(np.isfinite(ne)),
        "; day",
        spread(ne),
        "; first",
        np.nanmin(ne),
    )
    deal = nan("kurd_damascus_deal_day")
    print("Kurdish deal:", share(np.isfinite(deal)), "; day", spread(deal))
    print("Turkish soldiers killed:", spread(nan("turkish_soldiers_killed")))
    print("civilians killed:", spread(nan("civilians_killed")))
    print("killed (everyone):", spread(nan("killed")))
    print("displaced peak (north-west):", spread(nan("displaced_peak")))
    print("left for Turkey:", spread(nan("left_for_turkey")))
    print("aid coverage:", spread(nan("aid_coverage"), 3))
    print("relation low:", spread(nan("relation_low"), 2))
    print(
        "opposition fighters at the horizon (thousand):", spread(nan("final_opposition_force"), 2)
    )

    print("\nThe coupling of the theatres (section 3.4)")
    coupling(args.runs, args.seed)


if __name__ == "__main__":
    main()
