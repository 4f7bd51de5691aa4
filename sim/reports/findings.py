"""What the analysis commands print (`sim sensitivity`, `sim discover`, `sim calibrate`, `sim
results`): each finding's rows in full, with full names and full precision, for tools (`--format
json` or `csv`, on stdout alone, the lines people read going to stderr), and the same rows as
people read them (`table`, `markdown`), with the lines above them."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.reports.listing import Format, listing, plain, runs_line
from sim.reports.terminal import console, note, say, warn, written

if TYPE_CHECKING:
    import pandas as pd

Rows = list[dict[str, Any]]
View = Callable[[Rows], Rows]
"""How people read a table's rows: the same rows, their numbers rounded and joined."""

FOR_TOOLS = {Format.json, Format.csv}


@dataclass
class Findings:
    """Lines for people, then tables (name: rows and the view people read; the first is the one
    `--format csv` prints), and `figures`: the lines' numbers, for `--format json` (which prints
    a table's list of rows alone when there is one table and no figures)."""

    tables: dict[str, tuple[Rows, View]]
    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def seen(self, name: str) -> Rows:
        """Table `name` as people read it."""
        rows, view = self.tables[name]
        return view(rows)

    def show(self, form: Format) -> None:
        """Print the findings in `form`."""
        if form not in FOR_TOOLS:
            for line in self.lines:
                say(line)
            for rows, view in self.tables.values():
                console.print(listing(view(rows), form))
            return
        for line in self.lines:
            note(line)
        if form is Format.json and (self.figures or len(self.tables) > 1):
            whole = plain(self.figures) | {
                name: plain(rows) for name, (rows, _) in self.tables.items()
            }
            console.print(json.dumps(whole, indent=1))
        else:  # csv, or json of one table
            console.print(listing(next(iter(self.tables.values()))[0], form))


def told(message: str, form: Format) -> None:
    """A line after the findings: on stdout for people, on stderr (a note) beside a tool's
    output."""
    (note if form in FOR_TOOLS else say)(message)


def sensitivity(result: Any) -> Findings:
    """Global sensitivity (`sim.analysis.sensitivity`): a row for each outcome's three strongest
    parameters (one with none for an outcome constant in the sweep), with the outcome's share of
    chance (and Morris's noise floor), the indices with their 95% half-widths and the largest
    change of the main index from N/2 base samples to N."""
    indices = (
        ["S1", "S1_conf", "ST", "ST_conf", "S1_adj", "S1_adj_conf", "ST_adj", "ST_adj_conf"]
        if result.method == "sobol"
        else ["mu_star", "mu_star_conf", "sigma", "above_noise"]
    )
    outcome = ["chance_share", "chance_in_means"] + (
        ["noise_floor"] if result.method == "morris" else []
    )
    rows = []
    for row in result.chance.to_dict("records"):
        first = {"outcome": row["outcome"]} | {name: row[name] for name in outcome}
        change = {"largest_change": result.largest_change(row["outcome"])}
        drivers = result.drivers(row["outcome"], top=3).dropna(subset=[result.main_index])
        if drivers.empty:
            rows.append(first | {"parameter": None} | dict.fromkeys(indices) | change)
        for driver in drivers.to_dict("records"):
            picked = {name: driver[name] for name in indices}
            rows.append(first | {"parameter": driver["parameter"]} | picked | change)
    return Findings({"indices": (rows, sensitivity_view)})


def sensitivity_view(rows: Rows) -> Rows:
    """The sensitivity rows as people read them: an outcome's figures on its first row, each
    index with its half-width (`0.41±0.03`)."""
    morris = "mu_star" in rows[0]
    shown, form = (["mu_star", "sigma"], ".3g") if morris else (["S1", "ST", "ST_adj"], ".2f")
    view, last = [], None
    for row in rows:
        new, last = row["outcome"] != last, row["outcome"]
        cells = {"outcome": row["outcome"], "chance": f"{row['chance_share']:.0%}"}
        if morris:
            cells["noise floor"] = f"{row['noise_floor']:{form}}"
        cells = cells if new else dict.fromkeys(cells, "")
        cells["parameter"] = row["parameter"] or "(constant in this sweep)"
        for name in shown:
            value, conf = row[name], row.get(f"{name}_conf")
            cells[name] = (
                ""
                if value is None
                else f"{value:{form}}" + (f"±{conf:{form}}" if conf is not None else "")
            )
        cells["vs N/2"] = f"{row['largest_change']:.2f}" if new and row["parameter"] else ""
        view.append(cells)
    return view


def posterior_sensitivity(result: Any) -> Findings:
    """Shapley effects over a posterior (`sim.analysis.shapley`): a row for each outcome and
    parameter, strongest first, with the outcome's share of chance, the effect (the outcome's
    units squared) and its share of the parameters' part, each with its 95% half-width."""
    rows, left_out = [], []
    for row in result.chance.to_dict("records"):
        first = {"outcome": row["outcome"], "chance_share": row["chance_share"]}
        first |= {k: row.get(k) for k in ("chance_in_means", "chance_dominated", "reason")}
        left_out += [f"{row['outcome']}: {row['reason']}; no shares"] if row.get("reason") else []
        ranked = result.indices[result.indices["outcome"] == row["outcome"]]
        for effect in ranked.sort_values("shapley", ascending=False).to_dict("records"):
            picked = ["parameter", "shapley", "shapley_conf", "share", "share_conf"]
            rows.append(first | {name: effect[name] for name in picked})
    lines = [
        f"Shapley effects over the posterior of {result.calibration!r} (a Gaussian copula "
        f"fitted to its last {result.particles} particles, effective sample size "
        f"{result.ess:.1f}): {result.permutations} random orders, {result.points:,} points x "
        f"{result.replicates} runs"
    ]
    if result.ess < result.particles / 10:
        lines.append(
            "the posterior rests on a few particles: the copula, and so the effects, describe "
            "them more than the posterior"
        )
    return Findings({"shapley": (rows, shapley_view)}, lines + left_out)


def shapley_view(rows: Rows) -> Rows:
    """The Shapley rows as people read them: an outcome's chance on its first row (marked where
    it dominates), each share with its half-width (`0.41±0.03`), `-` where there is none."""
    from sim.analysis.shapley import CHANCE_DOMINATED

    view, last = [], None
    for row in rows:
        new, last = row["outcome"] != last, row["outcome"]
        chance = f"{row['chance_share']:.0%}"
        chance += f", {CHANCE_DOMINATED}" if row["chance_dominated"] else ""
        cells = {"outcome": row["outcome"], "chance": chance}
        cells = cells if new else dict.fromkeys(cells, "")
        cells["parameter"] = row["parameter"]
        explained = row["share"] == row["share"]  # NaN: no shares (the row's `reason`)
        cells["share"] = f"{row['share']:.2f}±{row['share_conf']:.2f}" if explained else "-"
        cells["effect"] = f"{row['shapley']:.3g}±{row['shapley_conf']:.2g}"
        view.append(cells)
    return view


def discovery(result: Any) -> Findings:
    """Scenario discovery (`sim.analysis.discover`): each parameter's box limits with their
    quasi-p-values, range, stability and feature score; the peeling trajectory with the chosen
    box marked; and the chosen box's figures."""
    from sim.analysis.discover import NULL

    parameters = []
    for name in result.scores.index:
        box = result.box.loc[name] if name in result.box.index else None
        parameters.append(
            {"parameter": name}
            | {c: None if box is None else box[c] for c in ["low", "high", "qp"]}
            | {"range_low": result.ranges.loc[name, "low"]}
            | {"range_high": result.ranges.loc[name, "high"]}
            | {"restricted": result.stability[name], "score": result.scores[name]}
        )
    path = [
        {"box": i, "chosen": i == result.chosen} | row
        for i, row in enumerate(result.trajectory.to_dict("records"))
    ]
    figures = {
        "outcome": result.outcome,
        "share": result.share,
        "chosen": result.chosen,
        "rule": result.rule,
        "held_out_coverage": result.coverage,
        "held_out_density": result.density,
        "whole_held_out_density": result.trajectory.loc[0, "held_out_density"],
        "points_peeled": result.halves[0],
        "points_held_out": result.halves[1],
        "peeled": result.peeled,
        "null_restricted": result.stability[NULL],
    }
    tables = {"parameters": (parameters, box_view), "trajectory": (path, trajectory_view)}
    return Findings(tables, result.lines(), figures)


def box_view(rows: Rows) -> Rows:
    """The box's parameters as people read them."""
    return [
        {
            "parameter": row["parameter"],
            **{c: "" if row[c] is None else f"{row[c]:.3g}" for c in ["low", "high", "qp"]},
            "range": f"{row['range_low']:.3g}-{row['range_high']:.3g}",
            "restricted": f"{row['restricted']:.0%}",
            "score": f"{row['score']:.3f}",
        }
        for row in rows
    ]


def trajectory_view(rows: Rows) -> Rows:
    """The peeling trajectory as people read it, the chosen box marked."""
    return [
        {
            "box": f"{row['box']}{' (chosen)' if row['chosen'] else ''}",
            "coverage": f"{row['coverage']:.2f}",
            "density": f"{row['density']:.2f}",
            "held-out coverage": f"{row['held_out_coverage']:.2f}",
            "held-out density": f"{row['held_out_density']:.2f}",
            "kept": f"{int(row['significant_dims'])} of {int(row['res_dim'])}",
        }
        for row in rows
    ]


def coverage(judged: "pd.DataFrame") -> Findings:
    """The coverage check's verdict (`sim.analysis.coverage.verdict`), a parameter a row."""
    return Findings({"verdict": (judged.to_dict("records"), coverage_view)})


def coverage_view(rows: Rows) -> Rows:
    """The verdict as people read it."""
    return [
        {
            "parameter": row["parameter"],
            "draws": str(row["draws"]),
            "inside 50%": f"{row['inside_50%']:.0%}",
            "inside 90%": f"{row['inside_90%']:.0%}",
            "KS p-value": f"{row['p_value']:.3g}",
            "passes": str(row["passes"]),
        }
        for row in rows
    ]


def coverage_check(
    draws: int, judged: "pd.DataFrame", target: Any, outputs: list[str], form: Format
) -> None:
    """What `sim calibrate --check K` found: the verdict and where it is written."""
    from sim.analysis.coverage import ALPHA

    coverage(judged).show(form)
    failed = judged.loc[~judged["passes"], "parameter"].tolist()
    told(
        f"miscalibrated (ranks not uniform, p < {ALPHA}): {', '.join(failed)}"
        if failed
        else f"no sign of miscalibration at p < {ALPHA} in {draws} draws",
        form,
    )
    told(written(target, outputs), form)


def calibrated(problem: Any, found: Any, checked: "pd.DataFrame", wrote: str, form: Format) -> None:
    """What `sim calibrate` found: the posterior, its sample size and its predictive check."""
    from sim.analysis.calibrate import predicted

    posterior(problem.priors, found).show(form)
    ess = found.ess()[-1]
    if ess < problem.calibration.population / 10:
        warn(
            f"the last generation's effective sample size is {ess:.1f} particles of "
            f"{problem.calibration.population}: the posterior rests on a few; calibrate fewer "
            "parameters"
        )
    told(
        f"{len(found.temperatures)} generations, {found.evaluations:,} particles simulated, "
        f"effective sample size {ess:.0f}; {predicted(checked)}; " + wrote,
        form,
    )


def posterior(priors: dict[str, tuple[float, float]], found: Any) -> Findings:
    """Each calibrated parameter's prior range, posterior mean and 90% interval."""
    rows = []
    for name, (low, high) in priors.items():
        a, b = found.interval(name, 0.9)
        rows.append(
            {"parameter": name, "prior_low": low, "prior_high": high}
            | {"mean": found.mean()[name], "low_90": a, "high_90": b}
        )
    return Findings({"posterior": (rows, posterior_view)})


def posterior_view(rows: Rows) -> Rows:
    """The posterior as people read it."""
    return [
        {
            "parameter": row["parameter"],
            "prior": f"{row['prior_low']:g}-{row['prior_high']:g}",
            "posterior mean": f"{row['mean']:.4g}",
            "90% interval": f"{row['low_90']:.4g}-{row['high_90']:.4g}",
        }
        for row in rows
    ]


QUANTILES = {"q10": 0.1, "q50": 0.5, "q90": 0.9}


def sweep_results(found: Any, summary: "pd.DataFrame", names: list[str]) -> Findings:
    """What a results folder (`sim.results.open`) holds, and outcomes of its runs: how many runs
    have each, and its 10%, 50% and 90%."""
    rows = []
    for name in names:
        values = summary[name].dropna()
        cut = values.quantile(list(QUANTILES.values())).tolist() if len(values) else [None] * 3
        rows.append({"outcome": name, "runs": len(values)} | dict(zip(QUANTILES, cut, strict=True)))
    manifest = found.manifest
    figures = {"sweep" if "sweep" in manifest else "scenario": found.name}
    figures |= {"runs_saved": len(summary)}
    figures |= {key: manifest[key] for key in ("runs", "points", "replicates") if key in manifest}
    return Findings({"outcomes": (rows, quantile_view)}, [runs_line(found)], figures)


def quantile_view(rows: Rows) -> Rows:
    """The outcomes' quantiles as people read them."""
    return [
        {"outcome": row["outcome"], "runs with it": f"{row['runs']:,}"}
        | {
            f"{share:.0%}": "" if row[q] is None else f"{row[q]:,.3g}"
            for q, share in QUANTILES.items()
        }
        for row in rows
    ]
