"""The RNN page's Streamlit parts: its controls and the live view of a training run."""

import numpy as np
import pandas as pd
import streamlit as st

from core.rnn.config import MAX_HIDDEN, MAX_HORIZON, MAX_LAYERS, MAX_SEQ_LEN, MIN_SEQ_LEN, TASKS, RNNConfig
from core.rnn.export import metric_line, train_script
from core.rnn.figures import (
    clipping_figure,
    gates_figure,
    gradient_time_figure,
    time_heatmap,
    training_figure,
)
from core.rnn.inside import hidden_states, lstm_gates, sample_text
from core.rnn.job import ADDING_BASELINE, EVAL_EVERY, TEXT_BLOCK, TEXT_HOLD_EVERY, RNNJob
from core.rnn.model import CELLS
from core.rnn.text import DEFAULT_TEXT
from core.rnn.views import adding_examples, comparable, gradient_curves, model_inputs, vanishing_ratio
from core.runner import Runner

LRS = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
CLIPS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
SAMPLE_LENGTH = 300  # characters written per sample


def reset_text() -> None:
    """Put the app's default text back into the text box."""
    st.session_state.rnn_text = DEFAULT_TEXT


def controls(seed: int) -> RNNConfig:
    """The task, model and training widgets; the configuration they describe."""
    defaults = RNNConfig()
    task = st.selectbox("Task", list(TASKS), format_func=TASKS.get, key="rnn_task")
    cell = st.radio(
        "Cell", list(CELLS), index=list(CELLS).index(defaults.cell), horizontal=True, key="rnn_cell"
    )
    left, right = st.columns(2)
    hidden = left.slider("Hidden size", 1, MAX_HIDDEN, defaults.hidden, key="rnn_hidden")
    layers = right.slider("Layers", 1, MAX_LAYERS, defaults.layers, key="rnn_layers")
    seq_len = left.slider(
        "Sequence length T",
        MIN_SEQ_LEN,
        MAX_SEQ_LEN,
        defaults.seq_len,
        key="rnn_seq_len",
        help="Time steps per training sequence (the adding problem's T).",
    )
    lr = right.select_slider(
        "Learning rate (Adam)", LRS, defaults.lr, key="rnn_lr", help="Changes the run live."
    )
    clip = st.select_slider(
        "Gradient clipping (max norm, 0 = off)",
        CLIPS,
        defaults.clip,
        key="rnn_clip",
        help="torch.nn.utils.clip_grad_norm_: rescales all gradients together when their total norm is "
        "above this. Changes the run live.",
    )
    extra: dict = {}
    if task == "sine":
        extra["sum_of_sines"] = st.toggle("Sum of two sines", key="rnn_sum_of_sines")
        left, right = st.columns(2)
        extra["freq"] = left.slider("Frequency (cycles/step)", 0.01, 0.2, defaults.freq, 0.01, key="rnn_freq")
        extra["noise"] = right.slider("Noise (std)", 0.0, 0.5, defaults.noise, 0.01, key="rnn_noise")
        extra["horizon"] = st.slider("Roll-out horizon", 1, MAX_HORIZON, defaults.horizon, key="rnn_horizon")
    if task == "chars":
        st.session_state.setdefault("rnn_text", DEFAULT_TEXT)
        extra["text"] = st.text_area("Text to learn", height=160, key="rnn_text")
        st.button("Default text", key="rnn_default_text", on_click=reset_text)
    return RNNConfig(
        task=task,
        cell=cell,
        hidden=hidden,
        layers=layers,
        lr=lr,
        seq_len=seq_len,
        clip=clip,
        seed=seed,
        **extra,
    )


def metric_name(task: str) -> str:
    """What the run's test metric is called on the page."""
    return "validation perplexity" if task == "chars" else "test MSE"


def draw_run(runner: Runner, playing: bool) -> None:
    """Numbers, curves and the task's own view of the run; redrawn while it trains."""
    snap = runner.read(lambda job: job.snapshot())
    task = runner.job.task
    name = metric_name(task)
    cols = st.columns(4)
    cols[0].metric("Step", f"{snap.step:,}", help=f"of {runner.job.config.steps:,}")
    cols[1].metric(
        name,
        f"{snap.metric[-1]:.4g}",
        help=f"Measured at step {snap.eval_steps[-1]} (every {EVAL_EVERY} steps)",
    )
    loss_name = "Training cross-entropy" if task == "chars" else "Training loss"
    cols[2].metric(loss_name, f"{snap.losses[-1]:.4g}" if snap.step else "–", help="Of the last batch")
    cols[3].metric("Steps per second", f"{snap.step / snap.seconds:.0f}" if snap.seconds else "–")
    if snap.diverged:
        st.error("The loss became NaN or infinite: lower the learning rate or clip the gradient, then Reset.")
    baseline = ADDING_BASELINE if task == "adding" else None
    st.plotly_chart(
        training_figure(
            np.exp(snap.losses) if task == "chars" else snap.losses,
            snap.eval_steps,
            snap.metric,
            name,
            baseline,
            "always answering 1.0: MSE = 1/6",
            "training perplexity (e^loss of each batch)" if task == "chars" else "training loss",
        ),
        key="rnn_training_chart",
    )
    if task == "adding":
        st.dataframe(runner.read(adding_examples), hide_index=True, key="rnn_adding_examples")
    if task == "chars":
        if not runner.job.held_out:
            st.caption(
                f"This text is too short to hold out every {TEXT_HOLD_EVERY}th block of {TEXT_BLOCK} "
                "characters for validation: the perplexity is measured on the training text."
            )
        temperature = st.session_state.get("rnn_temperature", 1.0)
        written = runner.read(
            lambda job: sample_text(job.model, job.alphabet, job.alphabet[0], SAMPLE_LENGTH, temperature, 0)
        )
        st.caption(
            f"Sample at temperature {temperature:g} (seed 0), starting from {runner.job.alphabet[0]!r}:"
        )
        st.code(written, language=None, wrap_lines=True)
    if not playing and snap.step:
        clip = snap.clip
        share = float(np.mean(snap.grad_norms > clip)) if clip > 0 else 0.0
        st.markdown(
            "**What clipping does.** Before each update the total gradient norm ‖g‖ is measured (red); "
            + (
                f"when it is above {clip:g}, every gradient is multiplied by {clip:g}/(‖g‖ + 10⁻⁶), "
                f"so the step keeps its direction and only gets shorter (blue). "
                f"Clipped in {share:.0%} of {snap.step:,} steps."
                if clip > 0
                else "clipping is off, so every step uses it as it is."
            )
        )
        st.plotly_chart(clipping_figure(snap.grad_norms, clip), key="rnn_clipping_chart")


def temperature_control(job: RNNJob) -> None:
    """The sampling temperature slider (characters only)."""
    if job.task == "chars":
        st.slider(
            "Sampling temperature",
            0.1,
            2.0,
            1.0,
            0.05,
            key="rnn_temperature",
            help="Samples are drawn from softmax(logits / temperature): low = safe and repetitive, "
            "high = wild.",
        )


def inside_view(runner: Runner | None, probe: RNNJob | None, seed: int) -> None:
    """Hidden states, LSTM gates and gradients through time of a paused run (`probe`, a copy of it)."""
    if runner is None:
        st.info("Fix the settings above to train a model and look inside it.")
        return
    if probe is None:
        st.info("Pause to look inside: the hidden states, gates and gradients of the model as it is now.")
        return
    inputs = model_inputs(probe)  # (B, T, I)
    st.plotly_chart(
        time_heatmap(
            hidden_states(probe.model, inputs), "Hidden state of the top layer for one test sequence"
        ),
        key="rnn_hidden_heatmap",
    )
    if probe.config.cell == "LSTM":
        st.markdown(
            "**LSTM gates** of the first layer on the same sequence: c_t = f ⊙ c_{t−1} + i ⊙ g and "
            "h_t = o ⊙ tanh(c_t). A forget gate near 1 keeps the cell's memory; near 0 erases it."
        )
        st.plotly_chart(gates_figure(lstm_gates(probe.model.rnn, inputs)), key="rnn_gates")
    else:
        st.caption("Choose the LSTM cell to see its input, forget and output gates.")
    curves = gradient_curves(probe, seed)
    # Each cell's last trained curve is kept for the session, to compare cells trained with the same settings.
    trained = st.session_state.setdefault("rnn_trained_curves", {})
    if probe.steps:
        trained[probe.config.cell] = (comparable(probe.config), *next(iter(curves.items())))
    for cell, (settings, label, norms) in trained.items():
        if cell != probe.config.cell and settings == comparable(probe.config):
            curves[label.replace("this run", "earlier run")] = norms
    st.markdown(
        "**Gradients through time.** ‖∂L/∂h_t‖ is how much the loss changes with the hidden state at step "
        "t, through all later steps (computed by autograd). When it falls steeply to the left, the early "
        "steps get almost no learning signal: the vanishing gradient. Train RNN, LSTM and GRU in turn with "
        "the same settings: each trained run stays on this chart."
    )
    st.plotly_chart(gradient_time_figure(curves), key="rnn_gradients")
    table = [
        {"model": label, "‖∂L/∂h_1‖ / ‖∂L/∂h_T‖": f"{vanishing_ratio(n):.2e}"} for label, n in curves.items()
    ]
    st.dataframe(pd.DataFrame(table), hide_index=True, key="rnn_gradient_table")


def script_view(runner: Runner | None, config: RNNConfig) -> None:
    """The script that reproduces the run up to its last measurement, and the line it prints."""
    if runner is None:
        st.info("Fix the settings above to see the code for them.")
        return
    snap = runner.read(lambda job: job.snapshot())
    steps = int(snap.eval_steps[-1])
    st.markdown(
        f"This script trains the run above for its {steps} steps up to its last measurement and prints "
        f"`{metric_line(config.task, steps, float(snap.metric[-1]))}`: the {metric_name(config.task)} "
        "shown above."
    )
    if snap.live_changed:
        st.warning(
            "The learning rate or clipping changed during this run: the script uses the current values."
        )
    st.code(train_script(config, steps), language="python")
