"""The loss registry, one entry per torch.nn loss: the module, its formula as PyTorch defines it and what it
compares (the Loss functions page), and for the three losses the Training playground offers, how it offers
them (`Loss.playground`: its name there, the tasks, the exported code and the fast kernel's code).

The playground names its losses as TensorFlow Playground does ("MSE/2", "BCE", "Huber"), and those names are
in its links and widgets; `PLAYGROUND_LOSSES` looks an entry's playground use up by that name.
"""

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.playground import codes


@dataclass(frozen=True)
class PlaygroundLoss:
    """How the playground offers a loss: its name there, the tasks it suits, the output activation it expects
    and the targets it compares with."""

    name: str
    tasks: tuple[str, ...]  # "classification" and/or "regression"
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # mean over the batch
    code: str  # the same loss in the exported script, on (out, target)
    note: str
    kernel: int  # the fast kernel's code for this loss


@dataclass(frozen=True)
class LossParam:
    """A loss's tunable keyword argument and the range the page offers."""

    name: str  # keyword of the torch.nn module
    default: float
    low: float
    high: float


@dataclass(frozen=True)
class Loss:
    """One loss: the torch.nn module computing it, its formula as PyTorch defines it, and what it compares."""

    name: str
    module: str  # class name in torch.nn
    formula: str  # per example, in PyTorch's definition (LaTeX)
    # What the loss compares, which fixes the x axis of its curve: "value" (a prediction ŷ, a real target y),
    # "probability" (p in (0, 1), y in [0, 1]), "logit" (a raw score z, y in [0, 1]), "classes" (class
    # scores and the true class's index) or "distribution" (log-probabilities, target probabilities).
    kind: str
    note: str
    playground: PlaygroundLoss | None = None  # how the Training playground offers it, if it does
    param: LossParam | None = None
    fixed: tuple[tuple[str, object], ...] = ()  # keyword arguments the page always passes

    def build(self, value: float | None = None, reduction: str | None = None) -> nn.Module:
        """The torch.nn module with the page's parameter value (its default when None)."""
        kwargs = dict(self.fixed)
        if self.param is not None:
            kwargs[self.param.name] = self.param.default if value is None else value
        if reduction is not None:
            kwargs["reduction"] = reduction
        return getattr(nn, self.module)(**kwargs)

    def code(self, value: float | None = None) -> str:
        """The constructor call as a learner would write it, e.g. nn.HuberLoss(delta=1.0)."""
        kwargs = dict(self.fixed)
        if self.param is not None:
            kwargs[self.param.name] = self.param.default if value is None else value
        return f"nn.{self.module}(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


# The three losses the Training playground offers, under its names (the registry's entries carry them).
HALF_MSE = PlaygroundLoss(
    "MSE/2",
    ("classification", "regression"),
    lambda o, t: F.mse_loss(o, t) / 2,
    "F.mse_loss(out, target) / 2",
    "Half the mean squared error, mean of ½(o − t)²: nn.MSELoss()/2, TensorFlow Playground's "
    "loss (the ½ makes its gradient o − t). Classes are written −1/+1 and the output goes "
    "through tanh.",
    codes.HALF_MSE,
)
BCE_ON_LOGITS = PlaygroundLoss(
    "BCE",
    ("classification",),
    F.binary_cross_entropy_with_logits,
    "F.binary_cross_entropy_with_logits(out, target)",
    "Binary cross-entropy on the logit (sigmoid "
    "inside the loss): the standard for two classes; classes are 0/1.",
    codes.BCE_WITH_LOGITS,
)
HUBER = PlaygroundLoss(
    "Huber",
    ("regression",),
    F.huber_loss,
    "F.huber_loss(out, target)",
    "Quadratic near 0, linear beyond |o − t| = 1: regression that outliers cannot dominate.",
    codes.HUBER,
)

LOSSES: dict[str, Loss] = {
    entry.name: entry
    for entry in (
        Loss(
            "MSE", "MSELoss", r"(\hat y - y)^2", "value", "Squares errors: large errors dominate.", HALF_MSE
        ),
        Loss(
            "MAE", "L1Loss", r"|\hat y - y|", "value", "Absolute error: every unit of error costs the same."
        ),
        Loss(
            "Huber",
            "HuberLoss",
            r"\begin{cases}\tfrac12(\hat y - y)^2 & |\hat y - y| \le \delta\\"
            r"\delta\,(|\hat y - y| - \tfrac12\delta) & \text{otherwise}\end{cases}",
            "value",
            "Quadratic for small errors, linear beyond δ: MSE near the fit, MAE for outliers.",
            HUBER,
            LossParam("delta", 1.0, 0.1, 5.0),
        ),
        Loss(
            "BCE",
            "BCELoss",
            r"-\,[\,y \log p + (1-y)\log(1-p)\,]\quad(\text{each }\log\text{ clamped to} \ge -100)",
            "probability",
            "Binary cross-entropy on a probability p (after a sigmoid).",
        ),
        Loss(
            "BCEWithLogits",
            "BCEWithLogitsLoss",
            r"-\,[\,y \log \sigma(z) + (1-y)\log(1-\sigma(z))\,] = \max(z,0) - z\,y + \log(1+e^{-|z|})",
            "logit",
            "The same loss on the raw score z, the sigmoid folded in: stable for any z.",
            BCE_ON_LOGITS,
        ),
        Loss(
            "CrossEntropy",
            "CrossEntropyLoss",
            r"-\log \frac{e^{x_c}}{\sum_j e^{x_j}} = -x_c + \log\sum_j e^{x_j}",
            "classes",
            "Multi-class: scores (logits) x over C classes, true class c; log-softmax is inside the loss.",
        ),
        Loss(
            "Hinge",
            "MultiMarginLoss",
            r"\frac{1}{C}\sum_{j \ne c} \max(0,\ \text{margin} - x_c + x_j)",
            "classes",
            "Multi-class hinge (SVM): zero once the true class's score beats every other by the margin.",
            param=LossParam("margin", 1.0, 0.1, 3.0),
        ),
        Loss(
            "KLDiv",
            "KLDivLoss",
            r"\sum_j t_j\,(\log t_j - \text{input}_j),\quad \text{input} = \log q",
            "distribution",
            "KL(t ‖ q): how much the predicted distribution q diverges from the target t; not a distance, "
            "since KL(t ‖ q) ≠ KL(q ‖ t) in general. PyTorch's input is "
            "log-probabilities (log q, e.g. log_softmax), the target plain probabilities; "
            "reduction='batchmean' divides the sum by the batch size, which is the true KL divergence "
            "('mean' would also divide by the number of classes).",
            fixed=(("reduction", "batchmean"),),
        ),
    )
}
# The playground's losses by the name it shows, in the order of its menu.
PLAYGROUND_LOSSES: dict[str, PlaygroundLoss] = {use.name: use for use in (HALF_MSE, BCE_ON_LOGITS, HUBER)}


def losses_for(task: str) -> list[str]:
    """Names of the playground's losses that suit a task, in menu order."""
    return [name for name, loss in PLAYGROUND_LOSSES.items() if task in loss.tasks]


def output_activation(loss: str, task: str) -> str:
    """The output layer's activation: tanh for ±1 classes under MSE/2, none (a logit or a value) otherwise."""
    return "Tanh" if task == "classification" and loss == "MSE/2" else "Identity"


def no_hidden_note(loss: str, task: str) -> str:
    """What a network without hidden layers computes: one Linear layer, then the output activation."""
    if task != "classification":
        return "No hidden layers: the output w·x + b is a linear function of the input features."
    output = "tanh(w·x + b)" if output_activation(loss, task) == "Tanh" else "the logit w·x + b"
    return (
        f"No hidden layers: the output is {output}, so the decision boundary (w·x + b = 0) is a straight "
        "line in the input features."
    )


def encode_targets(labels: torch.Tensor, loss: str, task: str) -> torch.Tensor:
    """Targets the loss compares with: 0/1 classes become ±1 under MSE/2; regression values pass through."""
    if task == "classification" and loss == "MSE/2":
        return labels * 2.0 - 1.0
    return labels
