import math

import pytest
import torch

from core.basics.activations import (
    ACTIVATIONS,
    FLAT_SLOPE,
    activation_curves,
    activations_code,
    entropy,
    evaluate_with_derivative,
    flat_intervals,
    mask_intervals,
    softmax_with_temperature,
    values_at,
)
from tests.generated import run_generated

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


def test_step_is_half_at_zero_with_zero_gradient_everywhere():
    y, dy = evaluate_with_derivative(ACTIVATIONS["Step"].module(), torch.tensor([-1.0, 0.0, 0.5, 3.0]))
    assert y.tolist() == [0.0, 0.5, 1.0, 1.0]
    assert dy.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_softplus_is_one_over_beta_log_one_plus_exp_beta_x():
    assert values_at(["Softplus"], {"Softplus": {"beta": 5.0}}, 0.0)["Softplus"][0] == pytest.approx(
        math.log(2) / 5
    )
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)
    for beta in (0.5, 1.0, 5.0):
        torch_values = ACTIVATIONS["Softplus"].module(beta=beta)(x)
        assert torch.allclose(torch_values, torch.log1p(torch.exp(beta * x)) / beta)
    # Above beta*x = 20 PyTorch returns x itself, as the note says.
    assert ACTIVATIONS["Softplus"].module(beta=5.0)(torch.tensor([4.5])).item() == 4.5


@pytest.mark.parametrize("alpha", [0.1, 1.0, 3.0])
def test_elu_slope_jumps_from_alpha_to_one_unless_alpha_is_one(alpha):
    elu = ACTIVATIONS["ELU"].module(alpha=alpha).double()
    x = torch.tensor([-1.5, 2.0], dtype=torch.float64)
    assert torch.allclose(elu(x), torch.tensor([alpha * (math.exp(-1.5) - 1), 2.0], dtype=torch.float64))
    _, slopes = evaluate_with_derivative(elu, torch.tensor([-1e-9, 1e-9], dtype=torch.float64))
    assert slopes[0].item() == pytest.approx(alpha) and slopes[1].item() == 1.0


def test_gelu_is_x_times_the_normal_cdf_with_a_dip_at_minus_0_75():
    x = torch.linspace(-4, 4, 33, dtype=torch.float64)
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    assert torch.allclose(ACTIVATIONS["GELU"].module()(x), x * cdf)
    _x, curves = activation_curves(["GELU"], {}, -5, 5)
    assert curves["GELU"].flat_points == [pytest.approx(-0.75, abs=0.02)]
    assert curves["GELU"].y.min().item() == pytest.approx(-0.17, abs=0.005)


def test_the_other_formulas_in_the_notes_match_torch():
    x = torch.linspace(-4, 4, 33, dtype=torch.float64)
    sigmoid = 1 / (1 + torch.exp(-x))
    expected = {
        "ReLU": x.clamp(min=0),
        "SiLU": x * sigmoid,
        "Mish": x * torch.tanh(torch.log1p(torch.exp(x))),
        "Sigmoid": sigmoid,
        "Hardtanh": x.clamp(-1, 1),
        "Softsign": x / (1 + x.abs()),
        "Identity": x,
    }
    for name, values in expected.items():
        assert torch.allclose(ACTIVATIONS[name].module()(x), values), name
    assert torch.equal(ACTIVATIONS["LeakyReLU"].module(negative_slope=0.0)(x), x.clamp(min=0))
    _, dy = evaluate_with_derivative(torch.nn.Sigmoid(), x)
    assert dy.max().item() == pytest.approx(0.25)


def test_tanh_slope_falls_below_the_flat_threshold_at_three():
    _, dy = evaluate_with_derivative(torch.nn.Tanh(), torch.tensor([2.99, 3.0, -3.0], dtype=torch.float64))
    assert dy[0] > FLAT_SLOPE > dy[1] and dy[2] < FLAT_SLOPE


def test_eleven_of_the_functions_are_torch_nn_non_linearities():
    """The Home and README claim: eleven from torch.nn, plus the perceptron's Step and the linear Identity."""
    from_torch = [n for n, a in ACTIVATIONS.items() if a.build.__module__.startswith("torch.nn")]
    assert set(ACTIVATIONS) - set(from_torch) == {"Step"}
    assert len([n for n in from_torch if n != "Identity"]) == 11


def test_the_app_efficientnet_lite0_uses_relu6_not_silu():
    from efficientnet_lite_pytorch import EfficientNet

    kinds = {type(m).__name__ for m in EfficientNet.from_name("efficientnet-lite0").modules()}
    assert "ReLU6" in kinds and not kinds & {"SiLU", "Swish", "MemoryEfficientSwish"}


def test_one_absolute_threshold_shades_saturation_and_marks_flat_points_apart():
    _x, curves = activation_curves(["Sigmoid", "Tanh", "SiLU", "ReLU", "Step", "Identity"], {}, -5, 5)
    # sigmoid'(x) = 0.01 where sigmoid(x) = 0.0102, |x| = 4.585: shaded at both ends of -5..5
    (left_start, left_end), (right_start, right_end) = curves["Sigmoid"].saturated
    assert left_start == -5 and right_end == 5
    assert left_end == pytest.approx(-4.585, abs=0.02) and right_start == pytest.approx(4.585, abs=0.02)
    assert [(a, b) for a, b in curves["Tanh"].saturated] == [
        (-5, pytest.approx(-3.0, abs=0.02)),
        (pytest.approx(3.0, abs=0.02), 5),
    ]
    # SiLU's minimum is a flat point, not saturation
    assert curves["SiLU"].saturated == [] and curves["SiLU"].flat_points == [pytest.approx(-1.278, abs=0.02)]
    assert curves["ReLU"].saturated == [(-5.0, pytest.approx(0.0, abs=1e-9))]
    assert curves["Step"].saturated == [(-5.0, 5.0)]
    assert curves["Identity"].saturated == [] and curves["Identity"].flat_points == []


def test_flat_intervals_split_sign_changes_from_small_slopes():
    x = torch.arange(7, dtype=torch.float64)
    dy = torch.tensor([0.001, 0.002, 0.5, -0.004, 0.003, 0.5, 0.0])
    assert flat_intervals(x, dy) == ([(0.0, 1.0), (6.0, 6.0)], [4.0])


def test_mask_intervals_groups_contiguous_runs():
    x = torch.arange(6, dtype=torch.float64)
    mask = torch.tensor([True, True, False, True, False, True])
    assert mask_intervals(x, mask) == [(0.0, 1.0), (3.0, 3.0), (5.0, 5.0)]


def test_softmax_temperature_sharpens_and_flattens():
    logits = torch.tensor([2.0, 1.0, 0.1, -1.0], dtype=torch.float64)
    normal = softmax_with_temperature(logits, 1.0)
    assert normal.sum().item() == pytest.approx(1.0)
    assert torch.allclose(normal, torch.softmax(logits, dim=0))
    # The page's "Try this": T = 0.05 is nearly one-hot, T = 10 approaches the uniform entropy ln 4.
    assert softmax_with_temperature(logits, 0.05)[0].item() > 0.999999
    assert entropy(softmax_with_temperature(logits, 10.0)) == pytest.approx(1.380, abs=5e-4)
    assert math.log(4) - entropy(softmax_with_temperature(logits, 10.0)) < 0.01
    assert entropy(softmax_with_temperature(logits, 1.0)) == pytest.approx(0.961, abs=5e-4)
    assert entropy(torch.tensor([1.0, 0.0])) == 0.0
    with pytest.raises(ValueError):
        softmax_with_temperature(logits, 0.0)


def test_generated_code_prints_the_values_and_softmax_the_page_computes(tmp_path):
    names = ["Softplus", "ELU", "Step", "GELU"]
    params = {"Softplus": {"beta": 5.0}, "ELU": {"alpha": 0.5}}
    logits = [3.0, -1.0, 0.5]
    code = activations_code(names, params, -0.5, ["a", "b", "c"], logits, 0.3)
    assert "nn.Softplus(beta=5.0)" in code and "class Step(nn.Module)" in code
    printed = run_generated(code, tmp_path).splitlines()
    expected = [
        f"{n}: f(-0.5) = {y:.6f}   f'(-0.5) = {dy:.6f}"
        for n, (y, dy) in values_at(names, params, -0.5).items()
    ]
    probabilities = softmax_with_temperature(torch.tensor(logits, dtype=torch.float64), 0.3)
    expected += [
        f"{c}: logit {z:g} -> z/T {z / 0.3:.4f} -> p {p:.4f}"
        for c, z, p in zip("abc", logits, probabilities.tolist(), strict=True)
    ]
    expected.append(f"entropy {entropy(probabilities):.4f} nats (uniform: ln 3 = {math.log(3):.4f})")
    assert printed == expected


def test_the_pages_try_this_claims_hold():
    elu = {"ELU": {"alpha": 0.5}}
    assert f"{values_at(['ELU'], elu, -0.001)['ELU'][1]:.4f}" == "0.4995"
    assert values_at(["ELU"], elu, 0.001)["ELU"][1] == 1.0
    assert values_at(["Tanh"], {}, 0.0)["Tanh"][1] == 1.0
    _x, curves = activation_curves(["GELU"], {}, -5, 5)
    assert curves["GELU"].saturated == [(-5.0, pytest.approx(-3.1, abs=0.05))]
    logits = torch.tensor([2.0, 1.0, 0.1, -1.0], dtype=torch.float64)
    assert softmax_with_temperature(logits, 0.05)[1].item() == pytest.approx(2e-9, rel=0.05)
    assert torch.allclose(softmax_with_temperature(logits + 10, 1.0), softmax_with_temperature(logits, 1.0))
    tie = softmax_with_temperature(torch.tensor([2.0, 1.0, 0.1, -1.0, 2.0], dtype=torch.float64), 0.05)
    assert f"{tie[0].item():.4f}" == f"{tie[4].item():.4f}" == "0.5000"
