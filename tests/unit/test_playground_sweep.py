"""The sweep: every cell is the single run of its settings, on one thread or two; bad grids get one line."""

import dataclasses

import numpy as np
import pytest

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.sweep import KNOBS, MAX_VALUES, SweepJob, make_sweep, parse_values

GRIDS = {
    "lr × L2": (PlaygroundConfig(), "lr", "0.01, 0.3, 3", "l2", "0, 0.001, 0.03"),
    "optimizer × batch size": (
        PlaygroundConfig(),
        "optimizer",
        "Adam, Nesterov, Adagrad",
        "batch_size",
        "1, 7, 250",
    ),
    "activation × depth": (
        PlaygroundConfig(loss="BCE"),
        "activation",
        "ReLU, Softsign, GELU",
        "depth",
        "0, 1, 3",
    ),
    "diverging regression, schedule": (
        PlaygroundConfig(
            dataset="plane", schedule="step", schedule_period=5, regularization="L1", reg_rate=0.001
        ),
        "lr",
        "0.03, 1, 3",
        "width",
        "2, 5, 8",
    ),
}


def train_sweep(grid: tuple, epochs: int, threads: int = 1) -> SweepJob:
    sweep, problems = make_sweep(*grid, epochs)
    assert problems == []
    job = SweepJob(sweep, threads)
    while not job.done:
        job.train(13)  # chunks that end anywhere: the result must not depend on them
    return job


@pytest.mark.parametrize("name", list(GRIDS))
def test_every_cell_of_a_3x3_sweep_is_its_single_run(name):
    """The final loss of every cell equals a single run of its settings to 1e-5; in fact every epoch's
    metrics are bit-identical, and a cell that diverges does so at the same epoch as the run alone."""
    job = train_sweep(GRIDS[name], 60)
    snap = job.snapshot()
    assert snap.history.shape == (9, 60, 4) and snap.epoch == 60
    for k, config in enumerate(snap.configs):
        alone = Engine(config)
        alone.train(60)
        assert bool(snap.diverged_at[k]) == alone.diverged
        if alone.diverged:
            assert snap.diverged_at[k] == alone.epoch
        else:
            final = snap.history[k, -1, 1]
            assert abs(final - alone.history.column("test_loss")[-1]) <= 1e-5
        np.testing.assert_array_equal(snap.history[k, : alone.epoch], alone.history.metrics[: alone.epoch])
    if name.startswith("diverging"):
        assert 0 < (snap.diverged_at > 0).sum() < 9


def test_two_threads_train_the_same_cells_as_one():
    one, two = train_sweep(GRIDS["lr × L2"], 25, 1), train_sweep(GRIDS["lr × L2"], 25, 2)
    assert len(two.blocks) == 2
    np.testing.assert_array_equal(one.snapshot().history, two.snapshot().history)


def test_cells_run_row_by_row_and_the_heatmap_marks_diverged_cells():
    job = train_sweep(GRIDS["diverging regression, schedule"], 40)
    snap = job.snapshot()
    sweep = snap.sweep
    assert snap.configs[5] == dataclasses.replace(sweep.base, lr=3.0, hidden=(5, 5))  # row 1, column 2
    grid = snap.grid("test_loss")
    assert grid.shape == (3, 3)
    np.testing.assert_array_equal(np.isnan(grid).reshape(-1), snap.diverged_at > 0)
    assert not snap.all_diverged


def test_a_sweep_that_all_diverges_says_so():
    job = train_sweep((PlaygroundConfig(dataset="plane"), "lr", "5, 10", "width", "4, 8"), 100)
    assert job.done and job.epoch < 100 and job.snapshot().all_diverged


@pytest.mark.parametrize(
    ("x_text", "y_text", "fragment"),
    [
        (", ".join(str(0.01 * k) for k in range(1, 12)), "0, 0.001", f"at most {MAX_VALUES} values"),
        ("0.01, fast, 0.1", "0, 0.001", "cannot read 'fast'"),
        ("0.01; 0.1", "0", "cannot read"),
        ("", "0", "at least one value"),
        ("0.1, 0.1", "0", "each value once"),
        ("0.01, 20", "0", "lr must be between"),
    ],
)
def test_bad_grids_get_one_line(x_text, y_text, fragment):
    sweep, problems = make_sweep(PlaygroundConfig(), "lr", x_text, "l2", y_text, 100)
    assert sweep is None and len(problems) == 1 and fragment in problems[0]


def test_knob_rules():
    assert make_sweep(PlaygroundConfig(), "lr", "0.1", "lr", "0.2", 10)[1] == [
        "choose two different knobs (both are Learning rate)"
    ]
    assert "no dropout" in make_sweep(PlaygroundConfig(dropout=0.2), "lr", "0.1", "l2", "0", 10)[1][0]
    assert "epochs" in make_sweep(PlaygroundConfig(), "lr", "0.1", "l2", "0", 0)[1][0]
    for name, knob in KNOBS.items():  # every knob's default values parse and make valid runs
        values, problem = parse_values(name, knob.defaults)
        assert problem is None and 1 < len(values) <= MAX_VALUES, name
        other = "seed" if name != "seed" else "noise"
        _, problems = make_sweep(PlaygroundConfig(), name, knob.defaults, other, "0", 5)
        assert problems == [], (name, problems)
