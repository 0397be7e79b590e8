"""Heatmaps of a function over the two-dimensional input plane."""

import numpy as np
import plotly.graph_objects as go

from core.figures.style import DIVERGING, base_layout


def plane_heatmap(
    axis: np.ndarray,
    values: np.ndarray,
    title: str | None = None,
    zmid: float | None = 0.0,
    height: int = 360,
    colorbar_title: str = "output",
    revision: str | None = None,
) -> go.Figure:
    """A (R, R) grid of values over a square input plane, x1 across and x2 up; `revision` keeps zoom."""
    fig = go.Figure(
        go.Heatmap(
            x=axis,
            y=axis,
            z=values,
            colorscale=DIVERGING,
            zmid=zmid,
            colorbar={"title": {"text": colorbar_title}},
            hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>value=%{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="x1", constrain="domain")
    fig.update_yaxes(title="x2", scaleanchor="x", constrain="domain")
    return base_layout(fig, title, height, revision)
