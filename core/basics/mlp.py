"""A single neuron and multi-layer perceptrons: build them, count their parameters, write their code."""

import itertools
import string
from dataclasses import dataclass

import torch
from torch import nn

from core.basics.activations import ACTIVATIONS, step_class_code
from core.runtime import holds_global_rng


@dataclass(frozen=True)
class NeuronConfig:
    """One two-input neuron and the input it is shown, as the Neuron & layers page's sliders set them."""

    inputs: tuple[float, float] = (1.0, -0.5)  # (x1, x2), the point marked on the input plane
    weights: tuple[float, float] = (0.8, -1.2)  # (w1, w2)
    bias: float = 0.2
    activation: str = "Sigmoid"  # name in the activation registry, with its default parameters


@dataclass(frozen=True)
class MLPConfig:
    """The shape of a fully connected network, as the Neuron & layers page edits it."""

    input_size: int = 2  # features per example
    hidden: tuple[int, ...] = (4, 3)  # width of each hidden layer, input side first
    output_size: int = 1
    activation: str = "ReLU"  # name in the activation registry, applied after every hidden layer

    @property
    def sizes(self) -> list[int]:
        """Layer widths from input to output."""
        return [self.input_size, *self.hidden, self.output_size]


def neuron_layer(config: NeuronConfig) -> nn.Linear:
    """nn.Linear(2, 1) holding the neuron's weights and bias: z = w1·x1 + w2·x2 + b."""
    # skip_init: the sliders set every parameter, and a random init would draw from torch's global
    # generator, which other sessions' seeded runs share (core.runtime.holds_global_rng).
    layer = nn.utils.skip_init(nn.Linear, 2, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([config.weights]))
        layer.bias.fill_(config.bias)
    return layer


def neuron_forward(config: NeuronConfig) -> tuple[float, float]:
    """The neuron on its input: the pre-activation z = w·x + b and the output a = f(z)."""
    with torch.no_grad():
        z = neuron_layer(config)(torch.tensor([config.inputs]))  # (1, 1)
        a = ACTIVATIONS[config.activation].module()(z)
    return float(z), float(a)


def input_grid(low: float, high: float, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A square grid over [low, high]²: the axis values and the (resolution², 2) points, row-major in x2."""
    axis = torch.linspace(low, high, resolution)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)  # (R*R, 2)
    return axis, points


def neuron_response(
    config: NeuronConfig, low: float = -3.0, high: float = 3.0, resolution: int = 61
) -> tuple[torch.Tensor, torch.Tensor]:
    """The neuron's output over a square input grid: the axis values and a (R, R) map, x2 by x1."""
    axis, points = input_grid(low, high, resolution)
    with torch.no_grad():
        out = ACTIVATIONS[config.activation].module()(neuron_layer(config)(points))  # (R*R, 1)
    return axis, out.reshape(resolution, resolution)


def decision_boundary(
    config: NeuronConfig, low: float = -3.0, high: float = 3.0
) -> tuple[list[float], list[float]] | None:
    """Two points (xs, ys) of the line z = 0 across the square [low, high]², or None when w = 0 (no line)."""
    (w1, w2), b = config.weights, config.bias
    if w2 != 0:
        return [low, high], [-(w1 * low + b) / w2, -(w1 * high + b) / w2]
    if w1 != 0:
        return [-b / w1, -b / w1], [low, high]  # w2 = 0: the vertical line x1 = −b/w1
    return None


def _number(value: float) -> str:
    """A slider value for the formula: -0.5 as "(-0.5)" so that a product never reads "1 · -0.5"."""
    return f"({value:g})" if value < 0 else f"{value:g}"


def weighted_sum_latex(config: NeuronConfig, z: float) -> str:
    """The weighted sum with the slider values written in, signs folded: "0.8·1 - 1.2·(-0.5) - 0.5 = …"."""
    (x1, x2), (w1, w2), b = config.inputs, config.weights, config.bias
    text = rf"z = {w1:g} \cdot {_number(x1)}"
    text += rf" {'-' if w2 < 0 else '+'} {abs(w2):g} \cdot {_number(x2)}"
    text += rf" {'-' if b < 0 else '+'} {abs(b):g} = {z:.4f}"
    return text


@holds_global_rng()
def build_mlp(config: MLPConfig, seed: int = 0) -> nn.Sequential:
    """An nn.Sequential of Linear layers with the chosen activation between them, initialised from `seed`."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    sizes = config.sizes
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[config.activation].module())
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    """The Linear layers of a model, in forward order."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def parameter_counts(model: nn.Module) -> list[dict[str, int | str]]:
    """One row per Linear layer: its shape, weight count, bias count and total."""
    rows: list[dict[str, int | str]] = []
    for i, layer in enumerate(linear_layers(model)):
        weights = layer.weight.numel()
        biases = layer.bias.numel() if layer.bias is not None else 0
        rows.append(
            {
                "layer": f"Linear {i + 1}",
                "shape": f"{layer.in_features} → {layer.out_features}",
                "weights": weights,
                "biases": biases,
                "total": weights + biases,
            }
        )
    return rows


def weight_matrices(model: nn.Module) -> list[torch.Tensor]:
    """Each Linear layer's weight, detached, input side first: what the network drawing needs."""
    return [layer.weight.detach() for layer in linear_layers(model)]


def probe_output(model: nn.Module, input_size: int) -> list[float]:
    """model(x) for x = (1, 1, …, 1): one output the page prints so that the generated code can be checked."""
    with torch.no_grad():
        return model(torch.ones(1, input_size))[0].tolist()


def sequential_code(config: MLPConfig) -> str:
    """The body of `nn.Sequential(...)` that build_mlp builds, one module per line, in the same order (so
    the same seed draws the same initial weights)."""
    sizes = config.sizes
    lines = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        lines.append(f"    nn.Linear({n_in}, {n_out}),\n")
        if i < len(sizes) - 2:
            lines.append(f"    {ACTIVATIONS[config.activation].code()},\n")
    return "".join(lines)


NEURON_TEMPLATE = string.Template(
    """import torch
from torch import nn
$step_class
neuron = nn.Linear(2, 1)  # z = w1*x1 + w2*x2 + b
with torch.no_grad():
    neuron.weight.copy_(torch.tensor([[$w1, $w2]]))  # the sliders' weights, not a random init
    neuron.bias.fill_($b)
f = $activation

x = torch.tensor([[$x1, $x2]])  # one example: (1, 2)
with torch.no_grad():
    z = neuron(x)
    a = f(z)
print(f"z = {z.item():.4f}")
print(f"a = {a.item():.4f}")
"""
)

MLP_TEMPLATE = string.Template(
    """import torch
from torch import nn
$step_class
torch.manual_seed($seed)  # the sidebar's seed: nn.Linear draws its initial weights from it, in order
model = nn.Sequential(
$layers)
print(model)
print(sum(p.numel() for p in model.parameters()), "parameters")

x = torch.ones(1, $input_size)  # the page's probe input (1, 1, ..., 1)
with torch.no_grad():
    y = model(x)
print("model(x) =", ", ".join(f"{v:.4f}" for v in y[0].tolist()))
"""
)


def neuron_code(config: NeuronConfig) -> str:
    """Standalone PyTorch that builds this neuron with these weights and prints z and a for its input."""
    (x1, x2), (w1, w2) = config.inputs, config.weights
    return NEURON_TEMPLATE.substitute(
        step_class=step_class_code([config.activation]),
        w1=repr(w1),
        w2=repr(w2),
        b=repr(config.bias),
        activation=ACTIVATIONS[config.activation].code(),
        x1=repr(x1),
        x2=repr(x2),
    )


def mlp_code(config: MLPConfig, seed: int) -> str:
    """Standalone PyTorch that rebuilds exactly the drawn network (same seed, same weights) and prints
    its size and its output for the probe input."""
    return MLP_TEMPLATE.substitute(
        step_class=step_class_code([config.activation]),
        seed=seed,
        layers=sequential_code(config),
        input_size=config.input_size,
    )
