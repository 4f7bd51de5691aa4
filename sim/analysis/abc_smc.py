"""pyabc's side of the calibration (`sim.analysis.calibrate`): the kernel that weighs a
particle by its log-likelihood, the tempering, and the sampler that simulates a batch of
particles in one lockstep model. Only a calibration's run imports it (and with it pyabc and
matplotlib); reading and checking a calibration file does not."""

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pyabc.distance import SCALE_LOG, StochasticKernel
from pyabc.epsilon import ExpDecayFixedIterScheme, Temperature
from pyabc.sampler import Sampler

from sim.sweeps.runner import seeds

if TYPE_CHECKING:
    from sim.analysis.calibrate import Evaluate


class RunLikelihood(StochasticKernel):
    """The kernel pyabc's `StochasticAcceptor` weighs a particle by: its log-likelihood, the
    statistic `key` (`calibrate.statistics` estimates it from the particle's runs, each at most
    1, so it is at most 0)."""

    def __init__(self, key: str) -> None:
        super().__init__(ret_scale=SCALE_LOG, pdf_max=0.0)
        self.key = key

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: Any = None) -> float:
        return float(x[self.key])


class Tempering(Temperature):
    """pyabc's temperature: set from the prior sample's acceptance at first, then falling
    geometrically to 1 (exact) at generation `generations`; a resumed calibration takes the
    temperatures its database holds, so it goes on as an uninterrupted one would."""

    def __init__(self, generations: int, stored: list[float]) -> None:
        super().__init__(schemes=[ExpDecayFixedIterScheme()])
        self.generations = generations
        self.temperatures.update(enumerate(stored))

    def initialize(self, **given: Any) -> None:
        """pyabc's call, with the calibration's generations in place of the remaining ones."""
        super().initialize(**given | {"max_nr_populations": self.generations})


def highest_found(get_weighted_distances: Callable[[], pd.DataFrame], **_: Any) -> float:
    """The acceptor's normaliser: the highest log-likelihood of the last generation (a particle
    above it is accepted and weighted up, so the posterior is the same)."""
    return float(get_weighted_distances()["distance"].max())


class LockstepSampler(Sampler):
    """A pyabc sampler that simulates a batch of particles in one lockstep model (see the
    docstring of `sim.analysis.calibrate`); `model` is the function pyabc calls for one particle."""

    def __init__(
        self, evaluate: "Evaluate", placeholder: dict[str, float], batch: int, seed: int
    ) -> None:
        super().__init__()
        self.evaluate = evaluate
        self.placeholder = placeholder  # what the first pass answers (accepted, never kept)
        self.batch = batch
        self.seed = seed
        self.collecting = False
        self.proposals: list[dict[str, float]] = []
        self.outputs: deque[tuple[dict[str, float], dict[str, float]]] = deque()
        self.generation, self.count = 0, 0

    def model(self, parameters: Any) -> dict[str, float]:
        """What pyabc calls for one particle: record it (first pass) or answer it."""
        wanted = dict(parameters)
        if self.collecting:
            self.proposals.append(wanted)
            return self.placeholder
        if self.outputs and self.outputs[0][0] == wanted:
            return self.outputs.popleft()[1]
        # the second pass proposed something else (a random draw after the model call):
        # simulate this particle alone, under the next key
        self.outputs.clear()
        return self.evaluate([wanted], self._keys(1))[0]

    def _keys(self, count: int) -> np.ndarray:
        first = self.count
        self.count += count
        return (self.generation + 2) * 2**32 + np.arange(first, first + count)

    def sample_until_n_accepted(
        self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
    ):
        np.random.seed(int(seeds(self.seed, np.array([t + 2]), np.array([0]))[0]) % 2**32)
        self.generation, self.count = t, 0
        sample = self._create_empty_sample()
        evaluated = 0
        while sample.n_accepted < n and evaluated < max_eval:
            size = self._size(n - sample.n_accepted, sample.n_accepted, evaluated, max_eval)
            start = np.random.get_state()
            self.collecting = True
            try:
                for _ in range(size):
                    simulate_one()
            finally:
                self.collecting = False
            proposals, self.proposals = self.proposals, []
            outputs = self.evaluate(proposals, self._keys(len(proposals)))
            self.outputs = deque(zip(proposals, outputs, strict=True))
            np.random.set_state(start)
            for _ in range(size):
                sample.append(simulate_one())
                evaluated += 1
                if sample.n_accepted >= n:
                    break
        self.outputs.clear()
        self.nr_evaluations_ = evaluated
        if sample.n_accepted < n:
            sample.ok = False
        return sample

    def _size(self, missing: int, accepted: int, evaluated: int, max_eval: float) -> int:
        """Proposals for the next lockstep model: enough for the missing particles at the
        generation's acceptance rate so far (a deterministic figure), at most `batch`."""
        rate = accepted / evaluated if evaluated else 1.0
        needed = int(np.ceil(missing / max(rate, 0.01) * 1.1))
        return int(max(1, min(self.batch, needed, max_eval - evaluated)))
