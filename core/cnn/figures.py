"""Figures for the CNN page: grids of numbers, feature-map mosaics, training curves, confusion matrix."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import DIVERGING, NEGATIVE, POSITIVE, SERIES, base_layout

GREY = "Greys_r"  # ink bright on black, as MNIST stores it


def grid_figure(
    values: np.ndarray,
    title: str,
    taps: tuple[np.ndarray, np.ndarray] | None = None,
    inner: tuple[int, int, int, int] | None = None,
    diverging: bool = False,
    annotate: bool = False,
    height: int = 320,
) -> go.Figure:
    """An (H, W) grid as an image, row 0 at the top. `taps` (rows, cols) marks the cells a window reads;
    `inner` (top, left, height, width) outlines the unpadded input inside a padded one."""
    finite = values[np.isfinite(values)]
    limit = float(np.abs(finite).max()) if finite.size else 1.0
    fig = go.Figure(
        go.Heatmap(
            z=values,
            colorscale=DIVERGING if diverging else GREY,
            zmid=0.0 if diverging else None,
            zmin=-limit if diverging else None,
            zmax=limit if diverging else None,
            text=np.round(values, 2) if annotate else None,
            texttemplate="%{text}" if annotate else None,
            hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra></extra>",
            showscale=False,
        )
    )
    if taps is not None:
        rows, cols = np.meshgrid(*taps, indexing="ij")
        fig.add_trace(
            go.Scatter(
                x=cols.ravel(),
                y=rows.ravel(),
                mode="markers",
                marker={"symbol": "square-open", "size": 12, "color": POSITIVE, "line": {"width": 2}},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if inner is not None:
        top, left, h, w = inner
        fig.add_shape(
            type="rect",
            x0=left - 0.5,
            x1=left + w - 0.5,
            y0=top - 0.5,
            y1=top + h - 0.5,
            line={"color": NEGATIVE, "dash": "dash"},
        )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", showgrid=False)
    fig.update_xaxes(constrain="domain", showgrid=False)
    return base_layout(fig, title, height)


def mosaic(maps: np.ndarray, columns: int, gap: int = 1, per_map: bool = True) -> np.ndarray:
    """Maps (N, H, W) tiled `columns` across with NaN gaps; each scaled to [0, 1] by its own min and max
    when `per_map` (a map's contrast then says nothing about its size relative to the others)."""
    n, h, w = maps.shape
    rows = -(-n // columns)
    out = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for k, m in enumerate(maps):
        if per_map:
            span = m.max() - m.min()
            m = (m - m.min()) / span if span > 0 else np.zeros_like(m)
        r, c = divmod(k, columns)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = m
    return out


def mosaic_figure(
    maps: np.ndarray, title: str, columns: int = 8, diverging: bool = False, height: int = 300
) -> go.Figure:
    """Feature maps or filters (N, H, W) as one tiled image; filters (`diverging`) keep their sign, each
    scaled by its own largest |weight|."""
    if diverging:
        scale = np.abs(maps).reshape(len(maps), -1).max(1).clip(min=1e-12)[:, None, None]
        tiles = mosaic(maps / scale, columns, per_map=False)
    else:
        tiles = mosaic(maps, columns)
    fig = go.Figure(
        go.Heatmap(
            z=tiles,
            colorscale=DIVERGING if diverging else GREY,
            zmid=0.0 if diverging else None,
            showscale=False,
            hoverinfo="skip",
        )
    )
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    return base_layout(fig, title, height)


def curves_figure(
    train_examples: list[int],
    train_values: list[float],
    test_examples: list[int],
    test_values: list[float],
    title: str,
    height: int = 280,
) -> go.Figure:
    """A metric over training examples seen: training minibatch averages and test-set points."""
    fig = go.Figure(
        [
            go.Scatter(
                x=train_examples, y=train_values, name="train (minibatch average)", line={"color": SERIES[1]}
            ),
            go.Scatter(
                x=test_examples,
                y=test_values,
                name="test set",
                mode="lines+markers",
                line={"color": SERIES[0]},
            ),
        ]
    )
    fig.update_xaxes(title="training examples seen")
    return base_layout(fig, title, height, revision="cnn_curves")


def probability_figure(
    probs: np.ndarray, classes: tuple[str, ...], title: str, height: int = 260
) -> go.Figure:
    """Class probabilities as bars, the most likely class highlighted, each bar labelled with its value."""
    best = int(np.argmax(probs))
    fig = go.Figure(
        go.Bar(
            x=list(classes),
            y=probs,
            marker_color=[POSITIVE if k == best else SERIES[1] for k in range(len(probs))],
            text=[f"{p:.1%}" for p in probs],
            textposition="outside",
        )
    )
    fig.update_yaxes(range=[0, 1.15], title="probability")
    fig.update_xaxes(type="category", title="class")
    return base_layout(fig, title, height)


def confusion_figure(matrix: np.ndarray, classes: tuple[str, ...], height: int = 460) -> go.Figure:
    """Counts, true class down and predicted class across, with a clickable marker in every cell."""
    n = len(classes)
    off_diagonal = matrix * (1 - np.eye(n, dtype=matrix.dtype))
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    fig = go.Figure(
        [
            go.Heatmap(
                z=np.log1p(off_diagonal),  # colour the errors; the diagonal would drown them
                x=list(classes),
                y=list(classes),
                text=matrix,
                texttemplate="%{text}",
                colorscale="Reds",
                showscale=False,
                hoverinfo="skip",
            ),
            go.Scatter(
                x=[classes[c] for c in cols.ravel()],
                y=[classes[r] for r in rows.ravel()],
                mode="markers",
                marker={"size": 26, "symbol": "square", "opacity": 0.01, "color": "black"},
                customdata=np.stack([rows.ravel(), cols.ravel(), matrix.ravel()], 1),
                hovertemplate="true %{y}, predicted %{x}: %{customdata[2]} images<extra></extra>",
                showlegend=False,
            ),
        ]
    )
    fig.update_yaxes(autorange="reversed", type="category", title="true class", scaleanchor="x")
    fig.update_xaxes(type="category", title="predicted class", side="top")
    fig.update_layout(clickmode="event+select", dragmode=False)
    return base_layout(fig, None, height)


def gradcam_figure(image: np.ndarray, cam: np.ndarray, title: str, height: int = 320) -> go.Figure:
    """Grad-CAM (H, W) over the grey image (H, W), side by side with the image alone."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("input", "Grad-CAM over the input"), horizontal_spacing=0.04
    )
    fig.add_trace(go.Heatmap(z=image, colorscale=GREY, showscale=False, hoverinfo="skip"), 1, 1)
    fig.add_trace(go.Heatmap(z=image, colorscale=GREY, showscale=False, hoverinfo="skip"), 1, 2)
    fig.add_trace(
        go.Heatmap(
            z=cam,
            colorscale="Jet",
            opacity=0.45,
            zmin=0,
            zmax=1,
            showscale=False,
            hovertemplate="row %{y}, col %{x}: %{z:.2f}<extra></extra>",
        ),
        1,
        2,
    )
    for axis in (1, 2):
        fig.update_yaxes(
            autorange="reversed", scaleanchor=f"x{axis if axis > 1 else ''}", visible=False, row=1, col=axis
        )
        fig.update_xaxes(visible=False, row=1, col=axis)
    return base_layout(fig, title, height)
