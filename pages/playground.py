"""Training playground: train a small network on 2-D data live, watching every neuron, weight and gradient."""

import dataclasses
import time

import numpy as np
import streamlit as st

from core.activations import activation_names
from core.playground.config import (
    FIELDS,
    MAX_LAYERS,
    MAX_WIDTH,
    REGULARIZATIONS,
    PlaygroundConfig,
    from_query,
    to_query,
)
from core.playground.csvdata import CSVError, parse_points_csv
from core.playground.datasets import DATASETS, UPLOAD, split
from core.playground.engine import Engine, uses_fast_path
from core.playground.export import export_script
from core.playground.features import FEATURES
from core.playground.live import LiveView, neuron_picture, warm_up
from core.playground.losses import LOSSES, losses_for
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES
from ui.shell import ensure_shell, seed

ensure_shell()


@st.cache_resource
def warm_up_once() -> bool:
    """core.playground.live.warm_up, once per server process (first visit)."""
    warm_up()
    return True


warm_up_once()
TICK = 0.07  # target seconds from one live redraw to the next (at most about 14 a second)
SLOW_EVERY = 1.0  # seconds between redraws of the network, curves and gradient norms while running
LRS = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
RATES = [0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = [1, 2, 5, 10, 20, 25, 50, 100, 250, 500]
state = st.session_state


def restore_widgets(config: PlaygroundConfig) -> None:
    """Give each widget its value before it is drawn: the one it has, else the config's.

    Re-assigning a kept value turns it from widget state into session state, which survives what widget
    state does not: a run in which the widget was not drawn (the visitor was on another page)."""
    values = {f"play_{name}": getattr(config, name) for name in FIELDS}
    values["play_features"] = list(config.features)
    values["play_layers"] = len(config.hidden)
    values |= {f"play_width_{i}": width for i, width in enumerate(config.hidden)}
    kept = [key for key in state if isinstance(key, str) and key.startswith("play_width_")]
    for key in {*values, *kept}:
        state[key] = state[key] if key in state else values[key]


def options_with(values: list, current: object) -> list:
    """A slider's options, plus the current value when a link brought one that is not among them."""
    return sorted({*values, current}) if current is not None else values


def toggle() -> None:
    state.play_running = not state.play_running


def step() -> None:
    state.play_running = False
    if state.play_engine is not None:
        state.play_engine.train(1)


def reset() -> None:
    state.play_running, state.play_engine = False, None


def regenerate() -> None:
    state.play_seed = int(state.play_seed) + 1


if "play_engine" not in state:  # a session's first visit: the link's configuration, else the defaults
    state.play_engine, state.play_running = None, False
    start, problems = (
        from_query(st.query_params.to_dict())
        if st.query_params
        else (dataclasses.replace(PlaygroundConfig(), seed=seed()), [])
    )
    state.play_url_problems = problems
else:
    start = state.play_engine.config if state.play_engine else PlaygroundConfig()
restore_widgets(start)

st.title("Training playground")
st.caption(
    "Backpropagation made visible: pick data and a network, press play, and watch every neuron learn. "
    "The link in your address bar reproduces this exact run."
)
for problem in state.pop("play_url_problems", []):
    st.warning(f"Ignored from the link: {problem}")

controls, main = st.columns([1, 3], gap="medium")
with controls:
    with st.expander("Data", expanded=True):
        dataset = st.selectbox(
            "Dataset",
            [*DATASETS, UPLOAD],
            key="play_dataset",
            format_func=lambda d: "your CSV…" if d == UPLOAD else d.replace("_", " "),
        )
        upload = None
        if dataset == UPLOAD:
            file = st.file_uploader(
                "CSV with x1,x2,label or x1,x2,y (≤ 10 MB)", type=["csv", "txt"], key="play_csv"
            )
            if file is not None:
                try:
                    upload = parse_points_csv(file.getvalue())
                    st.caption(upload[3])
                except CSVError as error:
                    st.error(f"{file.name}: {error}")
        else:
            st.caption(DATASETS[dataset].note)
        st.slider("Noise", 0.0, 0.5, step=0.05, key="play_noise", disabled=dataset == UPLOAD)
        st.slider("Points", 20, 2000, step=10, key="play_points", disabled=dataset == UPLOAD)
        st.slider("Training share", 0.1, 0.9, step=0.05, key="play_train_fraction")
        st.number_input("Seed", 0, 2**31 - 1, step=1, key="play_seed")
        st.button(
            "New data",
            icon=":material/refresh:",
            key="play_regenerate",
            on_click=regenerate,
            help="Regenerate the points: seed + 1 (the link keeps the seed, so it still reproduces)",
        )
        st.multiselect(
            "Input features", list(FEATURES), key="play_features", format_func=lambda f: FEATURES[f].label
        )
    with st.expander("Network", expanded=True):
        layers = st.number_input("Hidden layers", 0, MAX_LAYERS, step=1, key="play_layers")
        widths = []
        for i in range(layers):
            state.setdefault(f"play_width_{i}", 4)
            widths.append(
                st.number_input(f"Neurons in layer {i + 1}", 1, MAX_WIDTH, step=1, key=f"play_width_{i}")
            )
        st.selectbox("Activation", activation_names(), key="play_activation")
        st.selectbox("Weight init", list(INITS), key="play_init", help=INITS[state.play_init].note)
        st.slider("Dropout", 0.0, 0.9, step=0.05, key="play_dropout")
        st.toggle("Batch norm", key="play_batch_norm")
    with st.expander("Training", expanded=True):
        task = upload[2] if dataset == UPLOAD and upload else DATASETS.get(dataset, DATASETS["circle"]).task
        if state.play_loss not in losses_for(task):
            state.play_loss = losses_for(task)[0]
        st.selectbox("Loss", losses_for(task), key="play_loss", help=LOSSES[state.play_loss].note)
        st.selectbox(
            "Optimizer", list(OPTIMIZERS), key="play_optimizer", help=OPTIMIZERS[state.play_optimizer].note
        )
        st.select_slider("Learning rate", options_with(LRS, state.play_lr), key="play_lr")
        st.select_slider("Batch size", options_with(BATCHES, state.play_batch_size), key="play_batch_size")
        st.selectbox(
            "Learning-rate schedule",
            list(SCHEDULES),
            key="play_schedule",
            help=SCHEDULES[state.play_schedule].note,
        )
        st.number_input(
            "Schedule period (epochs)",
            1,
            100_000,
            step=10,
            key="play_schedule_period",
            disabled=state.play_schedule == "none",
        )
        st.selectbox("Regularization", REGULARIZATIONS, key="play_regularization")
        st.select_slider("Regularization rate", options_with(RATES, state.play_reg_rate), key="play_reg_rate")

config = PlaygroundConfig(
    **{
        name: tuple(state.play_features)
        if name == "features"
        else tuple(widths)
        if name == "hidden"
        else state[f"play_{name}"]
        for name in FIELDS
    }
)
data = None
if dataset == UPLOAD and upload is not None:
    data = split(upload[0], upload[1], config.train_fraction, np.random.default_rng(config.seed), upload[2])
st.query_params.from_dict(to_query(config))

with main:
    if config.errors() or (dataset == UPLOAD and data is None):
        for problem in config.errors() or ["upload a CSV file to train on your own points"]:
            st.error(problem)
        st.stop()
    engine: Engine | None = state.play_engine
    data_key = file.file_id if data is not None else None  # a new upload is a new run
    if engine is None or engine.needs_reset(config) or state.get("play_data_key") != data_key:
        engine = state.play_engine = Engine(config, data)
        state.play_data_key = data_key
    else:
        engine.update_live(config)  # learning rate, batch size, regularization and schedule apply at once
    buttons = st.columns([1, 1, 1, 4], vertical_alignment="center")
    buttons[0].button(
        "Pause" if state.play_running else "Play",
        icon=":material/pause:" if state.play_running else ":material/play_arrow:",
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

    def planes(view: LiveView) -> None:
        """The decision boundary and every neuron's map: pictures while training runs, charts when paused."""
        axis, output, maps = engine.grid(100)
        left, right = st.columns([3, 2])
        right.caption(
            "Every hidden neuron over the input plane, a column per layer"
            if maps
            else "No hidden layers: the output is a linear function of the inputs."
        )
        if state.play_running:
            caption = "Output over the plane · train ● · test ◆ (pause to hover)"
            left.image(view.boundary_picture(output), width=420, caption=caption)
            if maps:
                right.image(neuron_picture(maps))
            return
        quiet = {"displayModeBar": False}
        left.plotly_chart(view.boundary_chart(axis, output), key="play_boundary", config=quiet)
        if maps:
            right.plotly_chart(view.neuron_chart(maps), key="play_neurons", config=quiet)

    # The browser asks for a tick more often than ticks take, so they run back to back; each trains for
    # what the last cycle's drawing and Streamlit's own work leave of TICK.
    @st.fragment(run_every=TICK / 2 if state.play_running and not engine.diverged else None)
    def live() -> None:
        """One tick: train for a slice of time, then redraw."""
        start = time.perf_counter()
        if state.play_running and not engine.diverged:
            overhead = start - state.get("play_tick_start", start) - state.get("play_train_seconds", 0.0)
            engine.train_for(min(TICK, max(0.01, TICK - overhead)) if overhead > 0 else TICK / 2)
        state.play_tick_start, state.play_train_seconds = start, time.perf_counter() - start
        if engine.diverged and state.play_running:
            state.play_running = False
            st.rerun()  # the whole page, so the fragment stops its timer and Play shows as stopped
        view = state.get("play_view")
        if view is None or view.engine is not engine:
            view = state.play_view = LiveView(engine)
        history = view.history()
        numbers = st.columns(4)
        numbers[0].metric("Epoch", f"{engine.epoch:,}")
        if engine.epoch:
            numbers[1].metric("Train loss", f"{history['train_loss'][-1]:.4f}")
            numbers[2].metric("Test loss", f"{history['test_loss'][-1]:.4f}")
            if engine.task == "classification":
                numbers[3].metric("Test accuracy", f"{history['test_accuracy'][-1]:.1%}")
        if engine.diverged:
            st.error(
                f"Training stopped at epoch {engine.epoch}: the loss became NaN or infinite. The steps "
                f"overshot — the learning rate ({engine.config.lr:g}) is too high for this network and "
                "loss (or the regularization rate is). Lower it and press Reset."
            )
            st.button("Reset", key="play_reset_diverged", on_click=reset, type="primary")
        figs = view.refresh_charts(state.play_running, SLOW_EVERY)
        planes(view)
        st.plotly_chart(figs["network"], key="play_network", config={"displayModeBar": False})
        if "curves" in figs:
            curves, grads = st.columns(2)
            curves.caption("Loss (log scale) and test accuracy")
            curves.plotly_chart(figs["curves"], key="play_curves")
            grads.caption("Gradient norm per layer, last minibatch of each epoch")
            grads.plotly_chart(figs["grads"], key="play_grads")

    live()
    if not state.play_running:
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
