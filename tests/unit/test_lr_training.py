"""The schedule training job (twins, scheduler stepping, history), the LR range test, and its script."""

import re
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from core.runner import Runner
from core.training.lr_training import ScheduleConfig, ScheduleJob, lr_range_test, pytorch_script
from core.training.schedules import schedule_lrs
from tests.generated import run_generated

SMALL = ScheduleConfig(epochs=40, points=120)


def test_twins_start_equal_and_only_the_schedule_tells_them_apart() -> None:
    job = ScheduleJob(replace(SMALL, schedule="StepLR"))
    for a, b in zip(job.scheduled.model.parameters(), job.constant.model.parameters(), strict=True):
        assert torch.equal(a, b)
    for _ in range(5):
        job.step()
    snap = job.snapshot()
    assert snap["epoch"] == 5 and len(snap["loss"]) == 5
    # StepLR keeps the base rate for 30 epochs: until then both twins take identical steps.
    np.testing.assert_array_equal(snap["loss"], snap["constant_loss"])
    np.testing.assert_allclose(snap["lr"], 0.1)


@pytest.mark.parametrize("name", ["CosineAnnealingLR", "OneCycleLR", "Warm-up + cosine"])
def test_rates_used_follow_the_schedule(name: str) -> None:
    job = ScheduleJob(replace(SMALL, schedule=name, epochs=15))
    job.train_for(60)
    assert job.done and job.epoch == 15
    np.testing.assert_allclose(job.snapshot()["lr"], schedule_lrs(name, 0.1, 15), rtol=1e-12)
    assert job.snapshot()["loss"][-1] != job.snapshot()["constant_loss"][-1]


def test_plateau_steps_on_the_measured_loss() -> None:
    job = ScheduleJob(replace(SMALL, schedule="ReduceLROnPlateau", epochs=30))
    job.train_for(60)
    snap = job.snapshot()
    np.testing.assert_allclose(snap["lr"], schedule_lrs("ReduceLROnPlateau", 0.1, 30, list(snap["loss"])))


def test_a_diverging_run_stops() -> None:
    job = ScheduleJob(replace(SMALL, lr=1e6, schedule="ExponentialLR"))
    job.train_for(60)
    assert job.done and job.epoch < SMALL.epochs


def test_runner_trains_it_in_the_background() -> None:
    runner = Runner(ScheduleJob(SMALL))
    try:
        runner.play()
        deadline = time.monotonic() + 30
        while runner.read(lambda job: job.epoch) < 3 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.05)
        runner.pause()
        seen = runner.read(lambda job: job.epoch)
        assert seen >= 3
        time.sleep(0.1)
        assert runner.read(lambda job: job.epoch) == seen  # paused means paused
    finally:
        runner.close()


def test_range_test_grows_the_rate_and_reads_it_out() -> None:
    test = lr_range_test(SMALL)
    ratios = test.lrs[1:] / test.lrs[:-1]
    np.testing.assert_allclose(ratios, ratios[0])  # exponential: a constant factor per step
    best = int(np.argmin(test.smoothed))
    assert test.min_over_10 == pytest.approx(test.lrs[best] / 10)
    assert test.lrs[0] <= test.steepest <= test.lrs[best]
    assert test.smoothed[best] < test.smoothed[0] - 0.1  # the loss does fall before it blows up


def test_generated_script_prints_the_pages_numbers(tmp_path: Path) -> None:
    config = replace(SMALL, schedule="OneCycleLR", lr=0.3, seed=3)
    job = ScheduleJob(config)
    for _ in range(6):
        job.step()
    test = lr_range_test(config)
    out = run_generated(pytorch_script(config, 6), tmp_path)
    assert f"range test: steepest {test.steepest:.4g}, min/10 {test.min_over_10:.4g}" in out
    epochs = re.findall(r"epoch (\d+): lr (\S+), loss (\S+)", out)
    assert [int(e) for e, _, _ in epochs] == [1, 2, 3, 4, 5, 6]
    snap = job.snapshot()
    assert [lr for _, lr, _ in epochs] == [f"{v:.4g}" for v in snap["lr"]]
    assert [loss for _, _, loss in epochs] == [f"{v:.4f}" for v in snap["loss"]]


def test_step_decay_gets_below_the_constant_rates_noise_floor() -> None:
    """The page's Try this: at η₀ = 0.5 the constant-rate twin keeps bouncing, StepLR settles lower."""
    job = ScheduleJob(ScheduleConfig(schedule="StepLR", lr=0.5))
    job.train_for(600)
    snap = job.snapshot()
    assert snap["epoch"] == 100
    assert snap["loss"][-1] < 0.06 and snap["constant_loss"][-1] > 0.08
