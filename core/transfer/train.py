"""Training a new head on a pretrained backbone, live: the jobs the page's runner trains.

`HeadJob` trains only a linear layer on cached backbone features (seconds). `FineTuneJob` trains backbone and
head on pictures, with the first `n_frozen` blocks frozen and an optional lower learning rate for the rest of
the backbone (two parameter groups). `CompareJob` trains from-scratch, frozen and fine-tuned side by side on
the same pictures, one minibatch each in turn.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.runtime import holds_global_rng
from core.transfer.backbone import Backbone, Trunk, load_backbone
from core.transfer.workspace import HeadData, Workspace, finetune_data


@dataclass(frozen=True)
class HeadConfig:
    """A linear head trained on frozen features."""

    epochs: int = 40  # passes over the training pictures
    lr: float = 1e-3  # Adam learning rate
    batch_size: int = 16  # pictures per optimizer step
    seed: int = 0  # head initialisation and minibatch order


@dataclass(frozen=True)
class FineTuneConfig:
    """Backbone and head trained together on pictures."""

    n_frozen: int = 0  # backbone blocks (input side first) whose weights stay fixed
    backbone_lr_factor: float = 0.1  # the unfrozen backbone's learning rate = lr x this (1 = same as head)
    epochs: int = 8  # passes over the training pictures
    lr: float = 1e-3  # Adam learning rate of the head
    batch_size: int = 16  # pictures per optimizer step
    seed: int = 0  # head initialisation and minibatch order


def new_head(in_features: int, n_classes: int, seed: int) -> nn.Linear:
    """The new classifier layer, initialised from `seed` (PyTorch's default nn.Linear initialisation)."""
    with holds_global_rng(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.Linear(in_features, n_classes)


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts[i, j] = pictures of class i predicted as class j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts


def per_class_accuracy(counts: np.ndarray) -> np.ndarray:
    """Each class's accuracy from a confusion matrix (NaN for a class with no pictures)."""
    totals = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(counts) / np.maximum(totals, 1), np.nan)


class _Epochs:
    """Minibatch bookkeeping shared by the jobs: a seeded shuffle per epoch, resumable mid-epoch, and the
    per-epoch history (train loss, validation loss and accuracy)."""

    def __init__(self, n: int, batch_size: int, epochs: int, seed: int) -> None:
        self.n, self.batch_size, self.epochs = n, batch_size, epochs
        self.generator = torch.Generator().manual_seed(seed)
        self.epoch = 0
        self.order = torch.randperm(n, generator=self.generator)
        self.position = 0
        self.losses: list[float] = []  # this epoch's minibatch losses
        self.history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_acc": []}
        self.diverged = False

    @property
    def done(self) -> bool:
        return self.epoch >= self.epochs or self.diverged

    def next_batch(self) -> torch.Tensor:
        """Indices of the next minibatch of this epoch."""
        batch = self.order[self.position : self.position + self.batch_size]
        self.position += len(batch)
        return batch

    def record(self, loss: float) -> bool:
        """Note a minibatch loss; True when it ended the epoch."""
        self.losses.append(loss)
        self.diverged = not math.isfinite(loss)
        return self.position >= self.n

    def end_epoch(self, val_loss: float, val_acc: float) -> None:
        self.history["train_loss"].append(float(np.mean(self.losses)))
        self.history["val_loss"].append(val_loss)
        self.history["val_acc"].append(val_acc)
        self.losses, self.position, self.epoch = [], 0, self.epoch + 1
        self.order = torch.randperm(self.n, generator=self.generator)


class _MinibatchJob:
    """What both jobs share: minibatches in time slices, an epoch per Step, validation after every epoch.

    A job sets `train_x`, `train_y`, `val_x`, `val_y`, `optimizer`, `epochs` and `seconds`, and says how a
    minibatch's loss and a validation are computed (`minibatch_loss`, `evaluate`).
    """

    train_x: torch.Tensor
    train_y: torch.Tensor
    val_x: torch.Tensor
    val_y: torch.Tensor
    optimizer: torch.optim.Optimizer
    epochs: _Epochs
    seconds: float  # time spent training

    def minibatch_loss(self, index: torch.Tensor) -> torch.Tensor:
        """The training loss on the examples at `index`, with its graph."""
        raise NotImplementedError

    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on (x, y)."""
        raise NotImplementedError

    @property
    def done(self) -> bool:
        return self.epochs.done

    def _minibatch(self) -> None:
        loss = self.minibatch_loss(self.epochs.next_batch())
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        if self.epochs.record(loss.item()):
            self.epochs.end_epoch(*self.evaluate(self.val_x, self.val_y))

    def train_for(self, seconds: float) -> int:
        """Minibatches for about `seconds` (at least one, none past the last epoch); returns how many ran."""
        start, steps = time.perf_counter(), 0
        while not self.done and (steps == 0 or time.perf_counter() - start < seconds):
            self._minibatch()
            steps += 1
        self.seconds += time.perf_counter() - start
        return steps

    def step(self) -> None:
        """Finish the epoch in progress (the Step button: one epoch)."""
        epoch = self.epochs.epoch
        while not self.done and self.epochs.epoch == epoch:
            self.train_for(0.0)

    def run(self) -> None:
        """Train to the end (CLI, bench and tests)."""
        while not self.done:
            self.train_for(1.0)


class HeadJob(_MinibatchJob):
    """A linear head trained with Adam and cross-entropy on cached features; the backbone never runs."""

    def __init__(self, data: HeadData, n_classes: int, config: HeadConfig) -> None:
        self.config, self.n_classes, self.data = config, n_classes, data
        self.train_x, self.train_y, self.val_x, self.val_y = (
            data.train_x,
            data.train_y,
            data.val_x,
            data.val_y,
        )
        self.head = new_head(self.train_x.shape[1], n_classes, config.seed)
        self.optimizer = torch.optim.Adam(self.head.parameters(), lr=config.lr)
        self.epochs = _Epochs(len(self.train_y), config.batch_size, config.epochs, config.seed)
        self.seconds = 0.0

    def minibatch_loss(self, index: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self.head(self.train_x[index]), self.train_y[index])

    @torch.no_grad()
    def probabilities(self, features: torch.Tensor) -> torch.Tensor:
        """Softmax probabilities for (N, D) features: (N, C)."""
        return self.head(features).softmax(dim=-1)

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Mean cross-entropy and accuracy on (x, y); NaN when there is nothing to evaluate."""
        if len(y) == 0:
            return float("nan"), float("nan")
        logits = self.head(x)
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()

    def results(self) -> list[str]:
        """The final numbers, worded and rounded as the training script prints them."""
        lines = [f"train loss (last epoch) {self.epochs.history['train_loss'][-1]:.4f}"]
        if len(self.val_y):
            lines.append(f"validation accuracy {self.evaluate(self.val_x, self.val_y)[1]:.4f}")
        if len(self.data.test_y):
            lines.append(f"test accuracy {self.evaluate(self.data.test_x, self.data.test_y)[1]:.4f}")
        return lines

    def snapshot(self) -> dict[str, object]:
        """Copies of what the page draws: history, epoch, time, and the validation confusion matrix."""
        predicted = self.probabilities(self.val_x).argmax(1).numpy() if len(self.val_y) else np.zeros(0)
        return {
            "epoch": self.epochs.epoch,
            "epochs": self.config.epochs,
            "seconds": self.seconds,
            "history": {k: list(v) for k, v in self.epochs.history.items()},
            "confusion": confusion(self.val_y.numpy(), predicted, self.n_classes),
            "diverged": self.epochs.diverged,
        }


class FineTuneModel(nn.Module):
    """Backbone trunk plus a new head; the first `n_frozen` blocks have requires_grad False and stay in eval
    mode (their batch-norm statistics are not updated either), so frozen means unchanged."""

    def __init__(self, trunk: Trunk, n_classes: int, n_frozen: int, seed: int, feature_dim: int) -> None:
        super().__init__()
        self.trunk = trunk
        self.head = new_head(feature_dim, n_classes, seed)
        self.frozen = list(trunk.blocks.values())[:n_frozen]
        for block in self.frozen:
            block.requires_grad_(False)

    def train(self, mode: bool = True) -> "FineTuneModel":
        super().train(mode)
        for block in self.frozen:
            block.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H, W) -> (B, C)
        return self.head(self.trunk(x))


def parameter_counts(model: nn.Module) -> tuple[int, int]:
    """(trainable, frozen) parameter counts."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


def param_groups(model: FineTuneModel, lr: float, backbone_lr_factor: float) -> list[dict[str, object]]:
    """Two Adam parameter groups: the head at `lr`, the trainable backbone at lr x backbone_lr_factor."""
    backbone = [p for p in model.trunk.parameters() if p.requires_grad]
    groups: list[dict[str, object]] = [{"params": list(model.head.parameters()), "lr": lr}]
    if backbone:
        groups.append({"params": backbone, "lr": lr * backbone_lr_factor})
    return groups


class FineTuneJob(_MinibatchJob):
    """A backbone (pretrained or not) and a new head trained on pictures, some blocks frozen."""

    def __init__(
        self,
        backbone: Backbone,
        train_x: torch.Tensor,  # (N, 3, S, S) normalised pictures
        train_y: torch.Tensor,  # (N,)
        val_x: torch.Tensor,  # (M, 3, S, S)
        val_y: torch.Tensor,  # (M,)
        n_classes: int,
        config: FineTuneConfig,
    ) -> None:
        self.config, self.n_classes, self.backbone = config, n_classes, backbone
        self.train_x, self.train_y, self.val_x, self.val_y = train_x, train_y, val_x, val_y
        n_frozen = min(config.n_frozen, len(backbone.block_names))
        self.model = FineTuneModel(backbone.trunk, n_classes, n_frozen, config.seed, backbone.feature_dim)
        self.optimizer = torch.optim.Adam(param_groups(self.model, config.lr, config.backbone_lr_factor))
        self.epochs = _Epochs(len(train_y), config.batch_size, config.epochs, config.seed)
        self.seconds = 0.0
        self.updates = 0  # optimizer steps so far

    def minibatch_loss(self, index: torch.Tensor) -> torch.Tensor:
        self.model.train()
        # EfficientNet-Lite's drop-connect draws from torch's global generator: seed it per minibatch, so a
        # run repeats exactly however its minibatches interleave with other jobs and threads.
        with holds_global_rng(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.config.seed * 1_000_003 + self.updates)
            loss = F.cross_entropy(self.model(self.train_x[index]), self.train_y[index])
        self.updates += 1
        return loss

    @torch.no_grad()
    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The (possibly fine-tuned) trunk's features, in eval mode: (N, D)."""
        self.model.eval()
        return torch.cat([self.model.trunk(x[i : i + 32]) for i in range(0, len(x), 32)])

    @torch.no_grad()
    def evaluate(self, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
        """Mean cross-entropy and accuracy in eval mode; NaN when there is nothing to evaluate."""
        if len(y) == 0:
            return float("nan"), float("nan")
        logits = self.model.head(self.features(x))
        return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()

    def snapshot(self) -> dict[str, object]:
        """Copies of history, epoch and time."""
        trainable, frozen = parameter_counts(self.model)
        return {
            "epoch": self.epochs.epoch,
            "epochs": self.config.epochs,
            "seconds": self.seconds,
            "history": {k: list(v) for k, v in self.epochs.history.items()},
            "trainable": trainable,
            "frozen": frozen,
            "diverged": self.epochs.diverged,
        }


VARIANTS = ("from scratch", "frozen", "fine-tuned")


class CompareJob:
    """From scratch (random backbone, all trainable), frozen (pretrained, only the head trains) and
    fine-tuned (pretrained, the config's frozen blocks and backbone learning rate) on the same pictures,
    trained in turn one minibatch at a time so their curves grow together.

    The three networks are built by `make_jobs` on the first step, not before: a visitor who never runs the
    comparison never pays for three model copies."""

    def __init__(self, make_jobs: Callable[[], dict[str, FineTuneJob]]) -> None:
        self._make_jobs = make_jobs
        self._jobs: dict[str, FineTuneJob] | None = None
        self._turn = 0

    @property
    def started(self) -> bool:
        """Whether the three networks exist yet."""
        return self._jobs is not None

    @property
    def jobs(self) -> dict[str, FineTuneJob]:
        if self._jobs is None:
            self._jobs = self._make_jobs()
        return self._jobs

    @property
    def done(self) -> bool:
        return self.started and all(job.done for job in self.jobs.values())

    def train_for(self, seconds: float) -> int:
        start, steps = time.perf_counter(), 0
        active = [job for job in self.jobs.values() if not job.done]
        while active and (steps == 0 or time.perf_counter() - start < seconds):
            active[self._turn % len(active)].train_for(0.0)
            self._turn += 1
            steps += 1
            active = [job for job in self.jobs.values() if not job.done]
        return steps

    def step(self) -> None:
        """One epoch of each."""
        for job in self.jobs.values():
            job.step()

    def snapshot(self) -> dict[str, dict[str, object]]:
        """Each variant's snapshot; empty before the first step."""
        return {name: job.snapshot() for name, job in self.jobs.items()} if self.started else {}

    def embeddings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features of every training and validation picture from the pretrained trunk (the frozen
        variant's, which never changes) and from the fine-tuned trunk, and their labels."""
        frozen, tuned = self.jobs["frozen"], self.jobs["fine-tuned"]
        x = torch.cat([tuned.train_x, tuned.val_x])
        labels = torch.cat([tuned.train_y, tuned.val_y]).numpy()
        return frozen.features(x).numpy(), tuned.features(x).numpy(), labels


def compare_job(
    space: Workspace,
    backbone: str,
    val_fraction: float,
    n_frozen: int,
    lr_factor: float,
    epochs: int,
    lr: float,
    seed: int,
) -> CompareJob:
    """From scratch, frozen and fine-tuned, each on its own copy of the network, on the same split (built
    when the comparison first trains)."""

    def make_jobs() -> dict[str, FineTuneJob]:
        pretrained = load_backbone(backbone)
        train_x, train_y, val_x, val_y = finetune_data(space, pretrained, val_fraction, seed)
        settings = {
            "from scratch": (load_backbone(backbone, pretrained=False, seed=seed), 0, 1.0),
            "frozen": (pretrained, len(pretrained.block_names), 1.0),
            "fine-tuned": (load_backbone(backbone), n_frozen, lr_factor),
        }
        return {
            name: FineTuneJob(
                net,
                train_x,
                train_y,
                val_x,
                val_y,
                len(space.classes),
                FineTuneConfig(frozen, factor, epochs, lr, 16, seed),
            )
            for name, (net, frozen, factor) in settings.items()
        }

    return CompareJob(make_jobs)


def freeze_counts(backbone: Backbone, n_frozen: int, n_classes: int) -> tuple[int, int]:
    """(trainable, frozen) parameter counts of backbone + new head with the first `n_frozen` blocks frozen,
    without building the model (the page's slider)."""
    sizes = [sum(p.numel() for p in block.parameters()) for block in backbone.trunk.blocks.values()]
    head = backbone.feature_dim * n_classes + n_classes
    return head + sum(sizes[n_frozen:]), sum(sizes[:n_frozen])
