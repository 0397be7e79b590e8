"""The schedule and regularization figures: traces and layout built from the data, without a browser."""

import numpy as np

from core.training.batchnorm import BINS
from core.training.regularization_figures import (
    curves_figure,
    histograms_figure,
    mask_figure,
    monte_carlo_figures,
)
from core.training.schedule_figures import loss_and_lr_figure, range_test_figure, schedules_figure


def test_schedules_figure_highlights_the_chosen_one() -> None:
    fig = schedules_figure({"A": [0.1, 0.05], "B": [0.1, 0.1]}, "B", log_y=True)
    widths = {t.name: t.line.width for t in fig.data}
    assert widths["B"] > widths["A"] and fig.layout.yaxis.type == "log"


def test_loss_and_lr_share_the_epochs() -> None:
    snap = {"lr": np.array([0.1, 0.01]), "loss": np.array([0.7, 0.5]), "constant_loss": np.array([0.7, 0.6])}
    fig = loss_and_lr_figure(snap, 10, "StepLR")
    assert [t.yaxis for t in fig.data] == [None, None, "y2"]  # the loss on the default axis, lr on the second
    assert list(fig.data[2].y) == [0.1, 0.01] and list(fig.data[0].x) == [1, 2]


def test_range_test_marks_each_suggestion() -> None:
    lrs = np.geomspace(1e-4, 1, 5)
    fig = range_test_figure(lrs, np.ones(5), np.ones(5), {"steepest": 0.01, "min ÷ 10": 0.02})
    marks = [t for t in fig.data if t.line.dash == "dash"]
    assert [tuple(t.x) for t in marks] == [(0.01, 0.01), (0.02, 0.02)]
    assert fig.layout.xaxis.type == "log"


def test_curves_colour_by_model_and_dash_test_series() -> None:
    series = {"a · train": np.ones(3), "a · test": np.ones(3), "b · train": np.ones(3)}
    fig = curves_figure(series, "r")
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert [t.line.dash for t in fig.data] == ["solid", "dash", "solid"]


def test_histograms_lay_out_every_model_and_layer() -> None:
    counts = np.zeros((4, 3, len(BINS) - 1))
    counts[:, :, 20] = 10  # every value in one bin: share 1 there
    fig = histograms_figure({"plain": counts, "batch norm": counts}, BINS)
    z = np.array(fig.data[0].z, dtype=float)
    assert z.shape == (2 * 40 + 2, 3 * 4 + 2 * 1)  # two blocks of bins, three layers of 4 epochs, gaps
    assert np.nansum(z) == 2 * 3 * 4
    assert list(fig.layout.xaxis.ticktext) == ["layer 1", "layer 2", "layer 3"]


def test_mask_greys_out_dropped_units() -> None:
    fig = mask_figure([np.array([True, False])], [np.array([2.0, 0.0])])
    dropped, kept = (np.array(t.z, dtype=float) for t in fig.data)
    assert np.isnan(dropped[0, 0]) and dropped[0, 1] == 0
    assert kept[0, 0] == 2.0 and np.isnan(kept[0, 1])


def test_monte_carlo_figures_show_points_over_each_map() -> None:
    mc = {"axis": np.linspace(-1, 1, 3), "mean": np.full((3, 3), 0.5), "std": np.zeros((3, 3))}
    mean_fig, std_fig = monte_carlo_figures(mc, np.array([[0.0, 0.0]]), np.array([1.0]))
    for fig in (mean_fig, std_fig):
        assert fig.data[0].type == "heatmap" and list(fig.data[1].x) == [0.0]
