"""The loss registry: what the output layer ends in, how labels are encoded, and the loss itself."""

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.playground import codes


@dataclass(frozen=True)
class Loss:
    """One loss: the tasks it suits, the output activation it expects and the targets it compares with."""

    name: str
    tasks: tuple[str, ...]  # "classification" and/or "regression"
    fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # mean over the batch
    code: str  # the same loss in the exported script, on (out, target)
    note: str
    kernel: int  # the fast kernel's code for this loss


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "MSE/2",
            ("classification", "regression"),
            lambda o, t: F.mse_loss(o, t) / 2,
            "F.mse_loss(out, target) / 2",
            "Half the mean squared error, mean of ½(o − t)²: nn.MSELoss()/2, TensorFlow Playground's loss "
            "(the ½ makes its gradient o − t). Classes are written −1/+1 and the output goes through tanh.",
            codes.HALF_MSE,
        ),
        Loss(
            "BCE",
            ("classification",),
            F.binary_cross_entropy_with_logits,
            "F.binary_cross_entropy_with_logits(out, target)",
            "Binary cross-entropy on the logit (sigmoid "
            "inside the loss): the standard for two classes; classes are 0/1.",
            codes.BCE_WITH_LOGITS,
        ),
        Loss(
            "Huber",
            ("regression",),
            F.huber_loss,
            "F.huber_loss(out, target)",
            "Quadratic near 0, linear beyond |o − t| = 1: regression that outliers cannot dominate.",
            codes.HUBER,
        ),
    )
}


def losses_for(task: str) -> list[str]:
    """Names of the losses that suit a task, in registry order."""
    return [name for name, loss in LOSSES.items() if task in loss.tasks]


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
