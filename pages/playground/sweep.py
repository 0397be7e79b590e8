"""Sweep two knobs: the grid's inputs, and its live view (the heatmap filling in, diverged cells marked, a
cell's curve and link on click, the sweep as PyTorch)."""

from urllib.parse import urlencode

import streamlit as st

from core.playground.config import PlaygroundConfig, to_query
from core.playground.datasets import DATASETS
from core.playground.engine import METRICS
from core.playground.figures import curves_figure, png_bytes
from core.playground.lab_code import sweep_script
from core.playground.sweep import KNOBS, MAX_EPOCHS, MAX_VALUES, SweepJob, SweepSnapshot, make_sweep
from core.playground.sweep_figures import sweep_figure, sweep_image
from core.runner import Runner
from ui.live import drop_runner, live_view, picture

RUNNER = "play_sweep_runner"
SHOWN = {"test_loss": "test loss", "train_loss": "train loss", "test_accuracy": "test accuracy"}
EXPLANATION = (
    f"Pick two knobs and up to {MAX_VALUES} values each: every combination trains at once, from the settings "
    "on the left, with the same data, initial weights and minibatch order as a single run of its settings "
    "(each cell ends where that run alone would: a test checks it bit for bit). Runs of one network shape "
    "train in lockstep in one compiled kernel, the runs innermost, so 100 runs cost about a third of 100 "
    "single runs. A cell that diverges is marked ✕. Paused, hover a cell for its numbers and curve, click it "
    "to see its curves and open it in the playground."
)
TRY_THIS = """
- **Learning rate × batch size** (the defaults, Across: batch size, Up: learning rate, 200 epochs): the best
  learning rate grows roughly with the batch: 0.01 for batch 1 (test loss 0.0027), 0.1 for 10 (0.0018), 1
  for 25 (0.0016) and for 250 (0.0065), though not in every column (0.03 for batch 5, 0.3 for 50); learning
  rate 3 at batch 1 ends at 1.048.
- **Learning rate × L2 on the spiral** (8, 8 neurons, the default values, 300 epochs): the best cell is
  learning rate 0.1 with L2 0.0003 (test loss 0.146); from L2 0.01 up every run stays above 0.46.
- **Optimizer × learning rate** (spiral, 8, 8, 300 epochs): the adaptive optimizers reach
  the lowest losses, AdamW 0.062 at 0.03 and Adam 0.077 at 0.01; plain SGD's best is 0.1 (0.160), Adagrad
  needs 0.3 (0.157). Adam at 0.03 ends at 0.337, though AdamW differs from it only by a weight decay of
  0.01 × lr a step: a cell that far apart from so small a change is chaotic, and another CPU's rounding
  can rank the two differently.
- **Diverged cells** (plane, learning rate × L2, 100 epochs): every run at learning rate 3 becomes NaN and
  is marked ✕; at 1 and below all train.
"""


def knob_changed(axis: str) -> None:
    """A new knob starts with its usual values."""
    state = st.session_state
    state[f"play_sweep_{axis}_values"] = KNOBS[state[f"play_sweep_{axis}"]].defaults


def sweep_inputs() -> None:
    """The two knobs and their values, the epochs and the heatmap's metric."""
    state = st.session_state
    for axis, knob in (("x", "lr"), ("y", "l2")):
        state.setdefault(f"play_sweep_{axis}", knob)
        state.setdefault(f"play_sweep_{axis}_values", KNOBS[knob].defaults)
    names = list(KNOBS)
    label = {k: KNOBS[k].label for k in names}
    cols = st.columns([1.3, 2, 1.3, 2])
    cols[0].selectbox(
        "Across", names, key="play_sweep_x", format_func=label.get, on_change=knob_changed, args=("x",)
    )
    cols[1].text_input("Values across (commas)", key="play_sweep_x_values")
    cols[2].selectbox(
        "Up", names, key="play_sweep_y", format_func=label.get, on_change=knob_changed, args=("y",)
    )
    cols[3].text_input("Values up (commas)", key="play_sweep_y_values")
    low = st.columns([1, 1, 2], vertical_alignment="bottom")
    low[0].number_input("Epochs", 1, MAX_EPOCHS, 300, step=50, key="play_sweep_epochs")
    low[1].selectbox("Colour", list(SHOWN), key="play_sweep_metric", format_func=SHOWN.get)


def start(base: PlaygroundConfig) -> None:
    """Start a new sweep from the inputs' values now (a callback); its problems are kept to show."""
    state = st.session_state
    sweep, problems = make_sweep(
        base,
        state.play_sweep_x,
        state.play_sweep_x_values,
        state.play_sweep_y,
        state.play_sweep_y_values,
        int(state.play_sweep_epochs),
    )
    state.play_sweep_problems = problems
    if sweep is None:
        return
    drop_runner(RUNNER)
    runner = state[RUNNER] = Runner(SweepJob(sweep))
    runner.play()


def cell_link(config: PlaygroundConfig) -> str:
    """The playground's link for one cell's settings."""
    return "?" + urlencode(to_query(config))


def progress(snap: SweepSnapshot) -> None:
    """Epoch, runs, and how many diverged; a line when all of them did."""
    cols = st.columns(3)
    cols[0].metric("Sweep epoch", f"{snap.epoch:,} of {snap.sweep.epochs:,}")
    cols[1].metric("Runs", f"{len(snap.configs)}")
    cols[2].metric("Diverged", f"{int((snap.diverged_at > 0).sum())}")
    if snap.all_diverged:
        st.error(
            "Every run of the sweep diverged (its loss became NaN or infinite): lower the learning rates "
            "(or the penalty rates) and start it again."
        )


def selected_cell(snap: SweepSnapshot, event) -> None:
    """The clicked cell's loss and accuracy curves, and its link to open it as one run."""
    points = event.selection.points if event is not None else []
    if not points:
        st.caption("Click a cell to see its curves and open it in the playground.")
        return
    k = int(points[0]["customdata"])
    config = snap.configs[k]
    history = {name: snap.history[k, :, i] for i, name in enumerate(METRICS)}
    epochs = int(snap.diverged_at[k]) or snap.epoch
    history = {name: values[:epochs] for name, values in history.items()}
    x, y = KNOBS[snap.sweep.x], KNOBS[snap.sweep.y]
    nx = len(snap.sweep.x_values)
    st.markdown(f"**{x.label} {snap.sweep.x_values[k % nx]}, {y.label} {snap.sweep.y_values[k // nx]}**")
    task = DATASETS[config.dataset].task
    st.plotly_chart(curves_figure(history, task, "play_sweep_cell"), key="play_sweep_cell")
    st.link_button("Open this run in the playground", cell_link(config), icon=":material/open_in_new:")


def draw_sweep(runner: Runner, playing: bool) -> None:
    """One redraw: progress and the heatmap (a picture while training, a chart to hover and click paused)."""
    snap: SweepSnapshot = runner.read(lambda job: job.snapshot())
    metric = st.session_state.get("play_sweep_metric", "test_loss")
    progress(snap)
    if playing:
        picture(
            png_bytes(sweep_image(snap, metric)), caption=f"{SHOWN[metric]} of every run at its last epoch"
        )
        return
    event = st.plotly_chart(
        sweep_figure(snap, metric, "play_sweep"),
        key="play_sweep_chart",
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
    )
    selected_cell(snap, event)


def draw_sweep_code(runner: Runner, playing: bool) -> None:
    """Paused: the sweep as PyTorch."""
    if playing:
        return
    sweep = runner.job.sweep
    with st.expander("PyTorch for these settings (the sweep)"):
        st.caption(
            "Each group of runs that share data and shape as stacked parameters, one torch.vmap over "
            "functional_call for all their losses, one torch.optim optimizer per run: every cell's curve "
            "is the page's (a test checks them)."
        )
        script = sweep_script(sweep)
        st.download_button(
            "Download script", script, "playground_sweep.py", "text/x-python", key="play_sweep_download"
        )
        st.code(script, language="python")


def sweep_section(base: PlaygroundConfig) -> None:
    """The sweep's inputs, Start, and the sweep's live view."""
    st.caption(EXPLANATION)
    sweep_inputs()
    st.button(
        "Start sweep",
        key="play_sweep_start",
        icon=":material/grid_view:",
        type="primary",
        on_click=start,
        args=(base,),
    )
    for problem in st.session_state.get("play_sweep_problems", []):
        st.error(problem)
    runner: Runner | None = st.session_state.get(RUNNER)
    if runner is None:
        return
    live_view(
        runner,
        draw_sweep,
        "play_sweep",
        step_help="Train every run one epoch",
        on_reset=lambda: drop_runner(RUNNER),
        draw_slow=draw_sweep_code,
        slow_every=5.0,
    )
    with st.expander("Try this (sweep)"):
        st.markdown(TRY_THIS)
