"""The loss landscape around the run's weights: its switches, and the slice redrawn when paused (41 × 41) and
every few seconds while it trains (21 × 21, a picture)."""

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.playground.figures import png_bytes
from core.playground.fork import ForkJob
from core.playground.lab_code import landscape_script
from core.playground.landscape import (
    DIRECTIONS,
    RESOLUTION,
    SURFACES,
    Slice,
    Source,
    compute_slice,
    take_source,
)
from core.playground.landscape_figures import OTHER, PATH, landscape_figure, landscape_image
from core.runner import Runner
from pages.playground.view import draw_charts
from ui.live import picture

LIVE_RESOLUTION = 21  # while training: a quarter of the weight sets
LIVE_EVERY = 3.0  # seconds between two slices while training
SHOW = "play_landscape"
EXPLANATION = (
    "The loss around the current weights θ on a plane through weight space: L(θ + α·d₁ + β·d₂) on a "
    "41 × 41 grid. **Random** directions are Gaussian, each neuron's incoming weights scaled to the norm of "
    "that neuron's weights in θ (filter normalisation, Li et al. 2018; biases and batch-norm parameters do "
    "not move), so α = 1 is a step as large as the weights. **PCA** directions are the two along which the "
    "run's own path (its weights every few epochs) varied most: the path drawn on them is where the "
    "optimizer went. The centre ★ is θ: its loss is the page's loss. Eval mode, no penalty."
)
TRY_THIS = """
- **A sharp and a flat minimum** (circle, 8, 8 neurons, random directions, train surface): batch size 1 at
  learning rate 0.03 for 300 epochs, against batch size 250 (the whole training set) at 0.3 for 3,000
  epochs. Both fit the data (train loss under 0.001), but α = ±0.25 along d₁ raises the loss to 0.030
  after small batches and to 0.059 after full batches: the large-batch minimum is about twice as sharp,
  as Keskar et al. (2017) found for large networks.
- **A learning rate that bounces across a valley** (plane, one hidden layer of 4, batch size 250, 60 epochs,
  PCA directions): at learning rate 1 the path zigzags across the valley, its β coordinate changing sign
  21 times in 61 snapshots; at 0.3 it changes sign once and runs straight down.
- **Momentum against SGD on the same slice**: in *Fork and race*, fork the defaults at epoch 0 with B on
  SGD+momentum and play to epoch 300; here, PCA directions of A's path (94% and 5% of its variance): A walks
  down its valley while B swings far out along β, ending at test loss 0.0227 against A's 0.0032.
"""


@dataclass
class Kept:
    """The last slice shown, and what it was computed for, so a redraw without news reuses it."""

    key: tuple
    slice: Slice | None
    problem: str | None
    at: float


def landscape_controls() -> tuple[str, str]:
    """Directions and surface, beside the switch."""
    cols = st.columns(2)
    directions = cols[0].radio("Directions", DIRECTIONS, key="play_landscape_directions", horizontal=True)
    surface = cols[1].radio("Surface", SURFACES, key="play_landscape_surface", horizontal=True)
    return directions, surface


def sources(job) -> tuple[Source, np.ndarray | None]:
    """The slice's source (run A's for a race) and, for a race, B's path with its weights now (S', P)."""
    if isinstance(job, ForkJob):
        b = take_source(job.b)
        return take_source(job.a), np.vstack([b.path, b.theta])
    return take_source(job), None


def current_slice(runner: Runner, playing: bool, directions: str, surface: str) -> Kept:
    """The slice to show: recomputed when paused and something changed, and every LIVE_EVERY seconds at
    LIVE_RESOLUTION while training; else the last one."""
    state = st.session_state
    kept: Kept | None = state.get("play_landscape_kept")
    key = (id(runner), runner.steps, directions, surface, playing)
    fresh = kept is not None and kept.key[0] == id(runner) and kept.key[2:] == key[2:]
    if fresh and (kept.key == key or (playing and time.monotonic() - kept.at < LIVE_EVERY)):
        return kept
    source, other = runner.read(sources)
    resolution = LIVE_RESOLUTION if playing else RESOLUTION
    try:
        made, problem = compute_slice(source, directions, surface, resolution, other), None
    except ValueError as error:
        made, problem = None, str(error)
    kept = state.play_landscape_kept = Kept(key, made, problem, time.monotonic())
    return kept


def draw_run_charts(runner: Runner, playing: bool) -> None:
    """One run's slow part of the view: its network, curves, gradients and export, then the landscape."""
    draw_charts(runner, playing)
    landscape_section(runner, playing)


def landscape_section(runner: Runner, playing: bool) -> None:
    """The switch, and when it is on the slice: a picture while training, a chart when paused."""
    if not st.toggle("Loss landscape", key=SHOW, help="The loss on a plane through weight space around θ"):
        return
    st.caption(EXPLANATION)
    directions, surface = landscape_controls()
    kept = current_slice(runner, playing, directions, surface)
    if kept.problem:
        st.info(f"No slice yet: {kept.problem}.")
        return
    s = kept.slice
    race = s.other is not None
    # A race's runs keep their colours (A blue, B orange, as in its curves); one run's path is orange.
    names, colours = (("A", "B"), (OTHER, PATH)) if race else (("path", ""), (PATH, OTHER))
    note = f"{surface} loss at θ {s.centre:.4f} (epoch {s.epoch:,})" + (
        f"; PCA: {s.explained[0]:.0%} and {s.explained[1]:.0%} of the path's variance"
        if s.directions == "PCA"
        else ""
    )
    if playing:
        picture(
            png_bytes(landscape_image(s, colours=colours)), width=420, caption=note + " · redrawn every 3 s"
        )
        return
    st.plotly_chart(
        landscape_figure(s, "play_landscape", names=names, colours=colours), key="play_landscape_chart"
    )
    st.caption(note + (" · run B's path on A's slice" if race else ""))
    with st.expander("PyTorch for these settings (the slice)"):
        job = runner.job.a if race else runner.job
        data = job.data if job.config.dataset == "upload" else None
        script = landscape_script(job.config, s, data)
        st.caption(
            "The run trained to this epoch with its path kept, the same directions, and the loss at every "
            "grid point computed in a plain loop, one weight set at a time: the numbers of this chart."
        )
        st.download_button(
            "Download script", script, "playground_slice.py", "text/x-python", key="play_slice_download"
        )
        st.code(script, language="python")
    with st.expander("Try this (landscape)"):
        st.markdown(TRY_THIS)
