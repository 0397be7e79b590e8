"""The RNN page's figures and views: built from data alone, no browser."""

import numpy as np
import pytest

from core.rnn.config import RNNConfig
from core.rnn.figures import (
    clipping_figure,
    forecast_figure,
    gates_figure,
    gradient_time_figure,
    time_heatmap,
    training_figure,
)
from core.rnn.job import RNNJob
from core.rnn.views import adding_examples, comparable, forecast_view, gradient_curves, vanishing_ratio


def test_training_figure_has_both_curves_and_the_baseline():
    fig = training_figure(
        np.array([1.0, 0.5]), np.array([0, 2]), np.array([0.9, 0.4]), "test MSE", 1 / 6, "1/6"
    )
    assert [t.name for t in fig.data] == ["training loss", "test MSE"]
    assert fig.layout.shapes[0].y0 == pytest.approx(1 / 6) and fig.layout.yaxis.type == "log"


def test_clipping_figure_caps_the_clipped_line_at_the_threshold():
    fig = clipping_figure(np.array([0.5, 3.0, 1.5]), 1.0)
    assert list(fig.data[1].y) == [0.5, 1.0, 1.0]
    assert len(clipping_figure(np.array([0.5, 3.0]), 0.0).data) == 1  # no clipping: nothing to compare


def test_heatmaps_put_time_across_and_units_up():
    fig = time_heatmap(np.zeros((7, 3)), "h")
    assert np.array(fig.data[0].z).shape == (3, 7) and list(fig.data[0].x) == list(range(1, 8))
    gates = {name: np.full((7, 3), 0.5) for name in ("input", "forget", "output", "cell")}
    assert len(gates_figure(gates).data) == 4


def test_gradient_and_forecast_figures_label_every_series():
    fig = gradient_time_figure({"a": np.array([1e-3, 1.0]), "b": np.array([0.0, 1.0])})
    assert [t.name for t in fig.data] == ["a", "b"] and min(fig.data[1].y) > 0  # log axis: no zeros
    fig = forecast_figure(np.zeros(5), np.ones(3), np.zeros(5), np.ones(3))
    assert list(fig.data[3].x) == [5, 6, 7] and list(fig.data[2].x) == [1, 2, 3, 4, 5]


def test_views_of_a_run():
    job = RNNJob(RNNConfig(hidden=8, seq_len=10))
    rows = adding_examples(job)
    assert len(rows) == 5 and all(
        r["target (sum)"] == pytest.approx(r["first number"] + r["second number"], abs=2e-3) for r in rows
    )
    curves = gradient_curves(job, 0)
    assert list(curves)[1:] == ["RNN, untrained", "LSTM, untrained", "GRU, untrained"]
    assert all(c.shape == (10,) for c in curves.values())
    assert vanishing_ratio(np.array([0.01, 1.0])) == pytest.approx(0.01)
    assert comparable(RNNConfig(cell="GRU", lr=0.3)) == comparable(RNNConfig(cell="RNN"))
    sine = RNNJob(RNNConfig(task="sine", hidden=4, seq_len=20, horizon=30))
    context, truth, one_step, rolled, mse = forecast_view(sine)
    assert context.shape == (20,) and truth.shape == rolled.shape == (30,) and one_step.shape == (20,)
    assert mse == pytest.approx(np.mean((rolled - truth) ** 2), rel=1e-5)
