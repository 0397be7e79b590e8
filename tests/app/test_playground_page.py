"""AppTests of the Training playground: controls, live settings, URL state, divergence, export."""

import time
from pathlib import Path
from unittest.mock import patch

from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from core.playground.config import from_query
from core.playground.export import export_script
from tests.app.helpers import APP, open_page

PAGE = "pages/playground.py"


def epoch(at: AppTest) -> int:
    return int(next(m.value for m in at.metric if m.label == "Epoch").replace(",", ""))


def until(at: AppTest, condition, tries: int = 100) -> AppTest:
    """Rerun the page (as the live view's redraws do) until `condition(at)` holds: the run trains on its own
    thread, so what a redraw shows depends on how far it got."""
    for _ in range(tries):
        if condition(at):
            return at
        time.sleep(0.05)
        run(at)
    raise AssertionError("the page never reached the expected state")


def run(target) -> AppTest:
    """Run the app after an interaction (`target`: the AppTest or the element changed); fail on errors."""
    at = target.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_renders_with_reference_a_defaults():
    at = open_page(PAGE)
    assert at.title[0].value == "Training playground"
    assert epoch(at) == 0
    assert at.selectbox(key="play_dataset").value == "circle"
    assert at.select_slider(key="play_lr").value == 0.03
    assert at.select_slider(key="play_batch_size").value == 10
    assert at.number_input(key="play_layers").value == 2
    assert len(at.get("plotly_chart")) == 3  # boundary, neuron maps, network


def test_step_play_pause_and_reset():
    at = open_page(PAGE)
    run(at.button(key="play_step").click())
    assert epoch(at) == 1
    assert {m.label for m in at.metric} >= {"Train loss", "Test loss", "Test accuracy"}
    run(at.button(key="play_play").click())  # play: the run trains on its own thread
    assert at.button(key="play_pause").label == "Pause"
    until(at, lambda at: epoch(at) > 1)
    assert len(at.get("image")) >= 1  # the live view shows pictures
    run(at.button(key="play_pause").click())
    assert at.button(key="play_play").label == "Play"
    paused_at = epoch(at)
    time.sleep(0.3)
    assert epoch(run(at)) == paused_at  # paused: no more training
    run(at.button(key="play_reset").click())
    assert epoch(at) == 0


def test_live_settings_keep_the_run_and_structural_changes_reset_it():
    at = open_page(PAGE)
    for _ in range(3):
        run(at.button(key="play_step").click())
    run(at.select_slider(key="play_lr").set_value(0.1))
    run(at.select_slider(key="play_batch_size").set_value(25))
    run(at.selectbox(key="play_regularization").select("L2"))
    assert epoch(at) == 3
    run(at.button(key="play_step").click())
    assert epoch(at) == 4
    run(at.number_input(key="play_width_0").set_value(6))
    assert epoch(at) == 0


def test_a_learning_rate_change_while_playing_trains_the_next_epoch_at_it():
    """The change reaches the running job during the page run it triggers (between two slices): the run
    carries on, and the very next epoch it trains uses the new rate."""
    at = open_page(PAGE)
    run(at.button(key="play_play").click())
    until(at, lambda at: epoch(at) > 1)
    runner = at.session_state["play_runner"]
    before = runner.read(lambda engine: engine.epoch)
    run(at.select_slider(key="play_lr").set_value(0.1))
    assert at.session_state["play_runner"] is runner and runner.playing  # the same run, still playing
    epoch_now, next_lr = runner.read(lambda engine: (engine.epoch, engine.learning_rate(engine.epoch)))
    assert epoch_now >= before and next_lr == 0.1
    until(at, lambda at: epoch(at) > epoch_now)  # and it trains on at the new rate
    assert next(m.value for m in at.metric if m.label == "Learning rate") == "0.1"
    run(at.button(key="play_pause").click())


def test_network_controls_add_layers_and_pick_the_engine():
    at = open_page(PAGE)
    run(at.number_input(key="play_layers").set_value(3))
    assert at.number_input(key="play_width_2").value == 4
    assert "numba" in at.caption[0].value or any("numba" in c.value for c in at.caption)
    run(at.toggle(key="play_batch_norm").set_value(True))
    assert any("autograd" in c.value for c in at.caption)
    run(at.button(key="play_step").click())
    assert epoch(at) == 1
    run(at.number_input(key="play_layers").set_value(0))
    assert any("No hidden layers: the output is tanh(w·x + b)" in c.value for c in at.caption)


def test_dataset_choice_sets_the_losses_and_the_url():
    at = open_page(PAGE)
    run(at.selectbox(key="play_dataset").select("plane"))
    assert at.selectbox(key="play_loss").options == ["MSE/2", "Huber"]
    assert at.query_params["dataset"] == ["plane"] or at.query_params["dataset"] == "plane"
    run(at.selectbox(key="play_dataset").select("spiral"))
    run(at.selectbox(key="play_loss").select("BCE"))
    assert "BCE" in str(at.query_params["loss"])


def test_url_restores_the_configuration_and_reports_bad_values():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(PAGE)
    at.query_params.update(
        {
            "dataset": "xor",
            "hidden": "8,8,3",
            "activation": "ReLU",
            "lr": "0.01",
            "optimizer": "Adam",
            "features": "x1,x2,x1x2",
            "seed": "7",
        }
    )
    run(at)
    assert at.selectbox(key="play_dataset").value == "xor"
    assert [at.number_input(key=f"play_width_{i}").value for i in range(3)] == [8, 8, 3]
    assert at.selectbox(key="play_optimizer").value == "Adam"
    assert at.multiselect(key="play_features").value == ["x1", "x2", "x1x2"]
    assert at.number_input(key="play_seed").value == 7
    bad = AppTest.from_file(str(APP), default_timeout=120)
    bad.switch_page(PAGE)
    bad.query_params.update({"hidden": "8,x"})
    run(bad)
    assert any("hidden" in w.value for w in bad.warning)
    assert bad.number_input(key="play_layers").value == 2


def test_divergence_pauses_and_offers_a_reset():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(PAGE)
    at.query_params.update(
        {"dataset": "plane", "lr": "10", "hidden": "8,8", "activation": "ReLU", "init": "Normal"}
    )
    run(at)
    run(at.button(key="play_play").click())
    until(at, lambda at: at.error)
    assert any("NaN" in e.value and "learning rate" in e.value for e in at.error)
    run(at)
    assert at.button(key="play_play").label == "Play"
    run(at.button(key="play_reset_diverged").click())
    assert epoch(at) == 0 and not at.error


def test_export_offers_the_script_of_this_run():
    at = open_page(PAGE)
    run(at.button(key="play_step").click())
    code = at.code[0].value
    assert "EPOCHS = 1" in code and "torch.optim.SGD(model.parameters(), lr=0.03)" in code
    compile(code, "exported.py", "exec")
    # The download's bytes: what the page hands Streamlit's media storage, recorded on a rerun.
    stored, keep = {}, MemoryMediaFileStorage.load_and_get_id

    def record(storage, data, mimetype, kind, filename=None):
        stored[file_id := keep(storage, data, mimetype, kind, filename)] = data
        return file_id

    with patch.object(MemoryMediaFileStorage, "load_and_get_id", record):
        run(at)
    download = stored[Path(at.download_button(key="play_download").proto.url).stem]
    config, problems = from_query(at.query_params)  # the settings the page's link holds
    assert not problems and download.decode() == export_script(config, epoch(at))
    assert at.code[0].value.strip() == download.decode().strip()  # what is shown is what is downloaded


def test_bad_settings_show_a_message_instead_of_a_traceback():
    at = open_page(PAGE)
    run(at.multiselect(key="play_features").set_value([]))
    assert any("at least one input feature" in e.value for e in at.error)
