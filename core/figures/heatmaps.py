"""Heatmaps: a function over the input plane, and a matrix with its numbers written in."""

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
) -> go.Figure:
    """A (R, R) grid of values over a square input plane, x1 across and x2 up."""
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
    return base_layout(fig, title, height)


def matrix_heatmap(
    matrix: np.ndarray,
    title: str,
    row_labels: list[str] | None = None,
    col_labels: list[str] | None = None,
    height: int | None = None,
    highlight: tuple[int, int] | None = None,
) -> go.Figure:
    """A matrix (or a column vector) as coloured cells with each value written in; rows top to bottom."""
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    rows, cols = matrix.shape
    row_labels = row_labels or [str(i) for i in range(rows)]
    col_labels = col_labels or [str(j) for j in range(cols)]
    limit = float(np.abs(matrix).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=col_labels,
            y=row_labels,
            colorscale=DIVERGING,
            zmin=-limit,
            zmax=limit,
            text=[[f"{v:.3g}" for v in row] for row in matrix],
            texttemplate="%{text}",
            showscale=False,
            hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    if highlight is not None:
        r, c = highlight
        fig.add_shape(
            type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line={"color": "black", "width": 3}
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category", side="top")
    base_layout(fig, title, height or max(120, 38 * rows + 70))
    fig.update_layout(margin={"l": 40, "r": 10, "t": 60, "b": 10})
    return fig
