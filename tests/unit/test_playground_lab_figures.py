"""The lab's figures: pure data -> Figure or picture, checked without a browser."""

import dataclasses

import numpy as np

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.fork import ForkJob, difference_map
from core.playground.fork_figures import difference_figure, race_curves_figure, race_curves_image
from core.playground.landscape import compute_slice, take_source
from core.playground.landscape_figures import landscape_figure, landscape_image
from core.playground.live import take_snapshot
from core.playground.sweep import SweepJob, make_sweep
from core.playground.sweep_figures import sparkline, sweep_figure, sweep_image


def race() -> ForkJob:
    a = Engine(PlaygroundConfig(points=100))
    a.train(10)
    job = ForkJob(a, dataclasses.replace(a.config, lr=0.3))
    job.train(20)
    return job


def test_race_figures():
    job = race()
    a, b = take_snapshot(job.a), take_snapshot(job.b)
    fig = race_curves_figure({"A": a.history, "B": b.history}, 10, "r")
    assert [t.name for t in fig.data] == ["A train loss", "A test loss", "B train loss", "B test loss"]
    assert len(fig.data[0].x) == 30 and fig.layout.yaxis.type == "log"
    assert race_curves_image({"A": a.history, "B": b.history}).shape == (300, 560, 3)
    difference = difference_map(a.output, b.output)
    np.testing.assert_allclose(difference, b.output - a.output)
    fig = difference_figure(a.axis, difference, 2.0, "r")
    assert fig.data[0].zmin == -2 and fig.data[0].zmax == 2
    same = ForkJob(job.a, job.a.config)
    snap = take_snapshot(same.b)
    assert not difference_map(take_snapshot(same.a).output, snap.output).any()


def test_sweep_figures_mark_diverged_cells_and_carry_each_run():
    sweep, _ = make_sweep(
        PlaygroundConfig(dataset="plane", points=100), "lr", "0.03, 10", "l2", "0, 0.01", 30
    )
    job = SweepJob(sweep)
    job.train(30)
    snap = job.snapshot()
    assert (snap.diverged_at > 0).tolist() == [False, True, False, True]  # learning rate 10 diverges
    fig = sweep_figure(snap, "test_loss", "r")
    heatmap, cells = fig.data
    assert np.isnan(np.array(heatmap.z, dtype=float)[:, 1]).all()  # the diverged column has no colour
    assert list(cells.customdata) == [0, 1, 2, 3] and list(cells.marker.symbol) == ["square", "x"] * 2
    assert "diverged at epoch" in cells.hovertext[1] and "test loss" in cells.hovertext[0]
    picture = sweep_image(snap, "test_loss")
    assert picture.ndim == 3 and picture.shape[2] == 3
    assert sparkline(np.array([1.0, 0.1, 0.01])) == "█▄▁" and sparkline(np.array([1.0])) == ""


def test_landscape_figures_draw_both_paths():
    job = race()
    b = take_source(job.b)
    s = compute_slice(take_source(job.a), "PCA", "train", 11, np.vstack([b.path, b.theta]))
    fig = landscape_figure(s, "r", names=("A", "B"))
    names = [t.name for t in fig.data]
    assert names[1] == "A" and "B" in names and "B now" in names
    assert "PCA" in fig.layout.xaxis.title.text
    picture = landscape_image(s)
    assert picture.shape == (360, 360, 3) and len(np.unique(picture.reshape(-1, 3), axis=0)) > 5
    single = compute_slice(take_source(job.a), "random", "test", 11)
    assert single.other is None and len(landscape_figure(single, "r").data) == 4
