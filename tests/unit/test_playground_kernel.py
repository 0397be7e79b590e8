"""The fast kernel against autograd and torch.optim: gradients, penalties and optimizer steps, in float64."""

import numpy as np
import pytest
import torch

from core.playground.codes import ACTIVATION_CODES, HYPER, REGULARIZATION_CODES
from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.kernel import batch_gradient, optimizer_step
from core.playground.losses import PLAYGROUND_LOSSES
from core.playground.model import build_model, weight_penalty
from core.playground.optim import OPTIMIZERS


def flat_parameters(model: torch.nn.Module) -> np.ndarray:
    """The model's parameters in the kernel's layout: each layer's weight (row-major), then its bias."""
    return np.concatenate(
        [t.detach().reshape(-1).numpy() for lin in model.linears for t in (lin.weight, lin.bias)]
    )


def flat_gradients(model: torch.nn.Module) -> np.ndarray:
    return np.concatenate(
        [t.grad.reshape(-1).numpy() for lin in model.linears for t in (lin.weight, lin.bias)]
    )


def kernel_gradient(model, x, t, activation, output, loss, reg="none", rate=0.0):
    sizes = np.array([x.shape[1], *[lin.out_features for lin in model.linears]], np.int64)
    p = flat_parameters(model).copy()
    g = np.zeros_like(p)
    units = int(sizes.sum())
    value = batch_gradient(
        p,
        g,
        sizes,
        x.numpy(),
        t.numpy(),
        np.arange(len(x), dtype=np.int64),
        ACTIVATION_CODES[activation],
        ACTIVATION_CODES[output],
        PLAYGROUND_LOSSES[loss].kernel,
        REGULARIZATION_CODES[reg],
        rate,
        np.empty(units),
        np.empty(units),
        np.empty(units),
    )
    return value, g


def autograd_gradient(model, x, t, loss, reg="none", rate=0.0):
    model.zero_grad()
    value = PLAYGROUND_LOSSES[loss].fn(model(x)[:, 0], t)
    if reg != "none":
        value = value + rate * weight_penalty(model, reg)
    value.backward()
    return value.item(), flat_gradients(model)


@pytest.mark.parametrize("activation", list(ACTIVATION_CODES))
@pytest.mark.parametrize(("loss", "output"), [("MSE/2", "Tanh"), ("BCE", "Identity"), ("Huber", "Identity")])
def test_gradient_matches_autograd_for_every_activation_and_loss(activation, loss, output):
    config = PlaygroundConfig(hidden=(5, 3), activation=activation, init="Normal", seed=3)
    model = build_model(config, output)
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(12, 2, generator=generator, dtype=torch.float64) * 2
    t = (torch.rand(12, generator=generator, dtype=torch.float64) > 0.5).double()
    if loss == "Huber":
        t = t * 4 - 2  # residuals on both sides of the Huber threshold
    expected_value, expected = autograd_gradient(model, x, t, loss)
    value, grad = kernel_gradient(model, x, t, activation, output, loss)
    assert value == pytest.approx(expected_value, abs=1e-9)
    np.testing.assert_allclose(grad, expected, atol=1e-9)


@pytest.mark.parametrize("reg", ["L1", "L2"])
def test_penalty_gradient_matches_autograd(reg):
    model = build_model(PlaygroundConfig(hidden=(4, 2), init="Normal"), "Tanh")
    x = torch.randn(7, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    t = torch.ones(7, dtype=torch.float64)
    expected_value, expected = autograd_gradient(model, x, t, "MSE/2", reg, 0.03)
    value, grad = kernel_gradient(model, x, t, "Tanh", "Tanh", "MSE/2", reg, 0.03)
    assert value == pytest.approx(expected_value, abs=1e-12)
    np.testing.assert_allclose(grad, expected, atol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_match_torch_optim(name):
    generator = torch.Generator().manual_seed(0)
    param = torch.nn.Parameter(torch.randn(20, dtype=torch.float64, generator=generator))
    optimizer = OPTIMIZERS[name].build([param], 0.05)
    p = param.detach().numpy().copy()
    s1, s2, step = np.zeros(20), np.zeros(20), np.zeros(1, np.int64)
    for _ in range(5):
        grad = torch.randn(20, dtype=torch.float64, generator=generator)
        param.grad = grad.clone()
        optimizer.step()
        optimizer_step(p, grad.numpy().copy(), s1, s2, step, 0.05, OPTIMIZERS[name].kernel, HYPER)
    np.testing.assert_allclose(p, param.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_fast_path_and_autograd_loop_train_identically(optimizer):
    """Same minibatch order, same updates: the two engines' curves agree to rounding."""
    config = PlaygroundConfig(
        optimizer=optimizer,
        lr=0.01,
        regularization="L2",
        reg_rate=0.001,
        schedule="cosine",
        schedule_period=5,
        points=100,
    )
    fast, slow = Engine(config, fast=True), Engine(config, fast=False)
    fast.train(8)
    slow.train(8)
    np.testing.assert_allclose(fast.history.metrics[:8], slow.history.metrics[:8], atol=1e-9)
    np.testing.assert_allclose(fast.history.grad_norms[:8], slow.history.grad_norms[:8], atol=1e-9)
    for a, b in zip(fast.weights(), slow.weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-9)


def test_kernel_updates_the_modules_own_tensors():
    engine = Engine(PlaygroundConfig(points=100))
    before = engine.model.linears[0].weight.detach().clone()
    engine.train(2)
    assert not torch.equal(before, engine.model.linears[0].weight)
    with torch.no_grad():
        loss = PLAYGROUND_LOSSES["MSE/2"].fn(engine.model(engine.x_train)[:, 0], engine.t_train).item()
    assert loss == pytest.approx(engine.history.column("train_loss")[-1], abs=1e-12)
