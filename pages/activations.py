"""Activation functions: each non-linearity with its autograd derivative, where it saturates, and softmax."""

import pandas as pd
import streamlit as st
import torch

from core.activations import (
    ACTIVATIONS,
    activation_curves,
    activation_names,
    entropy,
    softmax_with_temperature,
)
from core.figures.activations import activation_figure, softmax_figure
from ui.shell import ensure_shell

ensure_shell()

st.title("Activation functions")
st.markdown(
    "Without a non-linear activation, any stack of layers is one linear map. Compare the functions and "
    "their derivatives: the derivative is what backpropagation multiplies by, so where it is ~0 "
    "(shaded) a neuron stops learning."
)

chosen = st.multiselect(
    "Functions", activation_names(), default=["ReLU", "Tanh", "Sigmoid"], key="act_chosen"
)
low, high = st.slider("x range", -10.0, 10.0, (-5.0, 5.0), 0.5, key="act_range")
shade = st.toggle("Shade saturated / dead regions (|f′| < 1% of its max)", value=True, key="act_shade")

params: dict[str, dict[str, float]] = {}
tunable = [name for name in chosen if ACTIVATIONS[name].params]
if tunable:
    columns = st.columns(len(tunable))
    for column, name in zip(columns, tunable, strict=True):
        params[name] = {
            p.name: column.slider(f"{name}: {p.name}", p.low, p.high, p.default, key=f"act_{name}_{p.name}")
            for p in ACTIVATIONS[name].params
        }

if not chosen:
    st.info("Pick at least one function to plot.")
elif low >= high:
    st.error("The x range is empty: move the two ends of the range apart.")
else:
    x, curves = activation_curves(chosen, params, low, high)
    saturated = {name: curve.saturated for name, curve in curves.items()} if shade else None
    figure = activation_figure(
        x.numpy(), {name: (c.y.numpy(), c.dy.numpy()) for name, c in curves.items()}, saturated
    )
    st.plotly_chart(figure, key="act_figure")
    for name in chosen:
        st.markdown(f"**{name}**: {ACTIVATIONS[name].note}")

st.header("Softmax and temperature")
st.markdown(
    "Softmax turns a vector of scores (logits) into probabilities. Dividing the logits by a temperature T "
    "first sharpens the distribution (T < 1) or flattens it (T > 1)."
)
default_logits = pd.DataFrame({"class": ["cat", "dog", "car", "tree"], "logit": [2.0, 1.0, 0.1, -1.0]})
left, right = st.columns([1, 3])
with left:
    logits_table = st.data_editor(default_logits, num_rows="dynamic", hide_index=True, key="act_logits")
    temperature = st.slider("Temperature T", 0.05, 10.0, 1.0, 0.05, key="act_temperature")
table = logits_table.dropna()
if table.empty:
    right.info("Add at least one logit.")
else:
    logits = torch.tensor(table["logit"].astype(float).to_numpy())
    probabilities = softmax_with_temperature(logits, temperature)
    with right:
        st.plotly_chart(
            softmax_figure(
                [str(c) for c in table["class"]], logits.numpy(), probabilities.numpy(), temperature
            ),
            key="act_softmax",
        )
        st.caption(
            f"Entropy of the distribution: {entropy(probabilities):.3f} nats "
            f"(0 = certain, {torch.log(torch.tensor(float(len(table)))):.3f} = uniform)."
        )
