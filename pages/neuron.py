"""Neuron & layers: one neuron's weighted sum and activation, then a whole multi-layer perceptron."""

import pandas as pd
import streamlit as st

from core.basics.activations import activation_names
from core.basics.mlp import (
    MLPConfig,
    NeuronConfig,
    build_mlp,
    decision_boundary,
    mlp_code,
    neuron_code,
    neuron_forward,
    neuron_response,
    parameter_counts,
    probe_output,
    weight_matrices,
    weighted_sum_latex,
)
from core.figures.network import network_figure, neuron_figure
from ui.cards import cards_section
from ui.shell import ensure_shell, seed

ensure_shell()

st.title("Neuron & layers")
st.markdown(
    "A neuron computes a weighted sum of its inputs plus a bias, **z = w·x + b**, and passes it through an "
    "activation function, **a = f(z)**. Move the sliders and watch both: the numbers in the formula are "
    "your slider values, so you can check the sum by hand."
)

st.header("One neuron")
left, right = st.columns([1, 2])
with left:
    # Sliders move in steps of 0.1; rounding drops float noise such as 0.30000000000000004.
    x1 = round(st.slider("Input x1", -3.0, 3.0, 1.0, 0.1, key="neuron_x1"), 2)
    x2 = round(st.slider("Input x2", -3.0, 3.0, -0.5, 0.1, key="neuron_x2"), 2)
    w1 = round(st.slider("Weight w1", -3.0, 3.0, 0.8, 0.1, key="neuron_w1"), 2)
    w2 = round(st.slider("Weight w2", -3.0, 3.0, -1.2, 0.1, key="neuron_w2"), 2)
    b = round(st.slider("Bias b", -3.0, 3.0, 0.2, 0.1, key="neuron_b"), 2)
    activation_name = st.selectbox(
        "Activation f", activation_names(), index=activation_names().index("Sigmoid"), key="neuron_activation"
    )
neuron = NeuronConfig((x1, x2), (w1, w2), b, activation_name)
z, a = neuron_forward(neuron)
axis, response = neuron_response(neuron)
with right:
    st.latex(weighted_sum_latex(neuron, z))
    st.metric(f"Output a = {activation_name}({z:.4f})", f"{a:.4f}")
    st.plotly_chart(
        neuron_figure(axis.numpy(), response.numpy(), neuron.inputs, decision_boundary(neuron)),
        key="neuron_plane",
    )
st.caption(
    "The dashed line is where z = 0, the neuron's decision boundary (for Sigmoid, where a = 0.5): a single "
    "neuron can only split the plane with a straight line. Layers of neurons bend it."
)

st.subheader("Try this")
cards_section("neuron")
st.markdown(
    "Choose **Step**: the plane splits into two flat halves, 0 and 1, with exactly 0.5 on the line. Choose "
    "**Identity**: a = z, a tilted plane."
)
st.subheader("PyTorch for these settings")
st.code(neuron_code(neuron), language="python")

st.header("Layers: a multi-layer perceptron")
st.markdown(
    "A layer is many neurons reading the same inputs: `nn.Linear(n_in, n_out)` holds an n_out × n_in weight "
    "matrix and n_out biases. Stack layers with an activation between them and you have a multi-layer "
    "perceptron. Its initial weights are random, drawn from the sidebar's seed."
)
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
    ones = ", ".join(["1"] * config.input_size)
    st.markdown(
        f"**model(x)** for x = ({ones}): "
        + ", ".join(f"{v:.4f}" for v in probe_output(model, config.input_size))
    )
with right:
    st.subheader("print(model)")
    st.code(str(model), language="text", wrap_lines=True)

st.subheader("Try this")
cards_section("neuron", "layers")
st.markdown(
    "Change the sidebar's **Random seed**: the same shape and parameter count, but other edge colours and "
    "another model(x). The code below starts with `torch.manual_seed`, so it rebuilds exactly these weights."
)
st.subheader("PyTorch for these settings")
st.code(mlp_code(config, seed()), language="python")
