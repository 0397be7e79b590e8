"""Figures of the learning-rate schedules page: the schedules' curves, loss with the rate overlaid, and
the LR range test."""

import numpy as np
import plotly.graph_objects as go

from core.figures.style import NEUTRAL, SERIES, base_layout


def schedules_figure(curves: dict[str, list[float]], chosen: str, log_y: bool = False) -> go.Figure:
    """Learning rate against epoch for every schedule; the chosen one drawn thick, the others faint."""
    fig = go.Figure()
    for i, (name, lrs) in enumerate(curves.items()):
        picked = name == chosen
        fig.add_scatter(
            x=np.arange(len(lrs)),
            y=lrs,
            name=name,
            mode="lines",
            line={"width": 4 if picked else 1.5, "color": SERIES[i % len(SERIES)]},
            opacity=1.0 if picked else 0.45,
            hovertemplate=f"{name}<br>epoch %{{x}}<br>lr %{{y:.4g}}<extra></extra>",
        )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title="learning rate", type="log" if log_y else "linear")
    return base_layout(fig, height=380, revision="schedules")


def loss_and_lr_figure(snap: dict, epochs: int, schedule: str) -> go.Figure:
    """Training loss per epoch of the scheduled run and its constant-rate twin (log scale, left), with the
    scheduled learning rate on a second axis (right)."""
    x = np.arange(1, len(snap["loss"]) + 1)
    fig = go.Figure()
    fig.add_scatter(
        x=x, y=snap["loss"], name=f"loss with {schedule}", line={"color": SERIES[0], "width": 2.5}
    )
    fig.add_scatter(
        x=x, y=snap["constant_loss"], name="loss at constant rate", line={"color": NEUTRAL, "width": 1.5}
    )
    fig.add_scatter(
        x=x,
        y=snap["lr"],
        name="learning rate",
        yaxis="y2",
        line={"color": SERIES[1], "dash": "dot", "width": 2},
    )
    fig.update_layout(
        xaxis={"title": "epoch", "range": [0, epochs + 1]},
        yaxis={"title": "mean training loss (log)", "type": "log"},
        yaxis2={
            "title": "learning rate (log)",
            "overlaying": "y",
            "side": "right",
            "type": "log",
            "dtick": 1,
        },
    )
    return base_layout(fig, height=380, revision="schedule_loss")


def range_test_figure(
    lrs: np.ndarray, losses: np.ndarray, smoothed: np.ndarray, marks: dict[str, float]
) -> go.Figure:
    """Minibatch loss against an exponentially growing learning rate (log x), raw and smoothed, with a
    vertical line at each suggested rate."""
    fig = go.Figure()
    fig.add_scatter(x=lrs, y=losses, name="minibatch loss", mode="lines", line={"color": NEUTRAL, "width": 1})
    fig.add_scatter(x=lrs, y=smoothed, name="smoothed", mode="lines", line={"color": SERIES[0], "width": 2.5})
    top = max(1.0, float(np.nanmin(smoothed)) * 4)
    for (label, lr), colour in zip(marks.items(), SERIES[1:], strict=False):
        fig.add_scatter(  # a vertical line as a trace: exact on a log axis, and it gets a legend entry
            x=[lr, lr],
            y=[0, top],
            name=f"{label}: {lr:.3g}",
            mode="lines",
            line={"color": colour, "dash": "dash"},
        )
    fig.update_xaxes(title="learning rate (log)", type="log")
    fig.update_yaxes(title="loss", range=[0, top])
    return base_layout(fig, height=360, revision="range_test")
