"""The Optimizers page's maths: hand gradients of the test functions, first steps of SGD and Adam by hand,
the race's bookkeeping, and the network race's shared initial weights and minibatches."""

import itertools
import math
import time
from pathlib import Path

import pytest
import torch

from core.runner import Runner
from core.training.optim_race import (
    FUNCTIONS,
    KNOBS,
    NetworkRace,
    NetworkRaceConfig,
    build,
    constructor_code,
    default_settings,
    pytorch_code,
    race,
    results,
    steps_to_reach,
)
from tests.generated import run_generated


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_hand_gradients_equal_autograd(name):
    test = FUNCTIONS[name]
    for x, y in [test.start, (0.3, -0.7), (1.7, 1.2), (-0.9, 0.4)]:
        xy = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
        test.f(xy[0], xy[1]).backward()
        assert test.gradient(x, y) == pytest.approx(xy.grad.tolist(), abs=1e-6, rel=1e-12)
        code_f, code_gradient = (eval(f"lambda x, y: {c}") for c in test.code)  # the generated script's copy
        assert code_f(x, y) == pytest.approx(test.f(x, y), rel=1e-12)
        assert code_gradient(x, y) == pytest.approx(test.gradient(x, y), rel=1e-12)
    assert test.gradient(*test.minimum) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_first_sgd_step_is_minus_lr_times_the_gradient():
    x, y, lr = -1.5, 2.0, 0.001
    gx = -2 * (1 - x) - 400 * x * (y - x**2)  # ∂/∂x of Rosenbrock, by hand: −5 − 150 = −155
    gy = 200 * (y - x**2)  # −50
    assert (gx, gy) == (-155.0, -50.0)
    runs = race("Rosenbrock", (x, y), {"SGD": {"lr": lr}, "SGD+momentum": {"lr": lr, "momentum": 0.9}}, 1)
    assert runs["SGD"].points[1] == pytest.approx((x - lr * gx, y - lr * gy), abs=1e-15)
    # momentum's velocity starts as the first gradient, so its first step is SGD's
    assert runs["SGD+momentum"].points[1] == pytest.approx(runs["SGD"].points[1], abs=1e-15)


def test_first_adam_step_by_hand():
    x, y, lr, beta1, beta2, eps = -1.5, 2.0, 0.01, 0.8, 0.95, 1e-8
    g = (-155.0, -50.0)
    m = [(1 - beta1) * gi for gi in g]  # first moment after one step
    v = [(1 - beta2) * gi**2 for gi in g]  # second moment
    m_hat = [mi / (1 - beta1) for mi in m]  # bias corrections: m̂ = g, v̂ = g²
    v_hat = [vi / (1 - beta2) for vi in v]
    expected = [p - lr * mh / (math.sqrt(vh) + eps) for p, mh, vh in zip((x, y), m_hat, v_hat, strict=True)]
    runs = race("Rosenbrock", (x, y), {"Adam": {"lr": lr, "beta1": beta1, "beta2": beta2}}, 1)
    assert runs["Adam"].points[1] == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx([x + lr, y + lr], abs=1e-9)  # Adam's first step is lr · sign(−g)


def test_default_settings_are_torchs():
    assert default_settings("SGD") == {"lr": 0.001}
    assert default_settings("Nesterov") == {"lr": 0.001, "momentum": 0.9}
    assert default_settings("Adam") == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999}
    assert default_settings("AdamW")["weight_decay"] == 0.01
    assert default_settings("RMSprop") == {"lr": 0.01, "alpha": 0.99}
    assert default_settings("Adagrad") == {"lr": 0.01, "lr_decay": 0.0}
    p = [torch.zeros(2, requires_grad=True)]
    group = build("AdamW", p, {"lr": 0.02, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1}).param_groups[0]
    assert (group["lr"], group["betas"], group["weight_decay"]) == (0.02, (0.5, 0.9), 0.1)
    assert constructor_code("Nesterov", {"lr": 0.05, "momentum": 0.8}, "params") == (
        "torch.optim.SGD(params, lr=0.05, momentum=0.8, nesterov=True)"
    )


def test_race_bookkeeping_and_divergence():
    runs = race("Ill-conditioned quadratic", (-4.0, 1.0), {"SGD": {"lr": 0.039}}, 1000)
    reached = steps_to_reach(runs["SGD"], (0.0, 0.0), 1e-3)
    assert reached is not None and math.hypot(*runs["SGD"].points[reached]) <= 1e-3
    assert math.hypot(*runs["SGD"].points[reached - 1]) > 1e-3
    assert len(runs["SGD"].points) == 1001 and not runs["SGD"].diverged
    ys = [p[1] for p in runs["SGD"].points[:5]]
    assert all(a * b < 0 for a, b in itertools.pairwise(ys))  # lr·50 > 1: y flips sign every step
    blown = race("Ill-conditioned quadratic", (-4.0, 1.0), {"SGD": {"lr": 0.041}}, 1000)["SGD"]
    assert blown.diverged and len(blown.points) < 1001
    line = results("Ill-conditioned quadratic", runs)[0].line()
    assert line.startswith("SGD: ends at (") and f"after {reached} steps" in line


def test_momentum_beats_sgd_on_rosenbrock_at_torch_defaults():
    settings = {name: default_settings(name) for name in ("SGD", "SGD+momentum")}
    runs = race("Rosenbrock", (-1.5, 2.0), settings, 2000)
    assert steps_to_reach(runs["SGD+momentum"], (1, 1), 1e-3) is not None
    assert steps_to_reach(runs["SGD"], (1, 1), 1e-3) is None


def test_network_race_shares_initial_weights_and_minibatches():
    same = {"lr": 0.05}
    config = NetworkRaceConfig(
        hidden=8,
        batch_size=64,
        epochs=1,
        settings=(("SGD", tuple(same.items())), ("SGD+momentum", (("lr", 0.05), ("momentum", 0.0)))),
    )
    job = NetworkRace(config)
    first = [m[0].weight.detach().clone() for m in job.models.values()]
    assert torch.equal(first[0], first[1])
    while not job.done:
        job.train_for(0.5)
    snap = job.snapshot()
    # identical settings on identical weights and batches: identical histories, step for step
    assert snap.losses["SGD"] == snap.losses["SGD+momentum"]
    assert snap.step == snap.total_steps == math.ceil(1437 / 64)
    assert len(snap.test_accuracy["SGD"]) == 1
    assert snap.losses["SGD"][-1] < snap.losses["SGD"][0]


def test_network_race_through_the_runner():
    runner = Runner(NetworkRace(NetworkRaceConfig(hidden=8, epochs=2)))
    try:
        runner.play()
        deadline = time.monotonic() + 60
        while runner.read(lambda job: job.snapshot().step) < 3 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.02)
        runner.pause()
        step = runner.read(lambda job: job.snapshot().step)
        assert step >= 3
        runner.step()
        snap = runner.read(lambda job: job.snapshot())
        assert snap.step == step + 1 and all(len(v) == step + 1 for v in snap.losses.values())
    finally:
        runner.close()


def test_generated_code_prints_the_page_numbers(tmp_path: Path):
    settings = {name: default_settings(name) for name in KNOBS}
    settings["Adam"]["lr"] = 0.05
    frozen = tuple((name, tuple(knobs.items())) for name, knobs in settings.items())
    network = NetworkRaceConfig(hidden=8, batch_size=128, epochs=1, seed=2, settings=frozen)
    out = run_generated(pytorch_code("Beale", (1.0, 1.5), 300, network), tmp_path, timeout=300)
    for r in results("Beale", race("Beale", (1.0, 1.5), settings, 300)):
        assert r.line() in out
    job = NetworkRace(network)
    while not job.done:
        job.train_for(1.0)
    for name, accuracy in job.snapshot().test_accuracy.items():
        assert f"{name}: test accuracy {accuracy[-1]:.4f}" in out
