"""Figures of a loss-landscape slice: contours of log₁₀ loss and the path, as a chart and a picture."""

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from core.figures.style import NEGATIVE, POSITIVE, base_layout
from core.playground.landscape import Slice
from core.playground.sweep_figures import COLOURSCALE, LOOKUP

LEVELS = 14  # contour bands
PATH = POSITIVE
OTHER = NEGATIVE


def axis_titles(s: Slice) -> tuple[str, str]:
    """What α and β move along: the filter-normalised random directions, or the path's two principal
    directions with the share of its variance each explains."""
    if s.directions == "PCA":
        return (f"α: 1st PCA direction ({s.explained[0]:.0%} of the path)", f"β: 2nd ({s.explained[1]:.0%})")
    return "α along random direction d₁ (filter-normalised)", "β along d₂"


def _log_losses(s: Slice) -> np.ndarray:
    return np.log10(np.clip(np.nan_to_num(s.losses, nan=np.inf, posinf=1e300), 1e-12, 1e300))


def landscape_figure(
    s: Slice,
    revision: str,
    height: int = 480,
    names: tuple[str, str] = ("path", "B"),
    colours: tuple[str, str] = (PATH, OTHER),
) -> go.Figure:
    """Filled contours of log₁₀ loss over (α, β); the path from its first snapshot (○) to θ now (★), and a
    fork's other run's path to its weights now (◆) when the slice has one. `names` and `colours` are the
    two paths'."""
    z = _log_losses(s)
    finite = z[np.isfinite(z)]
    top = (
        float(np.percentile(finite, 98)) if len(finite) else 1.0
    )  # a blown-up corner must not flatten the rest
    fig = go.Figure(
        go.Contour(
            x=s.alphas,
            y=s.betas,
            z=np.minimum(z, top),
            colorscale=COLOURSCALE,
            ncontours=LEVELS,
            colorbar={"title": {"text": f"log₁₀ {s.surface} loss"}},
            hovertemplate="α=%{x:.3f}<br>β=%{y:.3f}<br>log₁₀ loss=%{z:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=s.path[:, 0],
            y=s.path[:, 1],
            mode="lines+markers",
            name=names[0],
            line={"color": colours[0], "width": 2},
            marker={"size": 4, "color": colours[0]},
            customdata=s.path_epochs,
            hovertemplate="epoch %{customdata}<br>α=%{x:.3f}, β=%{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[s.path[0, 0]],
            y=[s.path[0, 1]],
            mode="markers",
            name=f"epoch {s.path_epochs[0]}",
            marker={"symbol": "circle-open", "size": 11, "color": "white", "line": {"width": 2}},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            name=f"θ now (epoch {s.epoch})",
            marker={"symbol": "star", "size": 15, "color": "white", "line": {"color": "black", "width": 1}},
        )
    )
    if s.other is not None:
        fig.add_trace(
            go.Scatter(
                x=s.other[:, 0],
                y=s.other[:, 1],
                mode="lines",
                name=names[1],
                line={"color": colours[1], "width": 2},
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=s.other[-1:, 0],
                y=s.other[-1:, 1],
                mode="markers",
                name=f"{names[1]} now",
                marker={
                    "symbol": "diamond",
                    "size": 12,
                    "color": colours[1],
                    "line": {"color": "white", "width": 1},
                },
            )
        )
    x_title, y_title = axis_titles(s)
    fig.update_xaxes(title=x_title, range=[s.alphas[0], s.alphas[-1]])
    fig.update_yaxes(title=y_title, range=[s.betas[0], s.betas[-1]])
    return base_layout(fig, None, height, revision)


def landscape_image(s: Slice, size: int = 360, colours: tuple[str, str] = (PATH, OTHER)) -> np.ndarray:
    """The same slice as a picture for the live view: banded colours (the contours), the paths and θ now."""
    z = _log_losses(s)
    finite = z[np.isfinite(z)]
    low, high = (float(finite.min()), float(np.percentile(finite, 98))) if len(finite) else (0.0, 1.0)
    bands = np.floor((np.clip(z, low, high) - low) / max(high - low, 1e-12) * (LEVELS - 1e-9)) / (LEVELS - 1)
    pixels = LOOKUP[(bands * 255).astype(int)][::-1]  # (n, n, 3), β up
    picture = Image.fromarray(pixels).resize((size, size), Image.Resampling.NEAREST)
    draw = ImageDraw.Draw(picture)

    def at(alpha: float, beta: float) -> tuple[float, float]:
        x = (alpha - s.alphas[0]) / (s.alphas[-1] - s.alphas[0]) * size
        y = (s.betas[-1] - beta) / (s.betas[-1] - s.betas[0]) * size
        return float(x), float(y)

    if s.other is not None:
        other = [at(a, b) for a, b in s.other]
        draw.line(other, fill=colours[1], width=2)
        x, y = other[-1]
        draw.regular_polygon((x, y, 6), 4, fill=colours[1], outline="white")
    points = [at(a, b) for a, b in s.path]
    if len(points) > 1:
        draw.line(points, fill=colours[0], width=2)
    x, y = points[0]
    draw.ellipse((x - 5, y - 5, x + 5, y + 5), outline="white", width=2)
    x, y = at(0.0, 0.0)
    draw.regular_polygon((x, y, 8), 5, fill="white", outline="black")
    font = ImageFont.load_default(size=11)
    draw.text((4, size - 4), f"log10 loss {low:.2f} to {high:.2f}", fill="white", font=font, anchor="lb")
    return np.asarray(picture)
