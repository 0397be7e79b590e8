"""The Training playground's Streamlit parts: its controls, their callbacks, and the live view that trains.

Per-session state lives in st.session_state under `play_` keys: the run (`play_engine`), whether it is
running (`play_running`), and the live view's figures and tick timing.
"""

import dataclasses
import time
from typing import NamedTuple

import numpy as np
import streamlit as st

from core.activations import activation_names
from core.playground.config import MAX_LAYERS, MAX_WIDTH, REGULARIZATIONS, PlaygroundConfig, from_query
from core.playground.csvdata import CSVError, parse_points_csv
from core.playground.datasets import DATASETS, UPLOAD, Split
from core.playground.engine import Engine
from core.playground.features import FEATURES
from core.playground.form import config_from_widgets, widget_values
from core.playground.live import LiveView, neuron_picture, warm_up
from core.playground.losses import LOSSES, losses_for
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES
from core.playground.pacing import SLOW_EVERY, TICK, cycle_overhead, training_slice
from ui.shell import seed

# The options of the select sliders (a link may add its own value: see options_with).
LRS = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCHES = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500)


class Upload(NamedTuple):
    """A visitor's CSV, parsed, and the uploader's id for it (a new upload is a new run)."""

    points: np.ndarray
    target: np.ndarray
    task: str
    file_id: str


@st.cache_resource
def warm_up_once() -> bool:
    """core.playground.live.warm_up, once per server process (first visit)."""
    warm_up()
    return True


def starting_config() -> PlaygroundConfig:
    """The configuration the controls start from: on a session's first visit the link's (its problems are
    kept in `play_url_problems` to show) or the defaults with the global seed; later the current run's."""
    state = st.session_state
    if "play_engine" in state:
        return state.play_engine.config if state.play_engine else PlaygroundConfig()
    state.play_engine, state.play_running = None, False
    start, problems = (
        from_query(st.query_params.to_dict())
        if st.query_params
        else (dataclasses.replace(PlaygroundConfig(), seed=seed()), [])
    )
    state.play_url_problems = problems
    return start


def restore_widgets(config: PlaygroundConfig) -> None:
    """Give each widget its value before it is drawn: the one it has, else the config's.

    Re-assigning a kept value turns it from widget state into session state, which survives what widget
    state does not: a run in which the widget was not drawn (the visitor was on another page)."""
    state = st.session_state
    values = widget_values(config)
    kept = [key for key in state if isinstance(key, str) and key.startswith("play_width_")]
    for key in {*values, *kept}:
        state[key] = state[key] if key in state else values[key]


def options_with(values: tuple, current: object) -> list:
    """A slider's options, plus the current value when a link brought one that is not among them."""
    return sorted({*values, current}) if current is not None else list(values)


def toggle() -> None:
    """Play / Pause."""
    st.session_state.play_running = not st.session_state.play_running


def step() -> None:
    """Pause and train one epoch."""
    st.session_state.play_running = False
    if st.session_state.play_engine is not None:
        st.session_state.play_engine.train(1)


def reset() -> None:
    """Pause and drop the run: the next page run starts a new one from the controls."""
    st.session_state.play_running, st.session_state.play_engine = False, None


def regenerate() -> None:
    """New data: the next seed."""
    st.session_state.play_seed = int(st.session_state.play_seed) + 1


def data_controls() -> Upload | None:
    """Dataset (or a CSV upload), noise, points, training share, seed and input features; the parsed upload
    when the visitor chose their own CSV and it is valid."""
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
                points, target, task, note = parse_points_csv(file.getvalue())
                upload = Upload(points, target, task, file.file_id)
                st.caption(note)
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
    return upload


def network_controls() -> None:
    """Hidden layers and their widths, activation, weight init, dropout and batch norm."""
    layers = st.number_input("Hidden layers", 0, MAX_LAYERS, step=1, key="play_layers")
    for i in range(layers):
        st.session_state.setdefault(f"play_width_{i}", 4)  # a new layer starts with 4 neurons
        st.number_input(f"Neurons in layer {i + 1}", 1, MAX_WIDTH, step=1, key=f"play_width_{i}")
    st.selectbox("Activation", activation_names(), key="play_activation")
    st.selectbox("Weight init", list(INITS), key="play_init", help=INITS[st.session_state.play_init].note)
    st.slider("Dropout", 0.0, 0.9, step=0.05, key="play_dropout")
    st.toggle("Batch norm", key="play_batch_norm")


def training_controls(task: str) -> None:
    """Loss (among those that suit `task`), optimizer, learning rate, batch size, schedule, regularization."""
    state = st.session_state
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


def controls() -> tuple[PlaygroundConfig, Upload | None]:
    """The Data, Network and Training expanders; the configuration they describe and the parsed upload."""
    with st.expander("Data", expanded=True):
        upload = data_controls()
    with st.expander("Network", expanded=True):
        network_controls()
    with st.expander("Training", expanded=True):
        dataset = st.session_state.play_dataset
        training_controls(upload.task if upload else DATASETS.get(dataset, DATASETS["circle"]).task)
    return config_from_widgets(st.session_state), upload


def current_engine(config: PlaygroundConfig, data: Split | None, data_key: str | None) -> Engine:
    """This session's run: kept when only live settings changed (they apply at once), else a new one;
    `data_key` identifies uploaded data, so a new upload is a new run."""
    state = st.session_state
    engine: Engine | None = state.play_engine
    if engine is None or engine.needs_reset(config) or state.get("play_data_key") != data_key:
        engine = state.play_engine = Engine(config, data)
        state.play_data_key = data_key
    else:
        engine.update_live(config)  # learning rate, batch size, regularization and schedule
    return engine


def train_tick(engine: Engine) -> None:
    """While running, train for what the last cycle's drawing and Streamlit's own work leave of TICK; stop
    the run (and rerun the whole page, so the fragment stops its timer and Play shows) once it diverged."""
    state = st.session_state
    start = time.perf_counter()
    if state.play_running and not engine.diverged:
        overhead = cycle_overhead(
            start, state.get("play_tick_start", start), state.get("play_train_seconds", 0.0)
        )
        engine.train_for(training_slice(overhead))
    state.play_tick_start, state.play_train_seconds = start, time.perf_counter() - start
    if engine.diverged and state.play_running:
        state.play_running = False
        st.rerun()


def live_figures(engine: Engine) -> LiveView:
    """The session's LiveView of `engine`, kept between ticks (a new run gets a new one)."""
    view = st.session_state.get("play_view")
    if view is None or view.engine is not engine:
        view = st.session_state.play_view = LiveView(engine)
    return view


def metrics(engine: Engine, view: LiveView) -> None:
    """Epoch, the last losses and (classifying) the test accuracy."""
    history = view.history()
    numbers = st.columns(4)
    numbers[0].metric("Epoch", f"{engine.epoch:,}")
    if engine.epoch:
        numbers[1].metric("Train loss", f"{history['train_loss'][-1]:.4f}")
        numbers[2].metric("Test loss", f"{history['test_loss'][-1]:.4f}")
        if engine.task == "classification":
            numbers[3].metric("Test accuracy", f"{history['test_accuracy'][-1]:.1%}")


def divergence_notice(engine: Engine) -> None:
    """Why training stopped, and a Reset button."""
    st.error(
        f"Training stopped at epoch {engine.epoch}: the loss became NaN or infinite. The steps "
        f"overshot — the learning rate ({engine.config.lr:g}) is too high for this network and "
        "loss (or the regularization rate is). Lower it and press Reset."
    )
    st.button("Reset", key="play_reset_diverged", on_click=reset, type="primary")


def planes(engine: Engine, view: LiveView) -> None:
    """The decision boundary and every neuron's map: pictures while training runs, charts when paused."""
    axis, output, maps = engine.grid(100)
    left, right = st.columns([3, 2])
    right.caption(
        "Every hidden neuron over the input plane, a column per layer"
        if maps
        else "No hidden layers: the output is a linear function of the inputs."
    )
    if st.session_state.play_running:
        caption = "Output over the plane · train ● · test ◆ (pause to hover)"
        left.image(view.boundary_picture(output), width=420, caption=caption)
        if maps:
            right.image(neuron_picture(maps))
        return
    quiet = {"displayModeBar": False}
    left.plotly_chart(view.boundary_chart(axis, output), key="play_boundary", config=quiet)
    if maps:
        right.plotly_chart(view.neuron_chart(maps), key="play_neurons", config=quiet)


def live_view(engine: Engine) -> None:
    """Metrics, planes, network, curves and gradient norms; while running, a fragment that trains a slice
    and redraws, over and over, without rerunning the rest of the page."""
    running = st.session_state.play_running and not engine.diverged

    # The browser asks for a tick more often than ticks take, so they run back to back; each trains for
    # what the last cycle's drawing and Streamlit's own work leave of TICK.
    @st.fragment(run_every=TICK / 2 if running else None)
    def tick() -> None:
        """One tick: train for a slice of time, then redraw."""
        train_tick(engine)
        view = live_figures(engine)
        metrics(engine, view)
        if engine.diverged:
            divergence_notice(engine)
        figs = view.refresh_charts(st.session_state.play_running, SLOW_EVERY)
        planes(engine, view)
        st.plotly_chart(figs["network"], key="play_network", config={"displayModeBar": False})
        if "curves" in figs:
            curves, grads = st.columns(2)
            curves.caption("Loss (log scale) and test accuracy")
            curves.plotly_chart(figs["curves"], key="play_curves")
            grads.caption("Gradient norm per layer, last minibatch of each epoch")
            grads.plotly_chart(figs["grads"], key="play_grads")

    tick()
