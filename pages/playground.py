"""Training playground: train a small network on 2-D data live, watching every neuron, weight and loss."""

import numpy as np
import streamlit as st

from core.playground.config import to_query
from core.playground.datasets import UPLOAD, split
from core.playground.engine import uses_fast_path
from pages.playground.fork import draw_race, draw_race_charts, fork_panel
from pages.playground.lab import (
    FORK,
    RUNNER,
    SWEEP,
    apply_fork_link,
    forked,
    lab_query,
    mode_switch,
    read_fork_link,
    run_key,
)
from pages.playground.landscape import draw_run_charts
from pages.playground.sweep import sweep_section
from pages.playground.view import (
    FPS,
    SLOW_EVERY,
    controls,
    draw,
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
experiments from a terminal. Also try the spiral (two hidden layers of 8) on x₁,
x₂ with **Adam** at learning rate 0.01: about 94 %.
"""
ENGINE_NOTE = "Fast numba kernel"
AUTOGRAD_NOTE = "PyTorch autograd loop (dropout or batch norm)"

ensure_shell()

warm_up_once()
start = starting_config()  # a session's first visit: the link's configuration, else the defaults
restore_widgets(start)
read_fork_link(start)  # a link may carry a fork: its epoch and run B's settings

st.title("Training playground")
st.caption(
    "Pick data and a network, press Play, and watch every hidden neuron's map, the weights and the losses "
    "change as it learns. The link in your address bar reproduces this exact run."
)
with st.expander("Try this"):
    cards_section("playground", tabs=True)  # one card high: the controls stay in sight
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

with main:
    mode = mode_switch()
    if config.errors() or (config.dataset == UPLOAD and data is None):
        for problem in config.errors() or ["upload a CSV file to train on your own points"]:
            st.error(problem)
        st.query_params.from_dict(to_query(config))
        st.stop()
    if mode == SWEEP:
        st.query_params.from_dict(to_query(config))
        sweep_section(config)
        st.stop()
    runner = session_run(config, data, run_key(config, upload.file_id if upload else None))
    start_pending(RUNNER, runner)  # a prediction card's run plays in this view
    engine_note = (
        ENGINE_NOTE if uses_fast_path(config) else AUTOGRAD_NOTE
    ) + " · the model is a real nn.Module"
    if mode == FORK:
        apply_fork_link(runner)  # a link's fork: A trained to its epoch and forked, once
        runner = st.session_state[RUNNER]  # a new one once forked
        b_config = fork_panel(runner, config)
        if b_config is not None and forked():
            runner.apply(lambda job: job.set_config("B", b_config))
    st.query_params.from_dict(to_query(config) | lab_query())
    live_view(
        runner,
        draw_race if forked() else draw,
        "play",
        fps=FPS,
        step_help="Train one epoch" + (" of both runs" if forked() else ""),
        on_reset=reset,
        note=engine_note,
        draw_slow=draw_race_charts if forked() else draw_run_charts,
        slow_every=SLOW_EVERY,
    )
