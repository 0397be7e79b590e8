"""Figures of a fork's race: both runs' loss curves on one chart, and where B's output differs from A's."""

import numpy as np
import plotly.graph_objects as go

from core.figures.heatmaps import plane_heatmap
from core.figures.raster import line_chart_image
from core.figures.style import NEGATIVE, POSITIVE, base_layout

RUN_COLOURS = {"A": NEGATIVE, "B": POSITIVE}
TRAIN_COLOURS = {"A": "#8ecae6", "B": "#f4a582"}  # the same hues, lighter: the live picture has no dashes
MAX_POINTS = 600


def _thinned(n: int) -> np.ndarray:
    """Epoch indices to draw: all of a short run, evenly spaced ones of a long run, always the last."""
    index = np.arange(0, n, max(1, n // MAX_POINTS))
    return index if n == 0 or index[-1] == n - 1 else np.append(index, n - 1)


def race_curves_figure(
    histories: dict[str, dict[str, np.ndarray]], fork_epoch: int, revision: str, height: int = 320
) -> go.Figure:
    """Train (solid) and test (dotted) loss of runs A and B per epoch, log scale, the fork epoch marked."""
    fig = go.Figure()
    for run, history in histories.items():
        index = _thinned(len(history["train_loss"]))
        for metric, dash in (("train_loss", "solid"), ("test_loss", "dot")):
            y = history[metric][index]
            fig.add_trace(
                go.Scatter(
                    x=index + 1,
                    y=np.where(np.isfinite(y), y, None),
                    name=f"{run} {metric.replace('_', ' ')}",
                    line={"color": RUN_COLOURS[run], "dash": dash},
                )
            )
    if fork_epoch:
        fig.add_vline(x=fork_epoch, line={"color": "#888", "dash": "dash"}, annotation_text="fork")
    fig.update_layout(xaxis={"title": "epoch"}, yaxis={"title": "loss", "type": "log"})
    return base_layout(fig, None, height, revision)


def race_curves_image(histories: dict[str, dict[str, np.ndarray]]) -> np.ndarray:
    """The race's loss curves as a picture for the live view (test loss of both runs, train loss of both)."""
    series = [
        (f"{run} {metric.split('_')[0]}", history[metric], colours[run])
        for metric, colours in (("test_loss", RUN_COLOURS), ("train_loss", TRAIN_COLOURS))
        for run, history in histories.items()
    ]
    return line_chart_image(series, y_label="loss", width=560)


def difference_figure(axis: np.ndarray, difference: np.ndarray, limit: float, revision: str) -> go.Figure:
    """B's output minus A's over the plane: white where they agree, orange where B is higher."""
    fig = plane_heatmap(axis, difference, zmid=0.0, height=380, colorbar_title="B − A", revision=revision)
    fig.update_traces(zmin=-limit, zmax=limit, selector={"type": "heatmap"})
    fig.update_xaxes(range=[axis[0], axis[-1]])
    fig.update_yaxes(range=[axis[0], axis[-1]])
    return fig
