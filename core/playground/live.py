"""What the page draws for one run: cached charts refreshed at a capped rate, cheap pictures for live ticks.

A Plotly chart is rebuilt by the browser on every change (Streamlit gives it a new identity), so while
training runs the boundary and the neuron maps are PNG pictures, and the network, curves and gradient charts
refresh only every `every` seconds; paused, everything is an interactive chart.
"""

import time

import numpy as np
import plotly.graph_objects as go

from core.figures.network import network_figure
from core.figures.playground import (
    boundary_figure,
    boundary_image,
    colour_limit,
    curves_figure,
    grad_norms_figure,
    neuron_image,
    neuron_maps_figure,
    png_bytes,
    points_overlay,
    update_curves,
    update_grad_norms,
)
from core.playground.config import PlaygroundConfig
from core.playground.engine import METRICS, Engine


class LiveView:
    """The figures of one engine's run, kept between ticks so that only their data changes."""

    def __init__(self, engine: Engine, revision: str = "play") -> None:
        self.engine = engine
        self.revision = revision  # uirevision: zoom and legend clicks survive redraws
        self.charts: dict[str, go.Figure] = {}  # network, curves, grads
        self._refreshed_at = -np.inf
        self._overlay: np.ndarray | None = None

    def history(self) -> dict[str, np.ndarray]:
        """Every per-epoch metric so far."""
        return {name: self.engine.history.column(name) for name in METRICS}

    def refresh_charts(self, running: bool, every: float = 1.0) -> dict[str, go.Figure]:
        """The network, curve and gradient charts: refreshed on every call while paused, at most every
        `every` seconds while running; built once, then only their data changes (a build costs 10–20 ms)."""
        now = time.perf_counter()
        if running and now - self._refreshed_at < every and "network" in self.charts:
            return self.charts
        self._refreshed_at = now
        engine = self.engine
        weights = [np.nan_to_num(w, posinf=0.0, neginf=0.0) for w in engine.weights()]  # NaN once diverged
        self.charts["network"] = network_figure(weights, height=300, revision=self.revision)
        if engine.epoch:
            grads = engine.history.grad_norms[: engine.epoch]
            if "curves" in self.charts:
                update_curves(self.charts["curves"], self.history())
                update_grad_norms(self.charts["grads"], grads)
            else:
                self.charts["curves"] = curves_figure(self.history(), engine.task, self.revision)
                self.charts["grads"] = grad_norms_figure(grads, self.revision)
        return self.charts

    def boundary_picture(self, output: np.ndarray) -> bytes:
        """The output map with the data points, as PNG (the live view)."""
        d = self.engine.data
        if self._overlay is None:
            self._overlay = points_overlay(
                (d.train_points, d.train_y), (d.test_points, d.test_y), d.task, 400
            )
        return png_bytes(boundary_image(output, self._overlay, colour_limit(d.task, d.train_y)))

    def boundary_chart(self, axis: np.ndarray, output: np.ndarray) -> go.Figure:
        """The output map with the data points, as an interactive chart (the paused view)."""
        d = self.engine.data
        train, test = (d.train_points, d.train_y), (d.test_points, d.test_y)
        return boundary_figure(axis, output, train, test, d.task, self.revision)

    def neuron_chart(self, maps: list[np.ndarray]) -> go.Figure:
        """Every hidden neuron's map as an interactive chart (the paused view)."""
        return neuron_maps_figure(maps, self.revision)


def neuron_picture(maps: list[np.ndarray]) -> bytes | None:
    """Every hidden neuron's map as PNG (the live view); None without hidden layers."""
    return png_bytes(neuron_image(maps)) if maps else None


def warm_up() -> None:
    """Once per process: load the compiled kernel and build every figure kind once (plotly creates its
    validators lazily), so the first live tick a visitor sees is as quick as the rest."""
    view = LiveView(Engine(PlaygroundConfig(points=40)), "warm")
    view.engine.train(2)
    axis, output, maps = view.engine.grid(20)
    for fig in (
        *view.refresh_charts(False).values(),
        view.boundary_chart(axis, output),
        view.neuron_chart(maps),
    ):
        fig.to_dict()
    view.boundary_picture(output)
    neuron_picture(maps)
