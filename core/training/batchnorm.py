"""Batch normalization: the seed's BatchNormModel shape, a live job that trains a deep MLP with and without
it (same initial weights, same minibatches), and batch norm written out by hand to check against torch.

In train mode nn.BatchNorm1d normalizes each feature with the minibatch's mean and biased variance, then
scales by γ and shifts by β; it also updates running averages (momentum 0.1, unbiased variance) that eval
mode uses instead. So one input gives different outputs in the two modes.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.runner import train_steps
from core.runtime import holds_global_rng
from core.training.plane_data import PlaneData, plane_data

BINS = np.linspace(-4.0, 4.0, 41)  # histogram bin edges of the pre-activations; values outside are clipped in


@dataclass(frozen=True)
class BatchNormConfig:
    """The batch-norm comparison; the page's widgets, the job and the generated script all read it."""

    depth: int = 6  # hidden layers, each Linear → (BatchNorm1d) → ReLU
    width: int = 32  # units per hidden layer
    lr: float = 0.05  # plain SGD: no momentum, so only the normalization differs
    epochs: int = 60
    batch_size: int = 32
    dataset: str = "circle"  # a playground classification dataset
    points: int = 400
    noise: float = 0.1
    train_fraction: float = 0.8
    seed: int = 0


@holds_global_rng()
def batchnorm_mlp(depth: int, width: int, batch_norm: bool, seed: int) -> nn.Sequential:
    """The seed's BatchNormModel shape: (Linear → BatchNorm1d → ReLU) × depth → Linear, or the same without
    the BatchNorm1d layers. BatchNorm1d starts at γ = 1, β = 0 and draws nothing from the random generator,
    so the same seed gives both variants the same Linear weights."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    fan_in = 2
    for _ in range(depth):
        layers.append(nn.Linear(fan_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.ReLU())
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


def hand_batch_norm(
    x: torch.Tensor, bn: nn.BatchNorm1d, training: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """BatchNorm1d's forward by hand on x (B, C): the output and the running mean and variance after it.

    Train mode: y = γ (x − μ_B) / √(σ²_B + ε) + β with the batch's mean μ_B and biased variance σ²_B; the
    running averages move by `momentum` towards μ_B and the *unbiased* variance σ²_B · B/(B − 1).
    Eval mode: the running averages replace μ_B and σ²_B and nothing is updated."""
    gamma, beta = bn.weight.detach(), bn.bias.detach()
    mean, var = bn.running_mean.clone(), bn.running_var.clone()
    if training:
        batch_mean, batch_var = x.mean(dim=0), x.var(dim=0, unbiased=False)  # (C,), (C,)
        y = gamma * (x - batch_mean) / torch.sqrt(batch_var + bn.eps) + beta
        n = x.shape[0]
        mean = (1 - bn.momentum) * mean + bn.momentum * batch_mean
        var = (1 - bn.momentum) * var + bn.momentum * batch_var * n / (n - 1)
        return y, mean, var
    return gamma * (x - mean) / torch.sqrt(var + bn.eps) + beta, mean, var


class BatchNormJob:
    """Trains the plain and the batch-normalized MLP side by side, one epoch per Step; records each epoch's
    mean minibatch loss and a histogram of every hidden layer's pre-activations (the ReLU's input)."""

    def __init__(self, config: BatchNormConfig) -> None:
        self.config = config
        self.data: PlaneData = plane_data(
            config.dataset, config.points, config.noise, config.train_fraction, config.seed
        )
        self.models = {
            "plain": batchnorm_mlp(config.depth, config.width, False, config.seed),
            "batch norm": batchnorm_mlp(config.depth, config.width, True, config.seed),
        }
        self.optimizers = {k: torch.optim.SGD(m.parameters(), lr=config.lr) for k, m in self.models.items()}
        self.order = torch.Generator().manual_seed(config.seed)  # minibatch order, shared by both models
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.losses: dict[str, list[float]] = {k: [] for k in self.models}
        self.histograms: dict[str, list[np.ndarray]] = {k: [] for k in self.models}  # per epoch (L, bins)
        self.stds: dict[str, list[np.ndarray]] = {k: [] for k in self.models}  # per epoch (L,)

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        return len(self.losses["plain"])

    @property
    def done(self) -> bool:
        """All epochs trained, or a loss went NaN/inf."""
        last = [v[-1] for v in self.losses.values() if v]
        return self.epoch >= self.config.epochs or not all(math.isfinite(v) for v in last)

    def step(self) -> None:
        """One epoch of both models on the same minibatches."""
        if self.done:
            return
        batches = torch.randperm(len(self.data.train_y), generator=self.order).split(self.config.batch_size)
        for name, model in self.models.items():
            relus = [m for m in model if isinstance(m, nn.ReLU)]
            seen: list[list[torch.Tensor]] = [[] for _ in relus]
            hooks = [
                relu.register_forward_hook(
                    lambda _m, inputs, _o, i=i, seen=seen: seen[i].append(inputs[0].detach())
                )
                for i, relu in enumerate(relus)
            ]
            total = 0.0
            for idx in batches:
                loss = self.loss_fn(model(self.data.train_x[idx]).squeeze(1), self.data.train_y[idx])
                self.optimizers[name].zero_grad()
                loss.backward()
                self.optimizers[name].step()
                total += loss.item()
            for hook in hooks:
                hook.remove()
            self.losses[name].append(total / len(batches))
            values = [torch.cat(v).flatten().numpy() for v in seen]  # the epoch's pre-activations per layer
            self.histograms[name].append(
                np.stack([np.histogram(np.clip(v, BINS[0], BINS[-1]), BINS)[0] for v in values])
            )
            self.stds[name].append(np.array([v.std() for v in values]))

    def train_for(self, seconds: float) -> int:
        """Train whole epochs for about `seconds` (at least one); returns the epochs run."""
        return train_steps(self, seconds)

    def snapshot(self) -> dict:
        """Copies of the per-epoch losses, histograms (epochs, L, bins) and stds (epochs, L)."""
        return {
            "epoch": self.epoch,
            "losses": {k: np.array(v) for k, v in self.losses.items()},
            "histograms": {k: np.array(v) for k, v in self.histograms.items()},
            "stds": {k: np.array(v) for k, v in self.stds.items()},
        }

    def probe_batch(self) -> torch.Tensor:
        """A fixed minibatch to look at: the first `batch_size` training points."""
        return self.data.train_x[: self.config.batch_size]  # (B, 2)

    def batch_vs_running(self, features: int = 6) -> dict[str, np.ndarray]:
        """For the first BatchNorm1d layer on the probe batch: each feature's batch mean and biased variance
        (what train mode normalizes with) next to the running mean and variance (what eval mode uses)."""
        model = self.models["batch norm"]
        linear, bn = model[0], model[1]
        with torch.no_grad():
            z = linear(self.probe_batch())  # (B, width): the BatchNorm1d layer's input
        return {
            "batch mean": z.mean(dim=0)[:features].numpy(),
            "running mean": bn.running_mean[:features].numpy().copy(),
            "batch var": z.var(dim=0, unbiased=False)[:features].numpy(),
            "running var": bn.running_var[:features].numpy().copy(),
        }

    def train_vs_eval(self) -> tuple[np.ndarray, np.ndarray]:
        """The batch-norm model's probabilities for the probe batch in train mode and in eval mode. The
        train-mode pass runs on a copy, so it does not move the real model's running averages."""
        model = self.models["batch norm"]
        twin = copy.deepcopy(model).train()
        model.eval()
        with torch.no_grad():
            train = torch.sigmoid(twin(self.probe_batch())).squeeze(1)
            evaluated = torch.sigmoid(model(self.probe_batch())).squeeze(1)
        model.train()
        return train.numpy(), evaluated.numpy()
