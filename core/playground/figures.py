"""Figures of the Training playground: decision boundary and data, every neuron's map, curves, gradients."""

import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

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
    """The network's output over the plane with the train points (white rim) and test points (black-rimmed
    diamonds) on top.

    Classification outputs are on a −1..1 scale (class 0 blue, class 1 orange); regression values keep theirs.
    """
    fig = plane_heatmap(axis, output, zmid=0.0, height=height, colorbar_title="output", revision=revision)
    if task == "classification":
        fig.update_traces(zmin=-1, zmax=1, selector={"type": "heatmap"})
    for (points, y), name, filled in ((train, "train", True), (test, "test", False)):
        colours = np.where(y > 0.5, POSITIVE, NEGATIVE) if task == "classification" else y
        marker = {
            "size": 6 if filled else 7,
            "color": colours,
            "symbol": "circle" if filled else "diamond",
            "line": {"width": 1 if filled else 1.3, "color": "white" if filled else "black"},
        }
        if task == "regression":
            marker |= {"colorscale": [[0, NEGATIVE], [0.5, "#f7f7f7"], [1, POSITIVE]], "cmid": 0}
        fig.add_trace(
            go.Scatter(
                x=points[:, 0], y=points[:, 1], mode="markers", name=name, marker=marker, hoverinfo="skip"
            )
        )
    fig.update_xaxes(range=[axis[0], axis[-1]])
    fig.update_yaxes(range=[axis[0], axis[-1]])
    return fig


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
            text="No hidden layers: no neuron maps; the boundary is linear in the input features.",
            showarrow=False,
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
    base_layout(fig, None, min(1000, 50 + 80 * rows), revision)
    fig.update_layout(margin={"l": 5, "r": 5, "t": 30, "b": 5}, plot_bgcolor="white")
    return fig


def curves_figure(history: dict[str, np.ndarray], task: str, revision: str, height: int = 300) -> go.Figure:
    """Train and test loss per epoch (log scale), and test accuracy on a second axis for classification."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(name="train loss", line={"color": SERIES[1]}))
    fig.add_trace(go.Scatter(name="test loss", line={"color": SERIES[0], "dash": "dot"}))
    if task == "classification":
        fig.add_trace(go.Scatter(name="test accuracy", yaxis="y2", line={"color": SERIES[2], "width": 1.5}))
        fig.update_layout(
            yaxis2={
                "overlaying": "y",
                "side": "right",
                "range": [0, 1.02],
                "title": "test accuracy",
                "showgrid": False,
                "tickmode": "linear",
                "dtick": 0.25,
                "tickformat": ".0%",
            }
        )
    fig.update_layout(xaxis={"title": "epoch"}, yaxis={"title": "loss", "type": "log"})
    return update_curves(base_layout(fig, None, height, revision), history)


def grad_norms_figure(grad_norms: np.ndarray, revision: str, height: int = 300) -> go.Figure:
    """Each layer's gradient norm at each epoch's last minibatch (log scale): vanishing or exploding?"""
    fig = go.Figure()
    for name, colour in layer_series(grad_norms.shape[1]):
        fig.add_trace(go.Scatter(name=name, line={"color": colour}))
    fig.update_layout(xaxis={"title": "epoch"}, yaxis={"title": "‖gradient‖", "type": "log"})
    return update_grad_norms(base_layout(fig, None, height, revision), grad_norms)


def layer_series(layers: int) -> list[tuple[str, str]]:
    """Name and colour of each layer's gradient-norm line, the output layer last and grey."""
    return [(f"layer {k + 1}", SERIES[k % len(SERIES)]) for k in range(layers - 1)] + [("output", NEUTRAL)]


def _thinned(n: int, max_points: int) -> np.ndarray:
    """Epoch indices to plot: every one for a short run, evenly spaced for a long one, always the last."""
    stride = max(1, n // max_points)
    index = np.arange(0, n, stride)
    return index if n == 0 or index[-1] == n - 1 else np.append(index, n - 1)


def update_curves(fig: go.Figure, history: dict[str, np.ndarray], max_points: int = 600) -> go.Figure:
    """Put the latest history into a curves figure; a long run is thinned to max_points, keeping its shape."""
    index = _thinned(len(history["train_loss"]), max_points)
    with fig.batch_update():
        for trace, name in zip(fig.data, ("train_loss", "test_loss", "test_accuracy"), strict=False):
            y = history[name][index]
            trace.x, trace.y = index + 1, np.where(np.isfinite(y), y, None)
    return fig


def update_grad_norms(fig: go.Figure, grad_norms: np.ndarray, max_points: int = 600) -> go.Figure:
    """Put the latest gradient norms into a gradient-norm figure."""
    index = _thinned(len(grad_norms), max_points)
    with fig.batch_update():
        for k, trace in enumerate(fig.data):
            y = grad_norms[index, k]
            trace.x, trace.y = index + 1, np.where(np.isfinite(y) & (y > 0), y, None)
    return fig


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def colourise(values: np.ndarray, limit: float = 1.0) -> np.ndarray:
    """Values in [−limit, limit] as RGB bytes on the shared blue–white–orange scale; NaN becomes white."""
    t = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64) / limit, nan=0.0), -1.0, 1.0)[..., None]
    low, mid, high = _rgb(NEGATIVE), _rgb("#f7f7f7"), _rgb(POSITIVE)
    rgb = np.where(t < 0, mid + (low - mid) * -t, mid + (high - mid) * t)
    return rgb.round().astype(np.uint8)


def colour_limit(task: str, y: np.ndarray) -> float:
    """The value shown at full colour: 1 for classes (outputs on −1..1), the largest |y| for regression."""
    return 1.0 if task == "classification" else max(float(np.abs(y).max()), 1e-9)


def points_overlay(
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    task: str,
    size: int,
    plane: float = 6.0,
) -> np.ndarray:
    """The data points as an RGBA layer (size, size, 4) to lay over a map picture: train points with a white
    rim, test points as black-rimmed diamonds, as in boundary_figure. Drawn once per run, used every tick."""
    limit = colour_limit(task, np.concatenate([train[1], test[1]]))
    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for (points, y), filled in ((train, True), (test, False)):
        colours = colourise(y * 2 - 1 if task == "classification" else y, limit)
        px = (points[:, 0] + plane) / (2 * plane) * size
        py = (plane - points[:, 1]) / (2 * plane) * size
        for x, yy, colour in zip(px, py, colours, strict=True):
            fill = (*(int(c) for c in colour), 255)
            if filled:
                draw.ellipse((x - 3.5, yy - 3.5, x + 3.5, yy + 3.5), fill=fill, outline=(255, 255, 255, 255))
            else:
                diamond = [(x, yy - 4.5), (x + 4.5, yy), (x, yy + 4.5), (x - 4.5, yy)]
                draw.polygon(diamond, fill=fill, outline=(0, 0, 0, 255))
    return np.asarray(layer)


def boundary_image(output: np.ndarray, overlay: np.ndarray, limit: float = 1.0) -> np.ndarray:
    """The boundary figure as an RGB picture: the output map (R, R) scaled up to the overlay's size with the
    points laid on top. What the page shows while training runs: a picture costs the browser far less to
    redraw ten times a second than an interactive chart."""
    scale = overlay.shape[0] // output.shape[0]
    picture = np.repeat(np.repeat(colourise(output[::-1], limit), scale, 0), scale, 1)  # x2 up
    return np.where(overlay[..., 3:] > 0, overlay[..., :3], picture)


def neuron_image(maps: list[np.ndarray], stride: int = 4, scale: int = 3) -> np.ndarray:
    """The neuron mosaic as an RGB picture (gaps white), for the live view."""
    mosaic = neuron_mosaic(maps, stride, gap=4)[::-1]  # the mosaic's rows go upward; a picture's go down
    return np.repeat(np.repeat(colourise(mosaic), scale, 0), scale, 1)


def png_bytes(picture: np.ndarray) -> bytes:
    """An RGB picture as PNG with light compression: a live view re-sends it ten times a second, so encoding
    speed matters more than a few kilobytes."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
