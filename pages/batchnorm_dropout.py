"""Batch norm & dropout: a deep MLP with and without batch norm; a small dataset with and without dropout."""

import pandas as pd
import streamlit as st

from core.runner import Runner
from core.training.batchnorm import BINS, BatchNormConfig, BatchNormJob, batchnorm_mlp
from core.training.dropout import DropoutConfig, DropoutJob
from core.training.regularization_code import batchnorm_script, dropout_script
from core.training.regularization_figures import (
    curves_figure,
    histograms_figure,
    mask_figure,
    monte_carlo_figures,
    train_eval_figure,
)
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import ensure_shell, seed

ensure_shell()

MC_RESOLUTION = 41  # Monte-Carlo dropout grid: 41 × 41 points over [-1, 1]²

# Building a plotly figure costs far more than drawing it: build each once per distinct input and share it
# (st.plotly_chart only reads a figure), so a rerun that changes nothing rebuilds nothing.
shared = st.cache_resource(max_entries=8, show_spinner=False)
curves_chart, histograms_chart, train_eval_chart = map(
    shared, (curves_figure, histograms_figure, train_eval_figure)
)
mask_chart, monte_carlo_charts = map(shared, (mask_figure, monte_carlo_figures))


def four(values) -> list[str]:
    """Numbers as this page's tables show them (and the generated scripts print them)."""
    return [f"{v:.4f}" for v in values]


def resample_mask() -> None:
    """Resample button: the next mask seed."""
    st.session_state["do_mask_seed"] = int(st.session_state.get("do_mask_seed", 0)) + 1


st.title("Batch norm & dropout")
st.markdown(
    "Two layers that behave differently in training and in evaluation. **Batch normalization** rescales "
    "each feature of a layer's output to mean 0 and variance 1 over the minibatch, then scales and shifts it "
    "by a learned γ and β, so the next layer sees inputs of a steady scale however the weights before "
    "change. **Dropout** switches units off at random while training, so the network cannot lean on any "
    "single one: a regularizer against overfitting. Call "
    "`model.train()` before training and `model.eval()` before evaluating: both layers depend on it."
)

st.header("Batch normalization")
# One row on a desktop; on a phone each formula takes a line instead of running off the screen.
with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
    st.latex(r"\text{train: } y = \gamma\,\frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}+\beta", width="content")
    st.latex(
        r"\text{eval: } y = \gamma\,\frac{x-\hat\mu}{\sqrt{\hat\sigma^2+\epsilon}}+\beta", width="content"
    )
    st.latex(r"\hat\mu \leftarrow 0.9\,\hat\mu + 0.1\,\mu_B", width="content")
    st.latex(r"\hat\sigma^2 \leftarrow 0.9\,\hat\sigma^2 + 0.1\,\tfrac{B}{B-1}\sigma_B^2", width="content")
st.markdown(
    "μ_B and σ²_B are the minibatch's per-feature mean and (biased) variance, γ and β learned, ε = 1e-5; "
    "the running estimates μ̂ and σ̂² (momentum 0.1, unbiased variance) are what eval mode uses. Below, the "
    "seed's `BatchNormModel` shape, Linear → BatchNorm1d → ReLU per hidden layer, learns the playground's "
    "*circle* data (320 training points) next to the same network without BatchNorm1d: same initial Linear "
    "weights, same minibatches, plain SGD."
)
c1, c2, c3 = st.columns(3)
depth = c1.slider("Hidden layers", 2, 10, 6, key="bn_depth")
bn_lr = c2.select_slider("Learning rate (SGD)", [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5], 0.05, key="bn_lr")
bn_epochs = c3.slider("Epochs", 10, 200, 60, 10, key="bn_epochs")
bn_config = BatchNormConfig(depth=depth, lr=bn_lr, epochs=bn_epochs, seed=seed())
bn_runner = session_runner("bn_runner", lambda: BatchNormJob(bn_config), identity=bn_config)


def draw_batchnorm(runner: Runner, playing: bool) -> None:
    """The epoch and both models' last losses (cheap: redrawn often while it plays)."""
    snap = runner.read(lambda job: job.snapshot())
    done, losses = snap["epoch"], snap["losses"]
    m1, m2, m3 = st.columns(3)
    m1.metric("Epoch", f"{done} / {bn_config.epochs}")
    m2.metric("Loss without batch norm", f"{losses['plain'][-1]:.4f}" if done else "–")
    m3.metric("Loss with batch norm", f"{losses['batch norm'][-1]:.4f}" if done else "–")


def draw_batchnorm_charts(runner: Runner, playing: bool) -> None:
    """Both loss curves, each layer's pre-activation histograms over the epochs, and their stds."""
    snap = runner.read(lambda job: job.snapshot())
    done, losses = snap["epoch"], snap["losses"]
    st.plotly_chart(curves_chart(losses, "bn_curves", "mean training loss"), key="bn_curves")
    if not done:
        st.info(
            "Press Step or Play: the pre-activation histograms of every layer appear after the first epoch."
        )
        return
    st.plotly_chart(histograms_chart(snap["histograms"], BINS), key="bn_histograms")
    stds = pd.DataFrame(
        {name: four(values[-1]) for name, values in snap["stds"].items()},
        index=[f"layer {i + 1}" for i in range(bn_config.depth)],
    ).T
    st.caption(
        "Each column: one hidden layer's pre-activations (the ReLU's input) over the epoch's minibatches; "
        "colour: share of values per bin, clipped to ±4. Their standard deviation in the last epoch:"
    )
    st.dataframe(stds, key="bn_stds")


start_pending("bn_runner", bn_runner)
live_view(
    bn_runner,
    draw_batchnorm,
    "bn",
    fps=4,
    step_help="Train one epoch of both models",
    on_reset=lambda: drop_runner("bn_runner"),
    draw_slow=draw_batchnorm_charts,
    slow_every=1.5,
)
# Under the run, which it describes, so that the run's losses stay in the first screen.
with st.expander("The two models (`print(model)`)"):
    left, right = st.columns(2)
    left.code(str(batchnorm_mlp(depth, bn_config.width, False, bn_config.seed)), language="text")
    right.code(str(batchnorm_mlp(depth, bn_config.width, True, bn_config.seed)), language="text")

st.subheader("Batch statistics vs running statistics")
stats = bn_runner.read(lambda job: job.batch_vs_running())
train_p, eval_p = bn_runner.read(lambda job: job.train_vs_eval())
left, right = st.columns([3, 2])
with left:
    st.markdown(
        f"The first BatchNorm1d layer on one fixed minibatch (the first {bn_config.batch_size} training "
        "points), first six features: what train mode normalizes with, and the running averages eval mode "
        "uses."
    )
    st.dataframe(
        pd.DataFrame({k: four(v) for k, v in stats.items()}, index=[f"feature {i}" for i in range(6)]),
        key="bn_stats",
    )
    st.dataframe(
        pd.DataFrame({"model.train()": four(train_p[:8]), "model.eval()": four(eval_p[:8])}).T,
        key="bn_modes",
    )
    st.metric("Largest |train − eval| probability on this batch", f"{abs(train_p - eval_p).max():.4f}")
with right:
    st.plotly_chart(train_eval_chart(train_p, eval_p), key="bn_train_eval")

st.header("Dropout")
with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"):
    st.latex(r"\text{train: } y_i = \frac{m_i\,x_i}{1-p},\ \ m_i \sim \text{Bernoulli}(1-p)", width="content")
    st.latex(r"\text{eval: } y_i = x_i", width="content")
st.markdown(
    "Each unit is dropped with probability p; the survivors are scaled by 1/(1 − p) so the expected output "
    "stays the same and eval mode can simply pass values through. Below, the seed's `DropoutModel` shape, "
    "Linear → ReLU → Dropout(p) per hidden layer (64, 64), learns 40 noisy *xor* points (40 more to test on) "
    "with Adam, next to the same network without dropout: same initial weights, same minibatches. "
    "Losses are measured in eval mode."
)
d1, d2 = st.columns(2)
p = d1.slider("Dropout rate p", 0.1, 0.9, 0.5, 0.05, key="do_p")
do_epochs = d2.slider("Epochs", 20, 400, 200, 20, key="do_epochs")
do_config = DropoutConfig(p=p, epochs=do_epochs, seed=seed())
do_runner = session_runner("do_runner", lambda: DropoutJob(do_config), identity=do_config)
dropped_name = f"dropout {p:g}"


def draw_dropout(runner: Runner, playing: bool) -> None:
    """The epoch, both models' last eval-mode train and test losses and their gap."""
    snap = runner.read(lambda job: job.snapshot())
    done = snap["epoch"]
    cols = st.columns(5)
    cols[0].metric("Epoch", f"{done} / {do_config.epochs}")
    for i, name in enumerate(("no dropout", dropped_name)):
        train, test = (snap[part][name][-1] if done else None for part in ("train", "test"))
        cols[1 + 2 * i].metric(f"{name}: train loss", f"{train:.4f}" if done else "–")
        cols[2 + 2 * i].metric(
            f"{name}: test loss",
            f"{test:.4f}" if done else "–",
            delta=f"gap {test - train:+.4f}" if done else None,
            delta_color="inverse",
        )


def draw_dropout_curves(runner: Runner, playing: bool) -> None:
    """Both models' train and test loss curves."""
    snap = runner.read(lambda job: job.snapshot())
    series = {
        f"{name} · {part}": snap[part][name]
        for name in ("no dropout", dropped_name)
        for part in ("train", "test")
    }
    st.plotly_chart(curves_chart(series, "dropout_curves", "loss (eval mode)"), key="do_curves")


start_pending("do_runner", do_runner)
live_view(
    do_runner,
    draw_dropout,
    "do",
    fps=4,
    step_help="Train one epoch of both models",
    on_reset=lambda: drop_runner("do_runner"),
    draw_slow=draw_dropout_curves,
)

st.subheader("The sampled mask")
m1, m2, m3, m4 = st.columns([1, 1, 1, 1])
x1 = m1.number_input("Input x1", -1.0, 1.0, 0.5, 0.1, key="do_x1")
x2 = m2.number_input("Input x2", -1.0, 1.0, 0.5, 0.1, key="do_x2")
mask_seed = m3.number_input("Mask seed", 0, 10_000, 0, key="do_mask_seed")
m4.button("Resample", key="do_resample", on_click=resample_mask, help="Draw a new mask (next seed).")
masks = do_runner.read(lambda job: job.masks((float(x1), float(x2)), int(mask_seed)))
st.plotly_chart(mask_chart([m.kept for m in masks], [m.after for m in masks]), key="do_mask")
st.caption(
    " · ".join(
        f"dropout {i + 1}: {int(m.kept.sum())} of {len(m.kept)} units kept ({m.kept.mean():.0%}, expected "
        f"{1 - p:.0%}), kept values × 1/(1 − p) = {1 / (1 - p):.4f}"
        for i, m in enumerate(masks)
    )
)

st.subheader("Monte-Carlo dropout: uncertainty over the input plane")
samples = st.slider("Dropout samples", 5, 100, 30, 5, key="do_samples")
st.markdown(
    "Keep dropout **on** at prediction time and run the same input many times: each pass samples another "
    "thinned network. The mean is the prediction, the spread a rough uncertainty: it grows away from the "
    "training points and near the boundary."
)
mc = do_runner.read(lambda job: job.monte_carlo(samples, seed(), MC_RESOLUTION))
train_points, train_labels = do_runner.read(lambda job: (job.data.train_x.numpy(), job.data.train_y.numpy()))
mean_fig, std_fig = monte_carlo_charts(mc, train_points, train_labels)
left, right = st.columns(2)
left.plotly_chart(mean_fig, key="do_mc_mean")
right.plotly_chart(std_fig, key="do_mc_std")
s1, s2 = st.columns(2)
s1.metric("Largest std over the plane", f"{mc['std'].max():.4f}")
s2.metric("Mean std over the plane", f"{mc['std'].mean():.4f}")

st.header("Try this")
cards_section("batchnorm_dropout")
st.markdown(
    """
- **Compare the modes**: before any training the running averages are still 0 and 1, so eval mode gives all
  32 points about 0.52 while train mode spreads them (0.42–0.62). After training they still differ, by 0.5
  or more on some points (off the diagonal): one batch's statistics are not the running averages, and six
  normalizations compound. Predict in `model.eval()`.
"""
)

st.header("PyTorch for these settings")
bn_done = bn_runner.read(lambda job: job.epoch)
do_done = do_runner.read(lambda job: job.epoch)
st.caption(
    f"Batch norm: trains both models for the {bn_done} epochs trained above and prints each epoch's losses, "
    "the batch vs running statistics and the train- vs eval-mode probabilities shown above."
)
st.code(batchnorm_script(bn_config, bn_done), language="python")
st.caption(
    f"Dropout: trains both models for the {do_done} epochs trained above and prints each epoch's eval-mode "
    "losses, the sampled masks' counts and scaling, and the Monte-Carlo spread shown above."
)
st.code(
    dropout_script(
        do_config, do_done, (float(x1), float(x2)), int(mask_seed), samples, seed(), MC_RESOLUTION
    ),
    language="python",
)
