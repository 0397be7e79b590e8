"""Image-classification figures: top-k probabilities as bars, a Grad-CAM heat map over the model's input."""

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from core.figures.style import NEUTRAL, POSITIVE, base_layout
from core.vision.inference import TopClass


def topk_bars(
    predictions: list[TopClass], title: str | None = None, highlight: int | None = None
) -> go.Figure:
    """Bars of the top-k probabilities, most probable on top; `highlight` (an ImageNet index) stands out."""
    labels = [f"{p.label} ({p.index})" for p in predictions]
    colours = [POSITIVE if highlight is None or p.index == highlight else NEUTRAL for p in predictions]
    fig = go.Figure(
        go.Bar(
            x=[p.prob for p in predictions],
            y=labels,
            orientation="h",
            marker_color=colours,
            text=[f"{p.prob:.1%}" for p in predictions],
            textposition="auto",
            hovertemplate="%{y}<br>probability %{x:.2%}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title="probability", range=[0, 1], tickformat=".0%")
    base_layout(fig, title, height=90 + 32 * len(predictions))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 50 if title else 10, "b": 40})
    return fig


def gradcam_overlay(
    crop: Image.Image, cam: np.ndarray, title: str | None = None, opacity: float = 0.45
) -> go.Figure:
    """The picture the model saw, the Grad-CAM map (values in [0, 1]) over it as a translucent heat map."""
    fig = go.Figure(go.Image(z=np.asarray(crop), hoverinfo="skip"))
    fig.add_trace(
        go.Heatmap(
            z=cam,
            colorscale="Jet",
            zmin=0,
            zmax=1,
            opacity=opacity,
            colorbar={"title": {"text": "evidence"}, "thickness": 12},
            hovertemplate="x=%{x}, y=%{y}<br>Grad-CAM %{z:.2f}<extra></extra>",
        )
    )
    # Ranges fixed to the pixel grid and the domain (not the ranges) adjusted to keep pixels square: the
    # picture fills its plot area at any column width.
    height, width = cam.shape
    fig.update_xaxes(visible=False, range=[-0.5, width - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[height - 0.5, -0.5], scaleanchor="x", constrain="domain")
    base_layout(fig, title, height=380)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0})
    return fig
