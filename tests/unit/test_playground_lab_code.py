"""PyTorch for the lab's settings: the race and slice scripts run on their own and give the page's numbers."""

import dataclasses
import json

import numpy as np
import pytest

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.fork import ForkJob
from core.playground.lab_code import fork_script, landscape_script, sweep_script
from core.playground.landscape import compute_slice, take_source
from core.playground.sweep import SweepJob, make_sweep
from tests.generated import run_generated
from tests.unit.test_playground_export import assert_ruff_clean

FORKS = {
    "lr and batch size, same optimizer, step schedule": (
        PlaygroundConfig(optimizer="SGD+momentum", schedule="step", schedule_period=4, points=200),
        dict(lr=0.1, batch_size=25),
    ),
    "to Adam with dropout and ReLU, L2": (
        PlaygroundConfig(points=200, hidden=(6, 4)),
        dict(optimizer="Adam", lr=0.01, dropout=0.2, activation="ReLU", regularization="L2", reg_rate=0.001),
    ),
    "from the autograd path, to Step": (
        PlaygroundConfig(points=200, dropout=0.1, batch_norm=True, optimizer="Adam", lr=0.01),
        dict(activation="Step", dropout=0.0, optimizer="RMSprop", lr=0.001),
    ),
}


@pytest.mark.parametrize("name", list(FORKS))
def test_the_race_script_reproduces_both_runs(name, tmp_path):
    """B after a change equals a fresh PyTorch run started from A's checkpoint with B's settings: the script's
    deep-copied model and optimizer give the page's curves of both runs."""
    a_config, changes = FORKS[name]
    a = Engine(a_config)
    a.train(6)
    job = ForkJob(a, dataclasses.replace(a_config, **changes))
    job.train(9)
    job.b.train(2)  # B ahead of A: the script trains each to its own epoch
    script = fork_script(job.a.config, job.a.epoch, job.b.config, job.b.epoch, job.fork_epoch, None)
    assert_ruff_clean(script)
    out = run_generated(script, tmp_path, args=("--curve", "curves.json"))
    curves = json.loads((tmp_path / "curves.json").read_text())
    assert out.count("test loss") == 2
    for run, engine in (("A", job.a), ("B", job.b)):
        for metric in ("train_loss", "test_loss"):
            np.testing.assert_allclose(
                curves[run][metric], engine.history.column(metric), rtol=1e-6, atol=1e-9
            )


@pytest.mark.parametrize("directions", ["random", "PCA"])
def test_the_slice_script_computes_the_pages_slice_in_a_loop(directions, tmp_path):
    config = PlaygroundConfig(hidden=(5, 3), optimizer="Nesterov", points=200, batch_norm=True)
    engine = Engine(config)
    engine.train(12)
    s = compute_slice(take_source(engine), directions, "test", resolution=9)
    script = landscape_script(config, s, None)
    assert_ruff_clean(script)
    out = run_generated(script, tmp_path, args=("--out", "slice.json"))
    result = json.loads((tmp_path / "slice.json").read_text())
    np.testing.assert_allclose(result["losses"], s.losses, rtol=2e-5)  # the page computes in float32
    assert result["centre"] == pytest.approx(s.centre, rel=2e-5)
    np.testing.assert_allclose(result["path"], s.path, rtol=1e-6, atol=1e-9)
    assert "test loss at θ" in out


SWEEPS = {
    "optimizer × learning rate": (PlaygroundConfig(points=200), "optimizer", "SGD, Adam", "lr", "0.01, 0.1"),
    "depth × activation, a diverging regression": (
        PlaygroundConfig(dataset="plane", points=200, lr=1.0),
        "depth",
        "1, 2",
        "activation",
        "Tanh, ReLU",
    ),
    "batch size × seed": (PlaygroundConfig(points=200, init="Normal"), "batch_size", "5, 50", "seed", "0, 3"),
}


@pytest.mark.parametrize("name", list(SWEEPS))
def test_the_sweep_script_trains_every_cell_with_vmap(name, tmp_path):
    sweep, problems = make_sweep(*SWEEPS[name], 12)
    assert problems == []
    job = SweepJob(sweep)
    job.train(12)
    snap = job.snapshot()
    script = sweep_script(sweep)
    assert "torch.vmap" in script and "functional_call" in script
    assert_ruff_clean(script)
    out = run_generated(script, tmp_path, args=("--out", "runs.json"))
    result = json.loads((tmp_path / "runs.json").read_text())
    assert result["diverged_at"] == snap.diverged_at.tolist()
    history = np.array(result["history"])  # (runs, epochs, train loss / test loss / test accuracy), −1 = none
    for k in range(len(snap.configs)):
        epochs = snap.diverged_at[k] or 12
        finite = np.isfinite(snap.history[k, :epochs, :2]).all(axis=1)
        page = snap.history[k, :epochs][finite][:, [0, 1, 3]]
        np.testing.assert_allclose(history[k, :epochs][finite], page, rtol=1e-6, atol=1e-9)
    assert out.count("run ") == len(snap.configs)
    if "diverging" in name:
        assert any(snap.diverged_at) and not all(snap.diverged_at)
