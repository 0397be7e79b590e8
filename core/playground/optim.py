"""Registries of optimizers, learning-rate schedules and weight initialisations, one line per entry."""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch
from torch import nn

from core.playground import codes


@dataclass(frozen=True)
class Optimizer:
    """One optimizer: how to build it with torch's defaults, its exported code, and the fast kernel's code."""

    name: str
    build: Callable[[Iterable[nn.Parameter], float], torch.optim.Optimizer]
    code: str  # format with lr=...
    note: str
    kernel: int


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer(
            "SGD",
            lambda p, lr: torch.optim.SGD(p, lr=lr),
            "torch.optim.SGD(model.parameters(), lr={lr})",
            "Plain gradient descent on each minibatch.",
            codes.SGD,
        ),
        Optimizer(
            "SGD+momentum",
            lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
            "torch.optim.SGD(model.parameters(), lr={lr}, momentum=0.9)",
            "Steps along a velocity v ← 0.9·v + g: an exponentially decaying sum of past gradients "
            "(weights 1, 0.9, 0.81, …), so steps grow where the gradient keeps its direction and cancel "
            "where it flips.",
            codes.SGD_MOMENTUM,
        ),
        Optimizer(
            "Nesterov",
            lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
            "torch.optim.SGD(model.parameters(), lr={lr}, momentum=0.9, nesterov=True)",
            "Momentum that steps along g + 0.9·v, the gradient plus the updated velocity: a look one step "
            "ahead, so it overshoots less.",
            codes.NESTEROV,
        ),
        Optimizer(
            "Adam",
            lambda p, lr: torch.optim.Adam(p, lr=lr),
            "torch.optim.Adam(model.parameters(), lr={lr})",
            "Per-weight step sizes from exponentially decaying averages of the gradient and its square "
            "(β 0.9, 0.999), bias-corrected; the usual default (try lr 0.01).",
            codes.ADAM,
        ),
        Optimizer(
            "AdamW",
            lambda p, lr: torch.optim.AdamW(p, lr=lr),
            "torch.optim.AdamW(model.parameters(), lr={lr})",
            "Adam with decoupled weight decay 0.01.",
            codes.ADAMW,
        ),
        Optimizer(
            "RMSprop",
            lambda p, lr: torch.optim.RMSprop(p, lr=lr),
            "torch.optim.RMSprop(model.parameters(), lr={lr})",
            "Divides each step by the root of an exponentially decaying average of squared gradients "
            "(α 0.99).",
            codes.RMSPROP,
        ),
        Optimizer(
            "Adagrad",
            lambda p, lr: torch.optim.Adagrad(p, lr=lr),
            "torch.optim.Adagrad(model.parameters(), lr={lr})",
            "Divides by the root of all past squared gradients: steps shrink over time.",
            codes.ADAGRAD,
        ),
    )
}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: the factor on the base rate at an epoch, and the torch scheduler for it."""

    name: str
    factor: Callable[[int, int], float]  # (epoch, period) -> multiplier of the base learning rate
    code: str  # a torch.optim.lr_scheduler expression, format with period=...; "" for none
    note: str


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("none", lambda e, p: 1.0, "", "The learning rate stays as set."),
        Schedule(
            "step",
            lambda e, p: 0.5 ** (e // p),
            "torch.optim.lr_scheduler.StepLR(optimizer, {period}, 0.5)",
            "Halves the rate every period.",
        ),
        Schedule(
            "cosine",
            lambda e, p: 0.5 * (1 + math.cos(math.pi * e / p)),
            "torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, {period})",
            "Follows a cosine from the full rate to 0 over one period, then back up.",
        ),
        Schedule(
            "exponential",
            lambda e, p: 0.5 ** (e / p),
            "torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.5 ** (1 / {period}))",
            "Decays smoothly, halving every period.",
        ),
        Schedule(
            "warmup",
            lambda e, p: min(1.0, 0.01 + 0.99 * e / p),
            "torch.optim.lr_scheduler.LinearLR(optimizer, 0.01, 1.0, {period})",
            "Ramps linearly from 1% to the full rate over one period, then holds it.",
        ),
    )
}


@dataclass(frozen=True)
class Init:
    """A weight initialisation applied to every Linear layer (biases start at zero)."""

    name: str
    apply: Callable[[torch.Tensor], object]  # in place on a weight matrix
    code: str  # the same in the exported script, on a weight w
    note: str


INITS: dict[str, Init] = {
    i.name: i
    for i in (
        Init(
            "Xavier",
            nn.init.xavier_uniform_,
            "nn.init.xavier_uniform_(w)",
            "Uniform with variance 2/(fan_in + fan_out): keeps the variance of signals and gradients about "
            "the same from layer to layer when the activation is nearly linear around 0, as tanh is; not "
            "sigmoid, whose slope is at most ¼, so gradients shrink layer by layer.",
        ),
        Init(
            "Kaiming",
            nn.init.kaiming_uniform_,
            "nn.init.kaiming_uniform_(w)",
            "Uniform, scaled for ReLU (which zeroes half its inputs).",
        ),
        Init(
            "Normal",
            lambda w: nn.init.normal_(w, 0.0, 0.5),
            "nn.init.normal_(w, 0.0, 0.5)",
            "N(0, 0.5²) regardless of layer size.",
        ),
        Init(
            "Zeros",
            nn.init.zeros_,
            "nn.init.zeros_(w)",
            "Every weight 0: the neurons of a layer compute the same thing and get the same gradient, so "
            "they stay identical; only dropout's random masks can tell them apart, and only with an "
            "activation that is not 0 at 0 (sigmoid). With tanh or ReLU no weight moves at all: only the "
            "output bias learns.",
        ),
    )
}
