"""The forward pass written out by hand: z = W·x + b, a = f(z), layer by layer, with every number kept."""

import copy
import string
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.basics.activations import step_class_code
from core.basics.mlp import MLPConfig, linear_layers, sequential_code


@dataclass
class LayerTrace:
    """What one layer computed for one input vector."""

    weight: np.ndarray  # (n_out, n_in)
    bias: np.ndarray  # (n_out,)
    x: np.ndarray  # (n_in,) the layer's input
    z: np.ndarray  # (n_out,) pre-activation W·x + b
    a: np.ndarray  # (n_out,) post-activation f(z); equals z for the output layer
    activation: str | None  # name of f; None for the output layer, which has no activation


def trace_forward(model: nn.Sequential, x: np.ndarray) -> list[LayerTrace]:
    """Run an MLP of Linear + element-wise activation layers on one input in float64, keeping each step.

    z = W·x + b is NumPy arithmetic on the layer's weights, so nothing hidden happens in between; the
    activation is the model's own torch module applied to z, so any registry activation works. The last
    Linear layer has no activation after it: its a is its z.
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
            out, name = z, None
        traces.append(LayerTrace(weight, bias, a, z, out, name))
        a = out
    return traces


def vector_text(values: np.ndarray) -> str:
    """A vector as the page and its generated code print it: "[0.1234, -0.5000]"."""
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


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


FORWARD_TEMPLATE = string.Template(
    """import torch
from torch import nn
$step_class
torch.manual_seed($seed)  # the sidebar's seed: nn.Linear draws its initial weights from it, in order
model = nn.Sequential(
$layers)
$edits
model = model.double()  # the page computes in float64
x = torch.tensor($x, dtype=torch.float64)


def numbers(t):
    return "[" + ", ".join(f"{v:.4f}" for v in t.tolist()) + "]"


with torch.no_grad():
    a = x
    for i, layer in enumerate(model):
        if isinstance(layer, nn.Linear):
            z = layer.weight @ a + layer.bias  # W·x + b
            a = z  # the output layer has no activation: its output is z
            print(f"Linear {i // 2 + 1}: z =", numbers(z))
        else:
            a = layer(z)
            print(f"  {type(layer).__name__}: a =", numbers(a))
    print("model(x) =", numbers(model(x)))
"""
)


def edits_code(edits: Edits) -> str:
    """The user's weight and bias edits as assignments on the nn.Sequential (Linear k sits at index 2k)."""
    if not edits:
        return ""
    lines = ["with torch.no_grad():  # your edits\n"]
    for (layer, row, col), value in edits.items():
        target = f"bias[{row}]" if col is None else f"weight[{row}, {col}]"
        cell = f"b[{row}]" if col is None else f"W[{row},{col}]"
        lines.append(f"    model[{2 * layer}].{target} = {value!r}  # Linear {layer + 1} {cell}\n")
    return "".join(lines)


def forward_code(config: MLPConfig, seed: int, x: np.ndarray, edits: Edits) -> str:
    """Standalone PyTorch that rebuilds the page's network (seed, then edits) and prints every layer's z and
    a for the page's input, then model(x)."""
    return FORWARD_TEMPLATE.substitute(
        step_class=step_class_code([config.activation]),
        seed=seed,
        layers=sequential_code(config),
        edits=edits_code(edits),
        x=repr([float(v) for v in x]),
    )
