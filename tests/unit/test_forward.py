import numpy as np
import pytest
import torch

from core.basics.forward import (
    forward_code,
    max_abs_difference,
    module_output,
    trace_forward,
    vector_text,
    with_edits,
)
from core.basics.mlp import MLPConfig, build_mlp, linear_layers
from tests.generated import run_generated

CONFIGS = [
    MLPConfig(3, (4, 3), 2, "ReLU"),
    MLPConfig(2, (), 1, "Tanh"),
    MLPConfig(5, (6, 6, 6), 3, "GELU"),
    MLPConfig(4, (3,), 2, "Softplus"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_manual_trace_equals_the_torch_module(config):
    model = build_mlp(config, seed=3)
    x = np.random.default_rng(0).normal(size=config.input_size)
    traces = trace_forward(model, x)
    assert len(traces) == len(config.hidden) + 1
    assert np.abs(traces[-1].a - module_output(model, x)).max() < 1e-12
    assert max_abs_difference(model, x) < 1e-12


def test_every_intermediate_matches_torch_hooks():
    model = build_mlp(MLPConfig(3, (4, 3), 2, "Sigmoid"), seed=1)
    x = np.array([0.5, -1.0, 2.0])
    captured = []
    hooks = [
        layer.register_forward_hook(lambda m, i, o: captured.append(o.detach().double().numpy()))
        for layer in linear_layers(model)
    ]
    model(torch.tensor(x, dtype=torch.float32))
    for hook in hooks:
        hook.remove()
    for trace, z_torch in zip(trace_forward(model, x), captured, strict=True):
        assert trace.weight.shape == (trace.z.size, trace.x.size)
        np.testing.assert_allclose(trace.z, z_torch, atol=1e-6)
    np.testing.assert_allclose(trace_forward(model, x)[0].a, 1 / (1 + np.exp(-captured[0])), atol=1e-6)


def test_an_edit_changes_that_layer_and_downstream_only_and_copies_the_model():
    model = build_mlp(MLPConfig(3, (4, 3), 2, "Tanh"), seed=0)
    x = np.array([1.0, 0.5, -0.5])
    before = trace_forward(model, x)
    edited = with_edits(model, {(1, 2, 0): 5.0})
    after = trace_forward(edited, x)
    np.testing.assert_array_equal(before[0].z, after[0].z)  # upstream untouched
    assert after[1].z[2] != before[1].z[2]  # the edited unit moves
    np.testing.assert_array_equal(np.delete(before[1].z, 2), np.delete(after[1].z, 2))  # other units do not
    assert not np.allclose(before[2].a, after[2].a)  # and the output follows
    assert linear_layers(model)[1].weight[2, 0].item() != 5.0  # the original is not mutated
    assert linear_layers(edited)[1].weight[2, 0].item() == 5.0


def test_a_bias_edit():
    model = build_mlp(MLPConfig(2, (2,), 1, "ReLU"), seed=0)
    edited = with_edits(model, {(0, 1, None): -3.0})
    assert linear_layers(edited)[0].bias[1].item() == -3.0
    assert trace_forward(edited, np.zeros(2))[0].z[1] == pytest.approx(-3.0)


def test_the_output_layer_has_no_activation():
    traces = trace_forward(build_mlp(MLPConfig(2, (3,), 2, "Sigmoid"), seed=0), np.array([1.0, -1.0]))
    assert [t.activation for t in traces] == ["Sigmoid", None]
    np.testing.assert_array_equal(traces[-1].a, traces[-1].z)


def test_generated_code_prints_every_layer_the_page_shows(tmp_path):
    config = MLPConfig(3, (4, 3), 2, "ELU")
    x = np.array([0.7, -1.2, 2.0])
    edits = {(1, 2, 0): 5.0, (0, 1, None): -3.0}
    model = with_edits(build_mlp(config, seed=9), edits)
    printed = run_generated(forward_code(config, 9, x, edits), tmp_path).splitlines()
    expected = []
    for k, trace in enumerate(trace_forward(model, x)):
        expected.append((f"Linear {k + 1}: z =", trace.z))
        if k < len(config.hidden):
            expected.append((f"  {trace.activation}: a =", trace.a))
    expected.append(("model(x) =", module_output(model, x)))
    assert printed == [f"{label} {vector_text(values)}" for label, values in expected]


def test_the_pages_try_this_claims_hold():
    x = np.array([1.0, 0.5, 0.0])  # the page's default input
    tanh = build_mlp(MLPConfig(3, (4, 3), 2, "Tanh"), seed=0)
    zero_input = trace_forward(tanh, np.zeros(3))[0]
    np.testing.assert_array_equal(zero_input.z, zero_input.bias)  # W·0 + b = b
    saturated = trace_forward(with_edits(tanh, {(0, 0, None): 10.0}), x)
    assert f"{saturated[0].a[0]:.4f}" == "1.0000"
    nudged = trace_forward(with_edits(tanh, {(0, 0, None): 10.0, (0, 0, 0): 1.5}), x)
    assert np.abs(nudged[-1].a - saturated[-1].a).max() < 1e-6  # its incoming weights barely matter
    relu = build_mlp(MLPConfig(3, (4, 3), 2, "ReLU"), seed=0)
    dead = trace_forward(with_edits(relu, {(0, 0, None): -10.0}), x)
    assert dead[0].a[0] == 0.0
    edited = trace_forward(with_edits(relu, {(0, 0, None): -10.0, (1, 0, 0): 5.0, (1, 2, 0): -3.0}), x)
    np.testing.assert_array_equal(edited[-1].a, dead[-1].a)  # Linear 2's weights from a dead unit do nothing
