"""Fork and race: run B's settings and the Fork / Keep buttons, and the race's live view (both boundaries, the
difference map, both runs' numbers and loss curves, the race as PyTorch)."""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.basics.activations import activation_names
from core.playground.config import REGULARIZATIONS, PlaygroundConfig
from core.playground.engine import Engine
from core.playground.figures import boundary_figure, boundary_image, colour_limit, png_bytes, points_overlay
from core.playground.fork import ForkJob, difference_map, fork_error
from core.playground.fork_figures import difference_figure, race_curves_figure, race_curves_image
from core.playground.lab_code import fork_script
from core.playground.live import PICTURE_SIZE, Snapshot, take_snapshot
from core.playground.optim import OPTIMIZERS
from core.runner import Runner
from pages.playground.lab import B_PREFIX, b_config_from_widgets, fork, unfork
from pages.playground.landscape import landscape_section
from pages.playground.view import BATCHES, LRS, RATES, options_with
from ui.live import picture

FORK_PICTURE = "stretch"  # each of the three live pictures fills its column (a square of fixed size)
EXPLANATION = (
    "**Fork** splits the run into A and B: the same weights, optimizer state, random generators and "
    "minibatch order. Change B's settings below and both train on side by side: with nothing changed they "
    "stay identical to the last bit; a change of B's settings restarts B from the fork point, so the race "
    "always starts there (and the link reproduces it)."
)
TRY_THIS = """
- **Nothing changed**: fork at any epoch and play. The difference map stays white and the two loss curves are
  one line: A and B compute the very same numbers (a test checks 1,000 epochs, bit for bit).
- **A larger learning rate** (the defaults, forked at epoch 100, B at learning rate 0.3): B's loss jumps at
  the fork and bounces for about 150 epochs, then settles below A's train loss (0.0000 against 0.0006 at
  epoch 500) while its test loss ends higher: 0.0131 against A's 0.0027.
- **Momentum** (the defaults, forked at epoch 100, B on SGD+momentum): at epoch 300 A's test loss is 0.0032,
  B's 0.0045: with momentum 0.9 the same learning rate takes steps about ten times as long.
- **Dropout** (spiral, 8, 8 neurons, forked at epoch 200, B with dropout 0.3): at epoch 600 A's train loss
  is 0.057 and B's 0.431 (test 0.100 and 0.469): eight neurons a layer are too few to lose 30% of them.
"""


def b_controls(a_config: PlaygroundConfig) -> PlaygroundConfig:
    """Run B's forkable settings, in two rows; the configuration they give B."""
    state = st.session_state
    for name in ("lr", "optimizer", "batch_size", "regularization", "reg_rate", "dropout", "activation"):
        state.setdefault(B_PREFIX + name, getattr(a_config, name))
    top = st.columns(4)
    top[0].selectbox("B: optimizer", list(OPTIMIZERS), key=B_PREFIX + "optimizer")
    top[1].select_slider("B: learning rate", options_with(LRS, state[B_PREFIX + "lr"]), key=B_PREFIX + "lr")
    top[2].select_slider(
        "B: batch size", options_with(BATCHES, state[B_PREFIX + "batch_size"]), key=B_PREFIX + "batch_size"
    )
    top[3].selectbox("B: activation", activation_names(), key=B_PREFIX + "activation")
    low = st.columns(4)
    low[0].selectbox("B: regularization", REGULARIZATIONS, key=B_PREFIX + "regularization")
    low[1].select_slider(
        "B: regularization rate", options_with(RATES, state[B_PREFIX + "reg_rate"]), key=B_PREFIX + "reg_rate"
    )
    low[2].slider("B: dropout", 0.0, 0.9, step=0.05, key=B_PREFIX + "dropout")
    return b_config_from_widgets(a_config)


def fork_panel(runner: Runner, a_config: PlaygroundConfig) -> PlaygroundConfig | None:
    """B's settings with Fork (before the fork) or Keep A / Keep B (after); B's configuration, or None when
    it is not valid (its problems shown, one line each)."""
    st.caption(EXPLANATION)
    b_config = b_controls(a_config)
    problems = b_config.errors()
    for problem in problems:
        st.error(f"Run B: {problem}")
    if problem := st.session_state.pop("play_fork_problem", None):
        st.error(problem)
    buttons = st.columns([1, 1, 3], vertical_alignment="center")
    job = runner.job
    if isinstance(job, ForkJob):
        buttons[0].button("Keep A", key="play_keep_a", on_click=unfork, args=("A",), width="stretch")
        buttons[1].button("Keep B", key="play_keep_b", on_click=unfork, args=("B",), width="stretch")
        buttons[2].caption(f"Forked at epoch {job.fork_epoch:,}. Keep one run to go on with it alone.")
    else:
        reason = fork_error(job) if isinstance(job, Engine) else None
        buttons[0].button(
            "Fork",
            key="play_fork",
            icon=":material/call_split:",
            type="primary",
            on_click=fork,
            disabled=bool(problems or reason),
            width="stretch",
        )
        if reason:
            st.error(reason)
        buttons[2].caption(f"Forks the run at its current epoch ({job.epoch:,}); it may play meanwhile.")
    return None if problems else b_config


@dataclass
class RaceFigures:
    """What the race's pictures keep between redraws: the data points' overlay and its colour scale."""

    runner: Runner
    overlay: np.ndarray
    limit: float


def race_figures(runner: Runner) -> RaceFigures:
    """The session's race figures, built once per race."""
    kept: RaceFigures | None = st.session_state.get("play_race_figures")
    if kept is None or kept.runner is not runner:
        d = runner.job.data
        train, test = (d.train_points, d.train_y), (d.test_points, d.test_y)
        overlay = points_overlay(train, test, d.task, PICTURE_SIZE)
        kept = st.session_state.play_race_figures = RaceFigures(
            runner, overlay, colour_limit(d.task, d.train_y)
        )
    return kept


def race_snapshot(job: ForkJob) -> tuple[Snapshot, Snapshot, int]:
    """Both runs' snapshots and the fork epoch, read between two slices."""
    return take_snapshot(job.a), take_snapshot(job.b), job.fork_epoch


def run_numbers(name: str, snap: Snapshot) -> None:
    """A run's epoch, losses and accuracy in one row of metrics, labelled with its name."""
    cols = st.columns(4)
    cols[0].metric(f"{name} epoch", f"{snap.epoch:,}")
    if snap.epoch:
        cols[1].metric(f"{name} train loss", f"{snap.history['train_loss'][-1]:.4f}")
        cols[2].metric(f"{name} test loss", f"{snap.history['test_loss'][-1]:.4f}")
        if snap.task == "classification":
            cols[3].metric(f"{name} test accuracy", f"{snap.history['test_accuracy'][-1]:.1%}")
    if snap.diverged:
        st.error(
            f"Run {name} stopped at epoch {snap.epoch}: its loss became NaN or infinite (learning rate "
            f"{snap.config.lr:g}). The other run goes on; keep it, or change {name}'s settings."
        )


def draw_race(runner: Runner, playing: bool) -> None:
    """One redraw of the race: both runs' numbers, their boundaries and B − A."""
    a, b, _ = runner.read(race_snapshot)
    run_numbers("A", a)
    run_numbers("B", b)
    figures = race_figures(runner)
    difference = difference_map(a.output, b.output)
    captions = ("Run A's output", "Run B's output", "B − A: white where they agree")
    if playing:
        cols = st.columns(3)
        pictures = [boundary_image(s.output, figures.overlay, figures.limit) for s in (a, b)]
        pictures.append(boundary_image(difference, figures.overlay, 2 * figures.limit))
        for col, image, caption in zip(cols, pictures, captions, strict=True):
            with col:
                picture(png_bytes(image), width=FORK_PICTURE, caption=caption)
        return
    d = runner.job.data
    train, test = (d.train_points, d.train_y), (d.test_points, d.test_y)
    quiet = {"displayModeBar": False}
    cols = st.columns(2)  # paused: charts need more room than pictures; B − A goes below, as large
    for col, snap, key, caption in zip(cols, (a, b), ("play_race_a", "play_race_b"), captions, strict=False):
        col.plotly_chart(
            boundary_figure(snap.axis, snap.output, train, test, d.task, key, 380), key=key, config=quiet
        )
        col.caption(caption)
    left, _ = st.columns(2)
    left.plotly_chart(
        difference_figure(a.axis, difference, 2 * figures.limit, "play_race_diff"),
        key="play_race_diff",
        config=quiet,
    )
    left.caption(captions[2])


def draw_race_charts(runner: Runner, playing: bool) -> None:
    """The slow part of the race's view: both loss curves on one chart, the landscape, the race as code."""
    a, b, fork_epoch = runner.read(race_snapshot)
    histories = {"A": a.history, "B": b.history}
    caption = f"Loss of A (blue) and B (orange) per epoch, log scale; forked at epoch {fork_epoch:,}"
    if playing:
        picture(png_bytes(race_curves_image(histories)), caption=caption)
    elif a.epoch or b.epoch:
        st.plotly_chart(race_curves_figure(histories, fork_epoch, "play_race"), key="play_race_curves")
        st.caption(caption)
    landscape_section(runner, playing)
    if playing:
        return
    with st.expander("PyTorch for these settings (the race)"):
        st.caption(
            "A trained to the fork, then one copy.deepcopy of its model, optimizer and schedule (so B's "
            "optimizer holds B's weights) with its own copies of the generators' states, B's settings "
            "applied, both trained to their epochs: its curves are the page's (a test checks them)."
        )
        data = runner.job.data if a.config.dataset == "upload" else None
        script = fork_script(a.config, a.epoch, b.config, b.epoch, fork_epoch, data)
        st.download_button(
            "Download script", script, "playground_race.py", "text/x-python", key="play_race_download"
        )
        st.code(script, language="python")
    with st.expander("Try this"):
        st.markdown(TRY_THIS)
