"""Figures of the Transformers page, pure functions of numbers: the by-hand attention's matrices, attention
maps of every layer and head, what a generated character attended to, and the loss curves (a picture while
training, a chart when paused)."""

import io
import math
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from core.figures.style import DIVERGING, NEUTRAL, POSITIVE

WEIGHTS = "Blues"  # attention weights, 0..1
MINUS_INFINITY = "−∞"
# Every figure here is built as one dict and validated once, and names no template: plotly builds a named
# template anew for each figure (30–80 ms here, several per paused page), and Streamlit's own chart theme
# restyles the figure in the browser anyway. The margins and legend are core.figures.style.base_layout's.
LAYOUT = {
    "margin": {"l": 40, "r": 20, "t": 20, "b": 40},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
}


def token_labels(tokens: list[str]) -> list[str]:
    """One unique axis label per token: its position and the token ('3 e'), so repeated tokens keep a
    column each; spaces and line breaks are shown as ␣ and ↵."""
    return [f"{i} {t.replace(' ', '␣').replace(chr(10), '↵')}" for i, t in enumerate(tokens)]


class Panel(NamedTuple):
    """One matrix of a row of matrices: its title, values (R, C) and the labels of its rows and columns."""

    title: str
    values: np.ndarray
    rows: list[str]
    cols: list[str]
    weights: bool = False  # a 0..1 scale (softmax rows) instead of one centred on 0


def grid_figure(
    traces: list[dict],
    titles: list[str],
    rows: int,
    cols: int,
    height: int,
    gap: float = 0.04,
    ticks: bool = True,
) -> go.Figure:
    """Heatmaps (trace dicts) in a grid, row by row, each on its own category axes with its title above.
    make_subplots and per-trace updates took 15 times as long for the 16 maps of a 4-layer, 4-head model."""
    layout: dict = {
        **LAYOUT,
        "height": height,
        "margin": {"l": 40, "r": 20, "t": 30, "b": 30},
        "annotations": [],
    }
    for k, (trace, title) in enumerate(zip(traces, titles, strict=True)):
        row, col = divmod(k, cols)
        suffix = str(k + 1) if k else ""
        x0, x1 = col / cols + gap / 2, (col + 1) / cols - gap / 2
        y0, y1 = 1 - (row + 1) / rows + gap, 1 - row / rows - gap / 2
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        layout[f"xaxis{suffix}"] = {
            "domain": [x0, x1],
            "anchor": f"y{suffix}",
            "type": "category",
            "showticklabels": ticks,
        }
        layout[f"yaxis{suffix}"] = {
            "domain": [y0, y1],
            "anchor": f"x{suffix}",
            "type": "category",
            "autorange": "reversed",
            "showticklabels": ticks,
        }
        layout["annotations"].append(
            {
                "text": title,
                "x": (x0 + x1) / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "yanchor": "bottom",
                "font": {"size": 12},
            }
        )
    return go.Figure({"data": traces, "layout": layout})


def matrices_figure(panels: list[Panel], height: int = 300) -> go.Figure:
    """Matrices side by side, every cell with its number; −∞ (a masked score) is drawn empty and written as
    −∞."""
    traces = []
    for panel in panels:
        finite = np.isfinite(panel.values)
        shown = np.where(finite, panel.values, np.nan)
        largest = float(np.abs(shown[finite]).max()) if finite.any() else 1.0
        traces.append(
            {
                "type": "heatmap",
                "z": shown,
                "x": panel.cols,
                "y": panel.rows,
                "text": [
                    [f"{v:.2f}" if np.isfinite(v) else MINUS_INFINITY for v in row] for row in panel.values
                ],
                "texttemplate": "%{text}",
                "textfont": {"size": 10},
                "colorscale": WEIGHTS if panel.weights else DIVERGING,
                "zmin": 0.0 if panel.weights else -largest,
                "zmax": 1.0 if panel.weights else largest,
                "showscale": False,
                "hovertemplate": "row %{y}, column %{x}: %{text}<extra></extra>",
            }
        )
    return grid_figure(traces, [p.title for p in panels], 1, len(panels), height, gap=0.08)


def attention_maps_figure(maps: np.ndarray, tokens: list[str], height_per_layer: int = 240) -> go.Figure:
    """The attention weights of every layer (rows) and head (columns), maps (L, h, T, T): row i of a map is
    what position i reads from each position j. Hover a cell for the two tokens and the weight."""
    layers, heads = maps.shape[:2]
    labels = token_labels(tokens)
    traces, titles = [], []
    for n in range(layers):
        for h in range(heads):
            traces.append(
                {
                    "type": "heatmap",
                    "z": np.round(maps[n, h], 3),
                    "x": labels,
                    "y": labels,
                    "colorscale": WEIGHTS,
                    "zmin": 0.0,
                    "zmax": 1.0,
                    "showscale": n == 0 and h == heads - 1,
                    "colorbar": {"title": {"text": "weight"}, "len": 0.3, "y": 1.0, "yanchor": "top"},
                    "hovertemplate": f"layer {n + 1}, head {h + 1}<br>'%{{y}}' attends to '%{{x}}'"
                    "<br>weight %{z:.3f}<extra></extra>",
                }
            )
            titles.append(f"layer {n + 1}, head {h + 1}")
    return grid_figure(traces, titles, layers, heads, height_per_layer * layers + 40, gap=0.03, ticks=False)


def generation_figure(
    context: list[str], weights: np.ndarray, written: str, height: int | None = None
) -> go.Figure:
    """What the last position of the context read while the model wrote `written`: weights (L, h, T), one
    row per layer and head, a column per context character."""
    layers, heads, _ = weights.shape
    trace = {
        "type": "heatmap",
        "z": np.round(weights.reshape(layers * heads, -1), 3),
        "x": token_labels(context),
        "y": [f"layer {n + 1}, head {h + 1}" for n in range(layers) for h in range(heads)],
        "colorscale": WEIGHTS,
        "zmin": 0.0,
        "zmax": 1.0,
        "colorbar": {"title": {"text": "weight"}},
        "hovertemplate": "%{y} reads '%{x}'<br>weight %{z:.3f}<extra></extra>",
    }
    layout = {
        **LAYOUT,
        "height": height or 80 + 22 * layers * heads,
        "xaxis": {
            "type": "category",
            "tickfont": {"size": 9},
            "title": {"text": f"context; it wrote {written!r}"},
        },
        "yaxis": {"type": "category", "autorange": "reversed"},
    }
    return go.Figure({"data": [trace], "layout": layout})


def loss_figure(
    losses: np.ndarray, eval_steps: np.ndarray, val_losses: np.ndarray, uniform: float, height: int = 320
) -> go.Figure:
    """Training loss of every batch and the validation loss where it was measured, nats per character;
    `uniform` = ln(vocabulary), the loss of a model that knows nothing, dashed."""
    traces = [
        {
            "type": "scatter",
            "x": np.arange(1, len(losses) + 1),
            "y": losses,
            "name": "training loss (each batch)",
            "line": {"color": NEUTRAL, "width": 1},
        },
        {
            "type": "scatter",
            "x": eval_steps,
            "y": val_losses,
            "name": "validation loss",
            "line": {"color": POSITIVE, "width": 2.5},
        },
        {
            "type": "scatter",
            "x": [0, max(len(losses), 1)],
            "y": [uniform, uniform],
            "name": "uniform guess: ln V",
            "mode": "lines",
            "line": {"color": "black", "dash": "dash", "width": 1},
        },
    ]
    layout = {
        **LAYOUT,
        "height": height,
        "uirevision": "transformer_loss",  # keeps the visitor's zoom across redraws
        "xaxis": {"title": {"text": "step"}},
        "yaxis": {"title": {"text": "cross-entropy, nats per character"}, "rangemode": "tozero"},
    }
    return go.Figure({"data": traces, "layout": layout})


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def loss_picture(
    losses: np.ndarray,
    eval_steps: np.ndarray,
    val_losses: np.ndarray,
    uniform: float,
    width: int = 640,
    height: int = 300,
) -> bytes:
    """loss_figure as a PNG picture for the live view (ui.live.picture): the same lines on the same linear
    axes, no hover; light compression, as it is drawn again at every redraw."""
    left, right, top, bottom = 48, 16, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=12)
    n = max(len(losses), 1)
    finite = [v for v in (*losses, *val_losses, uniform) if math.isfinite(v)]
    high = math.ceil(max(finite) + 0.25)

    def at(step: float, value: float) -> tuple[float, float]:
        return left + step / n * plot_w, top + (1 - min(max(value, 0.0), high) / high) * plot_h

    for tick in range(high + 1):
        y = at(0, tick)[1]
        draw.line([(left, y), (left + plot_w, y)], fill=(225, 225, 225))
        draw.text((left - 6, y), str(tick), fill=(60, 60, 60), font=font, anchor="rm")
    draw.text((left, height - 4), "step 0", fill=(60, 60, 60), font=font, anchor="lb")
    draw.text((left + plot_w, height - 4), f"{len(losses):,}", fill=(60, 60, 60), font=font, anchor="rb")
    y = at(0, uniform)[1]
    for x in range(left, left + plot_w, 12):  # dashed: the uniform guess
        draw.line([(x, y), (x + 6, y)], fill=(0, 0, 0))
    every = max(1, len(losses) // plot_w)  # at most one point per pixel column
    batch = [
        at(s, v)
        for s, v in zip(range(1, len(losses) + 1, every), losses[::every], strict=False)
        if math.isfinite(v)
    ]
    if len(batch) > 1:
        draw.line(batch, fill=_rgb(NEUTRAL), width=1)
    val = [at(s, v) for s, v in zip(eval_steps, val_losses, strict=True) if math.isfinite(v)]
    if len(val) > 1:
        draw.line(val, fill=_rgb(POSITIVE), width=3)
    x = left
    for name, colour in (("training loss (each batch)", NEUTRAL), ("validation loss", POSITIVE)):
        draw.line([(x, 12), (x + 16, 12)], fill=_rgb(colour), width=3)
        draw.text((x + 20, 12), name, fill=(60, 60, 60), font=font, anchor="lm")
        x += 34 + draw.textlength(name, font=font)
    for dash in (x, x + 10):
        draw.line([(dash, 12), (dash + 6, 12)], fill=(0, 0, 0))
    draw.text((x + 20, 12), "uniform guess: ln V", fill=(60, 60, 60), font=font, anchor="lm")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
