"""The experiment lab's mode switch: one run, a fork's race, or a sweep; and what the link adds for a fork.

The session's run (`play_runner`) holds an Engine, or a ForkJob of two engines once forked; a sweep has its
own runner (`play_sweep_runner`). Only the shown mode's view is drawn, so only its worker gets heartbeats:
the others stop within the runner's idle timeout and go on when shown again.
"""

import dataclasses

import streamlit as st

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine, run_identity
from core.playground.fork import FORK_FIELDS, ForkJob, fork_from_query, fork_identity, fork_query
from core.runner import Runner
from pages.playground.form import widget_values
from pages.playground.view import RUNNER

SINGLE, FORK, SWEEP = "One run", "Fork and race", "Sweep two knobs"
MODES = (SINGLE, FORK, SWEEP)
MODE = "play_lab"
B_PREFIX = "play_b_"  # run B's widgets
IDENTITY = f"{RUNNER}_identity"  # ui.live.session_runner's record of the settings the run was built for


def forked() -> bool:
    """Whether the session's run is a fork's race."""
    runner = st.session_state.get(RUNNER)
    return runner is not None and isinstance(runner.job, ForkJob)


def run_key(config: PlaygroundConfig, data_key: str | None) -> tuple:
    """The identity the session's run is kept for: a fork survives a change of any setting it can race."""
    return (fork_identity(config) if forked() else run_identity(config), data_key)


def set_b_widgets(config: PlaygroundConfig) -> None:
    """Give run B's widgets `config`'s values (call before they are drawn, or in a callback)."""
    values = widget_values(config, B_PREFIX)
    for name in FORK_FIELDS:
        st.session_state[B_PREFIX + name] = values[B_PREFIX + name]


def replace_runner(job: Engine | ForkJob, identity: tuple) -> Runner:
    """The session's run becomes `job`: the old runner stops, the new one plays if the old one did."""
    state = st.session_state
    old: Runner = state[RUNNER]
    playing = old.playing
    old.close()
    runner = state[RUNNER] = Runner(job)
    state[IDENTITY] = identity
    if playing:
        runner.play()
    return runner


def fork() -> None:
    """Fork the session's run now with B's widgets' settings (a callback: Fork pressed); a problem is kept
    to show in one line."""
    state = st.session_state
    runner: Runner = state[RUNNER]
    try:
        job = runner.read(lambda engine: ForkJob(engine, b_config_from_widgets(engine.config)))
    except ValueError as error:
        state.play_fork_problem = str(error)
        return
    replace_runner(job, (fork_identity(job.config), state[IDENTITY][1]))


def unfork(run: str) -> None:
    """Keep run "A" or "B" alone (a callback): the controls take its settings."""
    state = st.session_state
    runner: Runner = state[RUNNER]
    runner.pause()
    engine = runner.job.keep(run)
    if run == "B":
        for key, value in widget_values(engine.config).items():
            if key in state:
                state[key] = value
    replace_runner(engine, (run_identity(engine.config), state[IDENTITY][1]))


def on_mode_change() -> None:
    """Leaving the race for one run keeps A; entering it starts B's widgets at the run's settings."""
    state = st.session_state
    if state[MODE] == SINGLE and forked():
        unfork("A")
    elif state[MODE] == FORK and not forked() and RUNNER in state:
        set_b_widgets(state[RUNNER].job.config)


def mode_switch() -> str:
    """The lab's mode, as a row of options above the run."""
    st.session_state.setdefault(MODE, FORK if forked() else SINGLE)
    return st.radio(
        "Experiment lab",
        MODES,
        key=MODE,
        horizontal=True,
        on_change=on_mode_change,
        help="Fork: split this run into A and B and change B. Sweep: train a grid of runs at once.",
    )


def read_fork_link(a_config: PlaygroundConfig) -> None:
    """On a session's first visit: a link with a fork (`fork=<epoch>&b_lr=...`) opens the race at its fork
    point. The fork is made once the run exists (`apply_fork_link`); bad values are reported in one line."""
    state = st.session_state
    if "play_fork_link_read" in state:
        return
    state.play_fork_link_read = True
    epoch, b_config, problems = fork_from_query(st.query_params.to_dict(), a_config)
    state.play_url_problems = [*state.get("play_url_problems", []), *problems]
    if epoch is not None:
        state[MODE] = FORK
        set_b_widgets(b_config)
        state.play_fork_pending = epoch


def apply_fork_link(runner: Runner) -> None:
    """Train the link's run to its fork epoch and fork it there (once, paused)."""
    epoch = st.session_state.pop("play_fork_pending", None)
    if epoch is None or forked():
        return
    with st.spinner(f"Training run A to the link's fork epoch {epoch:,}…"):
        runner.read(lambda engine: engine.train(epoch - engine.epoch))
    fork()


def lab_query() -> dict[str, str]:
    """What the link adds for a fork: the fork epoch and B's settings."""
    if not forked():
        return {}
    job: ForkJob = st.session_state[RUNNER].job
    return fork_query(job.fork_epoch, job.b.config)


def b_config_from_widgets(a_config: PlaygroundConfig) -> PlaygroundConfig:
    """Run B's configuration: A's with B's widgets' values for the forkable settings."""
    state = st.session_state
    values = {f: state[B_PREFIX + f] for f in FORK_FIELDS if B_PREFIX + f in state}
    return dataclasses.replace(a_config, **values)
