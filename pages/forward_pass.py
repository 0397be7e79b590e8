"""Forward pass: one input pushed through a small MLP, z = W·x + b and a = f(z), with every number shown."""

import numpy as np
import pandas as pd
import streamlit as st

from core.basics.activations import activation_names
from core.basics.forward import (
    forward_code,
    max_abs_difference,
    module_output,
    trace_forward,
    vector_text,
    with_edits,
)
from core.basics.forward_figures import layer_figure
from core.basics.mlp import MLPConfig, build_mlp
from ui.cards import cards_section
from ui.shell import ensure_shell, seed

ensure_shell()

st.title("Forward pass")
st.markdown(
    "Each `Linear` layer multiplies its input by a weight matrix and adds a bias, **z = W·x + b**; each "
    "hidden layer then applies the activation, **a = f(z)**, and the output layer applies none (its a is its "
    "z). Here W·x + b is computed with NumPy in float64 from the layers' own weights, f by the model's own "
    "torch activation module, one layer at a time; the result is checked against PyTorch's `model(x)`."
)

c1, c2, c3, c4, c5 = st.columns(5)
n_in = int(c1.number_input("Inputs", 1, 6, 3, key="fwd_inputs"))
h1 = int(c2.number_input("Hidden layer 1", 1, 8, 4, key="fwd_h1"))
h2 = int(c3.number_input("Hidden layer 2 (0 = none)", 0, 8, 3, key="fwd_h2"))
n_out = int(c4.number_input("Outputs", 1, 6, 2, key="fwd_outputs"))
activation = c5.selectbox(
    "Activation", activation_names(), index=activation_names().index("Tanh"), key="fwd_activation"
)
config = MLPConfig(n_in, (h1, h2) if h2 else (h1,), n_out, activation)
base_model = build_mlp(config, seed=seed())

st.subheader("Input vector x")
x_columns = st.columns(n_in)
x = np.array(
    [
        x_columns[i].number_input(f"x{i}", -10.0, 10.0, round(1.0 - 0.5 * i, 2), 0.1, key=f"fwd_x{i}")
        for i in range(n_in)
    ]
)

# Edits belong to one network: a new architecture or seed starts from a clean slate.
signature = (config, seed())
if st.session_state.get("fwd_signature") != signature:
    st.session_state["fwd_signature"] = signature
    st.session_state["fwd_edits"] = {}
edits = st.session_state["fwd_edits"]

# The answer right under the input, filled in once the edits below are known.
output_box = st.container()
with st.expander("Change one weight or bias", expanded=True):
    sizes = config.sizes
    e1, e2, e3, e4 = st.columns(4)
    layer = e1.selectbox(
        "Layer", range(len(sizes) - 1), format_func=lambda k: f"Linear {k + 1}", key="fwd_edit_layer"
    )
    row = e2.selectbox("Unit (row of W)", range(sizes[layer + 1]), key="fwd_edit_row")
    source = e3.selectbox(
        "Parameter",
        ["bias", *range(sizes[layer])],
        format_func=lambda s: "bias b" if s == "bias" else f"weight from input {s}",
        key="fwd_edit_source",
    )
    value = e4.number_input("New value", -10.0, 10.0, 1.0, 0.1, key="fwd_edit_value")
    b1, b2 = st.columns(2)
    if b1.button("Apply", key="fwd_apply", type="primary"):
        edits[(layer, row, None if source == "bias" else int(source))] = float(value)
    if b2.button("Undo all edits", key="fwd_reset"):
        edits.clear()
    if edits:
        st.caption(
            "Edited: "
            + ", ".join(
                f"Linear {k + 1} " + (f"b[{r}]" if c is None else f"W[{r},{c}]") + f" = {v:g}"
                for (k, r, c), v in edits.items()
            )
        )

model = with_edits(base_model, edits)
traces = trace_forward(model, x)
with output_box:
    st.subheader("Output")
    original = trace_forward(base_model, x)[-1].a
    result = pd.DataFrame(
        {
            "output": [f"y{i}" for i in range(n_out)],
            "original network": original,
            "with your edits": traces[-1].a,
            "change": traces[-1].a - original,
        }
    )
    table_col, check_col = st.columns([3, 2])
    table_col.dataframe(result, hide_index=True, key="fwd_output_table")
    check_col.metric("PyTorch model(x)", vector_text(module_output(model, x)))
    check_col.metric("max |NumPy − PyTorch|", f"{max_abs_difference(model, x):.2e}")

for k, trace in enumerate(traces):
    if trace.activation is None:
        st.markdown(
            f"**Linear {k + 1}** ({trace.x.size} → {trace.z.size}), the output layer: no activation, a = z"
        )
        st.caption(f"z = {vector_text(trace.z)}")
    else:
        st.markdown(f"**Linear {k + 1}** ({trace.x.size} → {trace.z.size}), then {trace.activation}")
        st.caption(f"z = {vector_text(trace.z)}  →  a = {trace.activation}(z) = {vector_text(trace.a)}")
    edited_cells = [(r, c) for (layer_k, r, c) in edits if layer_k == k and c is not None]
    highlight = edited_cells[-1] if edited_cells else None
    st.plotly_chart(layer_figure(trace, highlight), key=f"fwd_layer_{k}")

st.subheader("Try this")
cards_section("forward_pass")
st.subheader("PyTorch for these settings")
st.caption("Rebuilds this network from the seed, applies your edits and prints each layer's z and a.")
st.code(forward_code(config, seed(), x, edits), language="python")
