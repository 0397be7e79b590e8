"""Figures of the batch norm & dropout page: loss curves, pre-activation histograms over training, train
vs eval outputs, dropout masks and Monte-Carlo dropout over the input plane."""

import numpy as np
import plotly.graph_objects as go

from core.figures.heatmaps import plane_heatmap
from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE, SERIES, base_layout


def curves_figure(series: dict[str, np.ndarray], revision: str, y_title: str = "loss") -> go.Figure:
    """One line per named per-epoch series (epoch 1 first). Names "model · what" share a colour per model;
    series whose name ends in "test" are dashed."""
    models = list(dict.fromkeys(name.split(" · ")[0] for name in series))
    fig = go.Figure()
    for name, values in series.items():
        fig.add_scatter(
            x=np.arange(1, len(values) + 1),
            y=values,
            name=name,
            mode="lines",
            line={
                "color": SERIES[models.index(name.split(" · ")[0]) % len(SERIES)],
                "dash": "dash" if name.endswith("test") else "solid",
            },
        )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title=y_title)
    return base_layout(fig, height=340, revision=revision)


def histograms_figure(histograms: dict[str, np.ndarray], bins: np.ndarray) -> go.Figure:
    """How each hidden layer's pre-activations are distributed in each epoch: one block per model (row)
    and layer (column), epochs across and values up, colour the share of values in each bin. One heatmap
    with blank gaps between the blocks: a single trace draws fast. `histograms[name]` is (E, L, bins)."""
    names = list(histograms)
    epochs, layers, nbins = next(iter(histograms.values())).shape
    gap = max(1, epochs // 8)  # blank columns between layers
    rows = []
    for name in names:
        counts = histograms[name].astype(float)  # (E, L, bins)
        share = counts / np.maximum(counts.sum(axis=2, keepdims=True), 1)
        blank = np.full((nbins, gap), np.nan)
        rows.append(np.hstack([np.hstack([share[:, c, :].T, blank]) for c in range(layers)])[:, :-gap])
        rows.append(np.full((2, rows[-1].shape[1]), np.nan))
    z = np.vstack(rows[:-1])  # (models · bins + gaps, layers · (E + gap) − gap)
    centres = (bins[:-1] + bins[1:]) / 2
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale="Viridis",
            zmin=0,
            zmax=0.3,
            colorbar={"title": {"text": "share"}},
            hoverinfo="skip",
        )
    )
    block = epochs + gap
    fig.update_xaxes(
        tickvals=[c * block + (epochs - 1) / 2 for c in range(layers)],
        ticktext=[f"layer {c + 1}" for c in range(layers)],
        title=f"epochs 1–{epochs} within each layer",
        showgrid=False,
    )
    ticks = [0, nbins // 2, nbins - 1]
    fig.update_yaxes(
        tickvals=[r * (nbins + 2) + t for r in range(len(names)) for t in ticks],
        ticktext=[f"{name} {centres[t]:+.1f}" for name in names for t in ticks],
        title="pre-activation value",
        showgrid=False,
    )
    return base_layout(fig, height=420, revision="bn_histograms")


def train_eval_figure(train: np.ndarray, evaluated: np.ndarray) -> go.Figure:
    """The same inputs' probabilities in train mode (batch statistics) against eval mode (running ones)."""
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line={"color": NEUTRAL, "dash": "dot"}, name="same output"
    )
    fig.add_scatter(
        x=evaluated,
        y=train,
        mode="markers",
        marker={"color": POSITIVE, "size": 8},
        name="probe batch",
        hovertemplate="eval %{x:.3f}<br>train %{y:.3f}<extra></extra>",
    )
    fig.update_xaxes(title="probability, model.eval()", range=[-0.02, 1.02])
    fig.update_yaxes(title="probability, model.train()", range=[-0.02, 1.02])
    return base_layout(fig, height=340, revision="bn_train_eval")


def mask_figure(kept: list[np.ndarray], after: list[np.ndarray]) -> go.Figure:
    """Each Dropout layer (row) and unit (column): the value passed on, with dropped units in grey."""
    width = max(len(k) for k in kept)
    z = np.full((len(kept), width), np.nan)
    dropped = np.full((len(kept), width), np.nan)
    for i, (k, a) in enumerate(zip(kept, after, strict=True)):
        z[i, : len(a)] = np.where(k, a, np.nan)
        dropped[i, : len(k)] = np.where(k, np.nan, 0.0)
    rows = [f"dropout {i + 1}" for i in range(len(kept))]
    fig = go.Figure()
    fig.add_heatmap(
        z=dropped,
        y=rows,
        colorscale=[[0, NEUTRAL], [1, NEUTRAL]],
        showscale=False,
        hoverinfo="skip",
        xgap=1,
        ygap=4,
    )
    fig.add_heatmap(
        z=z,
        y=rows,
        colorscale=[[0, "#f7f7f7"], [1, NEGATIVE]],
        colorbar={"title": "output"},
        xgap=1,
        ygap=4,
        hovertemplate="unit %{x}<br>output %{z:.3f}<extra></extra>",
    )
    fig.update_xaxes(title="unit (grey: dropped)")
    fig.update_yaxes(autorange="reversed")  # the first layer on top
    return base_layout(fig, height=200 + 40 * len(kept), revision="dropout_mask")


def monte_carlo_figures(
    mc: dict[str, np.ndarray], points: np.ndarray, labels: np.ndarray
) -> tuple[go.Figure, go.Figure]:
    """The mean probability over dropout samples and its standard deviation over the plane, with the
    training points on top (class 1 red, class 0 blue)."""
    figures = []
    for key, title, zmid in (("mean", "mean probability", 0.5), ("std", "std over samples", None)):
        fig = plane_heatmap(
            mc["axis"], mc[key], title, zmid=zmid, height=380, colorbar_title=key, revision=f"mc_{key}"
        )
        fig.add_scatter(
            x=points[:, 0],
            y=points[:, 1],
            mode="markers",
            marker={
                "color": np.where(labels > 0.5, POSITIVE, NEGATIVE),
                "size": 7,
                "line": {"color": "black", "width": 1},
            },
            showlegend=False,
            hoverinfo="skip",
        )
        figures.append(fig)
    return figures[0], figures[1]
