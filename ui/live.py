"""The one live-training view: a session's runner, its Play/Pause/Step/Reset buttons, and a fragment that
redraws it at a capped rate while it trains. Every page that trains live uses these three calls:

    runner = session_runner("cnn_runner", lambda: CNNJob(config), identity=config)
    training_buttons(runner, "cnn")
    live_fragment(runner, draw, fps=10)   # draw(runner, playing) reads the job with runner.read(...)

The runner trains on its own thread (core.runner); the fragment only reads snapshots and draws them, so
drawing never holds training back, and a slow browser only lowers the redraw rate.
"""

import base64
from collections.abc import Callable, Hashable

import streamlit as st

from core.runner import Runner, TrainingJob

MAX_FPS = 10.0  # redraws per second at most while training: enough to see it move, cheap for the server


def session_runner(key: str, make_job: Callable[[], TrainingJob], identity: Hashable) -> Runner:
    """This session's runner under `key`: kept while `identity` (the settings that need a new run) is
    unchanged, else the old one is closed and a new job is built."""
    state = st.session_state
    runner: Runner | None = state.get(key)
    if runner is None or state.get(f"{key}_identity") != identity:
        if runner is not None:
            runner.close()
        runner = state[key] = Runner(make_job())
        state[f"{key}_identity"] = identity
    return runner


def drop_runner(key: str) -> None:
    """Close and forget the session's runner under `key` (Reset: the next run builds a new job)."""
    runner: Runner | None = st.session_state.pop(key, None)
    if runner is not None:
        runner.close()


def training_buttons(runner: Runner, key: str, step_help: str = "Train one step", on_reset=None) -> None:
    """Play/Pause, Step and Reset in one row. Each button sends one explicit command (never a toggle), so
    a click that arrives while the view redraws still does what its label said."""
    playing = runner.playing
    play, step, reset = st.columns(3)
    play.button(
        "Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key=f"{key}_toggle",
        on_click=runner.pause if playing else runner.play,
        type="primary",
        width="stretch",
        disabled=runner.job.done,
    )
    step.button("Step", key=f"{key}_step", on_click=runner.step, width="stretch", help=step_help)
    reset.button("Reset", key=f"{key}_reset", on_click=on_reset, width="stretch")


def live_fragment(runner: Runner, draw: Callable[[Runner, bool], None], fps: float = MAX_FPS) -> None:
    """Draw the run now and, while it plays, again at most `fps` times a second without rerunning the page.

    `draw(runner, playing)` reads the job through `runner.read` and draws it; playing, it should draw cheap
    pictures in fixed-size slots (`picture`), paused, interactive charts. Each redraw is the
    runner's heartbeat: when the tab closes or the visitor leaves the page, redraws stop and so does the
    worker. When training stops by itself (finished, diverged), the whole page reruns once so that its
    buttons show Play again."""
    playing = runner.playing

    @st.fragment(run_every=1.0 / fps if playing else None)
    def redraw() -> None:
        runner.heartbeat()
        draw(runner, playing)
        runner.heartbeat()
        if playing and not runner.playing:
            st.rerun()

    redraw()


def picture(png: bytes, width: int | None = None, caption: str | None = None) -> None:
    """Show PNG bytes as an inline data URI. st.image would serve bytes from a /media/ URL that the next
    redraw expires, often before the browser fetched it (a broken or blank picture); an inline picture
    arrives with the redraw itself. Give it a fixed pixel size so that its slot never changes height."""
    st.image("data:image/png;base64," + base64.b64encode(png).decode("ascii"), width=width, caption=caption)
