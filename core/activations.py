"""The activation-function registry, and the maths the Activation functions page shows about each one."""

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn


class Step(nn.Module):
    """The Heaviside step, 1 where x > 0 else 0: the original perceptron's activation.

    Written through torch.sign so autograd gives its true derivative (0 almost everywhere): the reason
    nobody trains a network of steps with gradient descent.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (torch.sign(x) + 1.0)


@dataclass(frozen=True)
class Param:
    """A tunable argument of an activation, with the range a slider offers."""

    name: str  # keyword argument of the torch module
    default: float
    low: float
    high: float


@dataclass(frozen=True)
class Activation:
    """One registry entry: how to build the module, what it can be tuned by, and when to use it."""

    name: str
    build: Callable[..., nn.Module]  # called with the Param values as keyword arguments
    note: str  # one or two lines on when to use it
    params: tuple[Param, ...] = field(default_factory=tuple)

    def module(self, **values: float) -> nn.Module:
        """The torch module, with defaults for the params not given."""
        kwargs = {p.name: values.get(p.name, p.default) for p in self.params}
        return self.build(**kwargs)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "ReLU",
            nn.ReLU,
            "The default for hidden layers: cheap, no saturation for x > 0. Units whose input "
            "stays negative stop learning (dead ReLUs).",
        ),
        Activation(
            "LeakyReLU",
            nn.LeakyReLU,
            "ReLU with a small slope for x < 0 so no unit dies; use when many ReLUs go dead.",
            (Param("negative_slope", 0.01, 0.0, 0.5),),
        ),
        Activation(
            "ELU",
            nn.ELU,
            "Smooth, negative outputs push mean activations toward zero; a bit slower than ReLU.",
            (Param("alpha", 1.0, 0.1, 3.0),),
        ),
        Activation(
            "GELU",
            nn.GELU,
            "Smooth ReLU weighted by the Gaussian CDF; the standard in transformers (BERT, GPT).",
        ),
        Activation(
            "SiLU", nn.SiLU, "x·sigmoid(x), also called Swish; used in EfficientNet and many modern CNNs."
        ),
        Activation(
            "Mish", nn.Mish, "x·tanh(softplus(x)); smooth and non-monotonic, popular in YOLO detectors."
        ),
        Activation(
            "Softplus",
            nn.Softplus,
            "log(1+e^{βx}), a smooth ReLU that is always positive; useful for "
            "outputs that must be > 0 (variances).",
            (Param("beta", 1.0, 0.1, 5.0),),
        ),
        Activation(
            "Sigmoid",
            nn.Sigmoid,
            "Squashes to (0, 1): output layer for binary probabilities. In hidden "
            "layers it saturates and its gradient never exceeds 0.25.",
        ),
        Activation(
            "Tanh",
            nn.Tanh,
            "Squashes to (-1, 1), zero-centred; classic for RNNs and small networks, saturates for |x| > 3.",
        ),
        Activation(
            "Hardtanh",
            nn.Hardtanh,
            "Piecewise-linear tanh: cheap on devices without fast exp; its "
            "gradient is exactly 0 outside [-1, 1].",
        ),
        Activation(
            "Softsign",
            nn.Softsign,
            "x/(1+|x|): like tanh but approaches its limits polynomially, so it saturates more gently.",
        ),
        Activation(
            "Step",
            Step,
            "The perceptron's threshold: outputs 0 or 1 and its gradient is 0 everywhere "
            "(undefined at 0), so gradient descent cannot train it.",
        ),
        Activation(
            "Identity",
            nn.Identity,
            "No non-linearity: a stack of linear layers collapses to one linear "
            "map. Use it for regression outputs.",
        ),
    )
}


def activation_names() -> list[str]:
    """Names of every registered activation, in registry order."""
    return list(ACTIVATIONS)


def evaluate_with_derivative(module: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """f(x) and f'(x) for an element-wise activation, the derivative taken by autograd."""
    x = x.detach().clone().requires_grad_(True)
    y = module(x)
    (dy,) = torch.autograd.grad(y.sum(), x, allow_unused=True, materialize_grads=True)
    return y.detach(), dy.detach()


def saturated_mask(derivative: torch.Tensor, fraction: float = 0.01) -> torch.Tensor:
    """Where |f'(x)| is below `fraction` of its largest value: the regions where learning stalls."""
    peak = derivative.abs().max()
    if peak == 0:
        return torch.ones_like(derivative, dtype=torch.bool)
    return derivative.abs() < fraction * peak


def mask_intervals(x: torch.Tensor, mask: torch.Tensor) -> list[tuple[float, float]]:
    """Turn a boolean mask over sorted x values into contiguous [start, end] intervals, for shading."""
    xs, flags = x.tolist(), mask.tolist()
    intervals: list[tuple[float, float]] = []
    start = None
    for i, inside in enumerate(flags):
        if inside and start is None:
            start = xs[i]
        if start is not None and (not inside or i == len(flags) - 1):
            intervals.append((start, xs[i] if inside else xs[i - 1]))
            start = None
    return intervals


@dataclass
class Curve:
    """One activation sampled over an x range: values, autograd derivative and its saturated intervals."""

    y: torch.Tensor
    dy: torch.Tensor
    saturated: list[tuple[float, float]]


def activation_curves(
    names: list[str],
    params: dict[str, dict[str, float]],
    low: float,
    high: float,
    points: int = 801,
) -> tuple[torch.Tensor, dict[str, Curve]]:
    """Sample each named activation with its chosen params over [low, high]: x and one Curve per name."""
    x = torch.linspace(low, high, points, dtype=torch.float64)
    curves = {}
    for name in names:
        y, dy = evaluate_with_derivative(ACTIVATIONS[name].module(**params.get(name, {})), x)
        curves[name] = Curve(y, dy, mask_intervals(x, saturated_mask(dy)))
    return x, curves


def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T): T < 1 sharpens the distribution towards the arg-max, T > 1 flattens it."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return torch.softmax(logits / temperature, dim=-1)


def entropy(probabilities: torch.Tensor) -> float:
    """Shannon entropy in nats: 0 for a one-hot distribution, log(n) for a uniform one."""
    p = probabilities[probabilities > 0]
    return float(-(p * p.log()).sum())
