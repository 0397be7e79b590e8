"""What the playground's registries and help texts claim, checked against torch and the engine."""

import numpy as np
import pytest
import torch
from torch import nn

from core.playground.config import NOTES, PlaygroundConfig
from core.playground.engine import Engine
from core.playground.losses import PLAYGROUND_LOSSES
from core.playground.model import build_model
from core.playground.optim import INITS, OPTIMIZERS


def test_each_loss_is_the_torch_loss_its_note_names():
    generator = torch.Generator().manual_seed(0)
    out = torch.randn(50, dtype=torch.float64, generator=generator) * 3
    target = torch.randn(50, dtype=torch.float64, generator=generator)
    labels = (target > 0).double()
    assert "nn.MSELoss()/2" in PLAYGROUND_LOSSES["MSE/2"].note
    assert PLAYGROUND_LOSSES["MSE/2"].fn(out, target).item() == pytest.approx(
        nn.MSELoss()(out, target).item() / 2
    )
    assert PLAYGROUND_LOSSES["MSE/2"].fn(out, target).item() == pytest.approx(
        (0.5 * (out - target) ** 2).mean().item()
    )
    assert PLAYGROUND_LOSSES["BCE"].fn(out, labels).item() == pytest.approx(
        nn.BCEWithLogitsLoss()(out, labels).item()
    )
    assert PLAYGROUND_LOSSES["Huber"].fn(out, target).item() == pytest.approx(
        nn.HuberLoss(delta=1.0)(out, target).item()
    )


def test_momentum_is_an_exponentially_decaying_sum_of_gradients():
    assert "v ← 0.9·v + g" in OPTIMIZERS["SGD+momentum"].note
    param = nn.Parameter(torch.zeros(3, dtype=torch.float64))
    optimizer = OPTIMIZERS["SGD+momentum"].build([param], 0.1)
    gradients = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    for g in gradients:
        param.grad = g.clone()
        optimizer.step()
    velocity = sum(0.9**k * g for k, g in enumerate(reversed(gradients)))  # weights 1, 0.9, 0.81, ...
    torch.testing.assert_close(optimizer.state[param]["momentum_buffer"], velocity)


def hidden_rows_identical(engine: Engine) -> list[bool]:
    return [bool(np.allclose(w, w[:1])) for w in engine.weights()[:-1]]


def test_zero_init_keeps_neurons_identical_unless_dropout_and_a_nonzero_activation():
    assert "Every weight 0" in INITS["Zeros"].note
    base = PlaygroundConfig(init="Zeros", hidden=(4, 3), points=100, lr=0.3)
    tanh = Engine(base)
    tanh.train(5)
    assert all(not w.any() for w in tanh.weights())  # tanh(0) = 0: no weight moves at all
    sigmoid = Engine(PlaygroundConfig(**{**base.__dict__, "activation": "Sigmoid"}))
    sigmoid.train(5)
    assert any(w.any() for w in sigmoid.weights()) and all(hidden_rows_identical(sigmoid))
    dropout = Engine(PlaygroundConfig(**{**base.__dict__, "activation": "Sigmoid", "dropout": 0.3}))
    dropout.train(5)
    assert not any(hidden_rows_identical(dropout))  # the masks tell the neurons apart


def test_dropout_zeroes_and_rescales_while_training_and_is_off_for_evaluation():
    assert "1/(1 − p)" in NOTES["dropout"]
    model = build_model(PlaygroundConfig(dropout=0.4), "Tanh")
    x = torch.ones(1, 200, dtype=torch.float64)  # 200 neurons' outputs
    model.train()
    kept = model.dropout(x)
    assert kept.unique().tolist() == pytest.approx([0.0, 1 / 0.6])
    model.eval()
    assert torch.equal(model.dropout(x), x)


def test_batch_norm_normalises_over_the_minibatch_and_evaluates_on_running_averages():
    assert "mean 0" in NOTES["batch_norm"] and "running averages" in NOTES["batch_norm"]
    model = build_model(PlaygroundConfig(batch_norm=True, hidden=(3,)), "Tanh")
    x = torch.randn(16, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(2)) * 4 + 1
    z = model.linears[0](x)  # (16, 3)
    model.train()
    normalised = model.norms[0](z)
    torch.testing.assert_close(normalised.mean(0), torch.zeros(3, dtype=torch.float64))
    torch.testing.assert_close(
        normalised.var(0, unbiased=False), torch.ones(3, dtype=torch.float64), atol=1e-3, rtol=0
    )
    model.eval()
    running = model.norms[0]
    expected = (z - running.running_mean) / torch.sqrt(running.running_var + running.eps)
    torch.testing.assert_close(running(z), expected)


def test_batch_norm_with_a_one_point_minibatch_is_a_clear_error_not_a_crash():
    lone = PlaygroundConfig(batch_norm=True, points=22, train_fraction=0.5, batch_size=10)  # 11 = 10 + 1
    assert lone.errors() == [
        "batch norm needs minibatches of 2 or more points; with 11 training points a batch size of 10 "
        "leaves one alone"
    ]
    with pytest.raises(ValueError, match="batch norm needs minibatches"):
        Engine(lone)
    assert PlaygroundConfig(batch_norm=True, batch_size=1).errors()
    assert not PlaygroundConfig(batch_size=1).errors() and not PlaygroundConfig(batch_norm=True).errors()
