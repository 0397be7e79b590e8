"""Training playground: train a small network on 2-D data live, watching every neuron, weight and gradient."""

import numpy as np
import streamlit as st

from core.playground.config import to_query
from core.playground.datasets import UPLOAD, split
from core.playground.engine import uses_fast_path
from core.playground.export import export_script
from ui.playground import (
    controls,
    current_engine,
    live_view,
    reset,
    restore_widgets,
    starting_config,
    step,
    toggle,
    warm_up_once,
)
from ui.shell import ensure_shell

ensure_shell()

warm_up_once()
restore_widgets(starting_config())  # a session's first visit: the link's configuration, else the defaults

st.title("Training playground")
st.caption(
    "Backpropagation made visible: pick data and a network, press play, and watch every neuron learn. "
    "The link in your address bar reproduces this exact run."
)
for problem in st.session_state.pop("play_url_problems", []):
    st.warning(f"Ignored from the link: {problem}")

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
    engine = current_engine(config, data, upload.file_id if upload else None)

    running = st.session_state.play_running
    buttons = st.columns([1, 1, 1, 4], vertical_alignment="center")
    buttons[0].button(
        "Pause" if running else "Play",
        icon=":material/pause:" if running else ":material/play_arrow:",
        key="play_toggle",
        on_click=toggle,
        type="primary",
        width="stretch",
        disabled=engine.diverged,
    )
    buttons[1].button("Step", key="play_step", on_click=step, width="stretch", help="Train one epoch")
    buttons[2].button("Reset", key="play_reset", on_click=reset, width="stretch")
    buttons[3].caption(
        ("Fast numba kernel" if uses_fast_path(config) else "PyTorch autograd loop (dropout or batch norm)")
        + " · the model is a real torch nn.Module"
    )

    live_view(engine)
    if not running:
        with st.expander("Export as PyTorch"):
            script = export_script(engine.config, engine.epoch, data)
            st.download_button(
                "Download script",
                script,
                file_name="playground_run.py",
                mime="text/x-python",
                key="play_download",
            )
            st.code(script, language="python")
