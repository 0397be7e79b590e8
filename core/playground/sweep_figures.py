"""Figures of a sweep: the grid of losses as a heatmap (diverged cells marked), as a chart and a picture."""

import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont
from plotly.colors import sample_colorscale

from core.figures.style import base_layout
from core.playground.sweep import KNOBS, SweepSnapshot

COLOURSCALE = "Viridis_r"  # low loss bright, high loss dark
LOOKUP = np.array(
    [[int(c) for c in s[4:-1].split(",")] for s in sample_colorscale(COLOURSCALE, np.linspace(0, 1, 256))],
    dtype=np.uint8,
)  # (256, 3)
DIVERGED = (200, 200, 200)
BARS = "▁▂▃▄▅▆▇█"


def value_label(value: object) -> str:
    """A knob value as the axes show it: 0.001 as 0.001, Adam as Adam."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def sparkline(values: np.ndarray, width: int = 24) -> str:
    """A curve as a line of block characters (log scale), for a cell's hover text."""
    finite = values[np.isfinite(values) & (values > 0)]
    if len(finite) < 2:
        return ""
    index = np.linspace(0, len(finite) - 1, min(width, len(finite))).round().astype(int)
    logs = np.log10(finite[index])
    span = max(logs.max() - logs.min(), 1e-12)
    return "".join(BARS[int((v - logs.min()) / span * (len(BARS) - 1))] for v in logs)


def _scale(grid: np.ndarray, log: bool) -> tuple[np.ndarray, float, float]:
    """The values to colour (log10 for losses) and their colour range."""
    shown = np.log10(np.where(grid > 0, grid, np.nan)) if log else grid
    finite = shown[np.isfinite(shown)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    return shown, low, max(high, low + 1e-9)


def sweep_figure(snap: SweepSnapshot, metric: str, revision: str, height: int = 460) -> go.Figure:
    """The heatmap of `metric` at each run's last epoch, x knob across and y knob up; a diverged cell is grey
    with a ✕. Every cell carries a marker with its numbers and its curve in the hover, and its run index as
    customdata, so that clicking it selects that run."""
    sweep = snap.sweep
    xs = [value_label(v) for v in sweep.x_values]
    ys = [value_label(v) for v in sweep.y_values]
    grid = snap.grid(metric)
    log = "loss" in metric
    shown, low, high = _scale(grid, log)
    fig = go.Figure(
        go.Heatmap(
            x=xs,
            y=ys,
            z=shown,
            zmin=low,
            zmax=high,
            colorscale=COLOURSCALE,
            colorbar={
                "title": {"text": f"log₁₀ {metric.replace('_', ' ')}" if log else metric.replace("_", " ")}
            },
            hoverinfo="skip",
        )
    )
    column = snap.history[:, :, 1] if snap.epoch else np.zeros((len(snap.configs), 0))
    texts, symbols, colours, cx, cy = [], [], [], [], []
    for k in range(len(snap.configs)):
        x, y = xs[k % len(xs)], ys[k // len(xs)]
        cx.append(x)
        cy.append(y)
        head = f"{KNOBS[sweep.x].label} {x}, {KNOBS[sweep.y].label} {y}<br>"
        if snap.diverged_at[k]:
            texts.append(head + f"diverged at epoch {snap.diverged_at[k]}")
            symbols.append("x")
            colours.append("#333333")
        else:
            value = grid.reshape(-1)[k]
            number = f"{value:.4f}" if np.isfinite(value) else "–"
            name = metric.replace("_", " ")
            texts.append(head + f"{name} {number} (epoch {snap.epoch})<br>test loss {sparkline(column[k])}")
            symbols.append("square")
            colours.append("rgba(0,0,0,0)")
    fig.add_trace(
        go.Scatter(
            x=cx,
            y=cy,
            mode="markers",
            marker={"symbol": symbols, "size": 26, "color": colours, "line": {"width": 0}},
            customdata=list(range(len(snap.configs))),
            hovertext=texts,
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(title=KNOBS[sweep.x].label, type="category")
    fig.update_yaxes(title=KNOBS[sweep.y].label, type="category")
    base_layout(fig, None, height, revision)
    fig.update_layout(clickmode="event+select", dragmode=False)
    return fig


def sweep_image(snap: SweepSnapshot, metric: str, cell: int = 44) -> np.ndarray:
    """The heatmap as a picture for the live view: coloured cells (diverged grey with ✕), each with its value,
    the x values along the bottom and the y values up the left, as in the chart."""
    sweep = snap.sweep
    grid = snap.grid(metric)
    ny, nx = grid.shape
    shown, low, high = _scale(grid, "loss" in metric)
    left, bottom, top = 70, 40, 8
    width, height = left + nx * cell + 8, top + ny * cell + bottom
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=11)
    for j in range(ny):
        for i in range(nx):
            k = j * nx + i
            x0, y0 = left + i * cell, top + (ny - 1 - j) * cell  # y knob's first value at the bottom
            box = (x0 + 1, y0 + 1, x0 + cell - 1, y0 + cell - 1)
            if snap.diverged_at[k]:
                draw.rectangle(box, fill=DIVERGED)
                draw.line((box[0] + 8, box[1] + 8, box[2] - 8, box[3] - 8), fill=(60, 60, 60), width=3)
                draw.line((box[0] + 8, box[3] - 8, box[2] - 8, box[1] + 8), fill=(60, 60, 60), width=3)
                continue
            if not math.isfinite(shown[j, i]):
                draw.rectangle(box, outline=DIVERGED)
                continue
            colour = LOOKUP[int((shown[j, i] - low) / (high - low) * 255)]
            draw.rectangle(box, fill=tuple(int(c) for c in colour))
            ink = (0, 0, 0) if colour.mean() > 128 else (255, 255, 255)
            draw.text((x0 + cell / 2, y0 + cell / 2), f"{grid[j, i]:.2g}", fill=ink, font=font, anchor="mm")
    for i, value in enumerate(sweep.x_values):
        draw.text(
            (left + (i + 0.5) * cell, top + ny * cell + 4),
            value_label(value),
            fill=(60, 60, 60),
            font=font,
            anchor="mt",
        )
    draw.text(
        (left + nx * cell / 2, height - 4), KNOBS[sweep.x].label, fill=(60, 60, 60), font=font, anchor="mb"
    )
    for j, value in enumerate(sweep.y_values):
        y = top + (ny - 1 - j + 0.5) * cell
        draw.text((left - 6, y), value_label(value), fill=(60, 60, 60), font=font, anchor="rm")
    draw.text((4, top + 2), KNOBS[sweep.y].label, fill=(60, 60, 60), font=font, anchor="lt")
    return np.asarray(picture)
