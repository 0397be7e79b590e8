"""Backpropagation, step by step: a 2-3-1 network's forward pass node by node, every gradient as a chain-rule
product checked against autograd and finite differences, one SGD step, then the training loop on XOR."""

import math

import pandas as pd
import streamlit as st

from core.training.backprop import (
    HIDDEN,
    XOR_INPUTS,
    XOR_TARGETS,
    BackpropConfig,
    XorLoop,
    build_network,
    check_gradients,
    pytorch_code,
    sgd_step,
    trace,
)
from core.training.backprop_figures import graph_figure, loss_curve_figure
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import ensure_shell, seed

ensure_shell()

st.title("Backpropagation, step by step")
st.markdown(
    "A network with 2 inputs, 3 hidden units and 1 output, `nn.Sequential(nn.Linear(2, 3), activation, "
    "nn.Linear(3, 1))`, and one training example (x1, x2) → y with the loss `nn.MSELoss`: L = (ŷ − y)². "
    "The forward pass computes every node from the ones before it; the backward pass applies the chain rule "
    "from L back to each weight: ∂L/∂w is the product of the local derivatives along the path from L to w. "
    "Every number here is computed by hand in float64 and checked against `loss.backward()` and against a "
    "finite-difference estimate. Initial weights: `torch.manual_seed(seed)` (sidebar) and `nn.Linear`'s "
    "default initialisation."
)

c1, c2, c3, c4, c5 = st.columns(5)
x1 = c1.number_input("x1", -5.0, 5.0, 1.0, 0.1, key="bp_x1")
x2 = c2.number_input("x2", -5.0, 5.0, -0.5, 0.1, key="bp_x2")
y = c3.number_input("target y", -5.0, 5.0, 1.0, 0.1, key="bp_y")
activation = c4.selectbox("Hidden activation", list(HIDDEN), key="bp_activation")
lr = c5.select_slider("Learning rate", [0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0], 0.5, key="bp_lr")
config = BackpropConfig(float(x1), float(x2), float(y), activation, float(lr), seed())
model = build_network(config)
result = trace(model, config)

st.subheader("1. Forward pass, node by node")
shown_col, backward_col = st.columns([3, 2], vertical_alignment="center")  # one row: the graph moves up
shown = shown_col.slider("Nodes computed", 1, len(result.nodes), len(result.nodes), key="bp_shown")
backward = backward_col.toggle("Show the backward pass (∂L/∂node)", value=True, key="bp_backward")
left, right = st.columns([3, 2])
left.plotly_chart(graph_figure(result, (config.x1, config.x2), shown, backward), key="bp_graph")
latest = result.nodes[shown - 1]
right.markdown(
    f"**Computed last: {latest.name}**  \n{latest.name} = {latest.formula} = **{latest.value:.6f}**"
)
# The checks the explanation promises, beside the graph they check (the table of section 2 has each one).
check = check_gradients(model, config, result)
right.metric("max |hand − autograd|", f"{check.autograd_error:.1e}")
right.metric("max |hand − finite difference|", f"{check.difference_error:.1e}")
st.dataframe(
    pd.DataFrame(
        [{"node": n.name, "computed as": n.formula, "value": f"{n.value:.6f}"} for n in result.nodes[:shown]]
    ),
    hide_index=True,
    width="stretch",
    key="bp_nodes",
)

st.subheader("2. Backward pass: every gradient by the chain rule")
st.markdown(
    f"∂L/∂ŷ = 2(ŷ − y); ∂ŷ/∂w2[j] = h_j; ∂ŷ/∂h_j = w2[j]; {HIDDEN[activation].rule}; ∂z_j/∂W1[j,k] = x_k; "
    "∂z_j/∂b1[j] = 1. The *local derivative* is the last factor: how the node a parameter feeds moves "
    "with it."
)
rows = [
    {
        "parameter": g.parameter,
        "value": f"{g.value:.6f}",
        "chain rule": g.chain,
        "factors": " × ".join(f"{f:.4f}" for f in g.factors),
        "local derivative": f"{g.local:.6f}",
        "gradient (by hand)": f"{g.gradient:.6f}",
        "autograd": f"{a:.6f}",
        "finite difference": f"{d:.6f}",
    }
    for g, a, d in zip(result.gradients, check.autograd, check.differences, strict=True)
]
st.dataframe(pd.DataFrame(rows), hide_index=True, key="bp_gradients")
m3, m4 = st.columns(2)
before, after = sgd_step(model, config)
m3.metric("loss before", f"{before:.6f}")
m4.metric(
    f"loss after one SGD step (lr {lr:g})",
    f"{after:.6f}",
    delta=f"{after - before:.6f}",
    delta_color="inverse",
)
st.caption(
    "SGD changes every parameter by −lr × its gradient (`torch.optim.SGD`, no momentum). Finite differences "
    "use (L(θ + h) − L(θ − h)) / 2h with h = 1e-6: their error is rounding, about 1e-10."
)

st.subheader("3. The training loop: the same network on XOR")
st.markdown(
    "The loop every PyTorch training runs: `optimizer.zero_grad()`, forward, loss, `loss.backward()`, "
    "`optimizer.step()`, here on the four XOR points with all four in each step (one epoch = one step), "
    "from the same initial weights and with the learning rate above."
)
epochs = int(st.number_input("Epochs", 10, 20000, 2000, 100, key="bp_epochs"))
runner = session_runner(
    "bp_runner", lambda: XorLoop(config, epochs), identity=(activation, config.lr, config.seed, epochs)
)


def draw(runner, playing: bool) -> None:
    """Epoch, loss, the loss curve and the outputs on the four points."""
    snap = runner.read(lambda job: job.snapshot())
    a, b = st.columns(2)
    a.metric("Epoch", f"{snap.epoch} / {epochs}")
    b.metric("Loss", f"{snap.losses[-1]:.6g}" if snap.losses else "—")
    if snap.losses and not math.isfinite(snap.losses[-1]):
        st.error(
            f"Training stopped at epoch {snap.epoch}: the loss became {snap.losses[-1]:g}. Each step "
            f"overshot further: the learning rate ({config.lr:g}) is too high for this network. Lower it and "
            "a new run starts."
        )
    if snap.losses:
        st.plotly_chart(loss_curve_figure(snap.losses), key="bp_loss_curve")
    st.dataframe(
        pd.DataFrame(
            {
                "x1": [p[0] for p in XOR_INPUTS],
                "x2": [p[1] for p in XOR_INPUTS],
                "target": XOR_TARGETS,
                "output": [round(v, 4) for v in snap.outputs],
            }
        ),
        hide_index=True,
        key="bp_xor_outputs",
    )


start_pending("bp_runner", runner)
live_view(runner, draw, "bp", fps=4, step_help="Train one epoch", on_reset=lambda: drop_runner("bp_runner"))

st.subheader("Try this")
cards_section("backprop")

with st.expander("PyTorch for these settings"):
    st.code(pytorch_code(config, epochs), language="python")
