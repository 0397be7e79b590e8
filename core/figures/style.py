"""Colours and layout defaults every figure shares, so pages look like one app."""

import plotly.graph_objects as go

POSITIVE = "#e4572e"  # weights > 0, class 1
NEGATIVE = "#2e86ab"  # weights < 0, class 0
NEUTRAL = "#9aa5b1"
DIVERGING = [[0.0, NEGATIVE], [0.5, "#f7f7f7"], [1.0, POSITIVE]]
SERIES = ["#e4572e", "#2e86ab", "#76b041", "#f2a541", "#8e6c8a", "#17bebb", "#c5283d", "#4f5d75"]


def base_layout(
    fig: go.Figure, title: str | None = None, height: int = 360, revision: str | None = None
) -> go.Figure:
    """Apply shared margins and height; `revision` (uirevision) keeps the user's zoom across redraws."""
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 40, "r": 20, "t": 50 if title else 20, "b": 40},
        template="plotly_white",
        uirevision=revision,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return fig
