"""The Forward pass page's figure: one layer's W, x, b, z and a side by side, every number written in."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.basics.forward import LayerTrace
from core.figures.style import DIVERGING, base_layout


def layer_figure(trace: LayerTrace, highlight: tuple[int, int] | None = None) -> go.Figure:
    """W (n_out×n_in), x (n_in), b, z and a (n_out) as annotated heatmaps; `highlight` boxes one cell of W."""
    n_out, n_in = trace.weight.shape
    panels = [
        (f"W ({n_out}×{n_in})", trace.weight),
        (f"x ({n_in})", trace.x[:, None]),
        (f"b ({n_out})", trace.bias[:, None]),
        (f"z = W·x + b ({n_out})", trace.z[:, None]),
        (
            "a = z (no activation)" if trace.activation is None else f"a = {trace.activation}(z)",
            trace.a[:, None],
        ),
    ]
    fig = make_subplots(
        rows=1,
        cols=len(panels),
        column_widths=[max(n_in, 1.5), 1, 1, 1.4, 1.4],
        subplot_titles=[title for title, _ in panels],
        horizontal_spacing=0.04,
    )
    for col, (_, matrix) in enumerate(panels, start=1):
        limit = float(np.abs(matrix).max()) or 1.0
        fig.add_trace(
            go.Heatmap(
                z=matrix,
                colorscale=DIVERGING,
                zmin=-limit,
                zmax=limit,
                showscale=False,
                xgap=2,
                ygap=2,
                text=[[f"{v:.3g}" for v in row] for row in matrix],
                texttemplate="%{text}",
                hovertemplate="row %{y}, col %{x}: %{z:.5f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
    if highlight is not None:
        r, c = highlight
        fig.add_shape(
            type="rect",
            x0=c - 0.5,
            x1=c + 0.5,
            y0=r - 0.5,
            y1=r + 0.5,
            line={"color": "black", "width": 3},
            row=1,
            col=1,
        )
    fig.update_yaxes(autorange="reversed", dtick=1)
    fig.update_xaxes(dtick=1, showticklabels=False)
    fig.update_xaxes(showticklabels=True, side="bottom", row=1, col=1)
    return base_layout(fig, None, 46 * max(n_out, n_in) + 70)
