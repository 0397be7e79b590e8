"""Figures of the Loss functions page: a loss and its gradient, BCE's saturation, and outlier fits."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import NEUTRAL, POSITIVE, SERIES, base_layout
from core.training.losses import Curve, OutlierFit, Saturation


def curve_figure(curve: Curve, name: str) -> go.Figure:
    """The loss (top) and its derivative d loss / d prediction (bottom) against the prediction."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_trace(
        go.Scatter(
            x=np.asarray(curve.x), y=np.asarray(curve.loss), name=f"{name} loss", line={"color": SERIES[0]}
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(curve.x),
            y=np.asarray(curve.gradient),
            name="gradient (autograd)",
            line={"color": SERIES[1]},
        ),
        2,
        1,
    )
    fig.update_xaxes(title=curve.x_label, row=2, col=1)
    fig.update_yaxes(title="loss", row=1, col=1)
    fig.update_yaxes(title=f"d loss / d {curve.symbol}", row=2, col=1)
    return base_layout(fig, height=460)


def saturation_figure(sat: Saturation, target: float) -> go.Figure:
    """BCELoss on a float32 sigmoid against BCEWithLogitsLoss and the exact loss, and both gradients."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_trace(
        go.Scatter(
            x=np.asarray(sat.z),
            y=np.asarray(sat.exact),
            name="exact (float64)",
            line={"color": NEUTRAL, "width": 6},
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(sat.z),
            y=np.asarray(sat.with_logits),
            name="BCEWithLogitsLoss(z)",
            line={"color": SERIES[1]},
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(sat.z),
            y=np.asarray(sat.bce),
            name="BCELoss(sigmoid(z))",
            line={"color": POSITIVE, "dash": "dot"},
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(sat.z),
            y=np.asarray(sat.with_logits_gradient),
            line={"color": SERIES[1]},
            showlegend=False,
        ),
        2,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=np.asarray(sat.z),
            y=np.asarray(sat.bce_gradient),
            line={"color": POSITIVE, "dash": "dot"},
            showlegend=False,
        ),
        2,
        1,
    )
    fig.update_xaxes(title=f"logit z (target y = {target:g}), float32", row=2, col=1)
    fig.update_yaxes(title="loss", row=1, col=1)
    fig.update_yaxes(title="d loss / dz", row=2, col=1)
    return base_layout(fig, height=460)


def outlier_figure(fit: OutlierFit) -> go.Figure:
    """The points (the outlier marked) and the line each loss fits."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.asarray(fit.x[:-1]),
            y=np.asarray(fit.y[:-1]),
            mode="markers",
            name="points",
            marker={"color": NEUTRAL, "size": 8},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=fit.x[-1:], y=fit.y[-1:], mode="markers", name="outlier", marker={"color": POSITIVE, "size": 12}
        )
    )
    ends = [min(fit.x), max(fit.x)]
    fig.add_trace(
        go.Scatter(
            x=ends,
            y=[2 * e + 1 for e in ends],
            name="true line 2x + 1",
            line={"color": "#000", "dash": "dot"},
        )
    )
    for colour, (name, (slope, intercept)) in zip(SERIES[1:], fit.lines.items(), strict=False):
        fig.add_trace(
            go.Scatter(x=ends, y=[slope * e + intercept for e in ends], name=name, line={"color": colour})
        )
    fig.update_xaxes(title="x")
    fig.update_yaxes(title="y")
    return base_layout(fig, height=380)
