"""Figures of the Optimizers page: trajectories on a contour plot, loss against step, and the network race."""

import math

import numpy as np
import plotly.graph_objects as go
import torch

from core.figures.style import SERIES, base_layout
from core.training.optim_race import FUNCTIONS, RaceSnapshot, Trajectory

MAX_POINTS = 400  # points drawn per trajectory: a 10,000-step path is thinned to this many (its end kept)


def colour(names: list[str], name: str) -> str:
    """The same colour for an optimizer in every figure of the page."""
    return SERIES[names.index(name) % len(SERIES)]


def _thin(values: list, upto: int) -> tuple[list[int], list]:
    """Indices and values of the first `upto` + 1 entries, thinned evenly to at most MAX_POINTS."""
    values = values[: upto + 1]
    stride = max(1, math.ceil(len(values) / MAX_POINTS))
    index = list(range(0, len(values), stride))
    if index and index[-1] != len(values) - 1:
        index.append(len(values) - 1)
    return index, [values[i] for i in index]


def contour_figure(function: str, runs: dict[str, Trajectory], upto: int, order: list[str]) -> go.Figure:
    """The function's contours (log scale), each optimizer's path up to step `upto` and where it is then."""
    test = FUNCTIONS[function]
    xs = torch.linspace(*test.x_range, 160, dtype=torch.float64)
    ys = torch.linspace(*test.y_range, 160, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")  # (160, 160) each, rows along y
    z = torch.log10(test.f(gx, gy) - test.lowest + 1e-3)
    fig = go.Figure(
        go.Contour(
            x=xs.numpy(),  # numpy arrays: plotly validates them at once, nested lists value by value
            y=ys.numpy(),
            z=z.numpy(),
            colorscale="Greys",
            reversescale=True,
            showscale=False,
            ncontours=30,
            opacity=0.55,
            hoverinfo="skip",
        )
    )
    for name, run in runs.items():
        _, points = _thin(run.points, upto)
        path = np.array(points)  # (P, 2)
        fig.add_trace(
            go.Scatter(
                x=path[:, 0],
                y=path[:, 1],
                mode="lines",
                name=name,
                line={"color": colour(order, name), "width": 2},
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[points[-1][0]],
                y=[points[-1][1]],
                mode="markers",
                marker={"color": colour(order, name), "size": 10},
                showlegend=False,
                hovertext=name,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[test.minimum[0]],
            y=[test.minimum[1]],
            mode="markers",
            name="minimum",
            marker={"symbol": "star", "size": 16, "color": "#000"},
        )
    )
    fig.update_xaxes(range=list(test.x_range), title="x")
    fig.update_yaxes(range=list(test.y_range), title="y")
    return base_layout(fig, height=520, revision=function)


def race_loss_figure(function: str, runs: dict[str, Trajectory], upto: int, order: list[str]) -> go.Figure:
    """f − f(minimum) against step on a log axis, with the step the contour plot shows marked."""
    lowest = FUNCTIONS[function].lowest
    fig = go.Figure()
    for name, run in runs.items():
        steps, values = _thin(run.values, len(run.values))
        fig.add_trace(
            go.Scatter(
                x=np.array(steps),
                y=np.maximum(np.array(values) - lowest, 1e-16),
                mode="lines",
                name=name,
                line={"color": colour(order, name)},
            )
        )
    fig.add_vline(x=upto, line={"color": "#888", "dash": "dot"})
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="f − f(minimum)", type="log")
    return base_layout(fig, height=360)


def network_race_figure(snapshot: RaceSnapshot, order: list[str], smooth: int = 20) -> go.Figure:
    """Each optimizer's minibatch loss against step, as a moving average over `smooth` steps."""
    fig = go.Figure()
    for name, losses in snapshot.losses.items():
        if not losses:
            continue
        sums = [0.0]
        for v in losses:
            sums.append(sums[-1] + v)
        averaged = [
            (sums[i + 1] - sums[max(0, i + 1 - smooth)]) / min(i + 1, smooth) for i in range(len(losses))
        ]
        steps, values = _thin(averaged, len(averaged))
        fig.add_trace(
            go.Scatter(
                x=[s + 1 for s in steps],
                y=values,
                mode="lines",
                name=name,
                line={"color": colour(order, name)},
            )
        )
    fig.update_xaxes(title="step (one minibatch for every optimizer)", range=[0, snapshot.total_steps])
    fig.update_yaxes(title=f"training loss (mean of the last {smooth} minibatches)", type="log")
    return base_layout(fig, height=380)
