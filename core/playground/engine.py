"""The training engine: one playground run (data, model, optimizer state, history), trained in slices.

Two paths with identical minibatch semantics (the same torch.randperm order per epoch, one update per
minibatch, the mean loss plus the penalty): the numba kernel for plain networks, and the autograd loop with
torch.optim for what the kernel does not do (dropout, batch norm).

Both run on the CPU even when a GPU is present, deliberately: a playground network has at most a few thousand
weights and minibatches of tens of points, so every CUDA kernel launch would cost more than the arithmetic.
"""

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from core.playground.checkpoint import Checkpoint, kernel_state, torch_state
from core.playground.codes import ACTIVATION_CODES, HYPER, REGULARIZATION_CODES
from core.playground.config import PlaygroundConfig
from core.playground.datasets import PLANE, Split, make_split
from core.playground.features import feature_matrix
from core.playground.kernel import train_epochs
from core.playground.losses import PLAYGROUND_LOSSES, encode_targets, output_activation
from core.playground.model import PlaygroundNet, build_model, weight_penalty
from core.playground.optim import OPTIMIZERS, SCHEDULES
from core.playground.trajectory import Trajectory
from core.runtime import holds_global_rng

# Settings that may change while training runs; any other change starts a new run.
LIVE_FIELDS = ("lr", "batch_size", "regularization", "reg_rate", "schedule", "schedule_period")
METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


def run_identity(config: PlaygroundConfig) -> PlaygroundConfig:
    """`config` without its live settings: two configurations with the same identity share a run."""
    defaults = PlaygroundConfig()
    return replace(config, **{f: getattr(defaults, f) for f in LIVE_FIELDS})


def uses_fast_path(config: PlaygroundConfig) -> bool:
    """Whether the numba kernel can train this configuration (no dropout, no batch norm)."""
    return config.dropout == 0 and not config.batch_norm and config.activation in ACTIVATION_CODES


@dataclass
class History:
    """Per-epoch metrics (epochs, 4) and per-layer gradient norms (epochs, layers), grown in blocks."""

    layers: int
    metrics: np.ndarray = field(init=False)
    grad_norms: np.ndarray = field(init=False)
    size: int = 0

    def __post_init__(self) -> None:
        self.metrics = np.empty((1024, len(METRICS)))
        self.grad_norms = np.empty((1024, self.layers))

    def reserve(self, epochs: int) -> tuple[np.ndarray, np.ndarray]:
        """Writable views for the next `epochs` rows, growing the arrays when needed."""
        while self.size + epochs > len(self.metrics):
            self.metrics = np.concatenate([self.metrics, np.empty_like(self.metrics)])
            self.grad_norms = np.concatenate([self.grad_norms, np.empty_like(self.grad_norms)])
        return self.metrics[self.size : self.size + epochs], self.grad_norms[self.size : self.size + epochs]

    def column(self, name: str) -> np.ndarray:
        """One metric for every epoch run so far."""
        return self.metrics[: self.size, METRICS.index(name)]


class Engine:
    """One training run of a playground network on a split of 2-D data."""

    def __init__(self, config: PlaygroundConfig, data: Split | None = None, fast: bool | None = None) -> None:
        if config.errors():
            raise ValueError("; ".join(config.errors()))
        self.config = config
        self.data = data or make_split(
            config.dataset, config.points, config.noise, config.train_fraction, config.seed
        )
        self.task = self.data.task
        if config.loss not in PLAYGROUND_LOSSES or self.task not in PLAYGROUND_LOSSES[config.loss].tasks:
            raise ValueError(f"the {config.loss} loss does not suit {self.task}")
        self.output_activation = output_activation(config.loss, self.task)
        self.x_train = torch.from_numpy(feature_matrix(self.data.train_points, config.features))  # (n, F)
        self.x_test = torch.from_numpy(feature_matrix(self.data.test_points, config.features))
        self.t_train = encode_targets(torch.from_numpy(self.data.train_y), config.loss, self.task)  # (n,)
        self.t_test = encode_targets(torch.from_numpy(self.data.test_y), config.loss, self.task)
        self.model: PlaygroundNet = build_model(config, self.output_activation)
        self.fast = uses_fast_path(config) if fast is None else fast
        self.generator = torch.Generator().manual_seed(config.seed)  # minibatch order
        self.epoch = 0
        self.history = History(len(self.model.linears))
        self.diverged = False
        self.stop_at: int | None = None  # an epoch to stop at by itself (a prediction card's budget)
        self._grids: dict[int, tuple] = {}  # resolution -> axis, grid features, float32 twin, tensor pairs
        # Dropout draws from the process-wide generator; the run keeps its own state of it so it repeats
        # (a run without dropout keeps it too: a fork of it may add dropout).
        self.dropout_state = torch.Generator().manual_seed(config.seed).get_state()
        if self.fast:
            self._attach_flat_buffers()
        else:
            self.optimizer = OPTIMIZERS[config.optimizer].build(self.model.parameters(), config.lr)
        self.trajectory = Trajectory(self.parameter_vector())

    def _attach_flat_buffers(self) -> None:
        """Move every parameter into one flat float64 buffer (and its gradient into another) that the kernel
        updates in place; the module's tensors become views of these buffers."""
        params = [t for linear in self.model.linears for t in (linear.weight, linear.bias)]
        total = sum(t.numel() for t in params)
        self.flat, self.flat_grad = (
            torch.empty(total, dtype=torch.float64),
            torch.zeros(total, dtype=torch.float64),
        )
        offset = 0
        for t in params:
            n = t.numel()
            self.flat[offset : offset + n] = t.detach().reshape(-1)
            t.data = self.flat[offset : offset + n].view(t.shape)
            t.grad = self.flat_grad[offset : offset + n].view(t.shape)
            offset += n
        self.state1, self.state2 = np.zeros(total), np.zeros(total)  # momentum / first and second moments
        self.steps = np.zeros(1, np.int64)
        self.sizes = np.array([self.x_train.shape[1], *self.config.hidden, 1], np.int64)

    def needs_reset(self, config: PlaygroundConfig) -> bool:
        """Whether moving to `config` needs a new run (anything but the live settings changed)."""
        return run_identity(config) != run_identity(self.config)

    def update_live(self, config: PlaygroundConfig) -> None:
        """Take the live settings (learning rate, batch size, regularization, schedule) from `config`."""
        self.config = replace(self.config, **{f: getattr(config, f) for f in LIVE_FIELDS})

    def learning_rate(self, epoch: int) -> float:
        """The learning rate the schedule gives an epoch (0-based)."""
        return self.config.lr * SCHEDULES[self.config.schedule].factor(epoch, self.config.schedule_period)

    def train(self, epochs: int) -> int:
        """Train up to `epochs` epochs; stops after one whose loss is NaN or infinite. Returns epochs run."""
        if self.diverged or epochs <= 0:
            return 0
        n = len(self.x_train)
        perms = torch.stack([torch.randperm(n, generator=self.generator) for _ in range(epochs)])  # (E, n)
        lrs = np.array([self.learning_rate(self.epoch + e) for e in range(epochs)])
        metrics, grad_norms = self.history.reserve(epochs)
        train = self._train_fast if self.fast else self._train_torch
        run = 0
        while run < epochs:  # in pieces that end where the trajectory takes a snapshot
            due = self.trajectory.next_epoch(self.epoch + run)
            stop = min(epochs, due - self.epoch)
            run += train(perms[run:stop], lrs[run:stop], metrics[run:stop], grad_norms[run:stop])
            if not np.isfinite(metrics[run - 1, :2]).all():  # diverged: it stopped after this epoch
                break
            if self.epoch + run == due:
                self.trajectory.add(due, self.parameter_vector())
        self.epoch += run
        self.history.size += run
        self.diverged = not np.isfinite(metrics[:run, :2]).all()
        return run

    def _train_fast(
        self, perms: torch.Tensor, lrs: np.ndarray, metrics: np.ndarray, grad_norms: np.ndarray
    ) -> int:
        c = self.config
        net = (self.flat.numpy(), self.flat_grad.numpy(), self.state1, self.state2, self.steps, self.sizes)
        data = (self.x_train.numpy(), self.t_train.numpy(), self.x_test.numpy(), self.t_test.numpy())
        codes = (
            ACTIVATION_CODES[c.activation],
            ACTIVATION_CODES[self.output_activation],
            PLAYGROUND_LOSSES[c.loss].kernel,
            OPTIMIZERS[c.optimizer].kernel,
            REGULARIZATION_CODES[c.regularization],
        )
        return train_epochs(
            net,
            data,
            codes,
            perms.numpy(),
            c.batch_size,
            lrs,
            c.reg_rate,
            self._target_mid(),
            HYPER,
            metrics,
            grad_norms,
        )

    def _train_torch(
        self, perms: torch.Tensor, lrs: np.ndarray, metrics: np.ndarray, grad_norms: np.ndarray
    ) -> int:
        c, model, loss_fn = self.config, self.model, PLAYGROUND_LOSSES[self.config.loss].fn
        with holds_global_rng(), torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self.dropout_state)
            for e, perm in enumerate(perms):
                for group in self.optimizer.param_groups:
                    group["lr"] = float(lrs[e])
                model.train()
                for start in range(0, len(perm), c.batch_size):
                    rows = perm[start : start + c.batch_size]
                    self.optimizer.zero_grad()
                    loss = loss_fn(model(self.x_train[rows])[:, 0], self.t_train[rows])
                    if c.regularization != "none":
                        loss = loss + c.reg_rate * weight_penalty(model, c.regularization)
                    loss.backward()
                    self.optimizer.step()
                grad_norms[e] = [
                    torch.cat([lin.weight.grad.reshape(-1), lin.bias.grad]).norm().item()
                    for lin in model.linears
                ]
                metrics[e] = [
                    *self.evaluate(self.x_train, self.t_train),
                    *self.evaluate(self.x_test, self.t_test),
                ]
                metrics[e] = metrics[e][[0, 2, 1, 3]]
                if not np.isfinite(metrics[e, :2]).all():
                    self.dropout_state = torch.get_rng_state()
                    return e + 1
            self.dropout_state = torch.get_rng_state()
        return len(perms)

    def _target_mid(self) -> float:
        """Targets above this are class 1: 0 for ±1 targets, 0.5 for 0/1."""
        return 0.0 if self.config.loss == "MSE/2" else 0.5

    def evaluate(self, x: torch.Tensor, t: torch.Tensor) -> tuple[float, float]:
        """Mean data loss (no penalty) and accuracy in eval mode."""
        self.model.eval()
        with torch.no_grad():
            out = self.model(x)[:, 0]
            loss = PLAYGROUND_LOSSES[self.config.loss].fn(out, t).item()
            accuracy = ((out > 0) == (t > self._target_mid())).double().mean().item()
        return loss, accuracy

    @property
    def done(self) -> bool:
        """Whether training has stopped by itself (a live runner's job): the loss diverged, or it reached the
        epoch it was told to stop at."""
        return self.diverged or (self.stop_at is not None and self.epoch >= self.stop_at)

    def stop_after(self, epoch: int | None) -> None:
        """Stop by itself once `epoch` epochs have run (a prediction card's run); None trains on."""
        self.stop_at = epoch

    def step(self) -> None:
        """Train one epoch (the page's Step button)."""
        self.train(1)

    def train_for(self, seconds: float, max_epochs: int = 1_000_000) -> int:
        """Train in growing slices until `seconds` have passed (the page's time slice); returns epochs run."""
        if self.stop_at is not None:
            max_epochs = min(max_epochs, self.stop_at - self.epoch)
        return train_in_chunks(self.train, lambda: self.diverged, seconds, max_epochs)

    def parameter_vector(self) -> np.ndarray:
        """Every parameter in model.parameters() order as one float64 vector (P,), copied."""
        if self.fast:
            return self.flat.numpy().copy()
        return torch.nn.utils.parameters_to_vector(self.model.parameters()).detach().numpy().copy()

    def checkpoint(self) -> Checkpoint:
        """The run's state now, in torch's terms (see core/playground/checkpoint.py)."""
        if self.fast:
            c, updates = self.config, int(self.steps[0])
            optimizer = torch_state(c.optimizer, self.model, self.state1, self.state2, updates, c.lr)
        else:
            optimizer = copy.deepcopy(self.optimizer.state_dict())
        size = self.history.size
        return Checkpoint(
            config=self.config,
            epoch=self.epoch,
            model={k: v.detach().clone() for k, v in self.model.state_dict().items()},
            optimizer=optimizer,
            order_state=self.generator.get_state(),
            dropout_state=self.dropout_state.clone(),
            metrics=self.history.metrics[:size].copy(),
            grad_norms=self.history.grad_norms[:size].copy(),
            trajectory=self.trajectory.copy(),
            diverged=self.diverged,
        )

    def restore(self, checkpoint: Checkpoint) -> None:
        """Go on from `checkpoint` with this engine's settings: its weights, generators, epoch and history;
        its optimizer state too when the optimizer is the same (another optimizer starts afresh, as a new
        torch.optim object would). The network's shape must be the checkpoint's."""
        self.model.load_state_dict(checkpoint.model)
        if checkpoint.config.optimizer == self.config.optimizer:
            if self.fast:
                sizes = [p.numel() for p in self.model.parameters()]
                s1, s2, steps = kernel_state(self.config.optimizer, checkpoint.optimizer, sizes)
                self.state1[:], self.state2[:], self.steps[0] = s1, s2, steps
            else:
                self.optimizer.load_state_dict(copy.deepcopy(checkpoint.optimizer))
        self.generator.set_state(checkpoint.order_state)
        self.dropout_state = checkpoint.dropout_state.clone()
        self.epoch, self.diverged = checkpoint.epoch, checkpoint.diverged
        self.history.size = 0
        metrics, grad_norms = self.history.reserve(checkpoint.epoch)
        metrics[:], grad_norms[:] = checkpoint.metrics, checkpoint.grad_norms
        self.history.size = checkpoint.epoch
        self.trajectory = checkpoint.trajectory.copy()

    def penalty(self) -> float:
        """The current regularization term rate·R(w)."""
        with torch.no_grad():
            return self.config.reg_rate * weight_penalty(self.model, self.config.regularization).item()

    def weights(self) -> list[np.ndarray]:
        """Each Linear layer's weight matrix (n_out, n_in), input side first, for the network drawing."""
        return [linear.weight.detach().numpy().copy() for linear in self.model.linears]

    def grid(self, resolution: int = 100) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """One batched eval-mode forward pass over a resolution² grid of the plane: the axis, the output map
        (R, R) and each hidden layer's neuron maps (width, R, R)."""
        if resolution not in self._grids:
            # A float32 twin of the model: pictures need no float64, and it halves the pass's time.
            twin = copy.deepcopy(self.model).float().eval()
            pairs = list(zip(twin.state_dict().values(), self.model.state_dict().values(), strict=True))
            axis, features = grid_features(self.config.features, resolution)
            self._grids[resolution] = (axis, features.T.contiguous(), twin, pairs)  # features (F, R²)
        axis, features, twin, pairs = self._grids[resolution]
        with torch.inference_mode():
            for mirror, source in pairs:
                mirror.copy_(source)
            out, hidden = twin.forward_columns(features)
        output = out[0]
        if self.config.loss == "BCE":
            output = 2 * torch.sigmoid(output) - 1  # probability of class 1 on the same −1..1 scale
        maps = [h.reshape(-1, resolution, resolution).numpy() for h in hidden]
        return axis, output.reshape(resolution, resolution).numpy(), maps


def train_in_chunks(
    train: Callable[[int], int], stopped: Callable[[], bool], seconds: float, max_epochs: int = 1_000_000
) -> int:
    """Call `train(epochs)` in growing chunks until `seconds` have passed or `stopped()`: a runner's time
    slice for a job that trains by the epoch (one run, a fork, a sweep). Returns the epochs run."""
    start, run, chunk = time.perf_counter(), 0, 1
    while run < max_epochs and not stopped():
        t0 = time.perf_counter()
        run += train(min(chunk, max_epochs - run))
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
        per_epoch = (time.perf_counter() - t0) / chunk
        # Aim each slice at a quarter of the remaining time so the deadline is overshot by little.
        chunk = max(1, min(4 * chunk, int((seconds - elapsed) / 4 / max(per_epoch, 1e-7))))
    return run


def grid_features(features: tuple[str, ...], resolution: int) -> tuple[np.ndarray, torch.Tensor]:
    """The grid's axis and its points' input features (R², F), x1 across and x2 up."""
    axis = np.linspace(-PLANE, PLANE, resolution)
    x1, x2 = np.meshgrid(axis, axis)
    points = np.stack([x1.reshape(-1), x2.reshape(-1)], axis=1)
    return axis, torch.from_numpy(feature_matrix(points, features)).float()
