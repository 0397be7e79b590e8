"""The one live-training view: a session's runner, its Play/Pause/Step/Reset buttons, and a fragment that
redraws it at a capped rate while it trains. Every page that trains live uses these two calls:

    runner = session_runner("cnn_runner", lambda: CNNJob(config), identity=config)
    live_view(runner, draw, "cnn", on_reset=lambda: drop_runner("cnn_runner"))
    # draw(runner, playing) reads the job with runner.read(...) and draws it

The runner trains on its own thread (core.runner); the fragment only reads snapshots and draws them, so
drawing never holds training back, and a slow browser only lowers the redraw rate.
"""

import base64
import contextlib
import time
from collections.abc import Callable, Hashable

import streamlit as st

from core.runner import PACER, Runner, TrainingJob

PIXELATED = "pixelated"  # container key prefix of `pixelated_picture`
PIXELATED_STYLE = "<style>[class*='st-key-pixelated_'] img { image-rendering: pixelated; }</style>"
MAX_FPS = 10.0  # redraws per second at most while training: enough to see it move, cheap for the server
MIN_RATE = 2.0  # redraws per second at least while training, however busy the server (see core.runner.PACER)
SLOWDOWNS = (1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.0, 16.0)  # the rungs a live view's interval moves on


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
    fixed-size slots (`picture`); paused, interactive charts. The buttons live inside the redrawn part, so a
    click reruns only that part and its effect (the final epoch after Pause) shows at once; the whole page
    then reruns once to switch between the playing and the paused view (and after Step or Reset).
    Each redraw is the runner's heartbeat: when the tab closes or the visitor leaves the page, redraws stop
    and so does the worker. While several sessions play, core.runner.PACER stretches every view's redraw
    interval so that together they keep to their share of the CPU (never below MIN_RATE a second)."""
    playing, steps = runner.playing, runner.steps
    st.html(PIXELATED_STYLE)  # once per page run, not per redraw
    pace = Pace.of(key, fps, slow_every)

    def redraw() -> None:
        with runner.watching():
            training_buttons(runner, playing, key, step_help, on_reset, note)
            if runner.closed or (runner.playing and not playing) or (not playing and runner.steps != steps):
                PACER.forget(runner)
                st.rerun()  # Play, Step, Reset: the whole page follows (it shows the run outside too)
            started = time.thread_time()
            draw(runner, playing)  # after Pause: the epoch it stopped at shows before the page switches view
            if draw_slow is not None and not playing:
                draw_slow(runner, playing)  # paused, Step redraws everything
            if runner.playing != playing:
                PACER.forget(runner)
                st.rerun()
            if playing:
                pace.measured(runner, "fast", time.thread_time() - started)

    def redraw_slow() -> None:
        with runner.watching():
            started = time.thread_time()
            draw_slow(runner, playing)
            pace.measured(runner, "slow", time.thread_time() - started)

    # Two fragments for two views: after Pause, a tick of the playing view's timer that was already on its
    # way finds no such fragment and is dropped, instead of redrawing the paused view's charts again.
    if not playing:
        PACER.forget(runner)
        st.fragment(redraw_still)(redraw)
        return
    st.fragment(redraw_live, run_every=pace.declare("fast"))(redraw)
    if draw_slow is not None:
        st.fragment(redraw_live_slow, run_every=pace.declare("slow"))(redraw_slow)


def redraw_still(body: Callable[[], None]) -> None:
    """The paused view's fragment (its name is its identity: see live_view)."""
    body()


def redraw_live(body: Callable[[], None]) -> None:
    """The playing view's fragment."""
    body()


def redraw_live_slow(body: Callable[[], None]) -> None:
    """The playing view's slow part."""
    body()


class Pace:
    """A live view's redraw costs and the intervals its browser's timers were told, kept in the session."""

    def __init__(self, fps: float, slow_every: float) -> None:
        self.fps, self.slow_every = fps, slow_every
        self.cost = {"fast": 0.0, "slow": 0.0}  # CPU seconds of one redraw of each part (smoothed)
        self.told = {"fast": 1.0, "slow": 1.0}  # the rung of SLOWDOWNS each part's timer runs at

    @staticmethod
    def of(key: str, fps: float, slow_every: float) -> "Pace":
        """The session's Pace for the view `key` (a new one when its rates changed)."""
        pace = st.session_state.get(f"{key}_pace")
        if not isinstance(pace, Pace) or (pace.fps, pace.slow_every) != (fps, slow_every):
            pace = st.session_state[f"{key}_pace"] = Pace(fps, slow_every)
        return pace

    def interval(self, part: str) -> float:
        """Seconds between two redraws of `part` ("fast" or "slow") at the slowdown its timer was told."""
        if part == "slow":
            return self.slow_every * self.told["slow"]
        return min(self.told["fast"], max(1.0, self.fps / MIN_RATE)) / self.fps

    def declare(self, part: str) -> float:
        """The `run_every` for `part` as its fragment is declared (a whole-page run), at today's slowdown."""
        self.told[part] = slowdown_rung(PACER.slowdown(), self.told[part])
        return self.interval(part)

    def measured(self, runner: Runner, part: str, seconds: float) -> None:
        """One redraw of `part` took `seconds` of CPU: tell the pacer what this view would take at full
        rate, and when the shared slowdown moved to another rung, retime this fragment's timer."""
        cost = self.cost[part]
        self.cost[part] = seconds if not cost else 0.7 * cost + 0.3 * seconds
        PACER.report(runner, self.cost["fast"] * self.fps + self.cost["slow"] / self.slow_every)
        rung = slowdown_rung(PACER.slowdown(), self.told[part])
        if rung != self.told[part]:
            self.told[part] = rung
            retime_fragment(self.interval(part))


def slowdown_rung(wanted: float, current: float) -> float:
    """The rung of SLOWDOWNS for `wanted`: up at once, down only once clearly below (no flapping)."""
    up = next((r for r in SLOWDOWNS if r >= wanted), SLOWDOWNS[-1])
    if up >= current or wanted <= current * 0.7:
        return up
    return current


def retime_fragment(interval: float) -> None:
    """Tell the browser to rerun the running fragment every `interval` seconds from now on: the message a
    fragment's declaration sends (the frontend replaces the fragment's timer when the interval differs).
    Streamlit has no public call for it; without its internals the view keeps its first rate."""
    with contextlib.suppress(ImportError, RuntimeError, AttributeError):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

        ctx, fragment_id = get_script_run_ctx(), ThreadState.get().fragment_id
        if ctx is None or not fragment_id:
            return
        msg = ForwardMsg()
        msg.auto_rerun.interval = interval
        msg.auto_rerun.fragment_id = fragment_id
        ctx.enqueue(msg)


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
