"""What the Loss functions page computes with the loss registry (core.playground.losses.LOSSES): each loss
and its gradient against the prediction, the slide's example term by term, BCE's saturation against
BCEWithLogitsLoss, and line fits that an outlier pulls on.
"""

import math
from dataclasses import dataclass

import torch
from torch import nn

from core.playground.losses import LOSSES

NUM_CLASSES = 3  # the class losses' curves: three scores, the true class's score varies, the others stay 0


@dataclass(frozen=True)
class Curve:
    """A loss against the one prediction value the page varies, and its derivative from autograd."""

    x: list[float]
    loss: list[float]
    gradient: list[float]
    x_label: str
    symbol: str  # the varied value's symbol, for the derivative's axis: d loss / d symbol


def curve(name: str, target: float, value: float | None = None, points: int = 401) -> Curve:
    """The loss of one example as its prediction sweeps an axis, with d loss / d prediction by autograd.

    value: y and ŷ ± 3; probability: p in (0, 1); logit: z in [−8, 8], each with target y. classes: the true
    class's score with the other two at 0 (the target is the class). distribution: two classes, the predicted
    probability q of the first, target (y, 1 − y)."""
    entry = LOSSES[name]
    low, high, label, symbol = {
        "value": (target - 3.0, target + 3.0, "prediction ŷ", "ŷ"),
        "probability": (0.001, 0.999, "predicted probability p", "p"),
        "logit": (-8.0, 8.0, "logit z", "z"),
        "classes": (-4.0, 4.0, "score of the true class x_c (others 0)", "x_c"),
        "distribution": (0.001, 0.999, "predicted probability q of class 1 (class 2: 1 − q)", "q"),
    }[entry.kind]
    x = torch.linspace(low, high, points, dtype=torch.float64, requires_grad=True)  # (N,)
    loss_fn = entry.build(value, reduction="none")
    if entry.kind in ("value", "probability", "logit"):
        losses = loss_fn(x, torch.full_like(x, target))  # (N,)
    elif entry.kind == "classes":
        scores = torch.zeros(points, NUM_CLASSES, dtype=torch.float64)
        scores = torch.cat([x.unsqueeze(1), scores[:, 1:]], dim=1)  # (N, C), true class 0
        losses = loss_fn(scores, torch.zeros(points, dtype=torch.long))  # (N,)
    else:
        q = torch.stack([x, 1 - x], dim=1)  # (N, 2)
        t = torch.tensor([target, 1 - target], dtype=torch.float64).expand(points, 2)
        losses = loss_fn(q.log(), t).sum(dim=1)  # (N,): per example, what 'batchmean' gives for a batch of 1
    (grad,) = torch.autograd.grad(losses.sum(), x)
    return Curve(x.detach().tolist(), losses.detach().tolist(), grad.tolist(), label, symbol)


@dataclass(frozen=True)
class Term:
    """One element's share of a mean loss, with its arithmetic."""

    y: float
    p: float
    arithmetic: str
    value: float


def mse_terms(y_true: list[float], y_pred: list[float]) -> list[Term]:
    """(ŷᵢ − yᵢ)² element by element: nn.MSELoss is their mean."""
    return [
        Term(y, p, f"({p:g} − {y:g})² = {(p - y) ** 2:.6f}", (p - y) ** 2)
        for y, p in zip(y_true, y_pred, strict=True)
    ]


def bce_terms(y_true: list[float], y_pred: list[float]) -> list[Term]:
    """−[yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)] element by element (logs clamped at −100 as in nn.BCELoss)."""
    terms = []
    for y, p in zip(y_true, y_pred, strict=True):
        log_p = max(math.log(p), -100.0) if p > 0 else -100.0
        log_q = max(math.log(1 - p), -100.0) if p < 1 else -100.0
        value = -(y * log_p + (1 - y) * log_q)
        terms.append(Term(y, p, f"−[{y:g}·ln({p:g}) + {1 - y:g}·ln({1 - p:g})] = {value:.6f}", value))
    return terms


def parse_vector(text: str) -> list[float]:
    """Numbers separated by commas or spaces; a ValueError with one clear line otherwise."""
    parts = [p for p in text.replace(",", " ").split() if p]
    if not parts:
        raise ValueError("enter at least one number")
    try:
        values = [float(p) for p in parts]
    except ValueError as error:
        raise ValueError(f"not a number: {error.args[0].split(': ')[-1]}") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError("every number must be finite")
    return values


@dataclass(frozen=True)
class LossValue:
    """One loss of the page's vectors: the torch call, its value, or why it does not apply."""

    name: str
    call: str
    value: float | None
    problem: str = ""


def vector_losses(y_true: list[float], y_pred: list[float], delta: float) -> list[LossValue]:
    """The element-wise losses on y_pred against y_true, each from its torch.nn module (BCEWithLogitsLoss is
    given the logits log(p / (1 − p)) of y_pred, so that it equals BCELoss where p is not 0 or 1)."""
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} numbers and y_pred {len(y_pred)}: give both the same length"
        )
    t, p = torch.tensor(y_true, dtype=torch.float64), torch.tensor(y_pred, dtype=torch.float64)
    rows = [
        LossValue("MSE", "nn.MSELoss()(y_pred, y_true)", float(nn.MSELoss()(p, t))),
        LossValue("MAE", "nn.L1Loss()(y_pred, y_true)", float(nn.L1Loss()(p, t))),
        LossValue(
            "Huber", f"nn.HuberLoss(delta={delta!r})(y_pred, y_true)", float(nn.HuberLoss(delta=delta)(p, t))
        ),
    ]
    binary_problem = ""
    if not all(0 <= v <= 1 for v in y_pred):
        binary_problem = "needs every y_pred in [0, 1] (a probability)"
    elif not all(0 <= v <= 1 for v in y_true):
        binary_problem = "needs every y_true in [0, 1]"
    if binary_problem:
        rows.append(LossValue("BCE", "nn.BCELoss()(y_pred, y_true)", None, binary_problem))
        rows.append(
            LossValue("BCEWithLogits", "nn.BCEWithLogitsLoss()(logit(y_pred), y_true)", None, binary_problem)
        )
    else:
        rows.append(LossValue("BCE", "nn.BCELoss()(y_pred, y_true)", float(nn.BCELoss()(p, t))))
        rows.append(
            LossValue(
                "BCEWithLogits",
                "nn.BCEWithLogitsLoss()(torch.logit(y_pred), y_true)",
                float(nn.BCEWithLogitsLoss()(torch.logit(p), t)),
            )
        )
    return rows


def class_losses(scores: list[float], true_class: int, target: list[float], margin: float) -> list[LossValue]:
    """The class losses on one example: scores (logits) over C classes, the true class index, and a target
    distribution for KLDivLoss (which gets log_softmax(scores) as its input)."""
    if not 0 <= true_class < len(scores):
        raise ValueError(f"the true class must be 0 … {len(scores) - 1}")
    if len(target) != len(scores):
        raise ValueError(f"the target distribution needs {len(scores)} numbers, one per class")
    if any(v < 0 for v in target) or abs(sum(target) - 1) > 1e-6:
        raise ValueError("the target distribution must be non-negative and sum to 1")
    x = torch.tensor([scores], dtype=torch.float64)  # (1, C)
    c = torch.tensor([true_class])  # (1,)
    t = torch.tensor([target], dtype=torch.float64)  # (1, C)
    return [
        LossValue(
            "CrossEntropy", "nn.CrossEntropyLoss()(scores, target_class)", float(nn.CrossEntropyLoss()(x, c))
        ),
        LossValue(
            "Hinge",
            f"nn.MultiMarginLoss(margin={margin!r})(scores, target_class)",
            float(nn.MultiMarginLoss(margin=margin)(x, c)),
        ),
        LossValue(
            "KLDiv",
            "nn.KLDivLoss(reduction='batchmean')(torch.log_softmax(scores, dim=1), target_probs)",
            float(nn.KLDivLoss(reduction="batchmean")(torch.log_softmax(x, dim=1), t)),
        ),
    ]


@dataclass(frozen=True)
class Saturation:
    """BCELoss on sigmoid(z) in float32 against BCEWithLogitsLoss on z, and the exact loss, over logits z."""

    z: list[float]
    bce: list[float]  # nn.BCELoss()(torch.sigmoid(z), y) in float32
    bce_gradient: list[float]  # its d/dz by autograd
    with_logits: list[float]  # nn.BCEWithLogitsLoss()(z, y) in float32
    with_logits_gradient: list[float]
    exact: list[float]  # softplus in float64: log(1 + e^z) − y·z


def saturation(target: float, logits: list[float]) -> Saturation:
    """How BCE on a float32 sigmoid saturates for large |z| (its logs clamp at −100 and its gradient
    vanishes) while BCEWithLogitsLoss follows the exact loss."""
    z = torch.tensor(logits, dtype=torch.float32, requires_grad=True)
    y = torch.full_like(z, target)
    bce = nn.BCELoss(reduction="none")(torch.sigmoid(z), y)
    (bce_grad,) = torch.autograd.grad(bce.sum(), z)
    stable = nn.BCEWithLogitsLoss(reduction="none")(z, y)
    (stable_grad,) = torch.autograd.grad(stable.sum(), z)
    z64 = torch.tensor(logits, dtype=torch.float64)
    exact = nn.functional.softplus(z64) - target * z64
    return Saturation(
        list(logits),
        bce.detach().tolist(),
        bce_grad.tolist(),
        stable.detach().tolist(),
        stable_grad.tolist(),
        exact.tolist(),
    )


@dataclass(frozen=True)
class OutlierFit:
    """Points on a line with one outlier, and the line each regression loss fits to them."""

    x: list[float]
    y: list[float]
    lines: dict[str, tuple[float, float]]  # loss name -> (slope, intercept)


def regression_points(outlier: float, seed: int, n: int = 20) -> tuple[torch.Tensor, torch.Tensor]:
    """y = 2x + 1 + noise on x in [−1, 1], the last point moved up by `outlier`."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.linspace(-1, 1, n, dtype=torch.float64)  # (n,)
    y = 2 * x + 1 + 0.2 * torch.randn(n, generator=generator, dtype=torch.float64)  # (n,)
    y[-1] += outlier
    return x, y


def fit_line(x: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module, rounds: int = 6) -> tuple[float, float]:
    """Slope and intercept minimising `loss_fn` (built with reduction='none'): every line of a 41 × 41 grid
    over [−10, 10]² is scored at once, then the grid zooms in 8× around the best line, `rounds` times.

    A search rather than gradient descent because MAE's kink makes descent end in a wobble, and because the
    three losses are convex in (slope, intercept), so zooming in on the best cell cannot miss the optimum.
    """
    center, half = torch.zeros(2, dtype=torch.float64), 10.0
    steps = torch.linspace(-1, 1, 41, dtype=torch.float64)
    for _ in range(rounds):
        slopes, intercepts = torch.meshgrid(center[0] + half * steps, center[1] + half * steps, indexing="ij")
        lines = torch.stack([slopes.flatten(), intercepts.flatten()], dim=1)  # (K, 2)
        predictions = lines[:, :1] * x + lines[:, 1:]  # (K, n)
        scores = loss_fn(predictions, y.expand_as(predictions)).mean(dim=1)  # (K,)
        center, half = lines[scores.argmin()], half / 8
    return float(center[0]), float(center[1])


def outlier_fits(outlier: float, delta: float, seed: int) -> OutlierFit:
    """The MSE, MAE and Huber lines through the same points with one outlier."""
    x, y = regression_points(outlier, seed)
    lines = {
        name: fit_line(x, y, LOSSES[name].build(delta if name == "Huber" else None, reduction="none"))
        for name in ("MSE", "MAE", "Huber")
    }
    return OutlierFit(x.tolist(), y.tolist(), lines)


@dataclass(frozen=True)
class LossLabConfig:
    """The Loss functions page's examples, as its widgets set them."""

    y_true: tuple[float, ...] = (1.0, 0.0, 1.0, 1.0)  # the slide's targets
    y_pred: tuple[float, ...] = (0.9, 0.1, 0.8, 0.95)  # the slide's predictions (probabilities)
    delta: float = 1.0  # HuberLoss's delta
    scores: tuple[float, ...] = (2.0, 1.5, -1.0)  # one example's class scores (logits)
    true_class: int = 0  # its class index, for CrossEntropyLoss and MultiMarginLoss
    target_probs: tuple[float, ...] = (0.7, 0.2, 0.1)  # KLDivLoss's target distribution
    margin: float = 1.0  # MultiMarginLoss's margin
    outlier: float = 8.0  # how far the last regression point is moved up
    seed: int = 0  # noise of the regression points


CODE_TEMPLATE = """\
import torch
from torch import nn

# The element-wise losses on the page's vectors
y_true = torch.tensor({y_true}, dtype=torch.float64)
y_pred = torch.tensor({y_pred}, dtype=torch.float64)
print(f"MSE = {{nn.MSELoss()(y_pred, y_true).item():.6f}}")
print(f"MAE = {{nn.L1Loss()(y_pred, y_true).item():.6f}}")
print(f"Huber = {{nn.HuberLoss(delta={delta!r})(y_pred, y_true).item():.6f}}")
if ((y_pred >= 0) & (y_pred <= 1) & (y_true >= 0) & (y_true <= 1)).all():
    print(f"BCE = {{nn.BCELoss()(y_pred, y_true).item():.6f}}")
    print(f"BCEWithLogits = {{nn.BCEWithLogitsLoss()(torch.logit(y_pred), y_true).item():.6f}}")

# The class losses on one example: scores (logits) over the classes, its class, a target distribution
scores = torch.tensor([{scores}], dtype=torch.float64)
target_class = torch.tensor([{true_class}])
target_probs = torch.tensor([{target_probs}], dtype=torch.float64)
print(f"CrossEntropy = {{nn.CrossEntropyLoss()(scores, target_class).item():.6f}}")
print(f"Hinge = {{nn.MultiMarginLoss(margin={margin!r})(scores, target_class).item():.6f}}")
kl = nn.KLDivLoss(reduction="batchmean")(torch.log_softmax(scores, dim=1), target_probs)
print(f"KLDiv = {{kl.item():.6f}}")

# A line fitted to points with one outlier, by each regression loss
generator = torch.Generator().manual_seed({seed})
x = torch.linspace(-1, 1, 20, dtype=torch.float64)
y = 2 * x + 1 + 0.2 * torch.randn(20, generator=generator, dtype=torch.float64)
y[-1] += {outlier!r}


def fit_line(loss_fn):
    # every line of a 41 x 41 grid of (slope, intercept) scored at once, then zoom in 8x, six times
    center, half = torch.zeros(2, dtype=torch.float64), 10.0
    steps = torch.linspace(-1, 1, 41, dtype=torch.float64)
    for _ in range(6):
        slopes, intercepts = torch.meshgrid(center[0] + half * steps, center[1] + half * steps, indexing="ij")
        lines = torch.stack([slopes.flatten(), intercepts.flatten()], dim=1)
        predictions = lines[:, :1] * x + lines[:, 1:]
        scores = loss_fn(predictions, y.expand_as(predictions)).mean(dim=1)
        center, half = lines[scores.argmin()], half / 8
    return center


for name, loss_fn in [
    ("MSE", nn.MSELoss(reduction="none")),
    ("MAE", nn.L1Loss(reduction="none")),
    ("Huber", nn.HuberLoss(delta={delta!r}, reduction="none")),
]:
    slope, intercept = fit_line(loss_fn).tolist()
    print(f"{{name}} line: y = {{slope:.3f}} x + {{intercept:.3f}}")
"""


def pytorch_code(config: LossLabConfig) -> str:
    """Self-contained PyTorch printing the page's loss values and fitted lines."""
    return CODE_TEMPLATE.format(
        y_true=list(config.y_true),
        y_pred=list(config.y_pred),
        delta=config.delta,
        scores=list(config.scores),
        true_class=config.true_class,
        target_probs=list(config.target_probs),
        margin=config.margin,
        outlier=config.outlier,
        seed=config.seed,
    )
