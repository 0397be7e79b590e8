"""One run's settings: a frozen dataclass the page builds from its widgets and the exported script and
the benchmark are written from."""

import dataclasses
from dataclasses import dataclass

from core.rnn.model import CELLS
from core.rnn.text import DEFAULT_TEXT

TASKS = {
    "adding": "Adding problem",
    "sine": "Forecast a noisy signal",
    "chars": "Character language model",
}
LIVE_FIELDS = ("lr", "clip")  # settings that change a run in place instead of starting a new one

# Widget limits: the page's sliders and the checks below share them.
MAX_HIDDEN = 256
MAX_LAYERS = 3
MIN_SEQ_LEN, MAX_SEQ_LEN = 4, 200
MAX_HORIZON = 200


@dataclass(frozen=True)
class RNNConfig:
    """A sequence task, the recurrent model that learns it, and how it is trained."""

    task: str = "adding"  # a key of TASKS
    cell: str = "LSTM"  # a key of core.rnn.model.CELLS
    hidden: int = 32  # units in each recurrent layer
    layers: int = 1  # stacked recurrent layers
    lr: float = 0.01  # Adam's learning rate (live)
    seq_len: int = 50  # time steps per training sequence: T of the adding problem
    clip: float = 1.0  # gradients are rescaled to at most this total norm; 0 = no clipping (live)
    batch: int = 32  # sequences per training step
    steps: int = 3000  # training budget in steps
    seed: int = 0  # initial weights and every batch drawn
    sum_of_sines: bool = False  # forecasting: sin(2πft) alone, or plus 0.5·sin(2π·2.7ft + 1)
    freq: float = 0.04  # forecasting: cycles per time step
    noise: float = 0.05  # forecasting: standard deviation of the added Gaussian noise
    horizon: int = 50  # forecasting: steps predicted by feeding predictions back in
    text: str = DEFAULT_TEXT  # character model: the text it learns

    def errors(self) -> list[str]:
        """One line per setting outside what the page allows (a bad link or CLI flag)."""
        problems = []
        if self.task not in TASKS:
            problems.append(f"Unknown task {self.task!r}: choose one of {', '.join(TASKS)}.")
        if self.cell not in CELLS:
            problems.append(f"Unknown cell {self.cell!r}: choose one of {', '.join(CELLS)}.")
        if not 1 <= self.hidden <= MAX_HIDDEN:
            problems.append(f"Hidden size must be between 1 and {MAX_HIDDEN}.")
        if not 1 <= self.layers <= MAX_LAYERS:
            problems.append(f"Layers must be between 1 and {MAX_LAYERS}.")
        if not MIN_SEQ_LEN <= self.seq_len <= MAX_SEQ_LEN:
            problems.append(f"Sequence length must be between {MIN_SEQ_LEN} and {MAX_SEQ_LEN}.")
        if not 1 <= self.horizon <= MAX_HORIZON:
            problems.append(f"Horizon must be between 1 and {MAX_HORIZON}.")
        if self.lr <= 0 or self.clip < 0 or self.batch < 1 or self.steps < 1:
            problems.append("Learning rate, batch and steps must be positive and clipping at least 0.")
        return problems

    def identity(self) -> "RNNConfig":
        """The settings that define a run: everything but the live ones (a change there keeps the run)."""
        return dataclasses.replace(self, **{name: getattr(RNNConfig(), name) for name in LIVE_FIELDS})
