"""Neuron & layers: one neuron's weighted sum and activation, then a whole multi-layer perceptron."""

import pandas as pd
import streamlit as st

from core.activations import ACTIVATIONS, activation_names
from core.figures.heatmaps import plane_heatmap
from core.figures.network import network_figure
from core.mlp import (
    MLPConfig,
    build_mlp,
    neuron_forward,
    neuron_response,
    parameter_counts,
    pytorch_code,
    weight_matrices,
)
from ui.shell import ensure_shell, seed

ensure_shell()

st.title("Neuron & layers")
st.markdown(
    "A neuron computes a weighted sum of its inputs plus a bias, **z = w·x + b**, and passes it through an "
    "activation function, **a = f(z)**. Move the sliders and watch both."
)

st.header("One neuron")
left, right = st.columns([1, 2])
with left:
    x1 = st.slider("Input x1", -3.0, 3.0, 1.0, 0.1, key="neuron_x1")
    x2 = st.slider("Input x2", -3.0, 3.0, -0.5, 0.1, key="neuron_x2")
    w1 = st.slider("Weight w1", -3.0, 3.0, 0.8, 0.1, key="neuron_w1")
    w2 = st.slider("Weight w2", -3.0, 3.0, -1.2, 0.1, key="neuron_w2")
    b = st.slider("Bias b", -3.0, 3.0, 0.2, 0.1, key="neuron_b")
    activation_name = st.selectbox(
        "Activation f", activation_names(), index=activation_names().index("Sigmoid"), key="neuron_activation"
    )
activation = ACTIVATIONS[activation_name].module()
axis, response = neuron_response((w1, w2), b, activation)
z, a = neuron_forward((x1, x2), (w1, w2), b, activation)
with right:
    st.latex(rf"z = {w1:.1f}\cdot{x1:.1f} + ({w2:.1f})\cdot({x2:.1f}) + {b:.1f} = {z:.3f}")
    st.metric(f"Output a = {activation_name}(z)", f"{a:.4f}")
    fig = plane_heatmap(
        axis.numpy(),
        response.numpy(),
        "Output over the input plane (x marks your input)",
        zmid=None,
        height=420,
        colorbar_title="a",
    )
    fig.add_scatter(
        x=[x1],
        y=[x2],
        mode="markers",
        marker={"symbol": "x", "size": 14, "color": "black"},
        showlegend=False,
        hoverinfo="skip",
    )
    st.plotly_chart(fig, key="neuron_plane")
st.caption(
    "The line where z = 0 is the neuron's decision boundary: a single neuron can only split the plane with "
    "a straight line. Layers of neurons bend it."
)

st.header("Layers: a multi-layer perceptron")
c1, c2, c3, c4 = st.columns(4)
input_size = c1.number_input("Input size", 1, 16, 3, key="mlp_input")
depth = c2.number_input("Hidden layers", 0, 6, 2, key="mlp_depth")
output_size = c3.number_input("Output size", 1, 16, 2, key="mlp_output")
mlp_activation = c4.selectbox("Hidden activation", activation_names(), key="mlp_activation")
width_columns = st.columns(max(int(depth), 1))
hidden = tuple(
    int(width_columns[i].number_input(f"Width of hidden layer {i + 1}", 1, 32, 4, key=f"mlp_width_{i}"))
    for i in range(int(depth))
)
config = MLPConfig(int(input_size), hidden, int(output_size), mlp_activation)
model = build_mlp(config, seed=seed())

st.plotly_chart(
    network_figure([w.numpy() for w in weight_matrices(model)], revision="mlp"), key="mlp_network"
)
st.caption("Edges: red for a positive weight, blue for a negative one, thicker for a larger magnitude.")
counts = pd.DataFrame(parameter_counts(model))
left, right = st.columns(2)
with left:
    st.subheader("Parameters per layer")
    st.dataframe(counts, hide_index=True, key="mlp_counts")
    st.metric("Total parameters", int(counts["total"].sum()))
with right:
    st.subheader("print(model)")
    st.code(str(model), language="text", wrap_lines=True)
st.subheader("The same network in PyTorch")
st.code(pytorch_code(config), language="python")
