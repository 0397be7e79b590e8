"""Figures for the Activation functions page: curves with their derivatives, and softmax."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import SERIES, base_layout


def activation_figure(
    x: np.ndarray,
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    saturated: dict[str, list[tuple[float, float]]] | None = None,
    flat_points: dict[str, list[float]] | None = None,
) -> go.Figure:
    """f(x) on the left, f'(x) on the right for each curve; its saturated intervals shaded in its colour,
    its flat points (minima, where f' crosses 0) marked by a dotted vertical line in its colour."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("f(x)", "f′(x)  (autograd)"), horizontal_spacing=0.08)
    for k, (name, (y, dy)) in enumerate(curves.items()):
        colour = SERIES[k % len(SERIES)]
        fig.add_trace(
            go.Scatter(x=x, y=y, name=name, line={"color": colour, "width": 2.5}, legendgroup=name),
            row=1,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=dy,
                name=f"{name}′",
                line={"color": colour, "width": 2.5, "dash": "dot"},
                legendgroup=name,
                showlegend=False,
            ),
            row=1,
            col=2,
        )
    colours = {name: SERIES[k % len(SERIES)] for k, name in enumerate(curves)}
    for name, intervals in (saturated or {}).items():
        for start, end in intervals:
            for col in (1, 2):
                fig.add_vrect(
                    x0=start, x1=end, fillcolor=colours[name], opacity=0.08, line_width=0, row=1, col=col
                )
    for name, points in (flat_points or {}).items():
        for point in points:
            for col in (1, 2):
                fig.add_vline(
                    x=point, line={"color": colours[name], "dash": "dot", "width": 1.5}, row=1, col=col
                )
    fig.update_xaxes(title="x", zeroline=True)
    base_layout(fig, None, 400)
    fig.update_layout(legend={"y": 1.15}, margin={"t": 70})
    return fig


def softmax_figure(
    labels: list[str], logits: np.ndarray, probabilities: np.ndarray, temperature: float
) -> go.Figure:
    """Logits beside the softmax probabilities they turn into at the given temperature."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("logits z", f"softmax(z / {temperature:g})"))
    fig.add_trace(go.Bar(x=labels, y=logits, marker_color=SERIES[1], showlegend=False), row=1, col=1)
    fig.add_trace(
        go.Bar(
            x=labels,
            y=probabilities,
            marker_color=SERIES[0],
            showlegend=False,
            text=[f"{p:.2f}" for p in probabilities],
            textposition="outside",
        ),
        row=1,
        col=2,
    )
    fig.update_yaxes(range=[0, 1.1], row=1, col=2)
    return base_layout(fig, None, 320)
