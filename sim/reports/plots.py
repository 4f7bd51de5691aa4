"""The plots: a run's overview (the escalation level over time and who holds the zone's people),
the report's charts (series with their bands, the days events first happened, outcomes against
parameters), a sensitivity analysis's indices, a scenario discovery's peeling trajectory, a
calibration's predictive and coverage checks."""

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.model.geography import ACTORS
from sim.model.ladder import LEVELS
from sim.model.record import day_to_date
from sim.reports.listing import counted_runs

if TYPE_CHECKING:
    from sim.analysis.discover import Discovery
    from sim.analysis.posterior import Posterior
    from sim.analysis.sensitivity import Sensitivity
    from sim.analysis.shapley import PosteriorShapley


def overview(daily: dict[str, np.ndarray], replicates: int, path: Path, title: str) -> None:
    """`overview_figure` written to `path` as a PNG (a run folder's overview.png)."""
    fig = overview_figure(daily, replicates, title)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def overview_figure(daily: dict[str, np.ndarray], replicates: int, title: str) -> Figure:
    """The escalation fan chart: median and 10-90% band of the theatre's level by day, and the
    median zone share of each actor (`daily`: each column's values, run by run, day by day)."""
    days = daily["day"].reshape(replicates, -1)[0]
    dates = [day_to_date(d) for d in days]
    level = daily["level"].reshape(replicates, -1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    low, mid, high = np.percentile(level, [10, 50, 90], axis=0)
    top.fill_between(dates, low, high, step="mid", alpha=0.3, label="10-90% of runs")
    top.step(dates, mid, where="mid", label="median")
    top.set_yticks(range(len(LEVELS)), [f"{i} {name}" for i, name in enumerate(LEVELS)], fontsize=7)
    top.set_ylim(-0.3, len(LEVELS) - 0.7)
    top.set_ylabel("escalation level (rung 0-7)")
    top.set_title(f"{title}: escalation level ({counted_runs(replicates)})")
    top.legend(loc="upper left", fontsize=8)
    for actor in ACTORS:
        share = np.median(daily[f"zone_share_{actor}"].reshape(replicates, -1), axis=0)
        if share.max() > 0:
            bottom.plot(dates, share, label=actor)
    bottom.set_ylabel("share of the zone's people (0-1)")
    bottom.set_xlabel("date")
    bottom.set_ylim(0, 1)
    bottom.legend(loc="center right", fontsize=8)
    bottom.set_title("median share of the Idlib zone's residents each actor controls")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


Band = tuple[str, str, dict[str, str], float]
"""A panel of `bands`: its title, its y axis's label (with the unit), {line label: the series'
column} and the factor the values are multiplied by (100 for shares in %, 1e-3 for thousands)."""


def bands(series: pd.DataFrame, panels: list[Band], runs: int) -> Figure:
    """Panels of series over time: each column's median over the runs by day, with its 10-90%
    band (`series`: one row a run and day, as a run's daily.parquet or a store's series)."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.2 * len(panels)), squeeze=False)
    by_day = series.groupby("day")
    dates = [day_to_date(d) for d in by_day.size().index]
    for ax, (title, unit, columns, factor) in zip(axes[:, 0], panels, strict=True):
        for label, column in columns.items():
            low, mid, high = (
                by_day[column].quantile(q).to_numpy() * factor for q in (0.1, 0.5, 0.9)
            )
            (line,) = ax.plot(dates, mid, label=f"{label} (median)")
            ax.fill_between(dates, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_title(f"{title} (bands: 10-90% of {counted_runs(runs)})", fontsize=10)
        ax.set_ylabel(unit)
        ax.set_xlabel("date")
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def event_days(summary: pd.DataFrame, columns: dict[str, str], horizon: int) -> Figure:
    """The distribution over runs of the day each event first happened (`columns`: {title:
    summary day column}), by date, with the runs in which it never happened by the horizon."""
    fig, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.4), squeeze=False)
    edges = np.linspace(0, horizon + 1, 25)
    for ax, (title, column) in zip(axes[0], columns.items(), strict=True):
        days = summary[column].dropna().to_numpy(dtype=float)
        never = len(summary) - len(days)
        ax.hist([day_to_date(d) for d in days], bins=[day_to_date(e) for e in edges])
        ax.set_xlim(day_to_date(0), day_to_date(horizon + 1))
        ax.set_title(
            f"{title}\nnever by day {horizon} in {never} of {counted_runs(len(summary))}",
            fontsize=9,
        )
        ax.set_xlabel("date it first happened")
        ax.set_ylabel("runs")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.tight_layout()
    return fig


def against_parameters(
    runs: pd.DataFrame, outcomes: dict[str, str], inputs: dict[str, str], dots: int = 2000
) -> Figure:
    """Each outcome (rows; {column: its label with the unit}) against each varied parameter
    (columns; {name: its label with the unit}): every run a dot, and the median over bins of
    the parameter's range; past `dots` runs, a fixed random sample of them is drawn as dots
    (an SVG of every run of a large sweep would be too big to open)."""
    fig, axes = plt.subplots(
        len(outcomes), len(inputs), figsize=(3.4 * len(inputs), 2.6 * len(outcomes)), squeeze=False
    )
    shown = np.random.default_rng(0).permutation(len(runs))[:dots]
    for row, (outcome, outcome_label) in enumerate(outcomes.items()):
        for column, (name, label) in enumerate(inputs.items()):
            ax = axes[row, column]
            x, y = runs[name].to_numpy(dtype=float), runs[outcome].to_numpy(dtype=float)
            ax.plot(x[shown], y[shown], ".", markersize=3, alpha=0.4)
            bins = pd.cut(x, 8)
            medians = pd.Series(y).groupby(bins, observed=True).median()
            ax.plot(
                [b.mid for b in medians.index], medians.to_numpy(), color="black", label="median"
            )
            ax.set_xlabel(label, fontsize=8)
            ax.set_ylabel(outcome_label, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def _panels(count: int) -> tuple[Figure, np.ndarray]:
    """A figure of `count` panels, three a row (the grid's spare ones hidden)."""
    columns = min(count, 3)
    rows = -(-count // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.2 * rows), squeeze=False)
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    return fig, axes


def sensitivity(result: "Sensitivity", top: int = 8) -> Figure:
    """A bar chart an outcome (`sim sensitivity`): the `top` parameters' indices with their
    confidence intervals, the share of the outcome's variance that is chance, and for Morris
    the noise floor."""
    outcomes = list(result.chance["outcome"])
    fig, axes = _panels(len(outcomes))
    bars = ("S1", "ST") if result.method == "sobol" else ("mu_star",)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        ranked = result.drivers(outcome, top).iloc[::-1]
        y = np.arange(len(ranked))
        height = 0.8 / len(bars)
        for k, name in enumerate(bars):
            ax.barh(
                y + k * height,
                ranked[name],
                height,
                xerr=ranked[f"{name}_conf"],
                label=name,
                capsize=2,
            )
        ax.set_yticks(y + height * (len(bars) - 1) / 2, ranked["parameter"], fontsize=7)
        about = result.chance.set_index("outcome").loc[outcome]
        if result.method == "morris":
            ax.axvline(about["noise_floor"], color="grey", linestyle="--", label="noise floor")
        ax.set_title(f"{outcome}\nchance: {about['chance_share']:.0%} of the variance", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{result.method.capitalize()} sensitivity, {result.base_samples} base samples")
    fig.tight_layout()
    return fig


def shapley(result: "PosteriorShapley") -> Figure:
    """A bar chart an outcome (`sim sensitivity --posterior`): each parameter's Shapley share
    of the parameters' part of the variance with its 95% interval, and the chance share; where
    there are no shares (a chance-dominated outcome), why."""
    outcomes = list(result.chance["outcome"])
    fig, axes = _panels(len(outcomes))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        found = result.indices[result.indices["outcome"] == outcome].sort_values("share")
        y = np.arange(len(found))
        ax.barh(y, found["share"], xerr=found["share_conf"], capsize=2, color="tab:blue")
        ax.set_yticks(y, found["parameter"], fontsize=7)
        about = result.chance.set_index("outcome").loc[outcome]
        ax.set_title(f"{outcome}\nchance: {about['chance_share']:.0%} of the variance", fontsize=9)
        ax.set_xlabel("Shapley share of the parameters' part", fontsize=7)
        if about.get("reason"):  # no shares: say why
            said = textwrap.fill(f"{about['reason']}: no shares", 40)
            ax.text(0.5, 0.5, said, transform=ax.transAxes, ha="center", va="center", fontsize=7)
    fig.suptitle(f"Shapley effects over the posterior of {result.calibration}")
    fig.tight_layout()
    return fig


def discovery(result: "Discovery") -> Figure:
    """PRIM's peeling trajectory (`sim discover`): each box's coverage against its density,
    on the half it was peeled on and on the held-out half, the chosen box ringed."""
    path = result.trajectory
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(path["coverage"], path["density"], ".-", alpha=0.5, label="peeled half")
    ax.plot(
        path["held_out_coverage"], path["held_out_density"], "o-", markersize=3, label="held out"
    )
    chosen = path.loc[result.chosen]
    ax.plot(
        chosen["held_out_coverage"],
        chosen["held_out_density"],
        "o",
        markersize=12,
        markerfacecolor="none",
        color="black",
        label=f"box {result.chosen}, chosen",
    )
    ax.set_xlabel("coverage (share of the runs with the outcome that the box holds)")
    ax.set_ylabel("density (share of the box's runs with it)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"PRIM's boxes for {result.outcome}", fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def predictive(check: pd.DataFrame) -> Figure:
    """Each target's posterior predictive 5-95% band against its observed value, in units of
    the target's band (observed at 0, the band's edges at -1 and 1); the "all bands" row has no
    band of its own and is left out."""
    check = check[check["band_low"].notna()]
    scale = (check["band_high"] - check["band_low"]) / 2
    low, mid, high = ((check[q] - check["observed"]) / scale for q in ("q05", "median", "q95"))
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(check) + 1.5))
    y = np.arange(len(check))[::-1]
    ax.hlines(y, low, high, linewidth=4, alpha=0.6, label="posterior predictive 5-95%")
    ax.plot(mid, y, "o", color="black", markersize=3, label="median")
    ax.axvline(0, color="tab:red", label="observed")
    ax.axvspan(-1, 1, color="tab:red", alpha=0.08, label="band")
    ax.set_yticks(y, check["target"], fontsize=8)
    ax.set_xlabel("distance from the observed value, in half-bands")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def pairs(posterior: "Posterior") -> Figure:
    """The last generation's particles, each pair of parameters against each other (marker
    area by weight) with their weighted correlation, and each parameter's weighted histogram on
    the diagonal, over its prior range."""
    from sim.model.params import PARAMETERS

    last, names = posterior.last, posterior.names
    weight = last["weight"].to_numpy() / last["weight"].sum()
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.6 * k + 1, 1.6 * k + 1), squeeze=False)
    for i, row in enumerate(names):
        for j, column in enumerate(names):
            ax = axes[i, j]
            x = last[column].to_numpy(dtype=float)
            p = PARAMETERS[column]
            if i == j:
                ax.hist(x, bins=15, range=(p.low, p.high), weights=weight, color="tab:blue")
                ax.set_yticks([])
            elif i > j:
                y = last[row].to_numpy(dtype=float)
                ax.scatter(x, y, s=400 * weight, alpha=0.5, color="tab:blue")
                ax.set_xlim(p.low, p.high)
                ax.set_ylim(PARAMETERS[row].low, PARAMETERS[row].high)
            else:
                y = last[row].to_numpy(dtype=float)
                r = np.cov(x, y, aweights=weight)
                rho = r[0, 1] / np.sqrt(r[0, 0] * r[1, 1]) if r[0, 0] * r[1, 1] > 0 else 0.0
                ax.text(0.5, 0.5, f"r = {rho:.2f}", ha="center", va="center", fontsize=9)
                ax.set_xticks([])
                ax.set_yticks([])
            if i == k - 1:
                ax.set_xlabel(f"{column} ({p.unit})", fontsize=7)
            if j == 0 and i != 0:
                ax.set_ylabel(f"{row} ({PARAMETERS[row].unit})", fontsize=7)
            ax.tick_params(labelsize=6)
    fig.suptitle("The posterior's last generation: pairs, weighted correlations (r)")
    fig.tight_layout()
    return fig


def coverage(found: pd.DataFrame) -> Figure:
    """The coverage check's ranks (`sim.analysis.coverage`): each parameter's (and the joint
    check's) empirical distribution of ranks less the uniform's, with the 95% band a calibrated
    posterior stays inside (Dvoretzky-Kiefer-Wolfowitz, for as many draws)."""
    from sim.analysis.coverage import JOINT  # scipy.stats: only for this figure

    fig, ax = plt.subplots(figsize=(7, 4))
    grid = np.linspace(0, 1, 201)
    for name, group in found.groupby("parameter", sort=False):
        ranks = np.sort(group["rank"].to_numpy())
        ecdf = np.searchsorted(ranks, grid, side="right") / len(ranks)
        ax.plot(grid, ecdf - grid, label=name, linewidth=2 if name == JOINT else 1)
    band = np.sqrt(np.log(2 / 0.05) / (2 * found["draw"].nunique()))
    ax.axhspan(-band, band, color="grey", alpha=0.15, label="95% band of a calibrated posterior")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("rank of the truth in the posterior")
    ax.set_ylabel("share of draws at or below it, less the uniform's")
    ax.set_title(f"Coverage check: {found['draw'].nunique()} draws from the prior", fontsize=9)
    ax.legend(fontsize=6, loc="lower left", ncol=2)
    fig.tight_layout()
    return fig
