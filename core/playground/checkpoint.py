"""A run's state at an epoch boundary, in PyTorch's own terms, whichever engine path trained it.

What a PyTorch checkpoint holds (the model's and the optimizer's state_dict), plus what makes the rest of the
run repeat: the minibatch-order generator, the dropout generator, the epoch and the history so far. The fast
kernel keeps the optimizer's state in flat buffers; `kernel_state` and `torch_state` translate between those
and torch.optim's per-parameter state, so a checkpoint taken on one path resumes on the other.
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.playground.config import PlaygroundConfig
from core.playground.optim import OPTIMIZERS
from core.playground.trajectory import Trajectory

# Where torch.optim keeps what the kernel keeps in its two state buffers, per optimizer (None: not used).
STATE_NAMES: dict[str, tuple[str | None, str | None]] = {
    "SGD": (None, None),
    "SGD+momentum": ("momentum_buffer", None),
    "Nesterov": ("momentum_buffer", None),
    "Adam": ("exp_avg", "exp_avg_sq"),
    "AdamW": ("exp_avg", "exp_avg_sq"),
    "RMSprop": (None, "square_avg"),
    "Adagrad": (None, "sum"),
}
COUNTS_STEPS = ("Adam", "AdamW", "RMSprop", "Adagrad")  # optimizers whose torch state has a step count


@dataclass(frozen=True)
class Checkpoint:
    """Everything a run needs to go on exactly as it would have: taken by Engine.checkpoint, resumed by
    Engine.restore (possibly with other settings: see core/playground/fork.py)."""

    config: PlaygroundConfig
    epoch: int
    model: dict[str, torch.Tensor]  # model.state_dict(), cloned
    optimizer: dict  # torch.optim state_dict of config.optimizer, cloned
    order_state: torch.Tensor  # the minibatch-order generator's state
    dropout_state: torch.Tensor  # the state the dropout masks are drawn from
    metrics: np.ndarray  # (epoch, 4) history
    grad_norms: np.ndarray  # (epoch, layers)
    trajectory: Trajectory
    diverged: bool


def torch_state(name: str, model: nn.Module, s1: np.ndarray, s2: np.ndarray, steps: int, lr: float) -> dict:
    """torch.optim's state_dict for optimizer `name` on `model`'s parameters holding the kernel's flat state
    buffers (P,) after `steps` updates. Before the first update torch holds no state (a momentum buffer
    starts at the first gradient), and neither does this."""
    params = list(model.parameters())
    optimizer = OPTIMIZERS[name].build(params, lr)  # the state_dict's layout and hyperparameters
    first, second = STATE_NAMES[name]
    offset = 0
    for p in params:
        n = p.numel()
        state = optimizer.state[p]  # Adagrad fills it on construction; the others start empty
        if steps:
            if name in COUNTS_STEPS:
                state["step"] = torch.tensor(float(steps), dtype=torch.float32)
            for key, buffer in ((first, s1), (second, s2)):
                if key is not None:
                    state[key] = torch.from_numpy(buffer[offset : offset + n].copy()).view(p.shape)
        offset += n
    return optimizer.state_dict()


def kernel_state(name: str, optimizer_state: dict, sizes: list[int]) -> tuple[np.ndarray, np.ndarray, int]:
    """The kernel's flat state buffers (P,) and step count from torch.optim's state_dict for optimizer
    `name`; `sizes` are the parameters' element counts in order."""
    first, second = STATE_NAMES[name]
    s1, s2 = np.zeros(sum(sizes)), np.zeros(sum(sizes))
    steps, offset = 0, 0
    for index, n in enumerate(sizes):
        state = optimizer_state["state"].get(index, {})
        for key, buffer in ((first, s1), (second, s2)):
            if key is not None and key in state:
                buffer[offset : offset + n] = state[key].reshape(-1).numpy()
        if "step" in state:
            steps = int(state["step"])
        elif first == "momentum_buffer" and first in state:
            steps = 1  # torch counts no steps for momentum; the kernel only needs to know one was taken
        offset += n
    return s1, s2, steps
