"""Batch norm by hand against torch, the two models' shared start, and the comparison job."""

import time
from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from core.runner import Runner
from core.training.batchnorm import BatchNormConfig, BatchNormJob, batchnorm_mlp, hand_batch_norm

SMALL = BatchNormConfig(depth=4, epochs=5, points=160)


def test_hand_batch_norm_equals_torch_in_train_and_eval_mode() -> None:
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(5)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2.0), bn.bias.uniform_(-1.0, 1.0)
    for _ in range(3):  # a few batches: the running averages move from (0, 1)
        x = torch.randn(16, 5) * 3 + 2  # (B, C)
        y_hand, mean, var = hand_batch_norm(x, bn, training=True)
        bn.train()
        y_torch = bn(x)
        torch.testing.assert_close(y_hand, y_torch.detach(), rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(mean, bn.running_mean, rtol=1e-6, atol=1e-7)
        torch.testing.assert_close(var, bn.running_var, rtol=1e-6, atol=1e-7)
    bn.eval()
    x = torch.randn(4, 5)
    y_hand, mean, _ = hand_batch_norm(x, bn, training=False)
    torch.testing.assert_close(y_hand, bn(x).detach(), rtol=1e-5, atol=1e-6)
    assert torch.equal(mean, bn.running_mean)  # eval mode updates nothing
    # Train mode normalizes each feature to mean 0 and biased variance 1 (γ = 1, β = 0 here).
    fresh = nn.BatchNorm1d(5).train()
    out = fresh(torch.randn(64, 5) * 7 - 3).detach()
    torch.testing.assert_close(out.mean(0), torch.zeros(5), atol=1e-5, rtol=0)
    torch.testing.assert_close(out.var(0, unbiased=False), torch.ones(5), atol=1e-3, rtol=0)


def test_with_and_without_batch_norm_start_from_the_same_weights() -> None:
    plain, normed = batchnorm_mlp(5, 16, False, 3), batchnorm_mlp(5, 16, True, 3)
    plain_linears = [m for m in plain if isinstance(m, nn.Linear)]
    normed_linears = [m for m in normed if isinstance(m, nn.Linear)]
    assert len(plain_linears) == len(normed_linears) == 6
    for a, b in zip(plain_linears, normed_linears, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in normed) == 5
    assert [type(m).__name__ for m in normed[:3]] == ["Linear", "BatchNorm1d", "ReLU"]


def test_job_records_losses_and_layer_statistics() -> None:
    job = BatchNormJob(SMALL)
    job.step()
    snap = job.snapshot()
    assert snap["epoch"] == 1
    assert snap["histograms"]["plain"].shape == (1, 4, 40)
    n_values = (
        len(job.data.train_y) * SMALL.width
    )  # every pre-activation of the epoch, one per unit and point
    assert snap["histograms"]["batch norm"][0].sum(axis=1).tolist() == [n_values] * 4
    # Batch norm keeps every layer's pre-activations at std ≈ 1 (γ ≈ 1, β ≈ 0 early on); without it the
    # default init shrinks them layer by layer.
    np.testing.assert_allclose(snap["stds"]["batch norm"][0], 1.0, atol=0.05)
    plain = snap["stds"]["plain"][0]
    assert plain[-1] < 0.5 * plain[0]


def test_train_and_eval_mode_differ_and_looking_changes_nothing() -> None:
    job = BatchNormJob(SMALL)
    job.step()
    bn = job.models["batch norm"][1]
    running = bn.running_mean.clone()
    train, evaluated = job.train_vs_eval()
    assert np.abs(train - evaluated).max() > 1e-3
    assert torch.equal(bn.running_mean, running) and job.models["batch norm"].training
    stats = job.batch_vs_running()
    z = job.models["batch norm"][0](job.probe_batch()).detach()
    np.testing.assert_allclose(stats["batch mean"], z.mean(0)[:6].numpy(), rtol=1e-6)
    np.testing.assert_allclose(stats["running var"], bn.running_var[:6].numpy())
    assert not np.allclose(stats["batch mean"], stats["running mean"], atol=1e-4)


@pytest.mark.parametrize("seed", [0, 1])
def test_batch_norm_rescues_the_deep_net(seed: int) -> None:
    job = BatchNormJob(replace(BatchNormConfig(), epochs=15, seed=seed))
    job.train_for(120)
    losses = job.snapshot()["losses"]
    assert losses["plain"][-1] > 0.68  # stuck near ln 2: predicts 1/2 everywhere
    assert losses["batch norm"][-1] < 0.4


def test_runner_trains_it_in_the_background() -> None:
    runner = Runner(BatchNormJob(replace(SMALL, epochs=50)))
    try:
        runner.play()
        deadline = time.monotonic() + 30
        while runner.read(lambda job: job.epoch) < 2 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.05)
        runner.pause()
        assert runner.read(lambda job: job.epoch) >= 2
    finally:
        runner.close()
