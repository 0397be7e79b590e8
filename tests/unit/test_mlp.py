import pytest
import torch

from core.activations import ACTIVATIONS
from core.mlp import (
    MLPConfig,
    build_mlp,
    neuron_forward,
    neuron_response,
    parameter_counts,
    pytorch_code,
    weight_matrices,
)


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
def test_generated_code_builds_the_same_network(activation):
    config = MLPConfig(input_size=3, hidden=(5, 2), output_size=4, activation=activation)
    namespace: dict = {"print": lambda *args: None}
    exec(pytorch_code(config), namespace)
    generated, ours = namespace["model"], build_mlp(config)
    assert str(generated) == str(ours)
    assert sum(p.numel() for p in generated.parameters()) == sum(p.numel() for p in ours.parameters())


def test_neuron_forward_is_weighted_sum_then_activation():
    z, a = neuron_forward((1.0, -0.5), (0.8, -1.2), 0.2, torch.nn.Sigmoid())
    assert z == pytest.approx(0.8 * 1.0 + (-1.2) * (-0.5) + 0.2)
    assert a == pytest.approx(1 / (1 + torch.exp(torch.tensor(-z)).item()))


def test_neuron_response_grid_is_indexed_x2_by_x1():
    axis, values = neuron_response((1.0, 0.0), 0.0, torch.nn.Identity(), low=-2, high=2, resolution=5)
    assert values.shape == (5, 5)
    # Only x1 matters: every row (fixed x2) equals the axis.
    assert torch.allclose(values[0], axis) and torch.allclose(values[4], axis)
    axis, values = neuron_response((0.0, 1.0), 0.5, torch.nn.Identity(), low=-2, high=2, resolution=5)
    assert torch.allclose(values[:, 0], axis + 0.5)
