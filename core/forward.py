"""The forward pass written out by hand: z = W·x + b, a = f(z), layer by layer, with every number kept."""

import copy
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.mlp import linear_layers


@dataclass
class LayerTrace:
    """What one layer computed for one input vector."""

    weight: np.ndarray  # (n_out, n_in)
    bias: np.ndarray  # (n_out,)
    x: np.ndarray  # (n_in,) the layer's input
    z: np.ndarray  # (n_out,) pre-activation W·x + b
    a: np.ndarray  # (n_out,) post-activation f(z); equals z for the output layer
    activation: str  # name of f, "Identity" for the output layer


def trace_forward(model: nn.Sequential, x: np.ndarray) -> list[LayerTrace]:
    """Run an MLP of Linear + element-wise activation layers on one input with NumPy, keeping each step.

    The activation itself is applied through the model's own module, so any registry activation works;
    the matrix arithmetic is NumPy so the page can show that nothing hidden happens in between.
    """
    traces: list[LayerTrace] = []
    modules = list(model)
    a = np.asarray(x, dtype=np.float64)
    for i, module in enumerate(modules):
        if not isinstance(module, nn.Linear):
            continue
        weight = module.weight.detach().double().numpy()
        bias = module.bias.detach().double().numpy()
        z = weight @ a + bias
        follower = modules[i + 1] if i + 1 < len(modules) else None
        if follower is not None and not isinstance(follower, nn.Linear):
            with torch.no_grad():
                out = follower(torch.from_numpy(z)).numpy()
            name = type(follower).__name__
        else:
            out, name = z, "Identity"
        traces.append(LayerTrace(weight, bias, a, z, out, name))
        a = out
    return traces


def module_output(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """The same model's output computed by PyTorch in float64, for comparison with the trace."""
    with torch.no_grad():
        return copy.deepcopy(model).double()(torch.as_tensor(x, dtype=torch.float64)).numpy()


def max_abs_difference(model: nn.Sequential, x: np.ndarray) -> float:
    """Largest |manual − torch| over the outputs: the proof that the hand computation is the real one."""
    return float(np.abs(trace_forward(model, x)[-1].a - module_output(model, x)).max())


# (layer, row, col) -> value; col None means the bias of unit `row`.
Edits = dict[tuple[int, int, int | None], float]


def with_edits(model: nn.Sequential, edits: Edits) -> nn.Sequential:
    """A copy of the model with some weights or biases overwritten; the original is left untouched."""
    edited = copy.deepcopy(model)
    layers = linear_layers(edited)
    with torch.no_grad():
        for (layer, row, col), value in edits.items():
            if col is None:
                layers[layer].bias[row] = value
            else:
                layers[layer].weight[row, col] = value
    return edited
