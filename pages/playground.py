"""Training playground: train a small network on 2-D data live, watching every neuron, weight and loss."""

import numpy as np
import streamlit as st

from core.playground.config import to_query
from core.playground.datasets import UPLOAD, split
from core.playground.engine import uses_fast_path
from pages.playground.view import (
    FPS,
    RUNNER,
    SLOW_EVERY,
    controls,
    draw,
    draw_charts,
    reset,
    restore_widgets,
    session_run,
    starting_config,
    warm_up_once,
)
from ui.cards import cards_section, start_pending
from ui.live import live_view
from ui.shell import ensure_shell

TRY_THIS = """
Each card runs with seed 0 and the other defaults; `python -m core train-playground --help` runs the same
experiments from a terminal. Also try the spiral on x₁, x₂ with **Adam** at learning rate 0.01: about 94 %.
"""
ENGINE_NOTE = "Fast numba kernel"
AUTOGRAD_NOTE = "PyTorch autograd loop (dropout or batch norm)"

ensure_shell()

warm_up_once()
restore_widgets(starting_config())  # a session's first visit: the link's configuration, else the defaults

st.title("Training playground")
st.caption(
    "Pick data and a network, press Play, and watch every hidden neuron's map, the weights and the losses "
    "change as it learns. The link in your address bar reproduces this exact run."
)
with st.expander("Try this"):
    cards_section("playground")
    st.markdown(TRY_THIS)
for problem in st.session_state.pop("play_url_problems", []):
    st.warning(f"From the link: {problem}")

side, main = st.columns([1, 3], gap="medium")
with side:
    config, upload = controls()
data = None
if upload is not None:
    rng = np.random.default_rng(config.seed)
    data = split(upload.points, upload.target, config.train_fraction, rng, upload.task)
st.query_params.from_dict(to_query(config))

with main:
    if config.errors() or (config.dataset == UPLOAD and data is None):
        for problem in config.errors() or ["upload a CSV file to train on your own points"]:
            st.error(problem)
        st.stop()
    runner = session_run(config, data, upload.file_id if upload else None)
    start_pending(RUNNER, runner)
    live_view(
        runner,
        draw,
        "play",
        fps=FPS,
        step_help="Train one epoch",
        on_reset=reset,
        note=(ENGINE_NOTE if uses_fast_path(config) else AUTOGRAD_NOTE) + " · the model is a real nn.Module",
        draw_slow=draw_charts,
        slow_every=SLOW_EVERY,
    )
