"""The network drawing: nodes per layer, edges coloured by the weight's sign and as wide as its magnitude."""

import numpy as np
import plotly.graph_objects as go

from core.figures.heatmaps import plane_heatmap
from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE, base_layout


def node_positions(sizes: list[int]) -> list[list[tuple[float, float]]]:
    """(x, y) of every node: one column per layer, each column centred vertically."""
    return [[(float(i), (n - 1) / 2 - j) for j in range(n)] for i, n in enumerate(sizes)]


def network_figure(
    weights: list[np.ndarray],
    layer_names: list[str] | None = None,
    max_width: int = 8,
    height: int = 380,
    revision: str | None = None,
) -> go.Figure:
    """Draw a fully connected network from its weight matrices, each (n_out, n_in), input layer first.

    Edges are grouped into one trace per (sign, width) bucket, the same traces whatever the weights, so even
    a large network is a handful of traces, and `update_network` can redraw it by changing only their data.
    """
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    positions = node_positions(sizes)
    fig = go.Figure()
    for colour, width in _buckets(max_width):
        fig.add_trace(
            go.Scatter(
                mode="lines",
                line={"color": colour, "width": width},
                opacity=0.75,
                hoverinfo="skip",
                showlegend=False,
            )
        )
    names = layer_names or (["input"] + [f"hidden {k}" for k in range(1, len(sizes) - 1)] + ["output"])
    node_x = [x for column in positions for x, _ in column]
    node_y = [y for column in positions for _, y in column]
    labels = [f"{names[k]} · unit {j}" for k, column in enumerate(positions) for j in range(len(column))]
    fig.add_trace(
        go.Scatter(
            x=node_x,
            y=node_y,
            mode="markers",
            hovertext=labels,
            hoverinfo="text",
            marker={"size": 22, "color": "white", "line": {"color": NEUTRAL, "width": 2}},
            showlegend=False,
        )
    )
    fig.update_xaxes(
        tickvals=list(range(len(sizes))),
        ticktext=[f"{n}<br>({s})" for n, s in zip(names, sizes, strict=True)],
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(visible=False)
    return update_network(base_layout(fig, None, height, revision), weights, max_width)


def update_network(fig: go.Figure, weights: list[np.ndarray], max_width: int = 8) -> go.Figure:
    """Redraw the edges of a `network_figure` of the same shape for new weights: colour by sign, width by
    magnitude relative to the largest weight."""
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    positions = node_positions(sizes)
    largest = max((float(np.abs(w).max()) for w in weights if w.size), default=1.0) or 1.0
    lines: dict[tuple[str, int], tuple[list[float | None], list[float | None]]] = {
        bucket: ([], []) for bucket in _buckets(max_width)
    }
    for layer, matrix in enumerate(weights):
        for j in range(matrix.shape[0]):
            for i in range(matrix.shape[1]):
                value = float(matrix[j, i])
                width = 1 + round((max_width - 1) * abs(value) / largest)
                colour = POSITIVE if value > 0 else NEGATIVE if value < 0 else NEUTRAL
                xs, ys = lines[(colour, width if value else 1)]
                (x0, y0), (x1, y1) = positions[layer][i], positions[layer + 1][j]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
    with fig.batch_update():
        for trace, (xs, ys) in zip(fig.data, lines.values(), strict=False):
            trace.x, trace.y = xs, ys
    return fig


def _buckets(max_width: int) -> list[tuple[str, int]]:
    """The edge traces of a network figure: one per sign and width (a zero weight is thin and grey)."""
    return [(NEUTRAL, 1)] + [(colour, w) for colour in (POSITIVE, NEGATIVE) for w in range(1, max_width + 1)]


def neuron_figure(
    axis: np.ndarray,
    response: np.ndarray,
    point: tuple[float, float],
    boundary: tuple[list[float], list[float]] | None,
    colorbar_title: str = "a",
) -> go.Figure:
    """One neuron's output over the input plane, with its input marked (x) and its boundary z = 0 drawn."""
    fig = plane_heatmap(
        axis,
        response,
        "Output over the input plane (x: your input, dashed: z = 0)",
        zmid=None,
        height=420,
        colorbar_title=colorbar_title,
    )
    if boundary is not None:
        fig.add_scatter(
            x=boundary[0],
            y=boundary[1],
            mode="lines",
            line={"color": "black", "dash": "dash", "width": 2},
            name="z = 0",
            showlegend=False,
            hoverinfo="skip",
        )
    fig.add_scatter(
        x=[point[0]],
        y=[point[1]],
        mode="markers",
        marker={"symbol": "x", "size": 14, "color": "black"},
        showlegend=False,
        hoverinfo="skip",
    )
    low, high = float(axis[0]), float(axis[-1])
    fig.update_xaxes(range=[low, high])
    fig.update_yaxes(range=[low, high])
    return fig
