"""Training a CNNConfig's model on its dataset: a resumable job for the live runner, and evaluation."""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.cnn.data import ImageSplits
from core.cnn.model import OPTIMIZERS, CNNConfig, build_model, parameter_count
from core.runner import train_steps
from core.runtime import holds_global_rng

LOG_EVERY = 20  # minibatches averaged into one point of the training curves
EVAL_BATCH = 1000  # test images per forward pass when evaluating


@dataclass(frozen=True)
class Evaluation:
    """A model's loss and accuracy on a whole split, and its predicted class probabilities."""

    loss: float  # mean cross-entropy
    accuracy: float  # fraction correct
    probs: np.ndarray  # (N, classes) softmax probabilities


def evaluate(model: nn.Module, x: np.ndarray, y: np.ndarray) -> Evaluation:
    """Loss, accuracy and probabilities of `model` (in eval mode) on images `x` (N, C, H, W), labels `y`."""
    was_training = model.training
    model.eval()
    logits = []
    with torch.no_grad():
        for start in range(0, len(x), EVAL_BATCH):
            logits.append(model(torch.from_numpy(x[start : start + EVAL_BATCH])))
    model.train(was_training)
    logits_t = torch.cat(logits)  # (N, classes)
    labels = torch.from_numpy(y)
    loss = F.cross_entropy(logits_t, labels).item()
    accuracy = (logits_t.argmax(1) == labels).float().mean().item()
    return Evaluation(loss, accuracy, torch.softmax(logits_t, 1).numpy())


@dataclass
class History:
    """What the live view plots: training curves per LOG_EVERY minibatches, test points per epoch."""

    train_examples: list[int] = field(default_factory=list)  # examples seen at each training point
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_examples: list[int] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Snapshot:
    """A copy of the job's state for drawing, taken under the runner's lock."""

    history: History
    epoch: float  # epochs done, fractional
    examples: int  # training examples seen
    examples_per_s: float  # training throughput over the last LOG_EVERY minibatches
    train_seconds: float  # wall time spent training
    done: bool
    diverged: bool
    parameters: int


def untrained_score(config: CNNConfig, data: ImageSplits) -> tuple[float, float]:
    """Test loss and accuracy of `config`'s freshly initialised model: the first point of a run's test curve.

    It depends only on the config (the build is seeded) and the data, so a page can cache it: scoring 10,000
    test digits is most of what building a job costs.
    """
    result = evaluate(build_model(config, data.shape, len(data.classes)), data.test_x, data.test_y)
    return result.loss, result.accuracy


class CNNJob:
    """Trains one CNNConfig's model on its data in resumable slices (core.runner's TrainingJob)."""

    def __init__(self, config: CNNConfig, data: ImageSplits, untrained: tuple[float, float] | None = None):
        """`untrained`: untrained_score(config, data) when the caller has it cached; computed when None."""
        self.config = config
        self.data = data
        with holds_global_rng():
            self.model = build_model(config, data.shape, len(data.classes))
            # Dropout draws from the process-wide generator, which other sessions (and this page's own
            # reruns, building models from the seed) also draw from: the run keeps its own state of it,
            # the one just after its model was built, as a script that seeds torch and trains has.
            self.dropout_state = torch.get_rng_state()
        make = OPTIMIZERS[config.optimizer]
        extra = {"momentum": 0.9} if config.optimizer == "sgd" else {}
        self.optimizer = make(self.model.parameters(), lr=config.lr, **extra)
        self.batches_per_epoch = math.ceil(len(data.train_y) / config.batch_size)
        self.total_batches = config.epochs * self.batches_per_epoch
        self.scheduler = (
            torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=self.total_batches)
            if config.cosine
            else None
        )
        self.generator = torch.Generator().manual_seed(config.seed)  # minibatch order
        self.batches = 0  # minibatches trained so far
        self.examples = 0
        self.train_seconds = 0.0
        self.examples_per_s = 0.0
        self.diverged = False
        self.history = History()
        self._order = torch.empty(0, dtype=torch.long)  # this epoch's shuffled example indices
        self._window: list[tuple[float, int, int]] = []  # (loss, correct, size) since the last log point
        self._window_start = time.perf_counter()
        self.train_x = torch.from_numpy(data.train_x)  # (N, C, H, W), shares memory with the cached arrays
        self.train_y = torch.from_numpy(data.train_y)  # (N,)
        if untrained is None:
            self._log_test()
        else:
            self._record_test(*untrained)

    @property
    def done(self) -> bool:
        """Whether the epoch budget is used up or the loss stopped being finite."""
        return self.diverged or self.batches >= self.total_batches

    def step(self) -> None:
        """Train one minibatch."""
        if self.done:
            return
        start = time.perf_counter()
        position = self.batches % self.batches_per_epoch
        if position == 0:
            self._order = torch.randperm(len(self.train_y), generator=self.generator)
        index = self._order[position * self.config.batch_size : (position + 1) * self.config.batch_size]
        x, y = self.train_x[index], self.train_y[index]  # (B, C, H, W), (B,)
        self.model.train()
        with holds_global_rng(), torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self.dropout_state)
            logits = self.model(x)  # (B, classes)
            self.dropout_state = torch.get_rng_state()
        loss = F.cross_entropy(logits, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        self.batches += 1
        self.examples += len(y)
        self.train_seconds += time.perf_counter() - start
        value = loss.item()
        if not math.isfinite(value):
            self.diverged = True
            return
        self._window.append((value, int((logits.argmax(1) == y).sum()), len(y)))
        if len(self._window) == LOG_EVERY or self.batches % self.batches_per_epoch == 0 or self.done:
            self._log_train()
        if self.batches % self.batches_per_epoch == 0:
            self._log_test()

    def train_for(self, seconds: float) -> int:
        """Train minibatches for about `seconds` (at least one); returns how many."""
        return train_steps(self, seconds)

    def run(self) -> "CNNJob":
        """Train to the end of the budget (CLI, scripts and tests)."""
        while not self.done:
            self.train_for(1.0)
        return self

    def _log_train(self) -> None:
        losses, correct, sizes = zip(*self._window, strict=True)
        now = time.perf_counter()
        self.examples_per_s = sum(sizes) / max(now - self._window_start, 1e-9)
        self._window_start = now
        self.history.train_examples.append(self.examples)
        self.history.train_loss.append(float(np.average(losses, weights=sizes)))
        self.history.train_accuracy.append(sum(correct) / sum(sizes))
        self._window = []

    def _log_test(self) -> None:
        result = evaluate(self.model, self.data.test_x, self.data.test_y)
        self._record_test(result.loss, result.accuracy)

    def _record_test(self, loss: float, accuracy: float) -> None:
        self.history.test_examples.append(self.examples)
        self.history.test_loss.append(loss)
        self.history.test_accuracy.append(accuracy)

    def snapshot(self) -> Snapshot:
        """A copy of everything the live view draws."""
        h = self.history
        return Snapshot(
            history=History(*(list(getattr(h, f)) for f in h.__dataclass_fields__)),
            epoch=self.batches / self.batches_per_epoch,
            examples=self.examples,
            examples_per_s=self.examples_per_s,
            train_seconds=self.train_seconds,
            done=self.done,
            diverged=self.diverged,
            parameters=parameter_count(self.model),
        )
