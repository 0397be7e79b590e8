"""Transfer-learning figures: class counts, training curves, confusion matrix, per-class accuracy, the
three-way comparison, class probabilities and the 2-D embedding view."""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.style import NEUTRAL, POSITIVE, SERIES, base_layout


def pca_2d(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features (N, D) projected on their first two principal components: points (N, 2) and the share of
    the variance each component explains (2,)."""
    centred = features - features.mean(axis=0, keepdims=True)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    share = variance[:2] / max(variance.sum(), 1e-12)
    return centred @ vt[:2].T, share


def _legend_below(fig: go.Figure) -> go.Figure:
    """Side-by-side subplots have their own titles: the legend goes under the axes, out of their way."""
    fig.update_layout(legend={"y": -0.25, "yanchor": "top"}, margin={"t": 70, "b": 90})
    return fig


def class_counts(classes: list[str], counts: list[int], val_counts: list[int] | None = None) -> go.Figure:
    """Pictures per class; with `val_counts`, split into training and validation."""
    fig = go.Figure()
    if val_counts is None:
        fig.add_bar(x=classes, y=counts, marker_color=POSITIVE, text=counts, name="pictures")
    else:
        train = [c - v for c, v in zip(counts, val_counts, strict=True)]
        fig.add_bar(x=classes, y=train, marker_color=POSITIVE, text=train, name="train")
        fig.add_bar(x=classes, y=val_counts, marker_color=SERIES[1], text=val_counts, name="validation")
        fig.update_layout(barmode="stack")
    fig.update_yaxes(title="pictures")
    fig.update_xaxes(type="category")
    return base_layout(fig, "Pictures per class", height=260)


def training_curves(history: dict[str, list[float]], title: str = "Training") -> go.Figure:
    """Loss (train and validation) and validation accuracy per epoch, side by side."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("cross-entropy loss", "validation accuracy"))
    epochs = list(range(1, len(history["train_loss"]) + 1))
    fig.add_scatter(x=epochs, y=history["train_loss"], name="train loss", line_color=SERIES[0], row=1, col=1)
    fig.add_scatter(
        x=epochs, y=history["val_loss"], name="validation loss", line_color=SERIES[1], row=1, col=1
    )
    fig.add_scatter(
        x=epochs, y=history["val_acc"], name="validation accuracy", line_color=SERIES[2], row=1, col=2
    )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    return _legend_below(base_layout(fig, title, height=340))


def confusion_matrix(counts: np.ndarray, classes: list[str], title: str = "Confusion matrix") -> go.Figure:
    """Counts[i, j] = pictures of class i (row) predicted as class j (column)."""
    fig = go.Figure(
        go.Heatmap(
            z=counts,
            x=classes,
            y=classes,
            colorscale=[[0, "#f7f7f7"], [1, POSITIVE]],
            text=counts,
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
            showscale=False,
        )
    )
    fig.update_xaxes(title="predicted", type="category")
    fig.update_yaxes(title="true class", autorange="reversed", type="category")
    return base_layout(fig, title, height=140 + 30 * len(classes))


def per_class_accuracy_bars(accuracy: np.ndarray, classes: list[str], title: str) -> go.Figure:
    """Each class's accuracy (a missing value means no pictures of that class were evaluated)."""
    values = [None if np.isnan(a) else float(a) for a in accuracy]
    fig = go.Figure(
        go.Bar(
            x=classes,
            y=values,
            marker_color=POSITIVE,
            text=["–" if v is None else f"{v:.0%}" for v in values],
            textposition="auto",
        )
    )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%", title="accuracy")
    fig.update_xaxes(type="category")
    return base_layout(fig, title, height=260)


def probability_bars(probs: list[float], classes: list[str], title: str | None = None) -> go.Figure:
    """The head's softmax probability for each class, the most probable highlighted."""
    best = int(np.argmax(probs))
    fig = go.Figure(
        go.Bar(
            x=probs,
            y=classes,
            orientation="h",
            marker_color=[POSITIVE if i == best else NEUTRAL for i in range(len(classes))],
            text=[f"{p:.1%}" for p in probs],
            textposition="auto",
        )
    )
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title="probability")
    fig.update_yaxes(autorange="reversed", type="category")
    return base_layout(fig, title, height=80 + 30 * len(classes))


def comparison_curves(histories: dict[str, dict[str, list[float]]]) -> go.Figure:
    """Train loss and validation accuracy per epoch for each variant (from scratch, frozen, fine-tuned)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("train loss", "validation accuracy"))
    for colour, (name, history) in zip(SERIES, histories.items(), strict=False):
        epochs = list(range(1, len(history["train_loss"]) + 1))
        fig.add_scatter(x=epochs, y=history["train_loss"], name=name, line_color=colour, row=1, col=1)
        fig.add_scatter(
            x=epochs, y=history["val_acc"], name=name, line_color=colour, showlegend=False, row=1, col=2
        )
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    return _legend_below(base_layout(fig, "From scratch vs frozen vs fine-tuned", height=360))


def embedding_scatter(points: np.ndarray, labels: np.ndarray, classes: list[str], title: str) -> go.Figure:
    """2-D projected features, one colour per class."""
    fig = go.Figure()
    for k, name in enumerate(classes):
        mine = points[np.asarray(labels) == k]
        fig.add_scatter(
            x=mine[:, 0],
            y=mine[:, 1],
            mode="markers",
            name=name,
            marker={"color": SERIES[k % len(SERIES)], "size": 7, "opacity": 0.8},
        )
    fig.update_xaxes(title="PC 1")
    fig.update_yaxes(title="PC 2")
    return base_layout(fig, title, height=360)
