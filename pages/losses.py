"""Loss functions: each torch.nn loss against the prediction with its gradient, the slide's example term by
term, BCE's saturation against BCEWithLogitsLoss, and how outliers pull MSE, MAE and Huber fits."""

import pandas as pd
import streamlit as st

from core.playground.losses import LOSSES
from core.training.loss_figures import curve_figure, outlier_figure, saturation_figure
from core.training.losses import (
    LossLabConfig,
    bce_terms,
    class_losses,
    curve,
    mse_terms,
    outlier_fits,
    parse_vector,
    pytorch_code,
    saturation,
    vector_losses,
)
from ui.cards import cards_section
from ui.shell import ensure_shell, seed

ensure_shell()

DEFAULTS = LossLabConfig()
SATURATION_LOGITS = [z / 4 for z in range(-160, 161)]  # z from −40 to 40
SATURATION_TABLE = [-120.0, -20.0, 0.0, 10.0, 16.0, 17.0, 20.0, 120.0]
# Pure functions of the widgets' values: computed once per setting.
cached_curve = st.cache_data(curve, max_entries=128, show_spinner=False)
cached_saturation = st.cache_data(saturation, max_entries=8, show_spinner=False)
cached_fits = st.cache_data(outlier_fits, max_entries=64, show_spinner=False)


def vector_input(label: str, default: tuple[float, ...], key: str, column) -> list[float] | None:
    """A comma-separated list of numbers; None (and one line saying why) when it does not parse."""
    text = column.text_input(label, ", ".join(f"{v:g}" for v in default), key=key)
    try:
        return parse_vector(text)
    except ValueError as error:
        column.error(f"{label}: {error}")
        return None


st.title("Loss functions")
st.markdown(
    "A loss turns a prediction and a target into one number to minimise; training follows its gradient. "
    "Each loss here is PyTorch's own `torch.nn` module, its formula as PyTorch defines it, and every "
    "gradient is computed by autograd. Losses average over the batch (`reduction='mean'`) unless noted."
)
p1, p2 = st.columns(2)
delta = p1.slider("Huber δ (HuberLoss delta)", 0.1, 5.0, DEFAULTS.delta, 0.1, key="loss_delta")
margin = p2.slider("Hinge margin (MultiMarginLoss margin)", 0.1, 3.0, DEFAULTS.margin, 0.1, key="loss_margin")

st.subheader("1. One loss against the prediction")
c1, c2 = st.columns([1, 2])
name = c1.selectbox("Loss", list(LOSSES), key="loss_name")
entry = LOSSES[name]
if entry.kind == "value":
    target = c1.slider("Target y", -2.0, 2.0, 1.0, 0.1, key="loss_target_value")
elif entry.kind == "classes":
    target = 0.0
    c1.caption("Three classes, true class 0; the other two scores stay 0.")
else:
    label = "Target probability t of class 1" if entry.kind == "distribution" else "Target y"
    target = c1.slider(label, 0.0, 1.0, 1.0, 0.05, key="loss_target_prob")
value = {"delta": delta, "margin": margin}.get(entry.param.name) if entry.param else None
c1.markdown(f"`{entry.code(value)}`")
c1.latex(entry.formula)
c1.caption(entry.note)
c2.plotly_chart(curve_figure(cached_curve(name, target, value), name), key="loss_curve")

st.subheader("2. Your own vectors: the slide's example")
v1, v2 = st.columns(2)
y_true = vector_input("y_true", DEFAULTS.y_true, "loss_y_true", v1)
y_pred = vector_input("y_pred", DEFAULTS.y_pred, "loss_y_pred", v2)
s1, s2, s3 = st.columns(3)
scores = vector_input("Class scores (logits)", DEFAULTS.scores, "loss_scores", s1)
true_class = int(s2.number_input("True class", 0, 9, DEFAULTS.true_class, key="loss_true_class"))
target_probs = vector_input("KLDiv target distribution", DEFAULTS.target_probs, "loss_target_probs", s3)

values, problems = [], []
if y_true is not None and y_pred is not None:
    try:
        values += vector_losses(y_true, y_pred, delta)
    except ValueError as error:
        problems.append(str(error))
if scores is not None and target_probs is not None:
    try:
        values += class_losses(scores, true_class, target_probs, margin)
    except ValueError as error:
        problems.append(str(error))
for problem in problems:
    st.error(problem)
st.dataframe(
    pd.DataFrame(
        [
            {
                "loss": v.name,
                "PyTorch": v.call,
                "value": f"{v.value:.6f}" if v.value is not None else v.problem,
            }
            for v in values
        ]
    ),
    hide_index=True,
    width="stretch",
    key="loss_values",
)
if y_true is not None and y_pred is not None and len(y_true) == len(y_pred):
    t1, t2 = st.columns(2)
    mse = mse_terms(y_true, y_pred)
    t1.markdown("**nn.MSELoss, term by term**")
    t1.dataframe(
        pd.DataFrame([{"y": t.y, "ŷ": t.p, "(ŷ − y)²": t.arithmetic} for t in mse]),
        hide_index=True,
        key="loss_mse",
    )
    total = sum(t.value for t in mse)
    t1.markdown(f"mean = {total:.6f} / {len(mse)} = **{total / len(mse):.6f}**")
    if all(0 <= v <= 1 for v in (*y_true, *y_pred)):
        bce = bce_terms(y_true, y_pred)
        t2.markdown("**nn.BCELoss, term by term**")
        t2.dataframe(
            pd.DataFrame([{"y": t.y, "p": t.p, "−[y ln p + (1 − y) ln(1 − p)]": t.arithmetic} for t in bce]),
            hide_index=True,
            key="loss_bce",
        )
        total = sum(t.value for t in bce)
        t2.markdown(f"mean = {total:.6f} / {len(bce)} = **{total / len(bce):.6f}**")

st.subheader("3. BCE near 0 and 1, and why BCEWithLogitsLoss exists")
st.markdown(
    "In float32, `torch.sigmoid(z)` rounds to exactly 1.0 once z > 16.6 and to 0 below about −88.7. "
    "`nn.BCELoss` then takes log(0): PyTorch clamps each log at −100, so the loss sticks at 100 and its "
    "gradient is 0, and the network stops learning from its most wrong examples. `nn.BCEWithLogitsLoss` "
    "takes z itself and computes max(z, 0) − z·y + log(1 + e^−|z|), exact for every z."
)
sat_target = st.radio("Target y", [0.0, 1.0], horizontal=True, key="loss_sat_target")
st.plotly_chart(
    saturation_figure(cached_saturation(sat_target, SATURATION_LOGITS), sat_target), key="loss_saturation"
)
table = cached_saturation(sat_target, SATURATION_TABLE)
st.dataframe(
    pd.DataFrame(
        {
            "z": table.z,
            "BCELoss(sigmoid(z))": [f"{v:.4f}" for v in table.bce],
            "its gradient": [f"{v:.4f}" for v in table.bce_gradient],
            "BCEWithLogitsLoss(z)": [f"{v:.4f}" for v in table.with_logits],
            "its gradient ": [f"{v:.4f}" for v in table.with_logits_gradient],
            "exact": [f"{v:.4f}" for v in table.exact],
        }
    ),
    hide_index=True,
    key="loss_saturation_table",
)

st.subheader("4. Outliers: MSE against MAE and Huber")
outlier = st.slider(
    "Outlier: how far the last point moves up", -20.0, 20.0, DEFAULTS.outlier, 0.5, key="loss_outlier"
)
fit = cached_fits(outlier, delta, seed())
left, right = st.columns([2, 1])
left.plotly_chart(outlier_figure(fit), key="loss_outliers")
right.dataframe(
    pd.DataFrame(
        [{"loss": n, "slope": f"{s:.3f}", "intercept": f"{b:.3f}"} for n, (s, b) in fit.lines.items()]
        + [{"loss": "true line", "slope": "2.000", "intercept": "1.000"}]
    ),
    hide_index=True,
    key="loss_fits",
)
right.caption(
    "20 points on y = 2x + 1 with N(0, 0.2²) noise (sidebar seed); each line minimises its loss. MSE's "
    "gradient grows with the error, so one far point pulls it; MAE's and Huber's stay bounded."
)

st.subheader("Try this")
st.markdown(
    "- Keep the slide's vectors: `nn.MSELoss` is (0.01 + 0.01 + 0.04 + 0.0025) / 4 = **0.015625** and "
    "`nn.BCELoss` is **0.1213**.\n"
    "- In section 1 pick **MSE**, then **MAE**: MSE's gradient is a line through 0, MAE's a step from −1 to "
    "+1."
)
cards_section("losses")

with st.expander("PyTorch for these settings"):
    if None in (y_true, y_pred, scores, target_probs) or problems:
        st.info("Fix the inputs above to see the code for them.")
    else:
        config = LossLabConfig(
            tuple(y_true),
            tuple(y_pred),
            delta,
            tuple(scores),
            true_class,
            tuple(target_probs),
            margin,
            outlier,
            seed(),
        )
        st.code(pytorch_code(config), language="python")
