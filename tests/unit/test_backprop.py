"""The Backpropagation page's maths: hand gradients equal autograd and finite differences; the loop trains."""

import math
import re
import time
from pathlib import Path

import pytest
import torch

from core.runner import Runner
from core.training.backprop import (
    BackpropConfig,
    XorLoop,
    autograd_gradients,
    build_network,
    check_gradients,
    finite_difference_gradients,
    parameter_cells,
    pytorch_code,
    sgd_step,
    trace,
)
from tests.generated import run_generated

CASES = [
    BackpropConfig(),
    BackpropConfig(x1=-2.0, x2=3.0, y=-1.0, activation="Tanh", seed=3),
    BackpropConfig(x1=0.7, x2=1.3, y=0.0, activation="ReLU", seed=1),
]


@pytest.mark.parametrize("config", CASES, ids=lambda c: c.activation)
def test_hand_gradients_equal_autograd_and_finite_differences(config):
    model = build_network(config)
    result = trace(model, config)
    hand = torch.tensor([g.gradient for g in result.gradients], dtype=torch.float64)
    assert torch.allclose(hand, autograd_gradients(model, config), atol=1e-6, rtol=0)
    assert torch.allclose(hand, finite_difference_gradients(model, config), atol=1e-6, rtol=0)
    for g in result.gradients:  # each gradient is the product of its chain's factors, the last one local
        assert g.gradient == pytest.approx(math.prod(g.factors), rel=1e-12, abs=1e-15)
        assert g.local == g.factors[-1]
    check = check_gradients(model, config, result)
    assert check.autograd_error < 1e-6 and check.difference_error < 1e-6


def test_forward_nodes_match_the_torch_model():
    config = CASES[1]
    model = build_network(config)
    result = trace(model, config)
    values = {n.name: n.value for n in result.nodes}
    x = torch.tensor([[config.x1, config.x2]], dtype=torch.float64)
    with torch.no_grad():
        z = model[0](x)[0]
        h = model[1](model[0](x))[0]
        y_hat = float(model(x))
    for j in range(3):
        assert values[f"z{j}"] == pytest.approx(float(z[j]), abs=1e-12)
        assert values[f"h{j}"] == pytest.approx(float(h[j]), abs=1e-12)
    assert values["ŷ"] == pytest.approx(y_hat, abs=1e-12)
    assert result.loss == pytest.approx((y_hat - config.y) ** 2, abs=1e-12)
    # ∂L/∂z_j is what b1[j] receives: ∂z_j/∂b1[j] = 1
    grads = {g.parameter: g.gradient for g in result.gradients}
    for j in range(3):
        assert result.node_gradients[f"z{j}"] == pytest.approx(grads[f"b1[{j}]"], abs=1e-15)


def test_a_relu_unit_with_negative_input_gets_no_gradient():
    config = BackpropConfig(activation="ReLU", seed=0)  # z0 < 0 for the default example
    result = trace(build_network(config), config)
    assert result.nodes[0].value < 0
    grads = {g.parameter: g.gradient for g in result.gradients}
    assert grads["W1[0,0]"] == grads["W1[0,1]"] == grads["b1[0]"] == 0.0


def test_sgd_step_moves_each_parameter_by_minus_lr_times_its_gradient():
    config = BackpropConfig(lr=0.1)
    model = build_network(config)
    before, after = sgd_step(model, config)
    assert before == pytest.approx(trace(model, config).loss, abs=1e-12)
    assert after < before
    # the step by hand: θ − lr·∇L, then the loss of the stepped network
    stepped = build_network(config)
    grads = autograd_gradients(stepped, config)
    with torch.no_grad():
        for (tensor, where), g in zip(parameter_cells(stepped), grads, strict=True):
            tensor[where] -= config.lr * g
    assert after == pytest.approx(trace(stepped, config).loss, abs=1e-12)
    # a too-large rate overshoots
    big = BackpropConfig(lr=2.0)
    before, after = sgd_step(build_network(big), big)
    assert after > before


def test_xor_loop_learns_xor_and_stops_at_its_budget():
    job = XorLoop(BackpropConfig(lr=0.5), epochs=3000)
    job.step()
    assert job.snapshot().epoch == 1
    while not job.done:
        job.train_for(0.5)
    snap = job.snapshot()
    assert snap.epoch == 3000 and snap.done
    assert snap.losses[-1] < 0.01 < snap.losses[0]
    assert [round(v) for v in snap.outputs] == [0, 1, 1, 0]


def test_xor_loop_stops_when_it_diverges():
    job = XorLoop(BackpropConfig(activation="Tanh", lr=0.5), epochs=5000)
    while not job.done:
        job.train_for(0.2)
    assert job.snapshot().epoch < 5000 and job.done


def test_xor_loop_through_the_runner():
    runner = Runner(XorLoop(BackpropConfig(), epochs=100_000))
    try:
        runner.play()
        deadline = time.monotonic() + 30
        while runner.read(lambda job: job.snapshot().epoch) < 50 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.01)
        runner.pause()
        epoch = runner.read(lambda job: job.snapshot().epoch)
        assert epoch >= 50
        assert runner.read(lambda job: job.snapshot().epoch) == epoch  # paused: nothing moves
        runner.step()
        assert runner.read(lambda job: job.snapshot().epoch) == epoch + 1
    finally:
        runner.close()


def test_generated_code_prints_the_page_numbers(tmp_path: Path):
    config = BackpropConfig(x1=0.5, x2=2.0, y=-1.0, activation="Tanh", lr=0.1, seed=4)
    out = run_generated(pytorch_code(config, epochs=300), tmp_path)
    model = build_network(config)
    result = trace(model, config)
    assert f"loss before: {result.loss:.6f}" in out
    for g in result.gradients:
        assert f"dL/d{g.parameter} = {g.gradient:.6f}" in out
    _, after = sgd_step(model, config)
    assert f"loss after one step: {after:.6f}" in out
    job = XorLoop(config, epochs=300)
    while not job.done:
        job.train_for(1.0)
    assert f"XOR loss at epoch 300: {job.snapshot().losses[-1]:.6g}" in out
    assert len(re.findall(r"^dL/d", out, flags=re.M)) == 13
