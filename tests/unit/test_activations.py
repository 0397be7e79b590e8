import math

import pytest
import torch

from core.activations import (
    ACTIVATIONS,
    activation_curves,
    entropy,
    evaluate_with_derivative,
    mask_intervals,
    saturated_mask,
    softmax_with_temperature,
)

REQUIRED = {
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Sigmoid",
    "Tanh",
    "Hardtanh",
    "Softsign",
    "Step",
}
# Points where a piecewise function has a kink: finite differences are meaningless there.
KINKS = {
    "ReLU": [0.0],
    "LeakyReLU": [0.0],
    "ELU": [0.0],
    "Hardtanh": [-1.0, 1.0],
    "Step": [0.0],
    "Softsign": [0.0],
}


def test_registry_has_the_required_functions_each_with_a_note():
    assert set(ACTIVATIONS) >= REQUIRED
    for activation in ACTIVATIONS.values():
        assert len(activation.note) > 30


def test_torch_modules_are_used_where_torch_has_them():
    assert isinstance(ACTIVATIONS["GELU"].module(), torch.nn.GELU)
    assert isinstance(ACTIVATIONS["Mish"].module(), torch.nn.Mish)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_autograd_derivative_matches_finite_differences(name):
    activation = ACTIVATIONS[name]
    values = {p.name: (p.low + p.high) / 2 for p in activation.params}  # not the default, to test params too
    module = activation.module(**values).double()
    x = torch.linspace(-4, 4, 161, dtype=torch.float64)
    for kink in KINKS.get(name, []):
        x = x[(x - kink).abs() > 1e-3]
    _, dy = evaluate_with_derivative(module, x)
    h = 1e-6
    with torch.no_grad():
        numeric = (module(x + h) - module(x - h)) / (2 * h)
    assert torch.allclose(dy, numeric, atol=1e-6), (name, (dy - numeric).abs().max())


def test_parameters_change_the_function():
    x = torch.tensor([-2.0])
    assert ACTIVATIONS["LeakyReLU"].module(negative_slope=0.1)(x).item() == pytest.approx(-0.2)
    assert ACTIVATIONS["LeakyReLU"].module()(x).item() == pytest.approx(-0.02)
    assert ACTIVATIONS["ELU"].module(alpha=2.0)(x).item() == pytest.approx(2.0 * (math.exp(-2) - 1))


def test_step_has_zero_gradient_and_thresholds_at_zero():
    y, dy = evaluate_with_derivative(ACTIVATIONS["Step"].module(), torch.tensor([-1.0, 0.5, 3.0]))
    assert y.tolist() == [0.0, 1.0, 1.0]
    assert dy.tolist() == [0.0, 0.0, 0.0]


def test_sigmoid_saturates_at_both_ends_but_not_in_the_middle():
    _x, curves = activation_curves(["Sigmoid"], {}, -10, 10)
    intervals = curves["Sigmoid"].saturated
    assert len(intervals) == 2
    (left_start, left_end), (right_start, right_end) = intervals
    assert left_start == -10 and right_end == 10
    # sigmoid'(x) = s(1-s) is 1% of its peak 0.25 where |x| ≈ 5.99
    assert left_end == pytest.approx(-5.99, abs=0.05) and right_start == pytest.approx(5.99, abs=0.05)


def test_relu_is_dead_for_negative_inputs():
    _x, curves = activation_curves(["ReLU"], {}, -3, 3, points=61)
    assert curves["ReLU"].saturated == [(-3.0, pytest.approx(0.0, abs=1e-9))]


def test_mask_intervals_groups_contiguous_runs():
    x = torch.arange(6, dtype=torch.float64)
    mask = torch.tensor([True, True, False, True, False, True])
    assert mask_intervals(x, mask) == [(0.0, 1.0), (3.0, 3.0), (5.0, 5.0)]
    assert saturated_mask(torch.zeros(3)).all()


def test_softmax_temperature_sharpens_and_flattens():
    logits = torch.tensor([2.0, 1.0, 0.1])
    normal = softmax_with_temperature(logits, 1.0)
    assert normal.sum().item() == pytest.approx(1.0)
    assert torch.allclose(normal, torch.softmax(logits, dim=0))
    assert softmax_with_temperature(logits, 0.05)[0].item() > 0.999
    hot = softmax_with_temperature(logits, 1000.0)
    assert torch.allclose(hot, torch.full((3,), 1 / 3), atol=1e-3)
    assert entropy(hot) == pytest.approx(math.log(3), abs=1e-3)
    assert entropy(torch.tensor([1.0, 0.0])) == 0.0
    with pytest.raises(ValueError):
        softmax_with_temperature(logits, 0.0)
