"""Figures of the RNN page: training curves, gradient norms and clipping, hidden states and gates over time,
gradients through time per cell, and forecasts."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import DIVERGING, NEGATIVE, NEUTRAL, POSITIVE, SERIES, base_layout


def training_figure(
    losses: np.ndarray,
    eval_steps: np.ndarray,
    metric: np.ndarray,
    metric_name: str,
    baseline: float | None = None,
    baseline_name: str = "",
    loss_name: str = "training loss",
    height: int = 320,
) -> go.Figure:
    """Training loss (or what `loss_name` says is plotted) at every step and the test metric where it was
    measured, on a log scale; `baseline` (e.g. the adding problem's 1/6) as a dashed line."""
    fig = go.Figure()
    steps = np.arange(1, len(losses) + 1)
    fig.add_scatter(x=steps, y=losses, name=loss_name, line={"color": NEUTRAL, "width": 1})
    fig.add_scatter(x=eval_steps, y=metric, name=metric_name, line={"color": POSITIVE, "width": 2.5})
    if baseline is not None:
        fig.add_hline(y=baseline, line={"dash": "dash", "color": NEGATIVE}, annotation_text=baseline_name)
    fig.update_xaxes(title="step")
    fig.update_yaxes(type="log", title=metric_name, tickformat=".2~g", dtick="D2")  # labels at 1, 2, 5 × 10^k
    return base_layout(fig, None, height, revision="rnn_training")


def clipping_figure(grad_norms: np.ndarray, clip: float, height: int = 280) -> go.Figure:
    """The total gradient norm at every step before clipping, what clipping let through, and the threshold."""
    fig = go.Figure()
    steps = np.arange(1, len(grad_norms) + 1)
    fig.add_scatter(x=steps, y=grad_norms, name="‖g‖ before clipping", line={"color": POSITIVE, "width": 1})
    if clip > 0:
        fig.add_scatter(
            x=steps,
            y=np.minimum(grad_norms, clip),
            name="after clipping",
            line={"color": NEGATIVE, "width": 1},
        )
        fig.add_hline(y=clip, line={"dash": "dash", "color": "black"}, annotation_text=f"max_norm = {clip:g}")
    fig.update_xaxes(title="step")
    fig.update_yaxes(
        type="log", title="gradient norm", tickformat=".2~g", dtick="D2"
    )  # labels at 1, 2, 5 × 10^k
    return base_layout(fig, None, height, revision="rnn_clipping")


def time_heatmap(values: np.ndarray, title: str, zmid: float | None = 0.0, height: int = 300) -> go.Figure:
    """A (T, H) array as a heatmap: time steps across, units up."""
    fig = go.Figure(
        go.Heatmap(
            z=values.T,
            x=np.arange(1, values.shape[0] + 1),
            colorscale=DIVERGING if zmid is not None else "Viridis",
            zmid=zmid,
            hovertemplate="t=%{x}<br>unit %{y}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="time step t")
    fig.update_yaxes(title="unit")
    return base_layout(fig, title, height)


def gates_figure(gates: dict[str, np.ndarray], height: int = 460) -> go.Figure:
    """The LSTM's input, forget and output gates (0..1) and its candidate cell values g (−1..1), each a
    time × units heatmap."""
    names = ("input", "forget", "output", "cell")
    titles = ("input gate i", "forget gate f", "output gate o", "candidate g = tanh(·)")
    fig = make_subplots(rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.08, vertical_spacing=0.16)
    for k, name in enumerate(names):
        values = gates[name]  # (T, H)
        fig.add_trace(
            go.Heatmap(
                z=values.T,
                x=np.arange(1, values.shape[0] + 1),
                zmin=-1 if name == "cell" else 0,
                zmax=1,
                colorscale=DIVERGING if name == "cell" else "Viridis",
                showscale=k in (0, 3),
                colorbar={"len": 0.42, "y": 0.79 if k == 0 else 0.21},
                hovertemplate="t=%{x}<br>unit %{y}<br>%{z:.3f}<extra></extra>",
            ),
            row=k // 2 + 1,
            col=k % 2 + 1,
        )
    return base_layout(fig, None, height)


def gradient_time_figure(curves: dict[str, np.ndarray], height: int = 340) -> go.Figure:
    """‖∂L/∂h_t‖ against t for each labelled model, on a log scale: falling to the left is vanishing."""
    fig = go.Figure()
    for k, (label, norms) in enumerate(curves.items()):
        t = np.arange(1, len(norms) + 1)
        fig.add_scatter(x=t, y=np.maximum(norms, 1e-30), name=label, line={"color": SERIES[k % len(SERIES)]})
    fig.update_xaxes(title="time step t")
    fig.update_yaxes(type="log", title="‖∂L/∂h_t‖", exponentformat="power")
    return base_layout(fig, None, height)


def forecast_figure(
    context: np.ndarray, truth: np.ndarray, one_step: np.ndarray, rolled: np.ndarray, height: int = 340
) -> go.Figure:
    """The test signal: the context the model reads, its one-step predictions, and its roll-out against the
    true continuation."""
    T = len(context)
    fig = go.Figure()
    fig.add_scatter(x=np.arange(T), y=context, name="signal (model reads it)", line={"color": NEUTRAL})
    future = np.arange(T, T + len(truth))
    fig.add_scatter(x=future, y=truth, name="true continuation", line={"color": NEUTRAL, "dash": "dot"})
    fig.add_scatter(
        x=np.arange(1, T + 1), y=one_step, name="one-step prediction", line={"color": NEGATIVE, "width": 1.5}
    )
    fig.add_scatter(x=future, y=rolled, name="roll-out (fed its own predictions)", line={"color": POSITIVE})
    fig.add_vline(x=T - 0.5, line={"dash": "dash", "color": "black"})
    fig.update_xaxes(title="time step")
    return base_layout(fig, None, height)
