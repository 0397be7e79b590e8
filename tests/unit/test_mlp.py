import pytest
import torch

from core.basics.activations import ACTIVATIONS
from core.basics.mlp import (
    MLPConfig,
    NeuronConfig,
    build_mlp,
    decision_boundary,
    mlp_code,
    neuron_code,
    neuron_forward,
    neuron_response,
    parameter_counts,
    probe_output,
    weight_matrices,
    weighted_sum_latex,
)
from tests.generated import run_generated


def test_parameter_counts_per_layer():
    model = build_mlp(MLPConfig(input_size=3, hidden=(4, 3), output_size=2))
    rows = parameter_counts(model)
    assert [(r["weights"], r["biases"], r["total"]) for r in rows] == [(12, 4, 16), (12, 3, 15), (6, 2, 8)]
    assert sum(r["total"] for r in rows) == sum(p.numel() for p in model.parameters()) == 39


def test_no_hidden_layer_is_a_single_linear_map():
    model = build_mlp(MLPConfig(input_size=5, hidden=(), output_size=1))
    assert len(model) == 1 and parameter_counts(model)[0]["total"] == 6


def test_same_seed_same_weights_other_seed_other_weights():
    config = MLPConfig()
    first, again, other = build_mlp(config, seed=7), build_mlp(config, seed=7), build_mlp(config, seed=8)
    assert all(torch.equal(a, b) for a, b in zip(weight_matrices(first), weight_matrices(again), strict=True))
    assert not torch.equal(weight_matrices(first)[0], weight_matrices(other)[0])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_generated_code_builds_the_same_network_with_the_same_weights(activation):
    config = MLPConfig(input_size=3, hidden=(5, 2), output_size=4, activation=activation)
    namespace: dict = {"print": lambda *args: None}
    exec(mlp_code(config, seed=11), namespace)
    generated, ours = namespace["model"], build_mlp(config, seed=11)
    assert str(generated) == str(ours)
    for theirs, mine in zip(generated.parameters(), ours.parameters(), strict=True):
        assert torch.equal(theirs, mine)


def test_generated_mlp_code_prints_what_the_page_shows(tmp_path):
    config = MLPConfig(input_size=2, hidden=(3,), output_size=2, activation="Step")
    printed = run_generated(mlp_code(config, seed=42), tmp_path).splitlines()
    model = build_mlp(config, seed=42)
    assert printed[-2] == f"{sum(r['total'] for r in parameter_counts(model))} parameters"
    assert printed[-1] == "model(x) = " + ", ".join(f"{v:.4f}" for v in probe_output(model, 2))
    assert "\n".join(printed[:-2]) == str(model)


def test_neuron_forward_is_weighted_sum_then_activation():
    z, a = neuron_forward(NeuronConfig((1.0, -0.5), (0.8, -1.2), 0.2, "Sigmoid"))
    assert z == pytest.approx(0.8 * 1.0 + (-1.2) * (-0.5) + 0.2)
    assert a == pytest.approx(1 / (1 + torch.exp(torch.tensor(-z)).item()))
    # The page's Try this: doubling w and b keeps the boundary, z doubles to 3.2 and a rises to 0.9608.
    z, a = neuron_forward(NeuronConfig((1.0, -0.5), (1.6, -2.4), 0.4, "Sigmoid"))
    assert (round(z, 4), round(a, 4)) == (3.2, 0.9608)


def test_generated_neuron_code_prints_the_page_numbers(tmp_path):
    config = NeuronConfig((-1.3, 2.5), (0.7, -2.1), -0.4, "Softplus")
    z, a = neuron_forward(config)
    code = neuron_code(config)
    assert "torch.tensor([[0.7, -2.1]])" in code and "fill_(-0.4)" in code
    assert run_generated(code, tmp_path).splitlines() == [f"z = {z:.4f}", f"a = {a:.4f}"]


def test_weighted_sum_folds_negative_signs():
    line = weighted_sum_latex(NeuronConfig((1.0, -0.5), (0.8, -1.2), -0.5, "Sigmoid"), 0.9)
    assert line == r"z = 0.8 \cdot 1 - 1.2 \cdot (-0.5) - 0.5 = 0.9000"
    assert "+ -" not in weighted_sum_latex(NeuronConfig((-2.0, 1.0), (-0.3, 0.5), 0.1), 1.2)


def test_decision_boundary_is_the_line_z_equals_zero():
    config = NeuronConfig((0.0, 0.0), (0.8, 0.0), 0.2)
    assert decision_boundary(config) == ([-0.25, -0.25], [-3.0, 3.0])  # Try this: x1 = -b/w1
    xs, ys = decision_boundary(NeuronConfig((0.0, 0.0), (0.8, -1.2), 0.2))
    for x1, x2 in zip(xs, ys, strict=True):
        assert 0.8 * x1 - 1.2 * x2 + 0.2 == pytest.approx(0.0, abs=1e-12)
    assert decision_boundary(NeuronConfig((0.0, 0.0), (0.0, 0.0), 1.0)) is None


def test_neuron_response_grid_is_indexed_x2_by_x1():
    axis, values = neuron_response(NeuronConfig((0, 0), (1.0, 0.0), 0.0, "Identity"), -2, 2, 5)
    assert values.shape == (5, 5)
    # Only x1 matters: every row (fixed x2) equals the axis.
    assert torch.allclose(values[0], axis) and torch.allclose(values[4], axis)
    axis, values = neuron_response(NeuronConfig((0, 0), (0.0, 1.0), 0.5, "Identity"), -2, 2, 5)
    assert torch.allclose(values[:, 0], axis + 0.5)


def test_the_pages_try_this_claims_hold():
    # Step: two flat halves, exactly 0.5 on the line z = 0 (here the diagonal x1 = x2)
    _axis, step = neuron_response(NeuronConfig((0.0, 0.0), (1.0, -1.0), 0.0, "Step"), resolution=7)
    assert set(step.flatten().tolist()) == {0.0, 0.5, 1.0}
    assert step.diagonal().tolist() == [0.5] * 7
    # Identity hidden layers: the whole network is one affine map W·x + b
    model = build_mlp(MLPConfig(3, (4, 4), 2, "Identity"), seed=5)
    first, second, third = (m for m in model if isinstance(m, torch.nn.Linear))
    weight = third.weight @ second.weight @ first.weight
    bias = third.weight @ (second.weight @ first.bias + second.bias) + third.bias
    x = torch.randn(10, 3)
    with torch.no_grad():
        assert torch.allclose(model(x), x @ weight.T + bias, atol=1e-6)
