"""Backpropagation by hand on a 2-3-1 network: the forward pass node by node, every gradient as a chain-rule
product, checked against torch.autograd and finite differences; then the usual training loop on XOR.

The network is nn.Sequential(Linear(2, 3), activation, Linear(3, 1)) with the loss nn.MSELoss on one example,
L = (ŷ − y)². Everything is computed in float64 so that hand and autograd agree to rounding error.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from core.basics.mlp import MLPConfig, build_mlp
from core.runner import train_steps


@dataclass(frozen=True)
class HiddenActivation:
    """A hidden activation written by hand: h = forward(z), and its derivative from z and h."""

    rule: str  # the derivative as the page prints it
    forward: Callable[[float], float]
    derivative: Callable[[float, float], float]  # (z, h) -> dh/dz


# The hidden activations the page offers, by their torch.nn names.
HIDDEN: dict[str, HiddenActivation] = {
    "Sigmoid": HiddenActivation(
        "σ′(z) = h(1 − h)", lambda z: 1.0 / (1.0 + math.exp(-z)), lambda z, h: h * (1 - h)
    ),
    "Tanh": HiddenActivation("tanh′(z) = 1 − h²", math.tanh, lambda z, h: 1.0 - h * h),
    "ReLU": HiddenActivation(
        "ReLU′(z) = 1 if z > 0 else 0", lambda z: max(z, 0.0), lambda z, h: float(z > 0)
    ),
}
XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
XOR_TARGETS = (0.0, 1.0, 1.0, 0.0)


@dataclass(frozen=True)
class BackpropConfig:
    """One example, one tiny network and one SGD step, as the Backpropagation page edits them."""

    x1: float = 1.0  # first input
    x2: float = -0.5  # second input
    y: float = 1.0  # target
    activation: str = "Sigmoid"  # hidden activation, a key of HIDDEN
    lr: float = 0.5  # learning rate of the SGD step (and of the training loop)
    seed: int = 0  # initial weights: torch.manual_seed(seed), then nn.Linear's default init


def build_network(config: BackpropConfig) -> nn.Sequential:
    """The 2-3-1 network with the seeded default initialisation, in float64."""
    return build_mlp(MLPConfig(2, (3,), 1, config.activation), seed=config.seed).double()


@dataclass(frozen=True)
class Node:
    """One value of the forward pass: its name, how it is computed (with the numbers) and its value."""

    name: str
    formula: str
    value: float


@dataclass(frozen=True)
class Gradient:
    """One parameter's gradient as a chain-rule product: the factors' names and numbers, and the result."""

    parameter: str  # e.g. "W1[0,1]"
    value: float  # the parameter's current value
    chain: str  # e.g. "∂L/∂ŷ · ∂ŷ/∂h0 · ∂h0/∂z0 · ∂z0/∂W1[0,1]"
    factors: tuple[float, ...]  # the numbers of the chain, in the same order
    local: float  # the last factor: the derivative of the node this parameter feeds, w.r.t. the parameter
    gradient: float  # the product of the factors


@dataclass(frozen=True)
class Trace:
    """The forward pass node by node and the backward pass parameter by parameter."""

    nodes: list[Node]
    gradients: list[Gradient]
    node_gradients: dict[str, float]  # ∂L/∂node for every node of the forward pass
    loss: float


def weights(model: nn.Sequential) -> tuple[list[list[float]], list[float], list[float], float]:
    """W1 (3×2), b1 (3), w2 (3) and b2 of the network, as plain floats."""
    first, last = model[0], model[2]
    return (
        first.weight.detach().tolist(),
        first.bias.detach().tolist(),
        last.weight.detach()[0].tolist(),
        float(last.bias.detach()[0]),
    )


def trace(model: nn.Sequential, config: BackpropConfig) -> Trace:
    """The forward and backward pass by hand (plain Python floats, no autograd)."""
    w1, b1, w2, b2 = weights(model)
    x, y = (config.x1, config.x2), config.y
    hidden = HIDDEN[config.activation]
    name = config.activation.lower()
    nodes: list[Node] = []
    z1, h = [], []
    for j in range(3):
        z = w1[j][0] * x[0] + w1[j][1] * x[1] + b1[j]
        z1.append(z)
        nodes.append(
            Node(
                f"z{j}",
                f"W1[{j},0]·x1 + W1[{j},1]·x2 + b1[{j}] = {w1[j][0]:.4f}·{x[0]:g} + {w1[j][1]:.4f}·{x[1]:g}"
                f" + {b1[j]:.4f}",
                z,
            )
        )
    for j in range(3):
        h.append(hidden.forward(z1[j]))
        nodes.append(Node(f"h{j}", f"{name}(z{j}) = {name}({z1[j]:.4f})", h[j]))
    y_hat = sum(w2[j] * h[j] for j in range(3)) + b2
    nodes.append(
        Node(
            "ŷ",
            "w2·h + b2 = " + " + ".join(f"{w2[j]:.4f}·{h[j]:.4f}" for j in range(3)) + f" + {b2:.4f}",
            y_hat,
        )
    )
    loss = (y_hat - y) ** 2
    nodes.append(Node("L", f"(ŷ − y)² = ({y_hat:.4f} − {y:g})²", loss))

    dl = 2.0 * (y_hat - y)  # ∂L/∂ŷ
    node_gradients = {"L": 1.0, "ŷ": dl}
    for j in range(3):
        node_gradients[f"h{j}"] = dl * w2[j]
        node_gradients[f"z{j}"] = dl * w2[j] * hidden.derivative(z1[j], h[j])
    gradients = [
        Gradient("b2", b2, "∂L/∂ŷ · ∂ŷ/∂b2", (dl, 1.0), 1.0, dl),
    ]
    for j in range(3):
        gradients.append(Gradient(f"w2[{j}]", w2[j], f"∂L/∂ŷ · ∂ŷ/∂w2[{j}]", (dl, h[j]), h[j], dl * h[j]))
    for j in range(3):
        dh = hidden.derivative(z1[j], h[j])
        upstream = (dl, w2[j], dh)
        chain = f"∂L/∂ŷ · ∂ŷ/∂h{j} · ∂h{j}/∂z{j}"
        for k in range(2):
            factors = (*upstream, x[k])
            gradients.append(
                Gradient(
                    f"W1[{j},{k}]",
                    w1[j][k],
                    f"{chain} · ∂z{j}/∂W1[{j},{k}]",
                    factors,
                    x[k],
                    math.prod(factors),
                )
            )
        factors = (*upstream, 1.0)
        gradients.append(
            Gradient(f"b1[{j}]", b1[j], f"{chain} · ∂z{j}/∂b1[{j}]", factors, 1.0, math.prod(factors))
        )
    return Trace(nodes, gradients, node_gradients, loss)


def parameter_cells(model: nn.Sequential) -> list[tuple[torch.Tensor, tuple[int, ...]]]:
    """Every parameter as (tensor, index) in the trace's order: b2, w2[0..2], then W1[j,0], W1[j,1], b1[j]."""
    first, last = model[0], model[2]
    cells = [(last.bias, (0,)), *((last.weight, (0, j)) for j in range(3))]
    for j in range(3):
        cells += [(first.weight, (j, 0)), (first.weight, (j, 1)), (first.bias, (j,))]
    return cells


def example_loss(model: nn.Module, config: BackpropConfig) -> torch.Tensor:
    """nn.MSELoss of the model's output on the page's one example."""
    x = torch.tensor([[config.x1, config.x2]], dtype=torch.float64)  # (1, 2)
    y = torch.tensor([[config.y]], dtype=torch.float64)  # (1, 1)
    return nn.MSELoss()(model(x), y)


def autograd_gradients(model: nn.Sequential, config: BackpropConfig) -> torch.Tensor:
    """The same gradients from loss.backward(), in the trace's order."""
    model.zero_grad()
    example_loss(model, config).backward()
    grads = [float(tensor.grad[where]) for tensor, where in parameter_cells(model)]
    model.zero_grad()
    return torch.tensor(grads, dtype=torch.float64)


def finite_difference_gradients(
    model: nn.Sequential, config: BackpropConfig, h: float = 1e-6
) -> torch.Tensor:
    """Central differences (L(θ + h) − L(θ − h)) / 2h, one parameter at a time, in the trace's order."""
    estimates = []
    with torch.no_grad():
        for tensor, where in parameter_cells(model):
            original = float(tensor[where])
            tensor[where] = original + h
            up = float(example_loss(model, config))
            tensor[where] = original - h
            down = float(example_loss(model, config))
            tensor[where] = original
            estimates.append((up - down) / (2 * h))
    return torch.tensor(estimates, dtype=torch.float64)


@dataclass(frozen=True)
class GradientCheck:
    """The hand gradients beside autograd's and the finite-difference estimates, and the largest gaps."""

    hand: list[float]
    autograd: list[float]
    differences: list[float]
    autograd_error: float  # max |hand − autograd|
    difference_error: float  # max |hand − finite difference|


def check_gradients(model: nn.Sequential, config: BackpropConfig, result: Trace) -> GradientCheck:
    """Compare the trace's hand gradients with loss.backward() and with central differences."""
    hand = torch.tensor([g.gradient for g in result.gradients], dtype=torch.float64)
    by_autograd = autograd_gradients(model, config)
    by_differences = finite_difference_gradients(model, config)
    return GradientCheck(
        hand.tolist(),
        by_autograd.tolist(),
        by_differences.tolist(),
        float((hand - by_autograd).abs().max()),
        float((hand - by_differences).abs().max()),
    )


def sgd_step(model: nn.Sequential, config: BackpropConfig) -> tuple[float, float]:
    """One torch.optim.SGD step on a copy of the model: the example's loss before and after."""
    stepped = build_network(config)
    stepped.load_state_dict(model.state_dict())
    optimizer = torch.optim.SGD(stepped.parameters(), lr=config.lr)
    loss = example_loss(stepped, config)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        after = example_loss(stepped, config)
    return loss.item(), after.item()


@dataclass(frozen=True)
class LoopSnapshot:
    """What the live view draws: epochs run, the loss after each, and the outputs on the four XOR points."""

    epoch: int
    losses: list[float]
    outputs: list[float]
    done: bool


class XorLoop:
    """The textbook loop (zero_grad, forward, loss, backward, step) training the page's network on XOR,
    one full-batch epoch at a time; a TrainingJob for core.runner."""

    def __init__(self, config: BackpropConfig, epochs: int):
        self.config, self.epochs = config, epochs
        self.model = build_network(config)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=config.lr)
        self.loss_fn = nn.MSELoss()
        self.x = torch.tensor(XOR_INPUTS, dtype=torch.float64)  # (4, 2)
        self.y = torch.tensor(XOR_TARGETS, dtype=torch.float64).unsqueeze(1)  # (4, 1)
        self.losses: list[float] = []

    @property
    def done(self) -> bool:
        """All epochs run, or the loss is no longer a finite number."""
        return len(self.losses) >= self.epochs or (bool(self.losses) and not math.isfinite(self.losses[-1]))

    def step(self) -> None:
        """One epoch: one gradient step on all four points."""
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.y)
        loss.backward()
        self.optimizer.step()
        self.losses.append(loss.item())

    def train_for(self, seconds: float) -> int:
        """Epochs for about `seconds` (at least one, none past the budget); returns how many ran."""
        return train_steps(self, seconds)

    def snapshot(self) -> LoopSnapshot:
        """A copy of the history and the current outputs on the XOR points."""
        with torch.no_grad():
            outputs = self.model(self.x)[:, 0].tolist()
        return LoopSnapshot(len(self.losses), list(self.losses), outputs, self.done)


CODE_TEMPLATE = """\
import torch
from torch import nn

torch.manual_seed({seed})
model = nn.Sequential(nn.Linear(2, 3), nn.{activation}(), nn.Linear(3, 1)).double()
x = torch.tensor([[{x1!r}, {x2!r}]], dtype=torch.float64)
y = torch.tensor([[{y!r}]], dtype=torch.float64)

# Forward, backward, and one SGD step on the example
optimizer = torch.optim.SGD(model.parameters(), lr={lr!r})
loss = nn.MSELoss()(model(x), y)
optimizer.zero_grad()
loss.backward()
print(f"loss before: {{loss.item():.6f}}")
first, last = model[0], model[2]
print(f"dL/db2 = {{last.bias.grad[0]:.6f}}")
for j in range(3):
    print(f"dL/dw2[{{j}}] = {{last.weight.grad[0, j]:.6f}}")
for j in range(3):
    for k in range(2):
        print(f"dL/dW1[{{j}},{{k}}] = {{first.weight.grad[j, k]:.6f}}")
    print(f"dL/db1[{{j}}] = {{first.bias.grad[j]:.6f}}")
optimizer.step()
print(f"loss after one step: {{nn.MSELoss()(model(x), y).item():.6f}}")

# The training loop on XOR, from the same initial weights
torch.manual_seed({seed})
model = nn.Sequential(nn.Linear(2, 3), nn.{activation}(), nn.Linear(3, 1)).double()
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
optimizer = torch.optim.SGD(model.parameters(), lr={lr!r})
loss_fn = nn.MSELoss()
for epoch in range({epochs}):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
print(f"XOR loss at epoch {{epoch + 1}}: {{loss.item():.6g}}")
"""


def pytorch_code(config: BackpropConfig, epochs: int) -> str:
    """Self-contained PyTorch that prints the page's loss, gradients, loss after the step and loop result."""
    return CODE_TEMPLATE.format(
        seed=config.seed,
        activation=config.activation,
        x1=config.x1,
        x2=config.x2,
        y=config.y,
        lr=config.lr,
        epochs=epochs,
    )
