"""The activation-function registry, and the maths the Activation functions page shows about each one."""

import string
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from core.sources import source_of


class Step(nn.Module):
    """The Heaviside step, 0 for x < 0, 1 for x > 0 and ½ at x = 0: the original perceptron's activation.

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

    def code(self, **values: float) -> str:
        """The Python expression that builds the same module, e.g. `nn.Softplus(beta=5.0)`."""
        args = ", ".join(f"{p.name}={values.get(p.name, p.default)!r}" for p in self.params)
        prefix = "" if self.build is Step else "nn."
        return f"{prefix}{self.build.__name__}({args})"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "ReLU",
            nn.ReLU,
            "max(0, x). The default for hidden layers: cheap, no saturation for x > 0. Units whose input "
            "stays negative get a zero gradient and stop learning (dead ReLUs).",
        ),
        Activation(
            "LeakyReLU",
            nn.LeakyReLU,
            "x for x > 0, negative_slope·x below: with a slope > 0 a unit with negative inputs still gets a "
            "gradient, so it cannot die (at slope 0 it is plain ReLU). Use when many ReLUs go dead.",
            (Param("negative_slope", 0.01, 0.0, 0.5),),
        ),
        Activation(
            "ELU",
            nn.ELU,
            "x for x > 0, α·(exp(x) − 1) below: negative outputs push mean activations toward zero. Smooth "
            "only at α = 1; otherwise its slope jumps from α to 1 at x = 0. A bit slower than ReLU.",
            (Param("alpha", 1.0, 0.1, 3.0),),
        ),
        Activation(
            "GELU",
            nn.GELU,
            "x·Φ(x): the input weighted by the standard normal CDF Φ; the standard in transformers "
            "(BERT, GPT). Not monotonic: it dips to −0.17 at x ≈ −0.75.",
        ),
        Activation(
            "SiLU",
            nn.SiLU,
            "x·sigmoid(x), also called Swish; used in EfficientNet-B0 to B7 and many modern CNNs (the "
            "EfficientNet-Lite0 on the Image classification page uses ReLU6 instead).",
        ),
        Activation(
            "Mish", nn.Mish, "x·tanh(softplus(x)); smooth and non-monotonic, popular in YOLO detectors."
        ),
        Activation(
            "Softplus",
            nn.Softplus,
            "(1/β)·ln(1 + exp(β·x)), a smooth ReLU that is always positive (ln 2/β at x = 0); useful for "
            "outputs that must be > 0 (variances). PyTorch returns x itself where β·x > 20.",
            (Param("beta", 1.0, 0.1, 5.0),),
        ),
        Activation(
            "Sigmoid",
            nn.Sigmoid,
            "1/(1 + exp(−x)), squashes to (0, 1): output layer for binary probabilities. In hidden "
            "layers it saturates and its gradient never exceeds 0.25.",
        ),
        Activation(
            "Tanh",
            nn.Tanh,
            "Squashes to (−1, 1), zero-centred; classic for RNNs and small networks. Its slope falls below "
            "0.01 for |x| > 3.",
        ),
        Activation(
            "Hardtanh",
            nn.Hardtanh,
            "x clipped to [−1, 1]: a piecewise-linear tanh, cheap on devices without fast exp; its "
            "gradient is exactly 0 outside [−1, 1].",
        ),
        Activation(
            "Softsign",
            nn.Softsign,
            "x/(1 + |x|): like tanh but approaches its limits polynomially, so it saturates more gently.",
        ),
        Activation(
            "Step",
            Step,
            "The perceptron's threshold, not part of torch.nn (written here as ½·(sign(x) + 1)): 0 for "
            "x < 0, 1 for x > 0 and 0.5 at exactly 0. Its gradient is 0 wherever autograd evaluates it, "
            "so gradient descent cannot train it.",
        ),
        Activation(
            "Identity",
            nn.Identity,
            "f(x) = x, no non-linearity at all, listed for comparison: Linear layers with Identity between "
            "them collapse to one affine map W·x + b. Use it for regression outputs.",
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


# |f'(x)| below this counts as "no gradient": one absolute number for every function, so the shading of
# two functions can be compared (tanh crosses it at |x| = 3.0, sigmoid at |x| = 4.6).
FLAT_SLOPE = 0.01


def flat_intervals(x: torch.Tensor, derivative: torch.Tensor, threshold: float = FLAT_SLOPE):
    """Split the runs of x where |f'| < threshold into saturated intervals and flat points.

    A run across which f' changes sign is a flat point (a minimum or maximum of f, e.g. GELU at x ≈ −0.75):
    the gradient is small only there, and any move of the input gets it back. Every other run is saturation
    (or a dead region): the slope stays small however far the input goes. Returns (intervals, points):
    the saturated [start, end] intervals and the x of each flat point (where |f'| is smallest in its run).
    """
    small = derivative.abs() < threshold
    saturated: list[tuple[float, float]] = []
    points: list[float] = []
    for start, end in mask_intervals(torch.arange(len(x)), small):
        run = derivative[int(start) : int(end) + 1]
        if run.min() < 0 < run.max():
            points.append(float(x[int(start) + int(run.abs().argmin())]))
        else:
            saturated.append((float(x[int(start)]), float(x[int(end)])))
    return saturated, points


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
    """One activation sampled over an x range: values, autograd derivative, where its slope is ~0."""

    y: torch.Tensor
    dy: torch.Tensor
    saturated: list[tuple[float, float]]  # intervals where |f'| < FLAT_SLOPE and stays small
    flat_points: list[float]  # minima/maxima: f' crosses 0 there


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
        curves[name] = Curve(y, dy, *flat_intervals(x, dy))
    return x, curves


def values_at(
    names: list[str], params: dict[str, dict[str, float]], x: float
) -> dict[str, tuple[float, float]]:
    """f(x) and f'(x) of each named activation at one point, in float64: the numbers the page prints."""
    point = torch.tensor([x], dtype=torch.float64)
    return {
        name: tuple(
            float(v[0])
            for v in evaluate_with_derivative(ACTIVATIONS[name].module(**params.get(name, {})), point)
        )
        for name in names
    }


def softmax_with_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T): T < 1 sharpens the distribution towards the arg-max, T > 1 flattens it."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return torch.softmax(logits / temperature, dim=-1)


def entropy(probabilities: torch.Tensor) -> float:
    """Shannon entropy in nats, −Σ p·ln p (0·ln 0 taken as 0): 0 when one-hot, ln n when uniform."""
    return float(torch.special.entr(probabilities).sum())


def step_class_code(activations: list[str]) -> str:
    """The Step module's source to paste into generated code when one of `activations` is Step (it is not
    in torch.nn), else ""."""
    return "\n\n" + source_of(Step) + "\n" if "Step" in activations else ""


# The "PyTorch for these settings" code of the Activation functions page. $-placeholders are filled by
# activations_code(); the rest is the program a learner copies.
CURVES_TEMPLATE = string.Template(
    """import math

import torch
from torch import nn
$step_class
x = torch.tensor([$x], dtype=torch.float64, requires_grad=True)
functions = {
$functions}
for name, f in functions.items():
    y = f(x)
    (dy,) = torch.autograd.grad(y.sum(), x)  # f'(x), the number backpropagation multiplies by
    print(f"{name}: f({x.item():g}) = {y.item():.6f}   f'({x.item():g}) = {dy.item():.6f}")
"""
)

SOFTMAX_TEMPLATE = string.Template(
    """
classes = $classes
logits = torch.tensor($logits, dtype=torch.float64)
T = $temperature
p = torch.softmax(logits / T, dim=-1)
for name, z, probability in zip(classes, logits.tolist(), p.tolist()):
    print(f"{name}: logit {z:g} -> z/T {z / T:.4f} -> p {probability:.4f}")
entropy = torch.special.entr(p).sum()  # -sum(p * ln p), with 0 * ln 0 = 0
print(f"entropy {entropy:.4f} nats (uniform: ln {len(p)} = {math.log(len(p)):.4f})")
"""
)


def activations_code(
    names: list[str],
    params: dict[str, dict[str, float]],
    x: float,
    classes: list[str] | None = None,
    logits: list[float] | None = None,
    temperature: float = 1.0,
) -> str:
    """The page's settings as a standalone PyTorch script: f(x) and f'(x) of each chosen function, then the
    softmax of the logits at temperature T, printed as the page shows them."""
    functions = "".join(
        f"    {name!r}: {ACTIVATIONS[name].code(**params.get(name, {}))},\n" for name in names
    )
    code = CURVES_TEMPLATE.substitute(
        step_class=step_class_code(names), x=repr(float(x)), functions=functions
    )
    if classes is not None and logits is not None:
        code += SOFTMAX_TEMPLATE.substitute(
            classes=repr(list(classes)),
            logits=repr([float(v) for v in logits]),
            temperature=repr(temperature),
        )
    return code
