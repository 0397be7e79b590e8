import numpy as np
import plotly.graph_objects as go

from core.basics.activation_figures import activation_figure, softmax_figure
from core.basics.forward import trace_forward
from core.basics.forward_figures import layer_figure
from core.basics.mlp import MLPConfig, NeuronConfig, build_mlp, decision_boundary, neuron_response
from core.figures.heatmaps import plane_heatmap
from core.figures.network import network_figure, neuron_figure, node_positions
from core.figures.style import NEGATIVE, NEUTRAL, POSITIVE


def test_network_figure_draws_every_edge_once_coloured_by_sign():
    weights = [np.array([[1.0, -2.0], [0.5, 0.0], [-0.1, 3.0]]), np.array([[1.0, -1.0, 2.0]])]
    fig = network_figure(weights, revision="keep")
    edges = [t for t in fig.data if t.mode == "lines" and t.x]
    segments = sum(len(t.x) // 3 for t in edges)
    assert segments == 2 * 3 + 3 * 1
    positive = sum(len(t.x) // 3 for t in edges if t.line.color == POSITIVE)
    negative = sum(len(t.x) // 3 for t in edges if t.line.color == NEGATIVE)
    neutral = sum(len(t.x) // 3 for t in edges if t.line.color == NEUTRAL)
    assert (positive, negative, neutral) == (5, 3, 1)
    widths = {t.line.width for t in edges}
    assert max(widths) > min(widths)  # magnitude shows as width
    nodes = next(t for t in fig.data if t.mode == "markers")
    assert len(nodes.x) == 2 + 3 + 1
    assert fig.layout.uirevision == "keep"


def test_update_network_redraws_the_same_traces_for_new_weights():
    from core.figures.network import update_network

    weights = [np.array([[1.0, -2.0], [0.5, 0.0], [-0.1, 3.0]]), np.array([[1.0, -1.0, 2.0]])]
    fig = network_figure(weights)
    traces = len(fig.data)
    update_network(fig, [-w for w in weights])
    assert len(fig.data) == traces
    assert sum(len(t.x) // 3 for t in fig.data if t.mode == "lines" and t.line.color == POSITIVE) == 3
    assert sum(len(t.x) // 3 for t in fig.data if t.mode == "lines" and t.line.color == NEGATIVE) == 5


def test_node_positions_are_centred_columns():
    positions = node_positions([2, 3])
    assert [p[0] for p in positions[1]] == [1.0, 1.0, 1.0]
    assert sum(p[1] for p in positions[1]) == 0 and sum(p[1] for p in positions[0]) == 0


def test_heatmaps_carry_the_values():
    axis = np.linspace(-1, 1, 4)
    values = np.outer(axis, axis)
    fig = plane_heatmap(axis, values, "t")
    assert isinstance(fig, go.Figure) and np.array_equal(np.asarray(fig.data[0].z), values)


def test_layer_figure_shows_w_x_b_z_a_with_shapes_and_numbers():
    trace = trace_forward(build_mlp(MLPConfig(3, (2,), 1)), np.array([1.0, -2.0, 0.5]))[0]
    fig = layer_figure(trace, highlight=(1, 2))
    assert [a.text for a in fig.layout.annotations] == [
        "W (2×3)",
        "x (3)",
        "b (2)",
        "z = W·x + b (2)",
        "a = ReLU(z)",
    ]
    assert np.array_equal(np.asarray(fig.data[0].z), trace.weight)
    assert list(np.asarray(fig.data[1].text).ravel()) == ["1", "-2", "0.5"]
    assert len(fig.layout.shapes) == 1
    output = trace_forward(build_mlp(MLPConfig(3, (2,), 1)), np.array([1.0, -2.0, 0.5]))[-1]
    assert layer_figure(output).layout.annotations[-1].text == "a = z (no activation)"


def test_activation_and_softmax_figures():
    x = np.linspace(-1, 1, 5)
    fig = activation_figure(x, {"a": (x, np.ones(5)), "b": (x**2, 2 * x)}, {"a": [(-1.0, 0.0)]}, {"b": [0.0]})
    assert len(fig.data) == 4
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(rects) == 2  # one shaded interval on each subplot
    assert len(lines) == 2 and {s.x0 for s in lines} == {0.0} and lines[0].line.dash == "dot"
    fig = softmax_figure(["p", "q"], np.array([1.0, 0.0]), np.array([0.73, 0.27]), 1.0)
    assert list(fig.data[1].y) == [0.73, 0.27]


def test_neuron_figure_marks_the_input_and_draws_the_boundary():
    config = NeuronConfig((1.0, -0.5), (0.8, 0.0), 0.2, "Sigmoid")
    axis, response = neuron_response(config)
    fig = neuron_figure(axis.numpy(), response.numpy(), config.inputs, decision_boundary(config))
    boundary = next(t for t in fig.data[1:] if t.mode == "lines")
    assert list(boundary.x) == [-0.25, -0.25]  # w2 = 0: the vertical line x1 = -b/w1
    marker = next(t for t in fig.data[1:] if t.mode == "markers")
    assert (marker.x[0], marker.y[0]) == (1.0, -0.5)
    no_line = neuron_figure(axis.numpy(), response.numpy(), (0.0, 0.0), None)
    assert not [t for t in no_line.data[1:] if t.mode == "lines"]
