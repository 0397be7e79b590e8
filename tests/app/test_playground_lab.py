"""AppTests of the playground's experiment lab: fork and race, the sweep, the loss landscape, their links,
their bad inputs and Pause."""

import time

from streamlit.testing.v1 import AppTest

from core.playground.fork import fork_from_query
from core.playground.lab_code import fork_script
from tests.app.helpers import APP, open_page
from tests.app.test_playground_page import PAGE, run, until


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def link(at: AppTest) -> dict[str, str]:
    """The page's URL parameters (AppTest keeps each as a list of values)."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def with_link(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(PAGE)
    at.query_params.update(params)
    return run(at)


def test_fork_races_a_and_b_and_keep_b_takes_its_settings():
    at = open_page(PAGE)
    for _ in range(3):
        run(at.button(key="play_step").click())
    run(at.radio(key="play_lab").set_value("Fork and race"))
    assert at.select_slider(key="play_b_lr").value == 0.03  # B starts at A's settings
    run(at.select_slider(key="play_b_lr").set_value(0.3))
    run(at.button(key="play_fork").click())
    assert metric(at, "A epoch") == metric(at, "B epoch") == "3"
    assert metric(at, "A test loss") == metric(at, "B test loss")  # the same run until the fork
    assert link(at)["fork"] == "3" and link(at)["b_lr"] == "0.3"
    run(at.button(key="play_step").click())
    assert metric(at, "A epoch") == metric(at, "B epoch") == "4"
    assert metric(at, "A test loss") != metric(at, "B test loss")
    assert len(at.get("plotly_chart")) >= 4  # both boundaries, B − A, the race's curves
    job = at.session_state["play_runner"].job
    code = next(c.value for c in at.code if "copy.deepcopy((a[" in c.value)
    assert code.strip() == fork_script(job.a.config, 4, job.b.config, 4, 3, None).strip()
    run(at.button(key="play_keep_b").click())
    assert at.select_slider(key="play_lr").value == 0.3 and metric(at, "Epoch") == "4"
    assert "fork" not in at.query_params


def test_a_link_opens_the_race_at_its_fork_point():
    at = with_link({"hidden": "5", "fork": "20", "b_lr": "0.1", "b_optimizer": "Adam", "b_dropout": "x"})
    assert at.radio(key="play_lab").value == "Fork and race"
    assert metric(at, "A epoch") == metric(at, "B epoch") == "20"
    job = at.session_state["play_runner"].job
    assert job.fork_epoch == 20 and job.b.config.optimizer == "Adam" and job.b.config.lr == 0.1
    assert job.b.config.dropout == 0.0  # the bad value falls back to A's, with a line saying so
    assert any("run B" in w.value and "dropout" in w.value for w in at.warning)
    epoch, b, problems = fork_from_query(link(at), job.a.config)
    assert (epoch, b, problems) == (20, job.b.config, [])


def test_a_diverged_run_cannot_be_forked():
    at = with_link({"dataset": "plane", "lr": "3", "hidden": "8,8"})
    run(at.button(key="play_play").click())
    until(at, lambda at: at.session_state["play_runner"].job.diverged)
    run(at.radio(key="play_lab").set_value("Fork and race"))
    assert any("diverged at epoch" in e.value for e in at.error)
    assert at.button(key="play_fork").disabled


def test_pause_stops_the_race():
    at = open_page(PAGE)
    run(at.radio(key="play_lab").set_value("Fork and race"))
    run(at.button(key="play_fork").click())
    run(at.button(key="play_play").click())
    until(at, lambda at: at.session_state["play_runner"].steps > 2)
    run(at.button(key="play_pause").click())
    runner = at.session_state["play_runner"]
    steps, epochs = runner.steps, (runner.job.a.epoch, runner.job.b.epoch)
    time.sleep(0.3)
    assert not runner.playing and runner.steps == steps and (runner.job.a.epoch, runner.job.b.epoch) == epochs


def sweep_page(x_values: str, y_values: str, epochs: int = 15, base: dict | None = None) -> AppTest:
    at = with_link(base or {})
    run(at.radio(key="play_lab").set_value("Sweep two knobs"))
    at.text_input(key="play_sweep_x_values").set_value(x_values)
    at.text_input(key="play_sweep_y_values").set_value(y_values)
    at.number_input(key="play_sweep_epochs").set_value(epochs)
    return run(at.button(key="play_sweep_start").click())


def test_a_sweep_trains_every_cell_and_pause_stops_it():
    at = sweep_page("0.01, 0.1, 0.3", "0, 0.001", epochs=2000)
    runner = at.session_state["play_sweep_runner"]
    until(at, lambda at: runner.job.epoch > 5)
    assert metric(at, "Runs") == "6" and len(at.get("image")) >= 1  # the live heatmap picture
    run(at.button(key="play_sweep_pause").click())
    epoch = runner.job.epoch
    time.sleep(0.3)
    assert not runner.playing and runner.job.epoch == epoch
    assert len(at.get("plotly_chart")) == 1  # paused: the heatmap to hover and click
    assert any("vmap" in c.value for c in at.code)


def test_bad_grids_and_a_sweep_that_all_diverges_get_one_line():
    at = sweep_page(", ".join(str(v) for v in range(1, 12)), "0")
    assert (
        any("at most 10 values" in e.value for e in at.error) and "play_sweep_runner" not in at.session_state
    )
    at = sweep_page("0.01, fast", "0")
    assert any("cannot read 'fast'" in e.value for e in at.error)
    at = sweep_page("5, 10", "0, 0.01", epochs=100, base={"dataset": "plane"})
    runner = at.session_state["play_sweep_runner"]
    until(at, lambda at: runner.job.done)
    run(at)
    assert any("Every run of the sweep diverged" in e.value for e in at.error)


def test_the_landscape_of_the_paused_run():
    at = open_page(PAGE)
    run(at.toggle(key="play_landscape").set_value(True))
    run(at.radio(key="play_landscape_directions").set_value("PCA"))
    assert any("PCA directions need a path" in i.value for i in at.info)  # epoch 0: no path yet
    for _ in range(3):
        run(at.button(key="play_step").click())
    assert not at.info and any("vector_to_parameters" in c.value for c in at.code)
    assert any("train loss at θ" in c.value for c in at.caption)
