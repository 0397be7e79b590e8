"""The optimizer race of the Optimizers page: every torch.optim optimizer of the playground's registry from
the same start on 2-D test functions, and on a real small network with the same initial weights and the same
minibatches.

Optimizers come from core.playground.optim.OPTIMIZERS (built with torch's defaults); the page's per-optimizer
hyperparameters are set on the built optimizer's param group, so torch's own update rule runs every step.
"""

import copy
import functools
import importlib.util
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.playground.optim import OPTIMIZERS
from core.runner import train_steps
from core.runtime import holds_global_rng

# The hyperparameters the page lets a learner change, per optimizer (keys of torch's param_groups).
KNOBS: dict[str, tuple[str, ...]] = {
    "SGD": ("lr",),
    "SGD+momentum": ("lr", "momentum"),
    "Nesterov": ("lr", "momentum"),
    "Adam": ("lr", "beta1", "beta2"),
    "AdamW": ("lr", "beta1", "beta2", "weight_decay"),
    "RMSprop": ("lr", "alpha"),
    "Adagrad": ("lr", "lr_decay"),
}
Settings = dict[str, float]  # knob -> value, e.g. {"lr": 0.001, "momentum": 0.9}


def _group_value(group: dict, knob: str) -> float:
    """A knob's value in a param group (beta1/beta2 live in the betas pair)."""
    if knob in ("beta1", "beta2"):
        return float(group["betas"][knob == "beta2"])
    return float(group[knob])


def torch_class(name: str) -> type[torch.optim.Optimizer]:
    """The torch.optim class a registry entry builds."""
    return type(OPTIMIZERS[name].build([torch.zeros(1, requires_grad=True)], 0.1))


def default_settings(name: str) -> Settings:
    """The registry entry's settings with torch's default learning rate for its class (e.g. SGD 0.001, RMSprop
    0.01): what "at its default settings" means on this page."""
    lr = inspect.signature(torch_class(name).__init__).parameters["lr"].default
    group = OPTIMIZERS[name].build([torch.zeros(1, requires_grad=True)], float(lr)).param_groups[0]
    return {knob: _group_value(group, knob) for knob in KNOBS[name]}


def build(name: str, params: list[torch.Tensor], settings: Settings) -> torch.optim.Optimizer:
    """The registry's optimizer with the page's settings written into its param group."""
    optimizer = OPTIMIZERS[name].build(params, settings["lr"])
    group = optimizer.param_groups[0]
    for knob, value in settings.items():
        if knob in ("beta1", "beta2"):
            betas = list(group["betas"])
            betas[knob == "beta2"] = value
            group["betas"] = tuple(betas)
        else:
            group[knob] = value
    return optimizer


def constructor_code(name: str, settings: Settings, params: str) -> str:
    """The torch.optim call building the same optimizer: arguments that differ from the class's defaults."""
    cls = torch_class(name)
    optimizer = build(name, [torch.zeros(1, requires_grad=True)], settings)
    group = optimizer.param_groups[0]
    defaults = inspect.signature(cls.__init__).parameters
    args = []
    for key in ("lr", "momentum", "nesterov", "betas", "alpha", "weight_decay", "lr_decay"):
        if key in group and key in defaults and group[key] != defaults[key].default:
            args.append(f"{key}={group[key]!r}")
    return f"torch.optim.{cls.__name__}({', '.join([params, *args])})"


@dataclass(frozen=True)
class TestFunction:
    """A 2-D function to minimise, where its minimum is, and the window the page draws."""

    name: str
    f: Callable  # f(x, y) on floats or elementwise on tensors
    gradient: Callable[[float, float], tuple[float, float]]  # (∂f/∂x, ∂f/∂y), derived by hand
    code: tuple[str, str]  # f and its gradient as Python expressions in x and y, for the generated script
    formula: str  # LaTeX
    minimum: tuple[float, float]
    start: tuple[float, float]  # the default start of the race
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    note: str

    @property
    def lowest(self) -> float:
        """f at its minimum: the floor of the loss-against-step plot."""
        return float(self.f(*self.minimum))


def _beale_gradient(x: float, y: float) -> tuple[float, float]:
    """∂/∂x and ∂/∂y of Beale's three squares a² + b² + c², by the chain rule."""
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return (
        2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
        2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2,
    )


FUNCTIONS: dict[str, TestFunction] = {
    t.name: t
    for t in (
        TestFunction(
            "Rosenbrock",
            lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
            lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
            (
                "(1 - x) ** 2 + 100 * (y - x**2) ** 2",
                "(-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))",
            ),
            r"(1 - x)^2 + 100\,(y - x^2)^2",
            (1.0, 1.0),
            (-1.5, 2.0),
            (-2.0, 2.0),
            (-1.0, 3.0),
            "A long, curved, flat-bottomed valley: easy to reach, slow to follow to (1, 1).",
        ),
        TestFunction(
            "Beale",
            lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
            _beale_gradient,
            (
                "(1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2",
                "(2 * (1.5 - x + x * y) * (y - 1) + 2 * (2.25 - x + x * y**2) * (y**2 - 1)"
                " + 2 * (2.625 - x + x * y**3) * (y**3 - 1),"
                " 2 * (1.5 - x + x * y) * x + 2 * (2.25 - x + x * y**2) * 2 * x * y"
                " + 2 * (2.625 - x + x * y**3) * 3 * x * y**2)",
            ),
            r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            (3.0, 0.5),
            (1.0, 1.5),
            (-1.0, 4.5),
            (-1.5, 2.5),
            "Steep walls and flat plateaus; the minimum (3, 0.5) sits in a narrow valley.",
        ),
        TestFunction(
            "Saddle",
            lambda x, y: x**2 + y**4 / 4 - y**2 / 2,
            lambda x, y: (2 * x, y**3 - y),
            ("x**2 + y**4 / 4 - y**2 / 2", "(2 * x, y**3 - y)"),
            r"x^2 + \tfrac14 y^4 - \tfrac12 y^2",
            (0.0, 1.0),
            (-1.5, 0.01),
            (-2.0, 2.0),
            (-1.5, 1.5),
            "A saddle at (0, 0) between two minima (0, ±1): starting almost on the ridge, how fast does each "
            "optimizer escape it?",
        ),
        TestFunction(
            "Ill-conditioned quadratic",
            lambda x, y: 0.5 * (x**2 + 50 * y**2),
            lambda x, y: (x, 50 * y),
            ("0.5 * (x**2 + 50 * y**2)", "(x, 50 * y)"),
            r"\tfrac12\,(x^2 + 50\,y^2)",
            (0.0, 0.0),
            (-4.0, 1.0),
            (-5.0, 5.0),
            (-2.0, 2.0),
            "Curvature 50× larger along y than along x (condition number 50): plain gradient descent "
            "zig-zags across the narrow axis while crawling along the wide one.",
        ),
    )
}
BLOWUP = 1e6  # a trajectory that leaves |x|, |y| < BLOWUP (or turns NaN) has diverged and stops there


@dataclass(frozen=True)
class Trajectory:
    """One optimizer's path: the point and the function value before each step, and where it stopped."""

    points: list[tuple[float, float]]  # steps + 1 points (fewer if it diverged)
    values: list[float]
    diverged: bool


def race(
    function: str, start: tuple[float, float], settings: dict[str, Settings], steps: int
) -> dict[str, Trajectory]:
    """Run every optimizer in `settings` for `steps` torch.optim steps from `start` on a test function.

    The gradient is the function's hand-derived one (tested against autograd), written into .grad: a
    2-D point does not need autograd's graph, and skipping it makes the race several times faster."""
    test = FUNCTIONS[function]
    runs = {}
    for name, knobs in settings.items():
        xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)  # (2,)
        optimizer = build(name, [xy], knobs)
        points, values, diverged = [], [], False
        for step in range(steps + 1):
            x, y = xy.tolist()
            value = test.f(x, y)
            if not (math.isfinite(value) and max(abs(x), abs(y)) < BLOWUP):
                diverged = True
                break
            points.append((x, y))
            values.append(value)
            if step == steps:
                break
            xy.grad = torch.tensor(test.gradient(x, y), dtype=torch.float64)
            optimizer.step()
        runs[name] = Trajectory(points, values, diverged)
    return runs


def steps_to_reach(trajectory: Trajectory, target: tuple[float, float], tolerance: float) -> int | None:
    """The first step after which the point is within `tolerance` (Euclidean) of `target`; None if never."""
    for step, (x, y) in enumerate(trajectory.points):
        if math.hypot(x - target[0], y - target[1]) <= tolerance:
            return step
    return None


def distance(trajectory: Trajectory, target: tuple[float, float]) -> float:
    """How far the trajectory's last point is from `target`."""
    x, y = trajectory.points[-1]
    return math.hypot(x - target[0], y - target[1])


@dataclass(frozen=True)
class NetworkRaceConfig:
    """The race on a real network: one MLP on sklearn's 8×8 digits, trained by every optimizer."""

    hidden: int = 32  # units of the one hidden (ReLU) layer: 64 → hidden → 10
    batch_size: int = 32  # examples per minibatch, the same batches in the same order for every optimizer
    epochs: int = 10  # passes over the 1,437 training images
    seed: int = 0  # initial weights, the train/test split and the minibatch order
    settings: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = field(
        default_factory=lambda: tuple((name, tuple(default_settings(name).items())) for name in KNOBS)
    )  # (optimizer, ((knob, value), ...)) for every optimizer in the race, hashable for the page's runner


@functools.cache
def _digits_table() -> np.ndarray:
    """sklearn's digits file read directly (the same numbers as sklearn.datasets.load_digits, without
    importing sklearn, which takes seconds), read-only: 1,797 rows of 64 pixels (0-16) and the label."""
    root = Path(importlib.util.find_spec("sklearn").submodule_search_locations[0])
    table = np.loadtxt(root / "datasets" / "data" / "digits.csv.gz", delimiter=",")  # (1797, 65)
    table.setflags(write=False)
    return table


def digits(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """sklearn's 1,797 handwritten 8×8 digits scaled to [0, 1], split 80/20 with a seeded permutation."""
    table = _digits_table()
    x = torch.tensor(table[:, :64], dtype=torch.float32) / 16.0  # (1797, 64)
    y = torch.tensor(table[:, 64], dtype=torch.long)  # (1797,)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    cut = int(0.8 * len(x))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


@dataclass(frozen=True)
class RaceSnapshot:
    """What the page draws: steps run, each optimizer's minibatch losses, and test accuracy per epoch."""

    step: int
    total_steps: int
    losses: dict[str, list[float]]
    test_accuracy: dict[str, list[float]]
    done: bool


class NetworkRace:
    """Every optimizer trains its own copy of one initial MLP on the same minibatches in the same order, one
    minibatch each per step; a TrainingJob for core.runner."""

    @holds_global_rng()
    def __init__(self, config: NetworkRaceConfig):
        self.config = config
        self.x, self.y, self.x_test, self.y_test = digits(config.seed)
        torch.manual_seed(config.seed)
        model = nn.Sequential(nn.Linear(64, config.hidden), nn.ReLU(), nn.Linear(config.hidden, 10))
        self.models = {name: copy.deepcopy(model) for name, _ in config.settings}
        self.optimizers = {
            name: build(name, list(self.models[name].parameters()), dict(knobs))
            for name, knobs in config.settings
        }
        self.loss_fn = nn.CrossEntropyLoss()
        self.generator = torch.Generator().manual_seed(config.seed)
        self.batches: list[torch.Tensor] = []  # the current epoch's minibatch indices still to train on
        self.steps_per_epoch = math.ceil(len(self.x) / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.step_count = 0
        self.losses: dict[str, list[float]] = {name: [] for name in self.models}
        self.test_accuracy: dict[str, list[float]] = {name: [] for name in self.models}

    @property
    def done(self) -> bool:
        """Every epoch trained."""
        return self.step_count >= self.total_steps

    def step(self) -> None:
        """One minibatch for every optimizer (the same minibatch); test accuracy at the end of each epoch."""
        if not self.batches:
            self.batches = list(
                torch.randperm(len(self.x), generator=self.generator).split(self.config.batch_size)
            )
        batch = self.batches.pop(0)
        xb, yb = self.x[batch], self.y[batch]  # (B, 64), (B,)
        for name, model in self.models.items():
            optimizer = self.optimizers[name]
            optimizer.zero_grad()
            loss = self.loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            self.losses[name].append(loss.item())
        self.step_count += 1
        if not self.batches:
            with torch.no_grad():
                for name, model in self.models.items():
                    correct = (model(self.x_test).argmax(dim=1) == self.y_test).float().mean()
                    self.test_accuracy[name].append(correct.item())

    def train_for(self, seconds: float) -> int:
        """Steps for about `seconds` (at least one, none past the last epoch); returns how many ran."""
        return train_steps(self, seconds)

    def snapshot(self) -> RaceSnapshot:
        """Copies of the histories."""
        return RaceSnapshot(
            self.step_count,
            self.total_steps,
            {name: list(v) for name, v in self.losses.items()},
            {name: list(v) for name, v in self.test_accuracy.items()},
            self.done,
        )


@dataclass(frozen=True)
class RaceResult:
    """One optimizer's line of the race table: where it ended and when it got within the tolerance."""

    name: str
    end: tuple[float, float]
    value: float
    reached: int | None  # steps to within TOLERANCE of the minimum, None if it did not
    diverged: bool

    def line(self) -> str:
        """The line the page's table and the generated script both print."""
        x, y = self.end
        reached = (
            f"within {TOLERANCE:g} after {self.reached} steps" if self.reached is not None else "not within"
        )
        return f"{self.name}: ends at ({x:.6f}, {y:.6f}), f = {self.value:.6g}, {reached}"


TOLERANCE = 1e-3  # "reached the minimum": within this Euclidean distance of it


def results(function: str, runs: dict[str, Trajectory]) -> list[RaceResult]:
    """The race table: per optimizer its end point, f there, and the steps it needed to reach the minimum."""
    minimum = FUNCTIONS[function].minimum
    return [
        RaceResult(name, t.points[-1], t.values[-1], steps_to_reach(t, minimum, TOLERANCE), t.diverged)
        for name, t in runs.items()
    ]


RACE_TEMPLATE = """\
import math

import torch


def f(x, y):
    return {f}


def gradient(x, y):  # by hand; autograd gives the same: f(xy[0], xy[1]).backward()
    return {gradient}


start, steps, minimum = {start!r}, {steps}, {minimum!r}
optimizers = {{
{optimizers}
}}
for name, make in optimizers.items():
    xy = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make([xy])
    reached = None
    for step in range(steps + 1):
        x, y = xy.tolist()
        if not (math.isfinite(f(x, y)) and max(abs(x), abs(y)) < 1e6):
            break  # diverged
        end = (x, y)
        if reached is None and math.hypot(x - minimum[0], y - minimum[1]) <= {tolerance!r}:
            reached = step
        if step == steps:
            break
        xy.grad = torch.tensor(gradient(x, y), dtype=torch.float64)
        optimizer.step()
    where = f"within {tolerance:g} after {{reached}} steps" if reached is not None else "not within"
    print(f"{{name}}: ends at ({{end[0]:.6f}}, {{end[1]:.6f}}), f = {{f(*end):.6g}}, {{where}}")
"""

NETWORK_TEMPLATE = """\

# The same race on a network: one initial MLP copied for every optimizer, the same minibatches in order
import copy

from sklearn.datasets import load_digits
from torch import nn

images, labels = load_digits(return_X_y=True)
X = torch.tensor(images, dtype=torch.float32) / 16.0
Y = torch.tensor(labels, dtype=torch.long)
order = torch.randperm(len(X), generator=torch.Generator().manual_seed({seed}))
cut = int(0.8 * len(X))
x_train, y_train, x_test, y_test = X[order[:cut]], Y[order[:cut]], X[order[cut:]], Y[order[cut:]]
torch.manual_seed({seed})
model = nn.Sequential(nn.Linear(64, {hidden}), nn.ReLU(), nn.Linear({hidden}, 10))
models = {{name: copy.deepcopy(model) for name in optimizers}}
opts = {{name: make(models[name].parameters()) for name, make in optimizers.items()}}
generator = torch.Generator().manual_seed({seed})
loss_fn = nn.CrossEntropyLoss()
for epoch in range({epochs}):
    for batch in torch.randperm(len(x_train), generator=generator).split({batch_size}):
        for name, net in models.items():
            opts[name].zero_grad()
            loss = loss_fn(net(x_train[batch]), y_train[batch])
            loss.backward()
            opts[name].step()
with torch.no_grad():
    for name, net in models.items():
        accuracy = (net(x_test).argmax(dim=1) == y_test).float().mean().item()
        print(f"{{name}}: test accuracy {{accuracy:.4f}}")
"""


def pytorch_code(function: str, start: tuple[float, float], steps: int, network: NetworkRaceConfig) -> str:
    """Self-contained PyTorch printing the page's race table, then each optimizer's digits test accuracy."""
    test = FUNCTIONS[function]
    optimizers = "\n".join(
        f"    {name!r}: lambda params: {constructor_code(name, dict(knobs), 'params')},"
        for name, knobs in network.settings
    )
    race_code = RACE_TEMPLATE.format(
        f=test.code[0],
        gradient=test.code[1],
        start=tuple(start),
        steps=steps,
        minimum=test.minimum,
        optimizers=optimizers,
        tolerance=TOLERANCE,
    )
    network_code = NETWORK_TEMPLATE.format(
        seed=network.seed, hidden=network.hidden, epochs=network.epochs, batch_size=network.batch_size
    )
    return race_code + network_code
