"""Pictures of the live view's charts: the network and the line charts drawn as RGB arrays with PIL.

While training plays, a page redraws many times a second. An interactive Plotly chart is rebuilt by the
browser on every change, and Streamlit keeps hidden copies of a keyed chart while a redraw is under way, so
the live view shows these pictures instead (the same content, no hover) and the paused view the charts.
"""

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.figures.network import node_positions
from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE

TEXT = (60, 60, 60)
GRID = (225, 225, 225)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _font(size: int = 12) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def network_image(
    weights: list[np.ndarray], width: int = 640, height: int = 300, max_width: int = 8
) -> np.ndarray:
    """The network drawing of core.figures.network as a picture: edges coloured by the weight's sign and as
    wide as its magnitude, a white node per unit, the layer sizes underneath."""
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    positions = node_positions(sizes)
    tallest = max(sizes)
    margin_x, top, bottom = 40, 20, 48

    def at(x: float, y: float) -> tuple[float, float]:
        px = margin_x + x / max(len(sizes) - 1, 1) * (width - 2 * margin_x)
        py = top + ((tallest - 1) / 2 - y) / max(tallest - 1, 1) * (height - top - bottom)
        return px, py

    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    largest = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    for layer, matrix in enumerate(weights):
        for j in range(matrix.shape[0]):
            for i in range(matrix.shape[1]):
                value = float(matrix[j, i])
                line = 1 + round((max_width - 1) * abs(value) / largest) if value else 1
                colour = POSITIVE if value > 0 else NEGATIVE if value < 0 else NEUTRAL
                draw.line(
                    [at(*positions[layer][i]), at(*positions[layer + 1][j])], fill=_rgb(colour), width=line
                )
    radius = min(10, (height - top - bottom) / max(tallest, 1) / 2.5)
    for column in positions:
        for x, y in column:
            px, py = at(x, y)
            draw.ellipse(
                (px - radius, py - radius, px + radius, py + radius),
                fill="white",
                outline=_rgb(NEUTRAL),
                width=2,
            )
    font = _font()
    names = ["input"] + [f"hidden {k}" for k in range(1, len(sizes) - 1)] + ["output"]
    for k, (name, size) in enumerate(zip(names, sizes, strict=True)):
        px, _ = at(k, 0)
        draw.text((px, height - bottom + 8), f"{name} ({size})", fill=TEXT, font=font, anchor="mt")
    return np.asarray(picture)


def line_chart_image(
    series: list[tuple[str, np.ndarray, str]],
    right: tuple[str, np.ndarray, str] | None = None,
    width: int = 480,
    height: int = 300,
    x_label: str = "epoch",
    y_label: str = "",
    max_points: int = 600,
) -> np.ndarray:
    """Line chart over epochs 1..n as a picture: each (name, values, colour) of `series` on a log-scale left
    axis, `right` (name, values in [0, 1], colour) as a percentage on a right axis, a legend on top."""
    left, right_margin, top, bottom = 62, 48 if right else 16, 30, 42
    plot_w, plot_h = width - left - right_margin, height - top - bottom
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    font = _font()
    n = max((len(v) for _, v, _ in series), default=0)
    positive = np.concatenate([v[np.isfinite(v) & (v > 0)] for _, v, _ in series] or [np.empty(0)])
    low, high = (
        (math.floor(math.log10(positive.min())), math.ceil(math.log10(positive.max())))
        if len(positive)
        else (-3, 0)
    )
    high = max(high, low + 1)

    def x_at(epoch: np.ndarray) -> np.ndarray:
        return left + (epoch - 1) / max(n - 1, 1) * plot_w

    def y_log(values: np.ndarray) -> np.ndarray:
        return top + (high - np.log10(values)) / (high - low) * plot_h

    for power in range(low, high + 1):
        y = float(y_log(np.array(10.0**power)))
        draw.line([(left, y), (left + plot_w, y)], fill=GRID)
        draw.text((left - 6, y), f"1e{power}", fill=TEXT, font=font, anchor="rm")
    for epoch in _ticks(n):
        x = float(x_at(np.array(epoch)))
        draw.text((x, top + plot_h + 6), f"{epoch:,}", fill=TEXT, font=font, anchor="mt")
    draw.rectangle((left, top, left + plot_w, top + plot_h), outline=GRID)
    draw.text((left + plot_w / 2, height - 4), x_label, fill=TEXT, font=font, anchor="mb")
    draw.text((4, top - 10), y_label, fill=TEXT, font=font, anchor="lm")
    index = (
        np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int)) if n else np.empty(0, int)
    )
    for _, values, colour in series:
        _polyline(draw, x_at(index + 1), y_log(np.where(values[index] > 0, values[index], np.nan)), colour)
    if right is not None:
        _, values, colour = right
        for share in (0.0, 0.5, 1.0):
            draw.text(
                (left + plot_w + 6, top + (1 - share) * plot_h),
                f"{share:.0%}",
                fill=TEXT,
                font=font,
                anchor="lm",
            )
        _polyline(draw, x_at(index + 1), top + (1 - values[index]) * plot_h, colour)
    x = left
    for name, _, colour in [*series, *([right] if right else [])]:
        draw.line([(x, 12), (x + 16, 12)], fill=_rgb(colour), width=3)
        draw.text((x + 20, 12), name, fill=TEXT, font=font, anchor="lm")
        x += 34 + draw.textlength(name, font=font)
    return np.asarray(picture)


def _polyline(draw: ImageDraw.ImageDraw, xs: np.ndarray, ys: np.ndarray, colour: str) -> None:
    """Connect the finite points in order; a NaN breaks the line."""
    run: list[tuple[float, float]] = []
    for x, y in zip(xs, ys, strict=True):
        if np.isfinite(y):
            run.append((float(x), float(y)))
            continue
        if len(run) > 1:
            draw.line(run, fill=_rgb(colour), width=2)
        run = []
    if len(run) > 1:
        draw.line(run, fill=_rgb(colour), width=2)


def _ticks(n: int) -> list[int]:
    """About five round epoch numbers from 1 to n for the x axis."""
    if n <= 1:
        return [1]
    step = 10 ** math.floor(math.log10(max(n / 5, 1)))
    step *= next(m for m in (1, 2, 5, 10) if n / (step * m) <= 6)
    return [1, *range(step, n + 1, step)] if step > 1 else list(range(1, n + 1))
