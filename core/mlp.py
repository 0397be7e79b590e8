"""A single neuron and multi-layer perceptrons: build them, count their parameters, write their code."""

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from core.activations import ACTIVATIONS


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


def pytorch_code(config: MLPConfig) -> str:
    """Self-contained PyTorch code that builds the same network."""
    sizes = config.sizes
    lines = ["import torch", "from torch import nn", ""]
    if config.activation == "Step":
        lines += [
            "class Step(nn.Module):",
            "    def forward(self, x):",
            "        return 0.5 * (torch.sign(x) + 1.0)",
            "",
            "",
        ]
    lines.append("model = nn.Sequential(")
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        lines.append(f"    nn.Linear({n_in}, {n_out}),")
        if i < len(sizes) - 2:
            lines.append(f"    {_module_expression(config.activation)},")
    lines += [
        ")",
        "",
        f"x = torch.randn(8, {config.input_size})  # a batch of 8 examples",
        f"print(model(x).shape)  # torch.Size([8, {config.output_size}])",
        "print(sum(p.numel() for p in model.parameters()), 'parameters')",
    ]
    return "\n".join(lines)


def _module_expression(activation: str) -> str:
    module = ACTIVATIONS[activation].module()
    prefix = "" if activation == "Step" else "nn."
    return f"{prefix}{type(module).__name__}()"


def neuron_output(
    inputs: torch.Tensor, weights: torch.Tensor, bias: float, activation: nn.Module
) -> torch.Tensor:
    """f(w·x + b) for a single neuron; `inputs` may be one example (n,) or a batch (B, n)."""
    return activation(inputs @ weights + bias)


def input_grid(low: float, high: float, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A square grid over [low, high]²: the axis values and the (resolution², 2) points, row-major in x2."""
    axis = torch.linspace(low, high, resolution)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)  # (R*R, 2)
    return axis, points


def neuron_response(
    weights: tuple[float, float],
    bias: float,
    activation: nn.Module,
    low: float = -3.0,
    high: float = 3.0,
    resolution: int = 61,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A two-input neuron's output over a square input grid: the axis values and a (R, R) map, x2 by x1."""
    axis, points = input_grid(low, high, resolution)
    with torch.no_grad():
        out = neuron_output(points, torch.tensor(weights, dtype=torch.float32), bias, activation)
    return axis, out.reshape(resolution, resolution)


def weight_matrices(model: nn.Module) -> list[torch.Tensor]:
    """Each Linear layer's weight, detached, input side first: what the network drawing needs."""
    return [layer.weight.detach() for layer in linear_layers(model)]


def neuron_forward(
    inputs: tuple[float, ...],
    weights: tuple[float, ...],
    bias: float,
    activation: nn.Module,
) -> tuple[float, float]:
    """One neuron on one input: the pre-activation z = w·x + b and the output a = f(z)."""
    z = float(torch.tensor(inputs) @ torch.tensor(weights) + bias)
    with torch.no_grad():
        a = float(activation(torch.tensor([z]))[0])
    return z, a
