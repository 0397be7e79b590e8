"""Training that the visitor pauses, or that diverges, leaves every training page usable: a clear line says
why it stopped, and a changed setting gives a new run that trains."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.runner import Runner
from tests.app.helpers import APP, open_page

TIMEOUT = 120  # seconds; a slow step on a busy 2-core machine


def wait_until(runner: Runner, ready, timeout: float = TIMEOUT) -> None:
    """Keep the run's worker alive (as the page's redraws do) until `ready(runner)`."""
    deadline = time.monotonic() + timeout
    while not ready(runner) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.05)
    assert ready(runner)


def run(target) -> AppTest:
    """Run the app (or the app of a widget just changed) and fail on any exception it shows."""
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# page, CNN part, runner key, button prefix, a setting that makes a new run: (widget kind, key, value)
PAGES = {
    "playground": ("pages/playground.py", None, "play_runner", "play", ("number_input", "play_seed", 3)),
    "backprop": ("pages/backprop.py", None, "bp_runner", "bp", ("select_slider", "bp_lr", 0.1)),
    "optimizers": (
        "pages/optimizers.py",
        None,
        "opt_runner",
        "opt_net",
        ("select_slider", "opt_net_hidden", 16),
    ),
    "batch norm": ("pages/batchnorm_dropout.py", None, "bn_runner", "bn", ("select_slider", "bn_lr", 0.1)),
    "dropout": ("pages/batchnorm_dropout.py", None, "do_runner", "do", ("slider", "do_p", 0.3)),
    "lr schedules": ("pages/lr_schedules.py", None, "lrs_runner", "lrs", ("slider", "lrs_epochs", 50)),
    "cnn": ("pages/cnn.py", "Train a CNN", "cnn_runner", "cnn", ("select_slider", "cnn_lr", 0.003)),
    "rnn": ("pages/rnn.py", None, "rnn_runner", "rnn", ("slider", "rnn_hidden", 8)),
    "transfer": ("pages/transfer_learning.py", None, "tl_runner", "tl", ("slider", "tl_epochs", 20)),
}


@pytest.mark.parametrize("name", PAGES)
def test_pause_then_a_new_setting_trains(name: str) -> None:
    page, part, key, prefix, (kind, widget, value) = PAGES[name]
    at = open_page(page)
    if part:
        run(at.segmented_control(key="cnn_part").set_value(part))
        run(at.selectbox(key="cnn_dataset").set_value("digits"))  # seconds, not minutes, per epoch
    run(at.button(key=f"{prefix}_play").click())
    runner = at.session_state[key]
    wait_until(runner, lambda r: r.steps > 0)
    run(at.button(key=f"{prefix}_pause").click())
    assert not runner.playing and at.button(key=f"{prefix}_play").label == "Play"
    paused_at = runner.steps
    time.sleep(0.3)
    assert runner.steps == paused_at  # stopped for good

    run(getattr(at, kind)(key=widget).set_value(value))
    assert not at.error, [e.value for e in at.error]
    run(at.button(key=f"{prefix}_step").click())
    assert at.session_state[key].steps == 1 and not at.session_state[key].playing
    at.session_state[key].close()


def test_backprop_divergence_says_why_and_a_lower_rate_trains() -> None:
    at = open_page("pages/backprop.py")
    at.selectbox(key="bp_activation").set_value("Tanh")
    run(at.select_slider(key="bp_lr").set_value(2.0))
    run(at.button(key="bp_play").click())
    wait_until(at.session_state["bp_runner"], lambda r: r.read(lambda job: job.done))
    run(at)
    assert [e.value for e in at.error] == [
        "Training stopped at epoch 136: the loss became inf. Each step overshot further: the learning rate "
        "(2) is too high for this network. Lower it and a new run starts."
    ]
    assert at.button(key="bp_play").disabled
    run(at.select_slider(key="bp_lr").set_value(0.1))
    assert not at.error and not at.button(key="bp_play").disabled
    run(at.button(key="bp_step").click())
    assert at.session_state["bp_runner"].read(lambda job: len(job.losses)) == 1


def test_playground_divergence_then_a_lower_rate_and_reset_trains() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("pages/playground.py")
    at.query_params.update({"dataset": "plane", "lr": "10", "hidden": "8,8", "activation": "ReLU"})
    run(at)
    run(at.button(key="play_play").click())
    wait_until(at.session_state["play_runner"], lambda r: r.read(lambda job: job.done))
    run(at)
    assert "the loss became NaN or infinite" in at.error[0].value and "(10)" in at.error[0].value
    # The learning rate is a live setting: the stopped run keeps its message until Reset starts a new one.
    run(at.select_slider(key="play_lr").set_value(0.03))
    assert "Lower it and press Reset" in at.error[0].value and at.button(key="play_play").disabled
    run(at.button(key="play_reset_diverged").click())
    assert not at.error and not at.button(key="play_play").disabled
    run(at.button(key="play_step").click())
    assert not at.error and at.session_state["play_runner"].steps == 1
    assert at.session_state["play_runner"].read(lambda job: job.config.lr) == 0.03
