"""The learning-rate schedule registry: one line per `torch.optim.lr_scheduler` entry with its arguments.

Each entry carries how to build the torch scheduler, the same call as code, and the schedule written out by
hand (`lr_at`), so the page can show the formula and a test can hold it against torch's `get_last_lr()`.
Schedules step once per epoch here: `lrs[t]` is the rate used during epoch t.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch.optim import lr_scheduler

WARMUP_EPOCHS = 10  # linear warm-up length of "Warm-up + cosine"
PLATEAU_FACTOR, PLATEAU_PATIENCE, PLATEAU_THRESHOLD = 0.1, 10, 1e-4  # ReduceLROnPlateau's defaults
MIN_EPOCHS = WARMUP_EPOCHS + 2  # the shortest run every entry accepts


@dataclass(frozen=True)
class Schedule:
    """One schedule: the torch scheduler for a run of `epochs` epochs at base rate `lr`, and by hand."""

    name: str
    build: Callable[[torch.optim.Optimizer, int, float], lr_scheduler.LRScheduler]  # (optimizer, epochs, lr)
    code: str  # the same call in a script; format with epochs=..., lr=..., cosine=epochs - WARMUP_EPOCHS
    lr_at: Callable[[int, int, float], float] | None  # (t, epochs, lr) -> lr of epoch t; None: needs losses
    formula: str  # LaTeX of lr_at, with η₀ the base rate and T the number of epochs
    note: str

    @property
    def needs_loss(self) -> bool:
        """Whether the scheduler steps on a measured loss (ReduceLROnPlateau) instead of the epoch count."""
        return self.lr_at is None


def _cosine(t: float, period: float) -> float:
    """Half a cosine from 1 down to 0 over `period`."""
    return 0.5 * (1 + math.cos(math.pi * t / period))


def _restart_position(t: int, first: int, mult: int) -> tuple[int, int]:
    """Epochs since the last warm restart and the current period, for periods first, first·mult, ..."""
    period = first
    while t >= period:
        t, period = t - period, period * mult
    return t, period


def _one_cycle(
    t: int, epochs: int, lr: float, pct: float = 0.3, div: float = 25.0, final: float = 1e4
) -> float:
    """OneCycleLR (cosine, two phases): lr/div up to lr at step pct·T − 1, down to lr/div/final at T − 1."""
    peak_step, last_step = pct * epochs - 1, epochs - 1
    start, low = lr / div, lr / div / final
    if t <= peak_step:
        return lr + (start - lr) * _cosine(t, peak_step)
    return low + (lr - low) * _cosine(t - peak_step, last_step - peak_step)


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule(
            "StepLR",
            lambda o, n, lr: lr_scheduler.StepLR(o, step_size=30, gamma=0.1),
            "lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)",
            lambda t, n, lr: lr * 0.1 ** (t // 30),
            r"\eta_t = \eta_0 \cdot 0.1^{\lfloor t/30 \rfloor}",
            "Divides the rate by 10 every 30 epochs (the slide's schedule).",
        ),
        Schedule(
            "MultiStepLR",
            lambda o, n, lr: lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1),
            "lr_scheduler.MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)",
            lambda t, n, lr: lr * 0.1 ** ((t >= 30) + (t >= 80)),
            r"\eta_t = \eta_0 \cdot 0.1^{[t \ge 30] + [t \ge 80]}",
            "Divides the rate by 10 at chosen epochs (30 and 80).",
        ),
        Schedule(
            "ExponentialLR",
            lambda o, n, lr: lr_scheduler.ExponentialLR(o, gamma=0.95),
            "lr_scheduler.ExponentialLR(optimizer, gamma=0.95)",
            lambda t, n, lr: lr * 0.95**t,
            r"\eta_t = \eta_0 \cdot 0.95^{t}",
            "Multiplies the rate by 0.95 every epoch: a smooth decay.",
        ),
        Schedule(
            "CosineAnnealingLR",
            lambda o, n, lr: lr_scheduler.CosineAnnealingLR(o, T_max=n),
            "lr_scheduler.CosineAnnealingLR(optimizer, T_max={epochs})",
            lambda t, n, lr: lr * _cosine(t, n),
            r"\eta_t = \tfrac{1}{2}\eta_0 \left(1 + \cos\frac{\pi t}{T}\right)",
            "Half a cosine from the base rate to 0 over the whole run.",
        ),
        Schedule(
            "CosineAnnealingWarmRestarts",
            lambda o, n, lr: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
            "lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=2)",
            lambda t, n, lr: lr * _cosine(*_restart_position(t, 10, 2)),
            r"\eta_t = \tfrac{1}{2}\eta_0 \left(1 + \cos\frac{\pi t_{cur}}{T_i}\right),\ "
            r"T_i = 10, 20, 40, \dots",
            "Cosine down to 0, then a jump back to the base rate; each period twice as long (10, 20, 40).",
        ),
        Schedule(
            "OneCycleLR",
            lambda o, n, lr: lr_scheduler.OneCycleLR(o, max_lr=lr, total_steps=n),
            "lr_scheduler.OneCycleLR(optimizer, max_lr={lr}, total_steps={epochs})",
            _one_cycle,
            r"\eta_0/25 \nearrow \eta_0 \text{ (cosine, first 30\%)} \searrow \eta_0/(25\cdot 10^4)",
            "Warms up from η₀/25 to η₀ over 30% of the run, then anneals far below; also cycles momentum "
            "0.95 → 0.85 → 0.95 (the lower the rate, the higher the momentum).",
        ),
        Schedule(
            "Warm-up + cosine",
            lambda o, n, lr: lr_scheduler.SequentialLR(
                o,
                [
                    lr_scheduler.LinearLR(o, start_factor=0.01, total_iters=WARMUP_EPOCHS),
                    lr_scheduler.CosineAnnealingLR(o, T_max=n - WARMUP_EPOCHS),
                ],
                milestones=[WARMUP_EPOCHS],
            ),
            "lr_scheduler.SequentialLR(optimizer, [\n"
            f"    lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters={WARMUP_EPOCHS}),\n"
            "    lr_scheduler.CosineAnnealingLR(optimizer, T_max={cosine}),\n"
            f"], milestones=[{WARMUP_EPOCHS}])",
            lambda t, n, lr: (
                lr
                * (
                    0.01 + 0.99 * t / WARMUP_EPOCHS
                    if t < WARMUP_EPOCHS
                    else _cosine(t - WARMUP_EPOCHS, n - WARMUP_EPOCHS)
                )
            ),
            r"\eta_t = \eta_0\left(0.01 + 0.99\tfrac{t}{10}\right) \text{ for } t<10,\ "
            r"\text{then } \tfrac{1}{2}\eta_0\left(1+\cos\frac{\pi (t-10)}{T-10}\right)",
            "Ramps linearly from 1% to the base rate over 10 epochs (a transformer recipe), then cosine.",
        ),
        Schedule(
            "ReduceLROnPlateau",
            lambda o, n, lr: lr_scheduler.ReduceLROnPlateau(
                o, factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE
            ),
            "lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=10)",
            None,
            r"\eta \leftarrow 0.1\,\eta \text{ after more than 10 epochs without a new best loss "
            r"(by a factor } 1-10^{-4})",
            "Watches the loss you pass to step(loss): when more than 10 epochs in a row (patience 10) bring "
            "no 0.01% improvement on the best, ×0.1, at the 11th.",
        ),
    )
}


def plateau_lrs(lr: float, losses: Sequence[float]) -> list[float]:
    """ReduceLROnPlateau's rate for each epoch, by hand: epoch t's rate is set by the losses before it
    (mode 'min', relative threshold, no cooldown, min_lr 0). len(result) == len(losses)."""
    best, bad, rates = math.inf, 0, []
    for loss in losses:
        rates.append(lr)
        if loss < best * (1 - PLATEAU_THRESHOLD):
            best, bad = loss, 0
        else:
            bad += 1
        if bad > PLATEAU_PATIENCE:
            if lr - lr * PLATEAU_FACTOR > 1e-8:  # torch's eps: smaller changes are ignored
                lr *= PLATEAU_FACTOR
            bad = 0
    return rates


def schedule_lrs(name: str, lr: float, epochs: int, losses: Sequence[float] | None = None) -> list[float]:
    """The rate of each of `epochs` epochs under a schedule, by hand; ReduceLROnPlateau needs `losses`."""
    schedule = SCHEDULES[name]
    if schedule.lr_at is None:
        if losses is None or len(losses) < epochs:
            raise ValueError(f"{name} needs a loss for each of the {epochs} epochs")
        return plateau_lrs(lr, losses[:epochs])
    return [schedule.lr_at(t, epochs, lr) for t in range(epochs)]


def torch_lrs(name: str, lr: float, epochs: int, losses: Sequence[float] | None = None) -> list[float]:
    """The same sequence from the torch scheduler itself: `get_last_lr()` before each epoch, then step()."""
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9)
    scheduler = SCHEDULES[name].build(optimizer, epochs, lr)
    rates = []
    for t in range(epochs):
        rates.append(scheduler.get_last_lr()[0])
        optimizer.step()  # torch warns when a scheduler steps before its optimizer
        if SCHEDULES[name].needs_loss:
            scheduler.step(losses[t])
        else:
            scheduler.step()
    return rates


def scripted_losses(epochs: int) -> list[float]:
    """A made-up loss curve to preview ReduceLROnPlateau: falls for 25 epochs, then wobbles on a plateau."""
    return [1 / (1 + 0.2 * t) if t < 25 else 1 / 6 + 0.01 * abs(math.sin(t)) for t in range(epochs)]


def schedule_code(name: str, lr: float, epochs: int) -> str:
    """The scheduler's constructor as it appears in a script, with this run's numbers."""
    return SCHEDULES[name].code.format(epochs=epochs, lr=lr, cosine=epochs - WARMUP_EPOCHS)
