"""Dropout masks (rate, 1/(1 − p) scaling, the same draw as nn.Dropout), the comparison job, MC dropout."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from torch import nn

from core.training.dropout import DropoutConfig, DropoutJob, dropout_mlp, monte_carlo, sample_masks

SMALL = DropoutConfig(epochs=6)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_mask_rate_and_scaling(p: float) -> None:
    model = dropout_mlp((64, 64), p, seed=0)
    x = torch.tensor([[0.3, -0.4]])
    kept = []
    for seed in range(200):
        for layer in sample_masks(model, x, seed):
            np.testing.assert_allclose(layer.after, layer.before * layer.kept / (1 - p), rtol=1e-6)
            kept.append(layer.kept)
    rate = 1 - np.concatenate(kept).mean()  # 25,600 draws: the dropped share is p within a few 0.001
    assert rate == pytest.approx(p, abs=0.02)


def test_masks_are_the_draws_nn_dropout_makes_in_a_normal_forward() -> None:
    model = dropout_mlp((32, 32), 0.5, seed=1).train()
    x = torch.tensor([[0.5, 0.5]])
    outputs = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: outputs.append(out[0]))
        for m in model
        if isinstance(m, nn.Dropout)
    ]
    torch.manual_seed(7)
    final = model(x)
    for hook in hooks:
        hook.remove()
    masks = sample_masks(model, x, seed=7)
    for layer, out in zip(masks, outputs, strict=True):
        np.testing.assert_allclose(layer.after, out.detach().numpy(), rtol=1e-6)
    last = next(m for m in reversed(model) if isinstance(m, nn.Linear))
    torch.testing.assert_close(last(torch.tensor(masks[-1].after)[None]), final.detach())


def test_eval_mode_passes_values_through() -> None:
    model = dropout_mlp((16,), 0.5, seed=0)
    plain = dropout_mlp((16,), 0.0, seed=0)
    assert not any(isinstance(m, nn.Dropout) for m in plain)
    x = torch.randn(8, 2)
    torch.testing.assert_close(model.eval()(x), plain(x))  # same weights; dropout off in eval mode


def test_job_repeats_exactly_whatever_else_draws_random_numbers() -> None:
    a, b = DropoutJob(SMALL), DropoutJob(SMALL)
    for _ in range(3):
        a.step()
        torch.rand(100)  # someone else using torch's global generator in between
        b.step()
    assert a.snapshot()["train"]["dropout 0.5"].tolist() == b.snapshot()["train"]["dropout 0.5"].tolist()
    snap = a.snapshot()
    assert snap["epoch"] == 3 and set(snap["test"]) == {"no dropout", "dropout 0.5"}
    assert snap["train"]["no dropout"][-1] != snap["train"]["dropout 0.5"][-1]


def test_monte_carlo_spread() -> None:
    model = dropout_mlp((32, 32), 0.5, seed=0)
    mc = monte_carlo(model, samples=20, seed=3, resolution=9)
    assert mc["mean"].shape == mc["std"].shape == mc["eval"].shape == (9, 9)
    assert mc["std"].min() > 0  # every point varies from pass to pass
    assert np.array_equal(monte_carlo(model, 20, 3, 9)["std"], mc["std"])  # seeded: repeats
    assert not np.array_equal(monte_carlo(model, 20, 4, 9)["std"], mc["std"])
    assert model.training  # the model's mode is left as it was
    eval_mc = monte_carlo(dropout_mlp((32, 32), 0.0, seed=0), samples=5, seed=3, resolution=9)
    assert eval_mc["std"].max() == 0  # no dropout, no spread


def test_dropout_narrows_the_overfitting_gap() -> None:
    job = DropoutJob(replace(DropoutConfig(), epochs=150))
    job.train_for(300)
    snap = job.snapshot()
    gap = {name: snap["test"][name][-1] - snap["train"][name][-1] for name in snap["train"]}
    assert snap["train"]["no dropout"][-1] < 0.01  # memorised
    assert gap["dropout 0.5"] < gap["no dropout"] - 0.2
