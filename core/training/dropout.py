"""Dropout: the seed's DropoutModel shape, a live job that overfits a small dataset with and without it
(same initial weights, same minibatches), the mask it samples, and Monte-Carlo dropout over the plane.

In train mode nn.Dropout(p) zeroes each value with probability p and multiplies the survivors by 1/(1 − p),
so a unit's expected output is unchanged; in eval mode it passes its input through untouched.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.basics.mlp import input_grid
from core.runner import train_steps
from core.runtime import holds_global_rng
from core.training.plane_data import PlaneData, plane_data


@dataclass(frozen=True)
class DropoutConfig:
    """The dropout comparison; the page's widgets, the job and the generated script all read it."""

    p: float = 0.5  # dropout rate of the second model (the first has none)
    hidden: tuple[int, ...] = (64, 64)  # wide enough to memorise the training points
    lr: float = 0.01  # Adam
    epochs: int = 200
    batch_size: int = 16
    dataset: str = "xor"  # a playground classification dataset
    points: int = 80  # few points, half for training: easy to overfit
    noise: float = 0.3
    train_fraction: float = 0.5
    seed: int = 0


@holds_global_rng()
def dropout_mlp(hidden: tuple[int, ...], p: float, seed: int) -> nn.Sequential:
    """The seed's DropoutModel shape: (Linear → ReLU → Dropout(p)) per hidden layer → Linear; with p = 0 the
    Dropout layers are left out. Dropout has no weights, so the same seed gives the same Linear weights."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    fan_in = 2
    for width in hidden:
        layers += [nn.Linear(fan_in, width), nn.ReLU()] + ([nn.Dropout(p)] if p > 0 else [])
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


@dataclass(frozen=True)
class LayerMask:
    """One Dropout layer's work on one input: what came in, which units survived, what went out."""

    before: np.ndarray  # (width,) the ReLU's output
    kept: np.ndarray  # (width,) bool
    after: np.ndarray  # (width,) before · kept / (1 − p)


class DropoutJob:
    """Trains the model without dropout and the one with rate p side by side, one epoch per Step; after
    each epoch records both models' eval-mode loss on the training and on the test points."""

    def __init__(self, config: DropoutConfig) -> None:
        self.config = config
        self.data: PlaneData = plane_data(
            config.dataset, config.points, config.noise, config.train_fraction, config.seed
        )
        # nn.Dropout draws from torch's global generator: the job keeps that generator's state to itself
        # between epochs (fork_rng, holding the generator), so a run repeats whatever other sessions do.
        with holds_global_rng(), torch.random.fork_rng():
            self.models = {
                "no dropout": dropout_mlp(config.hidden, 0.0, config.seed),
                f"dropout {config.p:g}": dropout_mlp(config.hidden, config.p, config.seed),
            }
            self.rng_state = torch.get_rng_state()
        self.optimizers = {k: torch.optim.Adam(m.parameters(), lr=config.lr) for k, m in self.models.items()}
        self.order = torch.Generator().manual_seed(config.seed)  # minibatch order, shared by both models
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.train_losses: dict[str, list[float]] = {k: [] for k in self.models}
        self.test_losses: dict[str, list[float]] = {k: [] for k in self.models}
        self._monte_carlo: dict[
            tuple[int, int, int, int], dict[str, np.ndarray]
        ] = {}  # by (epoch, S, seed, R)

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        return len(self.train_losses["no dropout"])

    @property
    def done(self) -> bool:
        """All epochs trained, or a loss went NaN/inf."""
        last = [v[-1] for v in self.train_losses.values() if v]
        return self.epoch >= self.config.epochs or not all(math.isfinite(v) for v in last)

    def step(self) -> None:
        """One epoch of both models on the same minibatches, then both evaluated."""
        if self.done:
            return
        batches = torch.randperm(len(self.data.train_y), generator=self.order).split(self.config.batch_size)
        with holds_global_rng(), torch.random.fork_rng():
            torch.set_rng_state(self.rng_state)
            for name, model in self.models.items():
                model.train()
                for idx in batches:
                    loss = self.loss_fn(model(self.data.train_x[idx]).squeeze(1), self.data.train_y[idx])
                    self.optimizers[name].zero_grad()
                    loss.backward()
                    self.optimizers[name].step()
            self.rng_state = torch.get_rng_state()
        for name, model in self.models.items():
            model.eval()
            with torch.no_grad():
                for x, y, record in (
                    (self.data.train_x, self.data.train_y, self.train_losses[name]),
                    (self.data.test_x, self.data.test_y, self.test_losses[name]),
                ):
                    record.append(self.loss_fn(model(x).squeeze(1), y).item())
            model.train()

    def train_for(self, seconds: float) -> int:
        """Train whole epochs for about `seconds` (at least one); returns the epochs run."""
        return train_steps(self, seconds)

    def snapshot(self) -> dict:
        """Copies of both models' per-epoch eval-mode train and test losses."""
        return {
            "epoch": self.epoch,
            "train": {k: np.array(v) for k, v in self.train_losses.items()},
            "test": {k: np.array(v) for k, v in self.test_losses.items()},
        }

    @property
    def dropout_model(self) -> nn.Sequential:
        """The model trained with dropout rate p."""
        return self.models[f"dropout {self.config.p:g}"]

    def masks(self, point: tuple[float, float], seed: int) -> list[LayerMask]:
        """The masks the dropout model samples for one input in train mode, from `seed`."""
        return sample_masks(self.dropout_model, torch.tensor([point], dtype=torch.float32), seed)

    def monte_carlo(self, samples: int, seed: int, resolution: int = 41) -> dict[str, np.ndarray]:
        """Monte-Carlo dropout over the input plane [-1, 1]²: the mean and standard deviation of the
        probability over `samples` train-mode passes, and the eval-mode probability (kept per epoch)."""
        key = (self.epoch, samples, seed, resolution)
        if key not in self._monte_carlo:
            self._monte_carlo = {key: monte_carlo(self.dropout_model, samples, seed, resolution)}
        return {k: v.copy() for k, v in self._monte_carlo[key].items()}


def sample_masks(model: nn.Sequential, x: torch.Tensor, seed: int) -> list[LayerMask]:
    """Run one input x (1, 2) through `model` in train mode from `seed`, layer by layer, and record each
    Dropout layer. Its mask is nn.Dropout applied to ones (0 or 1/(1 − p) per unit): the same draw it makes
    on the real input, which makes the real output h · mask; a unit whose input is 0 shows as kept or not."""
    records = []
    with holds_global_rng(), torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(seed)
        h = x  # (1, 2)
        for module in model:
            if isinstance(module, nn.Dropout):
                scale = module.train()(torch.ones_like(h))  # (1, width): 0 or 1 / (1 - p)
                records.append(LayerMask(h[0].numpy(), scale[0].numpy() != 0, (h * scale)[0].numpy()))
                h = h * scale
            else:
                h = module(h)
    return records


def monte_carlo(model: nn.Sequential, samples: int, seed: int, resolution: int = 41) -> dict[str, np.ndarray]:
    """Mean and std of sigmoid(model(x)) over `samples` dropout-sampled passes on a grid over [-1, 1]², and
    the eval-mode (no dropout) probability, each (R, R) with x2 down the rows."""
    axis, points = input_grid(-1.0, 1.0, resolution)
    was_training = model.training
    with holds_global_rng(), torch.random.fork_rng(), torch.no_grad():
        torch.manual_seed(seed)
        model.train()
        draws = torch.stack([torch.sigmoid(model(points)).squeeze(1) for _ in range(samples)])  # (S, R*R)
        model.eval()
        plain = torch.sigmoid(model(points)).squeeze(1)
    model.train(was_training)
    shape = (resolution, resolution)
    return {
        "axis": axis.numpy(),
        "mean": draws.mean(0).reshape(shape).numpy(),
        "std": draws.std(0).reshape(shape).numpy(),
        "eval": plain.reshape(shape).numpy(),
    }
