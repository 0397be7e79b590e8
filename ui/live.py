"""The one live-training view: a session's runner, its Play/Pause/Step/Reset buttons, and a fragment that
redraws it at a capped rate while it trains. Every page that trains live uses these two calls:

    runner = session_runner("cnn_runner", lambda: CNNJob(config), identity=config)
    live_view(runner, draw, "cnn", on_reset=lambda: drop_runner("cnn_runner"))
    # draw(runner, playing) reads the job with runner.read(...) and draws it

The runner trains on its own thread (core.runner); the fragment only reads snapshots and draws them, so
drawing never holds training back, and a slow browser only lowers the redraw rate.
"""

import base64
from collections.abc import Callable, Hashable

import streamlit as st

from core.runner import Runner, TrainingJob

PIXELATED = "pixelated"  # container key prefix of `pixelated_picture`
PIXELATED_STYLE = "<style>[class*='st-key-pixelated_'] img { image-rendering: pixelated; }</style>"
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


def training_buttons(
    runner: Runner,
    playing: bool,
    key: str,
    step_help: str = "Train one step",
    on_reset: Callable[[], None] | None = None,
    note: str = "",
) -> None:
    """Play/Pause (as the view shows the run: `playing`), Step and Reset in one row, then `note` as a
    caption. Play and Pause are two widgets (keys `<key>_play`, `<key>_pause`), each with one command: a
    click that Streamlit delivers late, or replays after an interrupted redraw, still does what its label
    said, and a second click does no harm."""
    play, step, reset, caption = st.columns([1, 1, 1, 4], vertical_alignment="center")
    play.button(
        "Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        key=f"{key}_pause" if playing else f"{key}_play",
        on_click=runner.pause if playing else runner.play,
        type="primary",
        width="stretch",
        disabled=runner.job.done,
    )
    step.button("Step", key=f"{key}_step", on_click=runner.step, width="stretch", help=step_help)
    reset.button("Reset", key=f"{key}_reset", on_click=on_reset, width="stretch")
    if note:
        caption.caption(note)


def live_view(
    runner: Runner,
    draw: Callable[[Runner, bool], None],
    key: str,
    fps: float = MAX_FPS,
    step_help: str = "Train one step",
    on_reset: Callable[[], None] | None = None,
    note: str = "",
    draw_slow: Callable[[Runner, bool], None] | None = None,
    slow_every: float = 1.0,
) -> None:
    """The buttons and the run, redrawn at most `fps` times a second while it plays, without rerunning the
    rest of the page; then `draw_slow`, redrawn only every `slow_every` seconds while it plays (what changes
    slowly or costs more to send: the network, the curves).

    `draw(runner, playing)` reads the job through `runner.read` and draws it: playing, cheap pictures in
    fixed-size slots (`picture`); paused, interactive charts. The buttons live inside the redrawn part, so
    a click reruns only that part and its effect (the final epoch after Pause) shows at once; the whole page
    then reruns once to switch between the playing and the paused view (and after Step or Reset, for what
    the page shows of the run outside this view). Each redraw is the runner's
    heartbeat: when the tab closes or the visitor leaves the page, redraws stop and so does the worker."""
    playing, steps = runner.playing, runner.steps
    st.html(PIXELATED_STYLE)  # once per page run, not per redraw

    @st.fragment(run_every=1.0 / fps if playing else None)
    def redraw() -> None:
        runner.heartbeat()
        training_buttons(runner, playing, key, step_help, on_reset, note)
        if runner.closed or (runner.playing and not playing) or (not playing and runner.steps != steps):
            st.rerun()  # Reset, Play or Step: the whole page follows (it may show the run outside this view)
        draw(runner, playing)  # after Pause: the epoch it stopped at shows before the page switches view
        if draw_slow is not None and not playing:
            draw_slow(runner, playing)  # paused, Step redraws everything
        runner.heartbeat()
        if runner.playing != playing:
            st.rerun()

    redraw()
    if draw_slow is None or not playing:
        return

    @st.fragment(run_every=slow_every if playing else None)
    def redraw_slow() -> None:
        draw_slow(runner, playing)

    redraw_slow()


def picture(png: bytes, width: int | str = "content", caption: str | None = None) -> None:
    """Show PNG bytes as an inline data URI. st.image would serve bytes from a /media/ URL that the next
    redraw expires, often before the browser fetched it (a broken or blank picture); an inline picture
    arrives with the redraw itself. Give it a fixed pixel size so that its slot never changes height."""
    st.image("data:image/png;base64," + base64.b64encode(png).decode("ascii"), width=width, caption=caption)


def pixelated_picture(png: bytes, key: str, width: int, caption: str | None = None) -> None:
    """A small picture shown `width` pixels wide with every pixel a sharp square: a heatmap sent at its own
    resolution costs a fraction of the bytes and encoding time of one scaled up on the server."""
    with st.container(key=f"{PIXELATED}_{key}"):
        picture(png, width, caption)
