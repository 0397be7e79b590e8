"""What the live page draws of a run: a consistent snapshot taken between two training slices, and the
pictures and charts made from it.

The snapshot is taken under the runner's lock (core.runner.Runner.read), so it is cheap: copies of the
history and weights plus one batched pass over the plane. Everything else (PNG encoding, chart building)
happens outside the lock while training goes on.
"""

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.figures.network import network_figure, update_network
from core.figures.raster import line_chart_image, network_image
from core.figures.style import SERIES
from core.playground.config import PlaygroundConfig
from core.playground.datasets import Split
from core.playground.engine import METRICS, Engine
from core.playground.figures import (
    boundary_figure,
    boundary_image,
    colour_limit,
    curves_figure,
    grad_norms_figure,
    layer_series,
    neuron_image,
    neuron_maps_figure,
    png_bytes,
    points_overlay,
    update_curves,
    update_grad_norms,
)
from core.playground.landscape import compute_slice, take_source
from core.playground.sweep import SweepJob, make_sweep

RESOLUTION = 100  # grid points per side of the plane: the boundary and every neuron's map
PICTURE_SIZE = 400  # pixels per side of the live boundary picture


@dataclass(frozen=True)
class Snapshot:
    """One moment of a run: everything the page draws, copied out of the engine."""

    config: PlaygroundConfig
    task: str  # "classification" or "regression"
    epoch: int
    lr: float  # the learning rate of the next epoch (the schedule applied)
    diverged: bool
    history: dict[str, np.ndarray]  # metric name -> (epoch,)
    grad_norms: np.ndarray  # (epoch, layers)
    weights: list[np.ndarray]  # each (n_out, n_in), input side first
    axis: np.ndarray  # (R,)
    output: np.ndarray  # (R, R), classification on −1..1
    maps: list[np.ndarray]  # per hidden layer (width, R, R)


def take_snapshot(engine: Engine, resolution: int = RESOLUTION, planes: bool = True) -> Snapshot:
    """Copy what the page draws out of `engine` (call it between two training slices). Without `planes`
    the grid's forward pass is skipped (axis, output and maps empty): the network, curves and export need
    none of it, and on the widgets' largest network the pass is a fifth of their redraw."""
    if planes:
        axis, output, maps = engine.grid(resolution)
    else:
        axis, output, maps = np.zeros(0), np.zeros((0, 0)), []
    size = engine.history.size
    return Snapshot(
        config=engine.config,
        task=engine.task,
        epoch=engine.epoch,
        lr=engine.learning_rate(engine.epoch),
        diverged=engine.diverged,
        history={name: engine.history.column(name).copy() for name in METRICS},
        grad_norms=engine.history.grad_norms[:size].copy(),
        weights=[np.nan_to_num(w, posinf=0.0, neginf=0.0) for w in engine.weights()],  # NaN once diverged
        axis=axis,
        output=output.copy(),
        maps=[m.copy() for m in maps],
    )


class RunFigures:
    """The figures of one run's snapshots. The data points' overlay is drawn once per run, and the charts are
    built once and then only get new data (a build costs 10–20 ms)."""

    def __init__(self, data: Split, revision: str = "play") -> None:
        self.data = data
        self.revision = revision  # uirevision: zoom and legend clicks survive redraws
        self.charts: dict[str, go.Figure] = {}  # network, curves, grads
        train, test = (data.train_points, data.train_y), (data.test_points, data.test_y)
        self._overlay = points_overlay(train, test, data.task, PICTURE_SIZE)
        self._limit = colour_limit(data.task, data.train_y)

    def boundary_picture(self, snap: Snapshot) -> bytes:
        """The output map with the data points, as PNG (the live view)."""
        return png_bytes(boundary_image(snap.output, self._overlay, self._limit))

    def boundary_chart(self, snap: Snapshot) -> go.Figure:
        """The output map with the data points, as an interactive chart (the paused view)."""
        d = self.data
        train, test = (d.train_points, d.train_y), (d.test_points, d.test_y)
        return boundary_figure(snap.axis, snap.output, train, test, d.task, self.revision)

    def neuron_chart(self, snap: Snapshot) -> go.Figure:
        """Every hidden neuron's map as an interactive chart (the paused view)."""
        return neuron_maps_figure(snap.maps, self.revision)

    def chart_pictures(self, snap: Snapshot) -> dict[str, bytes]:
        """The network, curves and gradient norms as PNG (the live view; the same content as the charts)."""
        history = snap.history
        losses = [
            ("train loss", history["train_loss"], SERIES[1]),
            ("test loss", history["test_loss"], SERIES[0]),
        ]
        accuracy = (
            ("test accuracy", history["test_accuracy"], SERIES[2]) if snap.task == "classification" else None
        )
        grads = [
            (name, snap.grad_norms[:, k], colour)
            for k, (name, colour) in enumerate(layer_series(snap.grad_norms.shape[1]))
        ]
        return {
            "network": png_bytes(network_image(snap.weights, height=300)),
            "curves": png_bytes(line_chart_image(losses, accuracy, y_label="loss")),
            "grads": png_bytes(line_chart_image(grads, y_label="‖gradient‖")),
        }

    def update_charts(self, snap: Snapshot) -> dict[str, go.Figure]:
        """The network, curve and gradient charts for `snap` (curves only once an epoch has run)."""
        if "network" in self.charts:
            update_network(self.charts["network"], snap.weights)
        else:
            self.charts["network"] = network_figure(snap.weights, height=300, revision=self.revision)
        if snap.epoch:
            if "curves" in self.charts:
                update_curves(self.charts["curves"], snap.history)
                update_grad_norms(self.charts["grads"], snap.grad_norms)
            else:
                self.charts["curves"] = curves_figure(snap.history, self.data.task, self.revision)
                self.charts["grads"] = grad_norms_figure(snap.grad_norms, self.revision)
        return self.charts


NEURON_SCALE = 3  # screen pixels per picture pixel of the neuron maps


def neuron_picture(maps: list[np.ndarray]) -> tuple[bytes, int] | None:
    """Every hidden neuron's map as PNG at one pixel per grid sample (the live view) and the width to show
    it at, NEURON_SCALE times larger; None without hidden layers."""
    if not maps:
        return None
    mosaic = neuron_image(maps, scale=1)
    return png_bytes(mosaic), mosaic.shape[1] * NEURON_SCALE


def warm_up() -> None:
    """Once per process: load the compiled kernels and build every figure kind once (plotly creates its
    validators lazily), so the first live redraw a visitor sees is as quick as the rest."""
    engine = Engine(PlaygroundConfig(points=40))
    engine.train(2)
    snap = take_snapshot(engine, 20)
    figures = RunFigures(engine.data, "warm")
    charts = figures.update_charts(snap)
    for fig in (*charts.values(), figures.boundary_chart(snap), figures.neuron_chart(snap)):
        fig.to_dict()
    figures.boundary_picture(snap)
    neuron_picture(snap.maps)
    # The experiment lab's first sweep and slice: the sweep kernel (compiled once per installation, loaded
    # once per process) and the landscape's batched pass.
    sweep, _ = make_sweep(engine.config, "lr", "0.01, 0.1", "l2", "0", 1)
    SweepJob(sweep).train(1)
    compute_slice(take_source(engine), "random", "train", 5)
