"""The Loss functions page's maths: every registry loss against its formula by hand and torch's functional
form, the slide's numbers, gradients, BCE's saturation, and the outlier fits."""

from pathlib import Path

import pytest
import torch
from torch.nn import functional as F

from core.playground.losses import LOSSES, PLAYGROUND_LOSSES, losses_for
from core.training.losses import (
    LossLabConfig,
    bce_terms,
    class_losses,
    curve,
    fit_line,
    mse_terms,
    outlier_fits,
    parse_vector,
    pytorch_code,
    regression_points,
    saturation,
    vector_losses,
)
from tests.generated import run_generated

SLIDE_TRUE, SLIDE_PRED = [1.0, 0.0, 1.0, 1.0], [0.9, 0.1, 0.8, 0.95]


def test_the_slides_example():
    values = {v.name: v.value for v in vector_losses(SLIDE_TRUE, SLIDE_PRED, delta=1.0)}
    assert values["MSE"] == pytest.approx(0.015625, abs=1e-12)
    assert round(values["BCE"], 4) == 0.1213
    assert values["BCEWithLogits"] == pytest.approx(values["BCE"], abs=1e-12)
    assert values["MAE"] == pytest.approx((0.1 + 0.1 + 0.2 + 0.05) / 4)
    mse = mse_terms(SLIDE_TRUE, SLIDE_PRED)
    assert [round(t.value, 6) for t in mse] == [0.01, 0.01, 0.04, 0.0025]
    assert sum(t.value for t in mse) / 4 == pytest.approx(0.015625)
    bce = bce_terms(SLIDE_TRUE, SLIDE_PRED)
    assert sum(t.value for t in bce) / 4 == pytest.approx(values["BCE"], abs=1e-12)
    assert "ln(0.9)" in bce[0].arithmetic and "(0.9 − 1)²" in mse[0].arithmetic


def by_hand(name: str, x: torch.Tensor, y: torch.Tensor, value: float | None) -> torch.Tensor:
    """Each loss written from its formula (mean over elements, or over examples for the class losses)."""
    if name == "MSE":
        return ((x - y) ** 2).mean()
    if name == "MAE":
        return (x - y).abs().mean()
    if name == "Huber":
        e = (x - y).abs()
        return torch.where(e <= value, 0.5 * e**2, value * (e - 0.5 * value)).mean()
    if name == "BCE":
        return -(y * x.log() + (1 - y) * (1 - x).log()).mean()
    if name == "BCEWithLogits":
        return (x.clamp(min=0) - x * y + torch.log1p(torch.exp(-x.abs()))).mean()
    if name == "CrossEntropy":
        c = y.long()
        return (-x.gather(1, c[:, None])[:, 0] + x.exp().sum(1).log()).mean()
    if name == "Hinge":
        c = y.long()
        true = x.gather(1, c[:, None])
        terms = (value - true + x).clamp(min=0)
        terms = terms.scatter(1, c[:, None], 0.0)  # j ≠ c
        return (terms.sum(1) / x.shape[1]).mean()
    assert name == "KLDiv"
    return (y * (y.log() - x)).sum() / x.shape[0]


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_module_equals_its_formula(name):
    entry = LOSSES[name]
    g = torch.Generator().manual_seed(0)
    if entry.kind == "value":
        x, y = (
            torch.randn(50, generator=g, dtype=torch.float64) * 3,
            torch.randn(50, generator=g, dtype=torch.float64),
        )
    elif entry.kind == "probability":
        x, y = (
            torch.rand(50, generator=g, dtype=torch.float64),
            torch.rand(50, generator=g, dtype=torch.float64),
        )
    elif entry.kind == "logit":
        x, y = (
            torch.randn(50, generator=g, dtype=torch.float64) * 5,
            torch.rand(50, generator=g, dtype=torch.float64),
        )
    elif entry.kind == "classes":
        x, y = torch.randn(20, 4, generator=g, dtype=torch.float64), torch.randint(0, 4, (20,), generator=g)
    else:
        x = torch.log_softmax(torch.randn(20, 4, generator=g, dtype=torch.float64), dim=1)
        y = torch.softmax(torch.randn(20, 4, generator=g, dtype=torch.float64), dim=1)
    value = 0.7 if entry.param else None
    assert entry.build(value)(x, y).item() == pytest.approx(by_hand(name, x, y, value).item(), rel=1e-10)


def test_kl_batchmean_is_the_true_kl_divergence():
    p = torch.tensor([[0.7, 0.2, 0.1]], dtype=torch.float64)
    q = torch.softmax(torch.tensor([[2.0, 1.5, -1.0]], dtype=torch.float64), dim=1)
    kl = LOSSES["KLDiv"].build()(q.log(), p)
    assert kl.item() == pytest.approx(
        torch.distributions.kl_divergence(
            torch.distributions.Categorical(probs=p), torch.distributions.Categorical(probs=q)
        ).item(),
        rel=1e-12,
    )
    assert LOSSES["KLDiv"].code() == "nn.KLDivLoss(reduction='batchmean')"
    assert LOSSES["Huber"].code(2.0) == "nn.HuberLoss(delta=2.0)"


def test_the_playgrounds_losses_are_entries_of_the_one_registry():
    """Each loss the Training playground offers is a registry entry's: its function computes the entry's
    torch.nn module (MSE/2 half of nn.MSELoss), under the playground's own names, in its menu's order."""
    assert {use.name: entry.name for entry in LOSSES.values() if (use := entry.playground)} == {
        "MSE/2": "MSE",
        "BCE": "BCEWithLogits",
        "Huber": "Huber",
    }
    assert list(PLAYGROUND_LOSSES) == ["MSE/2", "BCE", "Huber"]
    assert losses_for("classification") == ["MSE/2", "BCE"]
    assert losses_for("regression") == ["MSE/2", "Huber"]
    generator = torch.Generator().manual_seed(0)
    out = torch.randn(64, dtype=torch.float64, generator=generator) * 3
    target = torch.randn(64, dtype=torch.float64, generator=generator)
    labels = (target > 0).double()
    for entry in LOSSES.values():
        if entry.playground is None:
            continue
        t = labels if entry.kind == "logit" else target
        scale = 0.5 if entry.playground.name == "MSE/2" else 1.0
        assert entry.playground.fn(out, t).item() == pytest.approx(scale * entry.build()(out, t).item())


def test_class_losses_on_the_page_example():
    rows = {v.name: v.value for v in class_losses([2.0, 1.5, -1.0], 0, [0.7, 0.2, 0.1], margin=1.0)}
    x = torch.tensor([[2.0, 1.5, -1.0]], dtype=torch.float64)
    assert rows["CrossEntropy"] == pytest.approx(F.cross_entropy(x, torch.tensor([0])).item())
    assert rows["Hinge"] == pytest.approx((max(0, 1 - 2 + 1.5) + max(0, 1 - 2 - 1)) / 3)
    with pytest.raises(ValueError, match="sum to 1"):
        class_losses([1.0, 2.0, 3.0], 0, [0.5, 0.2, 0.1], 1.0)
    with pytest.raises(ValueError, match="true class"):
        class_losses([1.0, 2.0, 3.0], 3, [0.5, 0.4, 0.1], 1.0)


@pytest.mark.parametrize("name", list(LOSSES))
def test_curve_gradient_matches_finite_differences(name):
    target = 0.3 if LOSSES[name].kind in ("probability", "logit", "distribution") else 1.0
    c = curve(name, target, points=201)
    step = c.x[1] - c.x[0]
    for i in (20, 70, 130, 180):  # away from the kinks of MAE, Huber and hinge on this grid
        estimate = (c.loss[i + 1] - c.loss[i - 1]) / (2 * step)
        assert c.gradient[i] == pytest.approx(estimate, rel=0.05, abs=1e-3)
    if LOSSES[name].kind == "value":  # the loss is smallest where the prediction is the target
        assert c.x[min(range(len(c.loss)), key=c.loss.__getitem__)] == pytest.approx(target, abs=0.02)


def test_bce_saturates_where_bce_with_logits_stays_exact():
    sat = saturation(0.0, [0.0, 10.0, 17.0, 30.0])
    assert sat.bce[2] == sat.bce[3] == 100.0 and sat.bce_gradient[2] == 0.0
    for stable, exact in zip(sat.with_logits, sat.exact, strict=True):
        assert stable == pytest.approx(exact, rel=1e-5)
    assert sat.with_logits_gradient[2] == pytest.approx(1.0, abs=1e-6)
    assert sat.bce[1] == pytest.approx(sat.exact[1], rel=1e-4)  # still fine at z = 10


def test_outlier_pulls_mse_but_not_mae_or_huber():
    fits = outlier_fits(20.0, delta=1.0, seed=0)
    x, y = regression_points(20.0, seed=0)
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    least_squares = torch.linalg.lstsq(design, y[:, None]).solution[:, 0].tolist()
    assert fits.lines["MSE"] == pytest.approx(least_squares, abs=1e-3)
    assert abs(fits.lines["MSE"][0] - 2) > 3 * max(
        abs(fits.lines["MAE"][0] - 2), abs(fits.lines["Huber"][0] - 2)
    )
    clean = outlier_fits(0.0, delta=1.0, seed=0)
    assert clean.lines["MSE"][0] == pytest.approx(2.0, abs=0.3)


def test_fit_line_finds_the_minimum_of_a_non_smooth_loss():
    x, y = regression_points(5.0, seed=1)
    loss_fn = LOSSES["MAE"].build(reduction="none")
    slope, intercept = fit_line(x, y, loss_fn)
    best = loss_fn(slope * x + intercept, y).mean()
    for ds in (-1e-3, 0.0, 1e-3):
        for db in (-1e-3, 0.0, 1e-3):
            assert loss_fn((slope + ds) * x + intercept + db, y).mean() >= best - 1e-9


def test_bad_vectors_get_one_clear_line():
    with pytest.raises(ValueError, match="not a number: 'a'"):
        parse_vector("1, a")
    with pytest.raises(ValueError, match="at least one"):
        parse_vector(" , ")
    with pytest.raises(ValueError, match="same length"):
        vector_losses([1.0, 0.0], [0.5], 1.0)
    rows = {v.name: v for v in vector_losses([1.0, 0.0], [1.5, 0.2], 1.0)}
    assert rows["BCE"].value is None and "[0, 1]" in rows["BCE"].problem
    assert rows["MSE"].value == pytest.approx((0.25 + 0.04) / 2)


def test_generated_code_prints_the_page_numbers(tmp_path: Path):
    config = LossLabConfig(delta=0.5, margin=2.0, outlier=-6.0, seed=3, y_pred=(0.6, 0.2, 0.7, 0.99))
    out = run_generated(pytorch_code(config), tmp_path)
    for v in vector_losses(list(config.y_true), list(config.y_pred), config.delta) + class_losses(
        list(config.scores), config.true_class, list(config.target_probs), config.margin
    ):
        assert f"{v.name} = {v.value:.6f}" in out
    for name, (slope, intercept) in outlier_fits(config.outlier, config.delta, config.seed).lines.items():
        assert f"{name} line: y = {slope:.3f} x + {intercept:.3f}" in out
