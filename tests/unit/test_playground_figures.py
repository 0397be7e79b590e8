"""Playground figures: boundary with train/test points, every neuron's map, curves, gradients, pictures."""

import numpy as np
import pytest

from core.figures.style import NEGATIVE, POSITIVE
from core.playground.config import PlaygroundConfig
from core.playground.engine import METRICS, Engine
from core.playground.figures import (
    boundary_figure,
    boundary_image,
    colour_limit,
    colourise,
    curves_figure,
    grad_norms_figure,
    neuron_image,
    neuron_maps_figure,
    neuron_mosaic,
    png_bytes,
    points_overlay,
    update_curves,
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    run = Engine(PlaygroundConfig(hidden=(3, 2)))
    run.train(20)
    return run


def parts(engine):
    d = engine.data
    return (d.train_points, d.train_y), (d.test_points, d.test_y)


def test_boundary_figure_has_the_map_and_distinguishable_train_and_test_points(engine):
    axis, output, _ = engine.grid(30)
    train, test = parts(engine)
    fig = boundary_figure(axis, output, train, test, "classification", "r")
    heatmap, train_trace, test_trace = fig.data
    assert np.asarray(heatmap.z).shape == (30, 30) and heatmap.zmin == -1 and heatmap.zmax == 1
    assert (train_trace.name, test_trace.name) == ("train", "test")
    assert train_trace.marker.symbol != test_trace.marker.symbol
    assert train_trace.marker.line.color != test_trace.marker.line.color
    assert len(train_trace.x) == len(train[0]) and fig.layout.uirevision == "r"


def test_neuron_mosaic_places_every_neuron_with_gaps(engine):
    _, _, maps = engine.grid(20)
    mosaic = neuron_mosaic(maps, stride=4, gap=3)
    assert mosaic.shape == (3 * 5 + 2 * 3, 2 * 5 + 3)  # 3 rows of 5-pixel tiles, 2 layer columns
    top_left = mosaic[-5:, :5]  # neuron 0 of layer 1 sits at the top: the last rows, heatmaps go upward
    np.testing.assert_allclose(top_left, maps[0][0, ::4, ::4])
    assert np.isnan(mosaic[:5, 8:]).all()  # layer 2 has no third neuron
    assert len(neuron_maps_figure(maps, "r").data) == 1
    assert neuron_maps_figure([], "r").layout.annotations


def test_curves_and_gradients_follow_the_history(engine):
    history = {name: engine.history.column(name) for name in METRICS}
    fig = curves_figure(history, "classification", "r")
    assert [t.name for t in fig.data] == ["train loss", "test loss", "test accuracy"]
    assert list(fig.data[0].y) == pytest.approx(list(history["train_loss"]))
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type != "log"
    long = {name: np.linspace(1, 0.1, 5000) for name in METRICS}
    update_curves(fig, long, max_points=100)
    assert len(fig.data[0].x) <= 102 and fig.data[0].x[-1] == 5000
    grads = grad_norms_figure(engine.history.grad_norms[: engine.epoch], "r")
    assert [t.name for t in grads.data] == ["layer 1", "layer 2", "output"]


def test_pictures_use_the_shared_colours_and_show_the_points(engine):
    np.testing.assert_array_equal(
        colourise(np.array([-1.0, 1.0])),
        [
            [int(NEGATIVE[i : i + 2], 16) for i in (1, 3, 5)],
            [int(POSITIVE[i : i + 2], 16) for i in (1, 3, 5)],
        ],
    )
    _, output, maps = engine.grid(100)
    train, test = parts(engine)
    overlay = points_overlay(train, test, "classification", 400)
    picture = boundary_image(output, overlay, colour_limit("classification", train[1]))
    assert picture.shape == (400, 400, 3) and picture.dtype == np.uint8
    assert (overlay[..., 3] > 0).mean() > 0.01  # the points are drawn
    assert png_bytes(picture)[:4] == b"\x89PNG"
    assert neuron_image(maps).shape[2] == 3


def test_snapshot_copies_the_run_and_its_figures_draw_from_it():
    from core.playground.live import RunFigures, neuron_picture, take_snapshot, warm_up

    run = Engine(PlaygroundConfig(points=60))
    figures = RunFigures(run.data)
    first = take_snapshot(run)
    assert (
        first.epoch == 0
        and first.output.shape == (100, 100)
        and [m.shape for m in first.maps]
        == [
            (4, 100, 100),
            (2, 100, 100),
        ]
    )
    assert "curves" not in figures.update_charts(first)  # no epoch yet
    run.train(3)
    later = take_snapshot(run)
    assert first.epoch == 0 and len(first.history["train_loss"]) == 0  # a snapshot does not move with the run
    assert not np.array_equal(first.weights[0], later.weights[0])
    charts = figures.update_charts(later)
    assert len(charts["curves"].data[0].x) == 3 and charts["grads"].data[0].y is not None
    run.train(2)
    assert len(figures.update_charts(take_snapshot(run))["curves"].data[0].x) == 5  # same chart, new data
    assert (
        figures.boundary_picture(later)[:4] == b"\x89PNG" and neuron_picture(later.maps)[0][:4] == b"\x89PNG"
    )
    assert neuron_picture([]) is None
    warm_up()  # builds every figure kind once without an error


def test_a_snapshot_without_planes_draws_the_same_network_curves_and_gradients():
    from core.playground.live import RunFigures, take_snapshot

    run = Engine(PlaygroundConfig(points=60))
    run.train(3)
    full, light = take_snapshot(run), take_snapshot(run, planes=False)
    assert light.output.size == 0 and light.maps == [] and full.output.shape == (100, 100)
    assert (light.epoch, light.lr, light.diverged) == (full.epoch, full.lr, full.diverged)
    assert all(np.array_equal(a, b) for a, b in zip(light.weights, full.weights, strict=True))
    assert np.array_equal(light.grad_norms, full.grad_norms)
    assert all(np.array_equal(light.history[k], full.history[k]) for k in full.history)
    assert RunFigures(run.data).chart_pictures(light) == RunFigures(run.data).chart_pictures(full)
