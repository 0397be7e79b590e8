"""Figures of the Training playground: decision boundary and data, every neuron's map, curves, gradients."""

import numpy as np
import plotly.graph_objects as go

from core.figures.heatmaps import plane_heatmap
from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE, SERIES, base_layout


def boundary_figure(
    axis: np.ndarray,
    output: np.ndarray,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    task: str,
    revision: str,
    height: int = 420,
) -> go.Figure:
    """The network's output over the plane with the train points (filled) and test points (hollow) on top.

    Classification outputs are on a −1..1 scale (class 0 blue, class 1 orange); regression values keep theirs.
    """
    fig = plane_heatmap(axis, output, zmid=0.0, height=height, colorbar_title="output")
    if task == "classification":
        fig.update_traces(zmin=-1, zmax=1, selector={"type": "heatmap"})
    for (points, y), name, filled in ((train, "train", True), (test, "test", False)):
        colours = np.where(y > 0.5, POSITIVE, NEGATIVE) if task == "classification" else y
        marker = {
            "size": 6,
            "color": colours,
            "line": {"width": 1.2, "color": "white" if filled else "black"},
        }
        if task == "regression":
            marker |= {"colorscale": [[0, NEGATIVE], [0.5, "#f7f7f7"], [1, POSITIVE]], "cmid": 0}
        if not filled:
            marker["symbol"] = "circle-open" if task == "classification" else "diamond"
            marker["line"]["width"] = 2 if task == "classification" else 1
        fig.add_trace(
            go.Scattergl(
                x=points[:, 0], y=points[:, 1], mode="markers", name=name, marker=marker, hoverinfo="skip"
            )
        )
    fig.update_xaxes(range=[axis[0], axis[-1]])
    fig.update_yaxes(range=[axis[0], axis[-1]])
    return base_layout(fig, None, height, revision)


def neuron_mosaic(maps: list[np.ndarray], stride: int = 4, gap: int = 3) -> np.ndarray:
    """Every hidden neuron's map, down-sampled by `stride`, tiled one column per layer (neuron 0 on top) with
    NaN gaps between tiles: one array, so the picture is one heatmap trace however many neurons there are."""
    tiles = [layer[:, ::stride, ::stride] for layer in maps]  # each (width, r, r)
    r = tiles[0].shape[1]
    rows = max(t.shape[0] for t in tiles)
    mosaic = np.full((rows * (r + gap) - gap, len(tiles) * (r + gap) - gap), np.nan)
    for col, layer in enumerate(tiles):
        for j, tile in enumerate(layer):
            top = (rows - 1 - j) * (r + gap)  # heatmap rows go upward: neuron 0 at the top
            mosaic[top : top + r, col * (r + gap) : col * (r + gap) + r] = tile
    return mosaic


def neuron_maps_figure(maps: list[np.ndarray], revision: str, stride: int = 4) -> go.Figure:
    """What each hidden neuron computes over the input plane: a small map per neuron, a column per layer."""
    if not maps:
        fig = go.Figure()
        fig.add_annotation(
            text="No hidden layers: the output is a linear function of the inputs.", showarrow=False
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, None, 140, revision)
    mosaic = neuron_mosaic(maps, stride)
    r = maps[0].shape[1] // stride + (maps[0].shape[1] % stride > 0)
    fig = go.Figure(
        go.Heatmap(
            z=mosaic,
            colorscale=[[0, NEGATIVE], [0.5, "#f7f7f7"], [1, POSITIVE]],
            zmin=-1,
            zmax=1,
            showscale=False,
            hoverinfo="skip",
        )
    )
    fig.update_xaxes(
        tickvals=[k * (r + 3) + r / 2 for k in range(len(maps))],
        ticktext=[f"layer {k + 1}" for k in range(len(maps))],
        showgrid=False,
        zeroline=False,
        side="top",
    )
    fig.update_yaxes(visible=False, scaleanchor="x", constrain="domain")
    rows = max(m.shape[0] for m in maps)
    base_layout(fig, None, min(900, 40 + 46 * rows), revision)
    fig.update_layout(margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    return fig


def curves_figure(
    history: dict[str, np.ndarray], task: str, revision: str, max_points: int = 600, height: int = 300
) -> go.Figure:
    """Train and test loss per epoch (log scale), and test accuracy on a second axis for classification."""
    epochs = len(history["train_loss"])
    stride = max(1, epochs // max_points)  # a long run keeps its shape without sending every epoch
    x = np.arange(1, epochs + 1)[::stride]
    fig = go.Figure()
    for name, colour, dash in (("train_loss", SERIES[1], "solid"), ("test_loss", SERIES[0], "dot")):
        y = history[name][::stride]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.where(np.isfinite(y), y, None),
                name=name.replace("_", " "),
                line={"color": colour, "dash": dash},
            )
        )
    if task == "classification":
        fig.add_trace(
            go.Scatter(
                x=x,
                y=history["test_accuracy"][::stride],
                name="test accuracy",
                yaxis="y2",
                line={"color": SERIES[2], "width": 1.5},
            )
        )
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "range": [0, 1.02],
                "title": "accuracy",
                "showgrid": False,
            }
        )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="loss", type="log")
    return base_layout(fig, None, height, revision)


def grad_norms_figure(
    grad_norms: np.ndarray, revision: str, max_points: int = 600, height: int = 300
) -> go.Figure:
    """Each layer's gradient norm at of each epoch's last minibatch: vanishing or exploding gradients."""
    epochs = len(grad_norms)
    stride = max(1, epochs // max_points)
    x = np.arange(1, epochs + 1)[::stride]
    fig = go.Figure()
    layers = grad_norms.shape[1] if grad_norms.ndim == 2 else 0
    for k in range(layers):
        name = "output" if k == layers - 1 else f"layer {k + 1}"
        y = grad_norms[::stride, k]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=np.where(np.isfinite(y) & (y > 0), y, None),
                name=name,
                line={"color": SERIES[k % len(SERIES)] if k < layers - 1 else NEUTRAL},
            )
        )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="‖gradient‖", type="log")
    return base_layout(fig, None, height, revision)
