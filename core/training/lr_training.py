"""Training under a learning-rate schedule, next to a twin at a constant rate, and the LR range test.

`ScheduleJob` is a live-training job (core.runner): it trains two copies of one MLP (same initial weights,
same minibatches, SGD with momentum 0.9) on a 2-D dataset, one with the chosen torch scheduler stepped once
per epoch and one at the constant base rate, and records each epoch's rate and mean minibatch loss.
"""

import copy
import itertools
import math
from dataclasses import dataclass, field
from string import Template

import numpy as np
import torch
from torch import nn

from core.runner import train_steps
from core.runtime import holds_global_rng
from core.training.plane_data import PlaneData, data_code, plane_data
from core.training.schedules import SCHEDULES, schedule_code

MOMENTUM = 0.9
RANGE_START, RANGE_END, RANGE_STEPS = 1e-4, 10.0, 200  # the LR range test sweeps these rates in so many steps


@dataclass(frozen=True)
class ScheduleConfig:
    """One schedule experiment; the page's widgets, the job and the generated script all read it."""

    schedule: str = "StepLR"  # a core.training.schedules.SCHEDULES name
    lr: float = 0.1  # base learning rate η₀ (OneCycleLR's max_lr)
    epochs: int = 100  # length of the run; schedules that span the run (cosine, one-cycle) use it
    batch_size: int = 32
    hidden: tuple[int, ...] = (32, 32)  # ReLU hidden layers
    dataset: str = "moons"  # a playground classification dataset
    points: int = 400
    noise: float = 0.3  # noisy moons: a noise floor that a decaying rate gets below
    train_fraction: float = 0.8
    seed: int = 0


@holds_global_rng()
def build_mlp(hidden: tuple[int, ...], seed: int) -> nn.Sequential:
    """2 → hidden (ReLU) → 1 logit, initialised from `seed`."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    width = 2
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 1))


@dataclass
class Twin:
    """One of the two runs: its model, optimizer, scheduler (None: constant rate) and history."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    lrs: list[float] = field(default_factory=list)  # rate used in each epoch
    losses: list[float] = field(default_factory=list)  # mean minibatch training loss of each epoch


class ScheduleJob:
    """Trains the scheduled model and its constant-rate twin epoch by epoch (the Step unit is one epoch)."""

    def __init__(self, config: ScheduleConfig) -> None:
        self.config = config
        self.data: PlaneData = plane_data(
            config.dataset, config.points, config.noise, config.train_fraction, config.seed
        )
        model = build_mlp(config.hidden, config.seed)
        twin = copy.deepcopy(model)
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=MOMENTUM)
        scheduler = SCHEDULES[config.schedule].build(optimizer, config.epochs, config.lr)
        self.scheduled = Twin(model, optimizer, scheduler)
        self.constant = Twin(twin, torch.optim.SGD(twin.parameters(), lr=config.lr, momentum=MOMENTUM), None)
        self.order = torch.Generator().manual_seed(config.seed)  # minibatch order, shared by both twins
        self.loss_fn = nn.BCEWithLogitsLoss()

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        return len(self.scheduled.losses)

    @property
    def done(self) -> bool:
        """The run's epochs are all trained, or a loss went NaN/inf."""
        last = [t.losses[-1] for t in (self.scheduled, self.constant) if t.losses]
        return self.epoch >= self.config.epochs or not all(math.isfinite(v) for v in last)

    def step(self) -> None:
        """Train one epoch of both twins on the same minibatches, then step the scheduler."""
        if self.done:
            return
        n = len(self.data.train_y)
        perm = torch.randperm(n, generator=self.order)
        batches = [perm[i : i + self.config.batch_size] for i in range(0, n, self.config.batch_size)]
        for twin in (self.scheduled, self.constant):
            twin.lrs.append(twin.optimizer.param_groups[0]["lr"])
            total = 0.0
            for idx in batches:
                logits = twin.model(self.data.train_x[idx]).squeeze(1)  # (B,)
                loss = self.loss_fn(logits, self.data.train_y[idx])
                twin.optimizer.zero_grad()
                loss.backward()
                twin.optimizer.step()
                total += loss.item()
            twin.losses.append(total / len(batches))
        scheduler = self.scheduled.scheduler
        if SCHEDULES[self.config.schedule].needs_loss:
            scheduler.step(self.scheduled.losses[-1])
        else:
            scheduler.step()

    def train_for(self, seconds: float) -> int:
        """Train whole epochs for about `seconds` (at least one); returns the epochs run."""
        return train_steps(self, seconds)

    def test_accuracy(self) -> tuple[float, float]:
        """Test accuracy of the scheduled model and of the constant-rate twin."""
        with torch.no_grad():
            return tuple(
                float(((t.model(self.data.test_x).squeeze(1) > 0).float() == self.data.test_y).float().mean())
                for t in (self.scheduled, self.constant)
            )

    def snapshot(self) -> dict[str, np.ndarray | int]:
        """Copies of what the page draws: per-epoch rates and losses of both twins."""
        return {
            "epoch": self.epoch,
            "lr": np.array(self.scheduled.lrs),
            "loss": np.array(self.scheduled.losses),
            "constant_loss": np.array(self.constant.losses),
        }


@dataclass(frozen=True)
class RangeTest:
    """The LR range test's curve and the two usual read-outs of it."""

    lrs: np.ndarray  # rate of each minibatch step, exponentially increasing
    losses: np.ndarray  # raw minibatch loss at each step
    smoothed: np.ndarray  # bias-corrected exponential moving average of the loss (β = 0.9)
    steepest: float  # rate where the smoothed loss falls fastest per log-rate
    min_over_10: float  # rate at the smoothed loss's minimum, divided by 10


def lr_range_test(
    config: ScheduleConfig,
    start: float = RANGE_START,
    end: float = RANGE_END,
    steps: int = RANGE_STEPS,
    beta: float = 0.9,
) -> RangeTest:
    """Train a fresh copy of the model (same init and data) for `steps` minibatches while the rate grows
    from `start` to `end` by a constant factor each step; stop early when the smoothed loss passes 4× its
    minimum (it diverged)."""
    data = plane_data(config.dataset, config.points, config.noise, config.train_fraction, config.seed)
    model = build_mlp(config.hidden, config.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=start, momentum=MOMENTUM)
    order = torch.Generator().manual_seed(config.seed)
    loss_fn = nn.BCEWithLogitsLoss()
    factor = (end / start) ** (1 / (steps - 1))
    lrs, losses, smoothed, average, batches = [], [], [], 0.0, []
    for i in range(steps):
        if not batches:
            perm = torch.randperm(len(data.train_y), generator=order)
            batches = list(perm.split(config.batch_size))
        idx = batches.pop(0)
        lr = start * factor**i
        optimizer.param_groups[0]["lr"] = lr
        loss = loss_fn(model(data.train_x[idx]).squeeze(1), data.train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        average = beta * average + (1 - beta) * loss.item()
        lrs.append(lr)
        losses.append(loss.item())
        smoothed.append(average / (1 - beta ** (i + 1)))
        if not math.isfinite(smoothed[-1]) or smoothed[-1] > 4 * min(smoothed):
            break
    lrs_a, smooth_a = np.array(lrs), np.array(smoothed)
    best = int(np.argmin(smooth_a))
    slope = np.gradient(smooth_a[: best + 1], np.log(lrs_a[: best + 1])) if best > 0 else np.zeros(1)
    return RangeTest(
        lrs_a, np.array(losses), smooth_a, float(lrs_a[int(np.argmin(slope))]), float(lrs_a[best] / 10)
    )


SCRIPT = Template('''"""$schedule on the app's $dataset data: the LR range test, then $epochs_done epochs."""

import math

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

torch.set_num_threads(1)  # the app's thread count: the same arithmetic order, the same numbers
SEED = $seed

$data_code


def build_mlp():
    torch.manual_seed(SEED)
    return nn.Sequential($layers)


train_x, train_y, test_x, test_y = plane_data(SEED)
loss_fn = nn.BCEWithLogitsLoss()

# LR range test: the rate grows from $start to $end by a constant factor per minibatch.
model = build_mlp()
optimizer = torch.optim.SGD(model.parameters(), lr=$start, momentum=$momentum)
order = torch.Generator().manual_seed(SEED)
factor = ($end / $start) ** (1 / ($steps - 1))
lrs, smoothed, average, batches = [], [], 0.0, []
for i in range($steps):
    if not batches:
        batches = list(torch.randperm(len(train_y), generator=order).split($batch_size))
    idx = batches.pop(0)
    optimizer.param_groups[0]["lr"] = $start * factor**i
    loss = loss_fn(model(train_x[idx]).squeeze(1), train_y[idx])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    average = 0.9 * average + 0.1 * loss.item()
    lrs.append($start * factor**i)
    smoothed.append(average / (1 - 0.9 ** (i + 1)))
    if not math.isfinite(smoothed[-1]) or smoothed[-1] > 4 * min(smoothed):
        break
best = int(np.argmin(smoothed))
slope = np.gradient(smoothed[: best + 1], np.log(lrs[: best + 1])) if best > 0 else np.zeros(1)
print(f"range test: steepest {lrs[int(np.argmin(slope))]:.4g}, min/10 {lrs[best] / 10:.4g}")

# Training with the schedule, stepped once per epoch.
model = build_mlp()
optimizer = torch.optim.SGD(model.parameters(), lr=$lr, momentum=$momentum)
scheduler = $scheduler
order = torch.Generator().manual_seed(SEED)
for epoch in range($epochs_done):
    lr = optimizer.param_groups[0]["lr"]
    total, batches = 0.0, torch.randperm(len(train_y), generator=order).split($batch_size)
    for idx in batches:
        loss = loss_fn(model(train_x[idx]).squeeze(1), train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    print(f"epoch {epoch + 1}: lr {lr:.4g}, loss {total / len(batches):.4f}")
    scheduler.step($step_arg)
''')


def pytorch_script(config: ScheduleConfig, epochs_done: int) -> str:
    """A standalone script that prints the page's range-test suggestions and its first `epochs_done`
    epochs (rate and mean loss), from the same seed."""
    widths = (2, *config.hidden)
    layers = (
        "".join(f"nn.Linear({a}, {b}), nn.ReLU(), " for a, b in itertools.pairwise(widths))
        + f"nn.Linear({widths[-1]}, 1)"
    )
    return SCRIPT.substitute(
        schedule=config.schedule,
        dataset=config.dataset,
        epochs_done=epochs_done,
        seed=config.seed,
        data_code=data_code(config.dataset, config.points, config.noise, config.train_fraction),
        layers=layers,
        start=RANGE_START,
        end=RANGE_END,
        steps=RANGE_STEPS,
        momentum=MOMENTUM,
        batch_size=config.batch_size,
        lr=config.lr,
        scheduler=schedule_code(config.schedule, config.lr, config.epochs),
        step_arg="total / len(batches)" if SCHEDULES[config.schedule].needs_loss else "",
    )
