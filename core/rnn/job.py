"""A run of one sequence task, trained in steps by core.runner.Runner: the model, its data, its optimizer
and its history, read by the page through `snapshot()` and `probe()`."""

import copy
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.rnn.config import RNNConfig
from core.rnn.data import adding_batch, sine_series, split_text, windows
from core.rnn.model import SequenceModel, model_input, task_loss
from core.rnn.text import prepare_text
from core.runner import train_steps
from core.runtime import holds_global_rng

ADDING_TEST_SIZE = 1000  # adding-problem test sequences
SERIES_POINTS = 3000  # length of the forecasting signal; its first TRAIN_SHARE trains, the rest tests
TRAIN_SHARE = 0.8
TEXT_BLOCK, TEXT_HOLD_EVERY = 256, 5  # the character model holds out every 5th block of 256 characters
EVAL_BATCH = 64  # test windows for forecasting and characters
EVAL_EVERY = 25  # steps between two test evaluations
ADDING_BASELINE = 1 / 6  # MSE of always answering 1.0: the variance of the sum of two U(0, 1) numbers


@dataclass(frozen=True)
class Snapshot:
    """What the page draws while training: copies, safe to use outside the runner's lock."""

    step: int
    losses: np.ndarray  # training loss at each step
    grad_norms: np.ndarray  # total gradient norm at each step, before clipping
    eval_steps: np.ndarray  # steps at which the test metric was measured
    metric: np.ndarray  # the test metric at those steps (MSE, or perplexity for characters)
    lr: float
    clip: float
    live_changed: bool  # the learning rate or clipping changed during the run
    done: bool
    diverged: bool
    seconds: float  # time spent training


class RNNJob:
    """One run: `step()` trains on one batch; the test metric is measured every EVAL_EVERY steps."""

    @holds_global_rng()
    def __init__(self, config: RNNConfig):
        self.config = config
        self.task = config.task
        self.vocab = 0
        self.alphabet = ""
        if self.task == "chars":
            prepared = prepare_text(config.text, config.seq_len + 1)
            self.alphabet, self.vocab = prepared.alphabet, len(prepared.alphabet)
            codes = prepared.encode()  # (N,)
        sizes = {"adding": (2, 1), "sine": (1, 1), "chars": (self.vocab, self.vocab)}[self.task]
        torch.manual_seed(config.seed)
        self.model = SequenceModel(config.cell, sizes[0], config.hidden, config.layers, sizes[1])
        self.gen = torch.Generator().manual_seed(config.seed)
        test_gen = torch.Generator().manual_seed(config.seed + 1)
        T = config.seq_len
        if self.task == "adding":
            self.test = adding_batch(ADDING_TEST_SIZE, T, test_gen)
        elif self.task == "sine":
            series = sine_series(SERIES_POINTS, config.freq, config.noise, config.sum_of_sines, self.gen)
            split = int(TRAIN_SHARE * SERIES_POINTS)
            self.train_series, self.test_series = series[:split], series[split:]
            self.test = windows(self.test_series, EVAL_BATCH, T, test_gen)
        else:
            train, held = split_text(codes, TEXT_BLOCK, TEXT_HOLD_EVERY)
            self.held_out = len(held) >= T + 1
            self.train_series = train if self.held_out else codes
            self.test = windows(held if self.held_out else codes, EVAL_BATCH, T, test_gen)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        self.clip = config.clip
        self.live_changed = False
        self.losses: list[float] = []
        self.grad_norms: list[float] = []
        self.eval_steps: list[int] = []
        self.metrics: list[float] = []
        self.seconds = 0.0
        self.stop_at: int | None = None  # a step to stop at before the budget (a prediction card's run)
        self.evaluate()

    @property
    def steps(self) -> int:
        """Training steps taken."""
        return len(self.losses)

    @property
    def diverged(self) -> bool:
        """The last loss is NaN or infinite."""
        return bool(self.losses) and not math.isfinite(self.losses[-1])

    @property
    def done(self) -> bool:
        """Budget spent (or the step it was told to stop at reached), or diverged."""
        budget = self.config.steps if self.stop_at is None else min(self.stop_at, self.config.steps)
        return self.steps >= budget or self.diverged

    def stop_after(self, steps: int | None) -> None:
        """Stop by itself once `steps` steps have run (a prediction card's run); None: at the budget."""
        self.stop_at = steps

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next training batch, drawn from the run's generator."""
        if self.task == "adding":
            return adding_batch(self.config.batch, self.config.seq_len, self.gen)
        return windows(self.train_series, self.config.batch, self.config.seq_len, self.gen)

    def step(self) -> None:
        """One optimizer step on one batch, with the gradient clipped to `clip` when it is above 0."""
        x, y = self.batch()
        start = time.perf_counter()
        out, _ = self.model(model_input(x, self.vocab))
        loss = task_loss(self.task, out, y)
        self.optimizer.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip or math.inf)
        self.optimizer.step()
        self.losses.append(loss.item())
        self.grad_norms.append(norm.item())
        if self.steps % EVAL_EVERY == 0 or self.done:
            self.evaluate()
        self.seconds += time.perf_counter() - start

    def train_for(self, seconds: float) -> int:
        """Train for about `seconds` (at least one step, never past the budget); the steps run."""
        return train_steps(self, seconds)

    @torch.no_grad()
    def test_metric(self) -> float:
        """The model's error on the held-out data: MSE, or perplexity (e^cross-entropy) for characters."""
        x, y = self.test
        out, _ = self.model(model_input(x, self.vocab))
        loss = task_loss(self.task, out, y).item()
        return math.exp(min(loss, 50.0)) if self.task == "chars" else loss

    def evaluate(self) -> None:
        """Record the test metric at the current step."""
        self.eval_steps.append(self.steps)
        self.metrics.append(self.test_metric())

    def set_lr(self, lr: float) -> None:
        """A live learning-rate change."""
        for group in self.optimizer.param_groups:
            self.live_changed |= group["lr"] != lr
            group["lr"] = lr

    def set_clip(self, clip: float) -> None:
        """A live change of the clipping threshold (0 = off)."""
        self.live_changed |= clip != self.clip
        self.clip = clip

    def snapshot(self) -> Snapshot:
        """Copies of the history for drawing."""
        return Snapshot(
            step=self.steps,
            losses=np.array(self.losses),
            grad_norms=np.array(self.grad_norms),
            eval_steps=np.array(self.eval_steps),
            metric=np.array(self.metrics),
            lr=self.optimizer.param_groups[0]["lr"],
            clip=self.clip,
            live_changed=self.live_changed,
            done=self.done,
            diverged=self.diverged,
            seconds=self.seconds,
        )

    def probe(self) -> "RNNJob":
        """A copy of the run to look inside (hidden states, gates, gradients, samples) without the lock."""
        clone = copy.copy(self)
        clone.model = copy.deepcopy(self.model)
        return clone
