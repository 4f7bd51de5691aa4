"""A calibration's posterior: its particles, their weights, and draws from it for runs.

`sim calibrate` writes every generation's particles to `posterior.parquet`, and the last
generation as a scenario's sample (`sample.toml`); `sim run SCENARIO --posterior DIR` gives each
run the values of one particle of the last generation, drawn by weight with a uniform number from
the run's own seed (`sim.model.scenario.Sample`), so that a run's values depend only on its seed
(and `--from-run` re-runs it).
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.io.disk import ResultsError, read_sealed
from sim.model.params import PARAMETERS
from sim.model.scenario import Sample, check

FILE = "posterior.parquet"


@dataclass
class Posterior:
    """Every generation's particles (generation, weight, the parameters, `stat_` columns: the
    targets' statistics and the log-likelihood), the calibrated parameters' names, and what the
    run took."""

    particles: pd.DataFrame
    names: list[str]
    temperatures: list[float] = field(default_factory=list)  # each generation's, 1 exact
    evaluations: int = 0  # simulated particles
    samples: list[int] = field(default_factory=list)  # particles simulated in each generation
    source: str = ""  # where it was read from

    def ess(self) -> list[float]:
        """Each generation's effective sample size, 1 / sum(weight^2): far below the population,
        a few particles carry the posterior (importance weights collapse in many dimensions)."""
        squares = (self.particles["weight"] ** 2).groupby(self.particles["generation"]).sum()
        return [float(1 / s) for s in squares]

    def generations(self) -> pd.DataFrame:
        """One row a generation: its temperature, effective sample size, particles accepted,
        particles simulated and acceptance rate (accepted over simulated)."""
        accepted = self.particles.groupby("generation").size().to_numpy()
        simulated = np.asarray(self.samples, dtype=float)
        return pd.DataFrame(
            {
                "generation": np.arange(len(accepted)),
                "temperature": self.temperatures,
                "ess": self.ess(),
                "accepted": accepted,
                "simulated": simulated.astype(np.int64),
                "acceptance": accepted / np.maximum(simulated, 1),
            }
        )

    @property
    def last(self) -> pd.DataFrame:
        """The last generation's particles."""
        return self.particles[self.particles["generation"] == self.particles["generation"].max()]

    def mean(self) -> dict[str, float]:
        """The posterior mean of each parameter (whole numbers rounded)."""
        last, means = self.last, {}
        for name in self.names:
            value = float(np.average(last[name], weights=last["weight"]))
            means[name] = float(round(value)) if PARAMETERS[name].integer else value
        return means

    def interval(self, name: str, mass: float) -> tuple[float, float]:
        """The central `mass` interval of a parameter (weighted quantiles, last generation)."""
        last = self.last.sort_values(name)
        cumulative = np.cumsum(last["weight"].to_numpy()) / last["weight"].sum()
        values = last[name].to_numpy()
        low = values[np.searchsorted(cumulative, (1 - mass) / 2)]
        high = values[min(np.searchsorted(cumulative, (1 + mass) / 2), len(values) - 1)]
        return float(low), float(high)

    def draw(self, count: int, seed: int) -> pd.DataFrame:
        """`count` particles of the last generation drawn by weight."""
        last = self.last
        rng = np.random.default_rng(seed)
        picked = rng.choice(len(last), size=count, p=last["weight"] / last["weight"].sum())
        return last.iloc[picked].reset_index(drop=True)

    def sample(self) -> Sample:
        """The last generation as a scenario's sample: each run draws one particle by weight
        with a uniform number from its own seed (`sim run --posterior`, or `sample.toml`)."""
        last = self.last
        sample = {
            "source": self.source,
            "names": self.names,
            "weights": last["weight"].astype(float).tolist(),
            "values": last[self.names].astype(float).to_numpy().tolist(),
        }
        return check(Sample, sample, self.source)


def runnable(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Parameter values as runs take them: a whole-number parameter's rounded."""
    return {name: np.rint(v) if PARAMETERS[name].integer else v for name, v in values.items()}


def read(folder: str | Path) -> Posterior:
    """The posterior a `sim calibrate` folder holds, checked against the SHA-256 its manifest
    gives; a ValueError in one line otherwise."""
    path = Path(folder) / FILE
    try:
        if FILE not in read_sealed(Path(folder))["files"]:
            raise FileNotFoundError
        particles = pd.read_parquet(path)
    except FileNotFoundError:
        raise ValueError(
            f"{folder}: not a calibration folder (no {FILE} in its manifest)"
        ) from None
    except (OSError, pa.ArrowException) as error:
        raise ValueError(f"{path}: unreadable ({error})") from None
    except ResultsError as error:
        raise ValueError(str(error)) from None
    names = [c for c in particles.columns if c in PARAMETERS]
    problem = _problem(particles, names)
    if problem:
        raise ValueError(f"{path}: not a posterior: {problem}")
    return Posterior(particles, names, source=str(path))


def _problem(particles: pd.DataFrame, names: list[str]) -> str | None:
    """What makes a table of particles no posterior (naming the column), or None."""
    if particles.empty or not names:
        return "no particles, or no parameter columns"
    for column in ["generation", "weight", *names]:
        if column not in particles:
            return f"{column}: missing"
        values = particles[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            return f"{column}: not numbers"
        if not np.isfinite(values).all():
            return f"{column}: not finite"
    weights = particles["weight"]
    if (weights < 0).any() or weights.sum() <= 0:
        return "weight: negative, or none above zero"
    return None
