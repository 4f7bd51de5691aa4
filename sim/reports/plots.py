"""The overview plot of a run: the escalation level over time and who holds the zone's people."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.model.geography import ACTORS
from sim.model.ladder import LEVELS
from sim.model.record import day_to_date


def overview(daily: dict[str, np.ndarray], replicates: int, path: Path, title: str) -> None:
    """Median and 10-90% band of the theatre's level by day; median zone share of each actor."""
    days = daily["day"].reshape(replicates, -1)[0]
    dates = [day_to_date(d) for d in days]
    level = daily["level"].reshape(replicates, -1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    low, mid, high = np.percentile(level, [10, 50, 90], axis=0)
    top.fill_between(dates, low, high, step="mid", alpha=0.3, label="10-90% of runs")
    top.step(dates, mid, where="mid", label="median")
    top.set_yticks(range(len(LEVELS)), [f"{i} {name}" for i, name in enumerate(LEVELS)], fontsize=7)
    top.set_ylim(-0.3, len(LEVELS) - 0.7)
    top.set_title(f"{title}: escalation level ({replicates} runs)")
    top.legend(loc="upper left", fontsize=8)
    for actor in ACTORS:
        share = np.median(daily[f"zone_share_{actor}"].reshape(replicates, -1), axis=0)
        if share.max() > 0:
            bottom.plot(dates, share, label=actor)
    bottom.set_ylabel("share of the zone's people")
    bottom.set_ylim(0, 1)
    bottom.legend(loc="center right", fontsize=8)
    bottom.set_title("median share of the Idlib zone's residents each actor controls")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
