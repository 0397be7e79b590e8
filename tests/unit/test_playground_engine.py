"""The playground engine: learning on every dataset, the penalty, dropout/batch norm modes, NaN."""

import dataclasses
import time

import numpy as np
import pytest
import torch

from core.playground.config import PlaygroundConfig
from core.playground.datasets import DATASETS, make_split
from core.playground.engine import Engine, uses_fast_path
from core.playground.losses import PLAYGROUND_LOSSES
from core.playground.model import weight_penalty


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_loss_decreases_on_every_dataset_with_default_settings(dataset):
    engine = Engine(PlaygroundConfig(dataset=dataset))
    engine.train(60)
    train = engine.history.column("train_loss")
    assert train[-5:].mean() < 0.9 * train[0]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_datasets_are_reproducible_and_on_the_plane(dataset):
    a, b = make_split(dataset, 200, 0.2, 0.5, 7), make_split(dataset, 200, 0.2, 0.5, 7)
    np.testing.assert_array_equal(a.train_points, b.train_points)
    assert len(a.train_points) + len(a.test_points) == 200
    assert np.abs(a.train_points).max() < 6.5
    if DATASETS[dataset].task == "classification":
        assert set(np.unique(a.train_y)) == {0.0, 1.0}


@pytest.mark.parametrize("kind", ["L1", "L2"])
def test_regularization_adds_rate_times_penalty_to_the_loss(kind):
    engine = Engine(PlaygroundConfig(regularization=kind, reg_rate=0.01, init="Normal"))
    weights = torch.cat([lin.weight.detach().reshape(-1) for lin in engine.model.linears])
    expected = weights.abs().sum() if kind == "L1" else 0.5 * (weights**2).sum()
    assert weight_penalty(engine.model, kind).item() == pytest.approx(expected.item())
    assert engine.penalty() == pytest.approx(0.01 * expected.item())
    plain = Engine(PlaygroundConfig(init="Normal"))
    plain.train(40)
    engine.train(40)
    assert sum(np.abs(w).sum() for w in engine.weights()) < sum(np.abs(w).sum() for w in plain.weights())


def test_dropout_and_batch_norm_differ_between_train_and_eval_mode():
    config = PlaygroundConfig(hidden=(8, 8), dropout=0.5, batch_norm=True, points=100)
    assert not uses_fast_path(config)
    engine = Engine(config)
    engine.train(3)
    x = engine.x_train[:32]
    engine.model.train()
    a, b = engine.model(x), engine.model(x)
    assert not torch.allclose(a, b)  # dropout draws new masks
    engine.model.eval()
    c, d = engine.model(x), engine.model(x)
    assert torch.equal(c, d)
    assert not torch.allclose(a, c)
    # Batch norm alone: batch statistics in train mode, running statistics in eval mode.
    bn = Engine(dataclasses.replace(config, dropout=0.0))
    bn.train(1)
    bn.model.train()
    train_out = bn.model(x)
    bn.model.eval()
    assert not torch.allclose(train_out, bn.model(x))


def test_dropout_runs_repeat_exactly():
    config = PlaygroundConfig(dropout=0.3, points=100)
    a, b = Engine(config), Engine(config)
    a.train(5)
    torch.rand(10)  # other users of the global generator must not change a run
    b.train(5)
    np.testing.assert_array_equal(a.history.metrics[:5], b.history.metrics[:5])


@pytest.mark.parametrize("fast", [True, False])
def test_divergence_stops_training(fast):
    engine = Engine(
        PlaygroundConfig(
            dataset="plane",
            loss="MSE/2",
            optimizer="SGD",
            lr=10.0,
            hidden=(8, 8),
            activation="ReLU",
            init="Normal",
        ),
        fast=fast,
    )
    run = engine.train(200)
    assert engine.diverged and run < 200
    assert not np.isfinite(engine.history.column("train_loss")[-1])
    assert engine.train(10) == 0


def test_live_settings_change_without_reset():
    engine = Engine(PlaygroundConfig(points=100))
    engine.train(3)
    faster = dataclasses.replace(engine.config, lr=0.1, batch_size=25, regularization="L2", reg_rate=0.001)
    assert not engine.needs_reset(faster)
    engine.update_live(faster)
    engine.train(2)
    assert engine.epoch == 5 and engine.learning_rate(5) == 0.1
    assert engine.needs_reset(dataclasses.replace(faster, hidden=(3,)))


def test_schedule_sets_each_epochs_rate():
    engine = Engine(PlaygroundConfig(schedule="step", schedule_period=10, lr=0.1))
    assert [engine.learning_rate(e) for e in (0, 9, 10, 25)] == [0.1, 0.1, 0.05, 0.025]


def test_grid_gives_output_and_every_neuron_map():
    engine = Engine(PlaygroundConfig(hidden=(4, 2), loss="BCE"))
    engine.train(2)
    axis, output, maps = engine.grid(50)
    assert axis.shape == (50,) and output.shape == (50, 50)
    assert [m.shape for m in maps] == [(4, 50, 50), (2, 50, 50)]
    assert np.abs(output).max() <= 1.0
    # The first neuron's map is its activation at the grid point: check one corner against the module.
    point = torch.tensor([[axis[-1], axis[0]]], dtype=torch.float64)  # x1 = right edge, x2 = bottom
    with torch.no_grad():
        first = engine.model.activation(engine.model.linears[0](point))[0, 0].item()
    assert maps[0][0, 0, -1] == pytest.approx(first, abs=1e-5)


def test_train_for_fills_its_time_slice_in_growing_chunks(monkeypatch):
    """On a fake clock where every epoch takes 1/1024 s (exact in binary): the slice is used up, overshot by
    less than one epoch, in a few calls; at least one epoch runs, and never more than max_epochs."""
    engine = Engine(PlaygroundConfig(points=40))
    clock, calls, train = [0.0], [], engine.train

    def timed_train(epochs: int) -> int:
        calls.append(epochs)
        clock[0] += epochs / 1024
        return train(epochs)

    monkeypatch.setattr(engine, "train", timed_train)
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    assert engine.train_for(50 / 1024) == 50 and engine.epoch == 50 and clock[0] == 50 / 1024
    assert sum(calls) == 50 and len(calls) < 25 and max(calls) > 4  # growing chunks, not one call per epoch
    assert engine.train_for(0.1 / 1024) == 1  # one epoch outlasts the slice: it still runs
    assert engine.train_for(10.0, max_epochs=7) == 7 and engine.epoch == 58


def test_classification_accuracy_matches_predictions():
    engine = Engine(PlaygroundConfig(loss="BCE", optimizer="Adam", lr=0.01))
    engine.train(30)
    with torch.no_grad():
        out = engine.model(engine.x_test)[:, 0]
    accuracy = ((out > 0).double() == engine.t_test).double().mean().item()
    assert engine.history.column("test_accuracy")[-1] == pytest.approx(accuracy)
    assert PLAYGROUND_LOSSES["BCE"].fn(out, engine.t_test).item() == pytest.approx(
        engine.history.column("test_loss")[-1]
    )


def test_column_pass_equals_the_modules_forward():
    engine = Engine(PlaygroundConfig(hidden=(5, 3), batch_norm=True, dropout=0.2, points=100))
    engine.train(2)
    engine.model.eval()
    x = engine.x_test
    with torch.no_grad():
        out, hidden = engine.model.forward_all(x)
        out_t, hidden_t = engine.model.forward_columns(x.T.contiguous())
    torch.testing.assert_close(out_t.T, out)
    for h, h_t in zip(hidden, hidden_t, strict=True):
        torch.testing.assert_close(h_t.T, h)


def test_the_pages_try_this_claims_hold():
    def accuracy(**settings) -> float:
        engine = Engine(PlaygroundConfig(**settings))
        engine.train(300)
        return engine.history.column("test_accuracy")[-1]

    assert accuracy(dataset="xor", hidden=()) < 0.75
    assert accuracy(dataset="xor", hidden=(), features=("x1", "x2", "x1x2")) == 1.0
    zeros = Engine(PlaygroundConfig(init="Zeros"))
    zeros.train(300)
    assert all(not w.any() for w in zeros.weights()) and zeros.history.column("test_accuracy")[-1] < 0.55
    assert 0.75 < accuracy(dataset="spiral", hidden=(8, 8)) < 0.83
    all_inputs = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
    assert accuracy(dataset="spiral", hidden=(8, 8), features=all_inputs) > 0.95
    assert accuracy(dataset="spiral", hidden=(8, 8), optimizer="Adam", lr=0.01) > 0.92
    plane = Engine(PlaygroundConfig(dataset="plane", lr=3.0))
    plane.train(50)
    assert plane.diverged and plane.epoch <= 20
