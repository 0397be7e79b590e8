"""Activation functions: each non-linearity with its autograd derivative, where it saturates, and softmax."""

import math

import pandas as pd
import streamlit as st
import torch

from core.basics.activation_figures import activation_figure, softmax_figure
from core.basics.activations import (
    ACTIVATIONS,
    FLAT_SLOPE,
    activation_curves,
    activation_names,
    activations_code,
    entropy,
    softmax_with_temperature,
    values_at,
)
from ui.cards import cards_section
from ui.shell import ensure_shell

ensure_shell()

st.title("Activation functions")
st.markdown(
    "Without a non-linear activation, any stack of `Linear` layers computes one **affine** map, W·x + b "
    "(affine rather than linear because of the biases), however deep it is. Compare the functions and "
    "their derivatives: the derivative is what backpropagation multiplies by, so where it is close to 0 a "
    f"neuron stops learning. The shading marks |f′| < {FLAT_SLOPE:g}, the same threshold for every function: "
    "**shaded** where the slope stays that small as x moves on (saturated, or dead), a **dotted line** at a "
    "flat point (a minimum, where f′ passes through 0 and any move of x brings the gradient back)."
)

pick_col, range_col = st.columns([3, 2])  # one row of controls, so the curves start in the first screen
chosen = pick_col.multiselect(
    "Functions", activation_names(), default=["ReLU", "Tanh", "Sigmoid"], key="act_chosen"
)
low, high = range_col.slider("x range", -10.0, 10.0, (-5.0, 5.0), 0.5, key="act_range")
shade = st.toggle(
    f"Shade saturated / dead regions (|f′| < {FLAT_SLOPE:g}) and mark flat points",
    value=True,
    key="act_shade",
)

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
    figure = activation_figure(
        x.numpy(),
        {name: (c.y.numpy(), c.dy.numpy()) for name, c in curves.items()},
        {name: c.saturated for name, c in curves.items()} if shade else None,
        {name: c.flat_points for name, c in curves.items()} if shade else None,
    )
    st.plotly_chart(figure, key="act_figure")
    for name in chosen:
        st.markdown(f"**{name}**: {ACTIVATIONS[name].note}")

probe = st.number_input("Evaluate at x =", -10.0, 10.0, 0.0, 0.001, format="%.3f", key="act_probe")
if chosen:
    st.dataframe(
        pd.DataFrame(
            [
                {"function": name, "x": f"{probe:g}", "f(x)": f"{y:.6f}", "f′(x) (autograd)": f"{dy:.6f}"}
                for name, (y, dy) in values_at(chosen, params, probe).items()
            ]
        ),
        hide_index=True,
        key="act_values",
    )

st.subheader("Try this")
cards_section("activations")

st.header("Softmax and temperature")
st.markdown(
    "Softmax turns a vector of scores (logits) into probabilities, pᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T). "
    "Dividing the logits by a temperature T first sharpens the distribution (T < 1) or flattens it "
    "(T > 1). Edit the logits in the table."
)
default_logits = pd.DataFrame({"class": ["cat", "dog", "car", "tree"], "logit": [2.0, 1.0, 0.1, -1.0]})
left, right = st.columns([1, 3])
with left:
    logits_table = st.data_editor(default_logits, num_rows="dynamic", hide_index=True, key="act_logits")
    temperature = st.slider("Temperature T", 0.05, 10.0, 1.0, 0.05, key="act_temperature")
table = logits_table.dropna()
classes = [str(c) for c in table["class"]]
logits = [float(v) for v in table["logit"]]
if not logits:
    right.info("Add at least one logit.")
else:
    logit_vector = torch.tensor(logits, dtype=torch.float64)
    probabilities = softmax_with_temperature(logit_vector, temperature)
    with right:
        st.plotly_chart(
            softmax_figure(classes, logit_vector.numpy(), probabilities.numpy(), temperature),
            key="act_softmax",
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "class": classes,
                    "logit z": [f"{z:g}" for z in logits],
                    "z / T": [f"{z / temperature:.4f}" for z in logits],
                    "p": [f"{p:.4f}" for p in probabilities.tolist()],
                }
            ),
            hide_index=True,
            key="act_softmax_table",
        )
        st.caption(
            f"T = {temperature:g}. Entropy −Σ p·ln p = {entropy(probabilities):.4f} nats "
            f"(0 = certain, ln {len(logits)} = {math.log(len(logits)):.4f} = uniform)."
        )

st.subheader("Try this")
cards_section("activations", "softmax")
st.markdown(
    "Add 10 to every logit: nothing changes, softmax only sees differences between logits. Add a row with "
    "logit 2 (a tie with cat) at T = 0.05: the two share 0.5000 each."
)

st.subheader("PyTorch for these settings")
st.caption("Evaluates the chosen functions at x, then the softmax of the table's logits at this temperature.")
st.code(activations_code(chosen, params, probe, classes, logits, temperature), language="python")
