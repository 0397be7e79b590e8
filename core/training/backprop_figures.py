"""Figures of the Backpropagation page: the 2-3-1 network's computation graph and a loss curve."""

import numpy as np
import plotly.graph_objects as go

from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE, SERIES, base_layout
from core.training.backprop import Trace

# Where each node of the graph sits: inputs, pre-activations, activations, output, loss.
POSITIONS = {
    "x1": (0, 1.5),
    "x2": (0, 0.5),
    **{f"z{j}": (1, 2 - j) for j in range(3)},
    **{f"h{j}": (2, 2 - j) for j in range(3)},
    "ŷ": (3, 1),
    "L": (4, 1),
}
EDGES = [
    *((x, f"z{j}") for j in range(3) for x in ("x1", "x2")),
    *((f"z{j}", f"h{j}") for j in range(3)),
    *((f"h{j}", "ŷ") for j in range(3)),
    ("ŷ", "L"),
]


def graph_figure(trace: Trace, inputs: tuple[float, float], shown: int, backward: bool) -> go.Figure:
    """The computation graph with the first `shown` forward nodes valued; with `backward`, ∂L/∂node too.

    The node computed last is drawn larger, so stepping through the forward pass moves a highlight."""
    values = {"x1": inputs[0], "x2": inputs[1]} | {n.name: n.value for n in trace.nodes[:shown]}
    current = trace.nodes[shown - 1].name if 0 < shown <= len(trace.nodes) and not backward else None
    fig = go.Figure()
    for a, b in EDGES:
        (xa, ya), (xb, yb) = POSITIONS[a], POSITIONS[b]
        fig.add_trace(
            go.Scatter(
                x=[xa, xb],
                y=[ya, yb],
                mode="lines",
                line={"color": NEUTRAL if b not in values else SERIES[1], "width": 1.5},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    names = list(POSITIONS)
    labels = []
    for name in names:
        text = f"<b>{name}</b>"
        if name in values:
            text += f"<br>{values[name]:.4f}"
        if backward and name in trace.node_gradients:
            text += f"<br><span style='color:{POSITIVE}'>∂L/∂{name} = {trace.node_gradients[name]:.4f}</span>"
        labels.append(text)
    fig.add_trace(
        go.Scatter(
            x=[POSITIONS[n][0] for n in names],
            y=[POSITIONS[n][1] for n in names],
            mode="markers+text",
            text=labels,
            textposition="top center",
            marker={
                "size": [34 if n == current else 22 for n in names],
                "color": [
                    POSITIVE if n == current else (SERIES[1] if n in values else "#ffffff") for n in names
                ],
                "line": {"color": NEGATIVE, "width": 2},
            },
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_xaxes(visible=False, range=[-0.4, 4.4])
    fig.update_yaxes(visible=False, range=[-0.5, 2.9])
    return base_layout(fig, height=380)


def loss_curve_figure(losses: list[float], title: str = "Training loss") -> go.Figure:
    """Loss against epoch on a log axis (a loss of 0 is drawn at the axis floor by plotly)."""
    fig = go.Figure(
        go.Scatter(
            x=np.arange(1, len(losses) + 1),
            y=np.asarray(losses),
            mode="lines",
            line={"color": SERIES[0]},
            name="loss",
        )
    )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="loss", type="log")
    return base_layout(fig, title=title, height=320)
