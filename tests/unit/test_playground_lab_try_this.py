"""The experiment lab's Try this numbers (pages/playground/fork.py, landscape.py, sweep.py), re-run."""

import dataclasses

import numpy as np
import pytest

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.fork import ForkJob
from core.playground.landscape import compute_slice, take_source
from core.playground.sweep import KNOBS, SweepJob, make_sweep

SPIRAL = PlaygroundConfig(dataset="spiral", hidden=(8, 8))


def race(config: PlaygroundConfig, fork_at: int, changes: dict, until: int) -> ForkJob:
    a = Engine(config)
    a.train(fork_at)
    job = ForkJob(a, dataclasses.replace(config, **changes))
    job.train(until - fork_at)
    return job


def last(engine: Engine, metric: str = "test_loss") -> float:
    return float(engine.history.column(metric)[-1])


def test_fork_numbers():
    job = race(PlaygroundConfig(), 100, {"lr": 0.3}, 500)
    assert (round(last(job.a), 4), round(last(job.b), 4)) == (0.0027, 0.0131)
    assert (round(last(job.a, "train_loss"), 4), round(last(job.b, "train_loss"), 4)) == (0.0006, 0.0)
    b_train = job.b.history.column("train_loss")  # epochs 1..500
    assert b_train[100:250].max() > 0.05 and b_train[250:].max() < 0.001  # bounces, then settles
    job = race(PlaygroundConfig(), 100, {"optimizer": "SGD+momentum"}, 300)
    assert (round(last(job.a), 4), round(last(job.b), 4)) == (0.0032, 0.0045)
    job = race(SPIRAL, 200, {"dropout": 0.3}, 600)
    assert (round(last(job.a, "train_loss"), 3), round(last(job.b, "train_loss"), 3)) == (0.057, 0.431)
    assert (round(last(job.a), 3), round(last(job.b), 3)) == (0.100, 0.469)


def test_landscape_numbers():
    def edge(config: PlaygroundConfig, epochs: int) -> tuple[float, float]:
        engine = Engine(config)
        engine.train(epochs)
        s = compute_slice(take_source(engine), "random", "train")
        columns = [int(np.argmin(abs(s.alphas - a))) for a in (-0.25, 0.25)]
        return s.centre, float(s.losses[int(np.argmin(abs(s.betas))), columns].mean())

    circle = PlaygroundConfig(hidden=(8, 8))
    small = edge(dataclasses.replace(circle, batch_size=1), 300)
    large = edge(dataclasses.replace(circle, batch_size=250, lr=0.3), 3000)
    assert small[0] < 0.001 and large[0] < 0.001
    assert (round(small[1], 3), round(large[1], 3)) == (0.030, 0.059)

    def sign_changes(lr: float) -> int:
        engine = Engine(PlaygroundConfig(dataset="plane", hidden=(4,), batch_size=250, lr=lr))
        engine.train(60)
        s = compute_slice(take_source(engine), "PCA", "train")
        assert len(s.path) == 61
        signs = np.sign(s.path[:, 1])
        signs = signs[signs != 0]  # the last snapshot is θ itself, at β = 0: no side of the valley
        return int((np.diff(signs) != 0).sum())

    assert (sign_changes(1.0), sign_changes(0.3)) == (21, 1)
    job = race(PlaygroundConfig(), 0, {"optimizer": "SGD+momentum"}, 300)
    b = take_source(job.b)
    s = compute_slice(take_source(job.a), "PCA", "train", other=np.vstack([b.path, b.theta]))
    assert np.round(s.explained, 2).tolist() == [0.94, 0.05]
    assert abs(s.other[:, 1]).max() > 3 * abs(s.path[:, 1]).max()  # B swings far out along β
    assert (round(last(job.a), 4), round(last(job.b), 4)) == (0.0032, 0.0227)


def sweep_grid(base: PlaygroundConfig, x: str, y: str, epochs: int):
    sweep, problems = make_sweep(base, x, KNOBS[x].defaults, y, KNOBS[y].defaults, epochs)
    assert problems == []
    job = SweepJob(sweep)
    job.train(epochs)
    snap = job.snapshot()
    return sweep, snap.grid("test_loss"), snap


@pytest.mark.parametrize("part", ["batch", "l2", "optimizer", "diverged"])
def test_sweep_numbers(part):
    if part == "batch":
        sweep, grid, _ = sweep_grid(PlaygroundConfig(), "batch_size", "lr", 200)
        best = {sweep.x_values[i]: sweep.y_values[int(np.argmin(grid[:, i]))] for i in range(grid.shape[1])}
        assert (best[1], best[10], best[25], best[250]) == (0.01, 0.1, 1.0, 1.0)
        assert (best[5], best[50]) == (0.03, 0.3)  # "though not in every column"
        lowest = {b: round(float(grid[:, i].min()), 4) for i, b in enumerate(sweep.x_values)}
        assert (lowest[1], lowest[10], lowest[25], lowest[250]) == (0.0027, 0.0018, 0.0016, 0.0065)
        assert round(float(grid[sweep.y_values.index(3.0), 0]), 3) == 1.048
    elif part == "l2":
        sweep, grid, _ = sweep_grid(SPIRAL, "lr", "l2", 300)
        j, i = np.unravel_index(np.nanargmin(grid), grid.shape)
        assert (sweep.x_values[i], sweep.y_values[j], round(float(grid[j, i]), 3)) == (0.1, 0.0003, 0.146)
        assert grid[sweep.y_values.index(0.01) :].min() > 0.46
    elif part == "optimizer":
        sweep, grid, _ = sweep_grid(SPIRAL, "optimizer", "lr", 300)
        best = {
            name: (sweep.y_values[int(np.argmin(grid[:, i]))], round(float(grid[:, i].min()), 3))
            for i, name in enumerate(sweep.x_values)
        }
        assert best["AdamW"] == (0.03, 0.062) and best["Adam"] == (0.01, 0.077)
        column = sweep.x_values.index("Adam")
        assert round(float(grid[sweep.y_values.index(0.03), column]), 3) == 0.337
        assert best["SGD"] == (0.1, 0.16) and best["Adagrad"] == (0.3, 0.157)
        assert min(best.values(), key=lambda b: b[1]) == best["AdamW"]
    else:
        sweep, grid, snap = sweep_grid(PlaygroundConfig(dataset="plane"), "lr", "l2", 100)
        diverged = (snap.diverged_at > 0).reshape(grid.shape)
        assert diverged[:, sweep.x_values.index(3.0)].all()
        assert not diverged[:, : sweep.x_values.index(3.0)].any()
