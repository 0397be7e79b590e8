"""The Training playground's Streamlit parts: its controls, their callbacks, and the live view that trains.

Per-session state lives in st.session_state under `play_` keys: the run (`play_runner`, a core.runner.Runner
training a core.playground.engine.Engine on its own thread) and its figures. The live view is ui.live's.
"""

import dataclasses
from typing import NamedTuple

import numpy as np
import streamlit as st

from core.basics.activations import activation_names
from core.playground.config import (
    MAX_LAYERS,
    MAX_SEED,
    MAX_WIDTH,
    NOTES,
    REGULARIZATIONS,
    PlaygroundConfig,
    from_query,
)
from core.playground.csvdata import CSVError, parse_points_csv
from core.playground.datasets import DATASETS, UPLOAD, Split
from core.playground.engine import Engine
from core.playground.export import export_script
from core.playground.features import FEATURES
from core.playground.live import PICTURE_SIZE, RunFigures, Snapshot, neuron_picture, take_snapshot, warm_up
from core.playground.losses import PLAYGROUND_LOSSES, losses_for, no_hidden_note
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES
from core.runner import Runner
from pages.playground.form import config_from_widgets, widget_values
from ui.live import drop_runner, picture, pixelated_picture, session_runner
from ui.shell import seed

# The options of the select sliders (a link may add its own value: see options_with).
LRS = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BATCHES = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500)
RUNNER = "play_runner"  # the session's run (core.runner.Runner of a core.playground.engine.Engine)
FPS = 20  # redraws per second at most while training
SLOW_EVERY = 1.0  # seconds between redraws of the network, curve and gradient charts while training
CURVES_CAPTION = "Loss (log scale) and test accuracy"
GRADS_CAPTION = "Gradient norm per layer, last minibatch of each epoch"


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
    if "play_started" in state:
        return state[RUNNER].job.config if RUNNER in state else PlaygroundConfig()
    state.play_started = True
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
    st.number_input("Seed", 0, MAX_SEED, step=1, key="play_seed")
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
    st.slider("Dropout", 0.0, 0.9, step=0.05, key="play_dropout", help=NOTES["dropout"])
    st.toggle("Batch norm", key="play_batch_norm", help=NOTES["batch_norm"])


def training_controls(task: str) -> None:
    """Loss (among those that suit `task`), optimizer, learning rate, batch size, schedule, regularization."""
    state = st.session_state
    if state.play_loss not in losses_for(task):
        state.play_loss = losses_for(task)[0]
    st.selectbox("Loss", losses_for(task), key="play_loss", help=PLAYGROUND_LOSSES[state.play_loss].note)
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


def session_run(config: PlaygroundConfig, data: Split | None, identity: tuple) -> Runner:
    """This session's run: kept while `identity` (the settings that need a new run, and the uploaded data's
    id) is unchanged, the live settings applied at the next slice; else a new one."""
    runner = session_runner(RUNNER, lambda: Engine(config, data), identity=identity)
    runner.apply(lambda job: job.update_live(config))  # learning rate, batch size, regularization, ...
    return runner


def reset() -> None:
    """Drop the run: the next page run starts a new one from the controls."""
    drop_runner(RUNNER)


def run_figures(runner: Runner) -> RunFigures:
    """The figures of the session's current run, kept between redraws (a new run gets new ones)."""
    kept = st.session_state.get("play_figures")
    if kept is None or kept[0] is not runner:
        kept = st.session_state.play_figures = (runner, RunFigures(runner.job.data))
    return kept[1]


def metrics(snap: Snapshot) -> None:
    """Epoch, learning rate, the last losses and (classifying) the test accuracy."""
    numbers = st.columns(5)
    numbers[0].metric("Epoch", f"{snap.epoch:,}")
    numbers[1].metric("Learning rate", f"{snap.lr:.3g}", help="The rate of the next epoch, schedule applied")
    if snap.epoch:
        numbers[2].metric("Train loss", f"{snap.history['train_loss'][-1]:.4f}")
        numbers[3].metric("Test loss", f"{snap.history['test_loss'][-1]:.4f}")
        if snap.task == "classification":
            numbers[4].metric("Test accuracy", f"{snap.history['test_accuracy'][-1]:.1%}")


def divergence_notice(snap: Snapshot) -> None:
    """Why training stopped, and a Reset button."""
    st.error(
        f"Training stopped at epoch {snap.epoch}: the loss became NaN or infinite. The steps "
        f"overshot — the learning rate ({snap.config.lr:g}) is too high for this network and "
        "loss (or the regularization rate is). Lower it and press Reset."
    )
    st.button("Reset", key="play_reset_diverged", on_click=reset, type="primary")


def boundary_caption(snap: Snapshot) -> str:
    """What the boundary's colours are: the output itself, or for BCE the probability of class 1 mapped to
    the same −1..1 scale."""
    what = "2·σ(logit) − 1, i.e. P(class 1) on a −1..1 scale" if snap.config.loss == "BCE" else "the output"
    return f"Colour: {what} over the plane · train ● · test ◆"


def planes(snap: Snapshot, figures: RunFigures, playing: bool) -> None:
    """The decision boundary and every neuron's map: inline pictures in fixed-size slots while training
    plays, interactive charts when paused."""
    left, right = st.columns([3, 2])
    right.caption(
        "Every hidden neuron over the input plane, a column per layer"
        if snap.maps
        else no_hidden_note(snap.config.loss, snap.task)
    )
    if playing:
        with left:
            picture(figures.boundary_picture(snap), width=PICTURE_SIZE, caption=boundary_caption(snap))
        if snap.maps:
            png, width = neuron_picture(snap.maps)
            with right:
                pixelated_picture(png, "play_neurons_live", width)
        return
    quiet = {"displayModeBar": False}
    left.plotly_chart(figures.boundary_chart(snap), key="play_boundary", config=quiet)
    left.caption(boundary_caption(snap) + " (hover for values)")
    if snap.maps:
        right.plotly_chart(figures.neuron_chart(snap), key="play_neurons", config=quiet)


def export(snap: Snapshot, data: Split | None) -> None:
    """The run so far as a self-contained PyTorch script: shown and offered for download."""
    with st.expander("PyTorch for these settings"):
        st.caption(
            "This run as a self-contained script: the same data and seed, nn.Module, init, loss, optimizer "
            f"and schedule, trained for the {snap.epoch:,} epochs run so far; its loss curve is this page's."
        )
        script = export_script(snap.config, snap.epoch, data)
        st.download_button(
            "Download script",
            script,
            file_name="playground_run.py",
            mime="text/x-python",
            key="play_download",
        )
        st.code(script, language="python")


def draw(runner: Runner, playing: bool) -> None:
    """One redraw of the run's metrics and planes: pictures in fixed-size slots while playing, interactive
    charts when paused."""
    snap = runner.read(take_snapshot)
    metrics(snap)
    if snap.diverged:
        divergence_notice(snap)
    planes(snap, run_figures(runner), playing)


def draw_charts(runner: Runner, playing: bool) -> None:
    """One redraw of the network, curves and gradient norms (pictures while playing), and the export."""
    snap = runner.read(lambda engine: take_snapshot(engine, planes=False))
    figures = run_figures(runner)
    if playing:
        pictures = figures.chart_pictures(snap)
        picture(pictures["network"])
        curves, grads = st.columns(2)
        with curves:
            picture(pictures["curves"], caption=CURVES_CAPTION)
        with grads:
            picture(pictures["grads"], caption=GRADS_CAPTION)
        return
    figs = figures.update_charts(snap)
    st.plotly_chart(figs["network"], key="play_network", config={"displayModeBar": False})
    if "curves" in figs:
        curves, grads = st.columns(2)
        curves.plotly_chart(figs["curves"], key="play_curves")
        curves.caption(CURVES_CAPTION)
        grads.plotly_chart(figs["grads"], key="play_grads")
        grads.caption(GRADS_CAPTION)
    export(snap, runner.job.data if snap.config.dataset == UPLOAD else None)
