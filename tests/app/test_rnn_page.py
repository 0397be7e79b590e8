"""AppTests for the RNN page: the seed model's numbers, training by Step, bad text, widget limits, live
settings, and the generated script printing what the page shows."""

import re

import pytest

from core.rnn.job import EVAL_EVERY
from core.rnn.simple import build_seed_model
from core.rnn.text import MAX_CHARS
from tests.app.helpers import open_page
from tests.generated import run_generated

PAGE = "pages/rnn.py"


def metric(at, label_start: str) -> str:
    """The value of the metric whose label starts with `label_start`."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def table(at, column: str):
    """The first dataframe shown with a column named `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def sample(at) -> str:
    """The character model's sample: the one code block that is not Python."""
    (written,) = [c.value for c in at.code if c.language != "python"]
    return written


def test_seed_model_shows_its_output_and_the_hand_recurrence():
    at = open_page(PAGE)
    model, x = build_seed_model(0)
    expected = " ".join(f"{v:.4f}" for v in model(x)[0].tolist())
    assert any(expected in m.value for m in at.markdown)
    hand = table(at, "max |diff|")
    assert len(hand) == 5 and all(float(d) <= 1e-6 for d in hand["max |diff|"])
    shapes = table(at, "shape")
    assert dict(zip(shapes["tensor"], shapes["shape"], strict=True))["h_n"] == "(1, 1, 20)"


def test_step_trains_and_pausing_shows_the_inside():
    at = open_page(PAGE)
    assert metric(at, "Step") == "0"
    at.button(key="rnn_step").click().run()
    assert not at.exception
    assert metric(at, "Step") == "1"
    assert table(at, "‖∂L/∂h_1‖ / ‖∂L/∂h_T‖")["model"][0] == "LSTM, this run (step 1)"
    assert len(table(at, "target (sum)")) == 5


def test_bad_text_gets_one_line_each():
    at = open_page(PAGE)
    at.selectbox(key="rnn_task").set_value("chars").run()
    assert not at.exception and not at.error
    for text, message in (("", "empty"), ("x", "one distinct character"), ("ab", "at least 51")):
        at.text_area(key="rnn_text").set_value(text).run()
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value
        assert [h.value for h in at.header][-2:] == ["Try this", "PyTorch for these settings"]
    at.text_area(key="rnn_text").set_value("ünïcödé text, ok? " * 60_000).run()  # 1.08 M characters
    assert not at.exception and not at.error
    notes = [i.value for i in at.info]
    assert any(f"only the first {MAX_CHARS:,}" in n for n in notes)
    assert any("non-ASCII" in n for n in notes)
    at.text_area(key="rnn_text").set_value("hello world. " * 20).run()  # too short to hold out a block
    assert not at.exception and not at.error
    assert any("measured on the training text" in c.value for c in at.caption)
    at.button(key="rnn_default_text").click().run()
    assert not at.info and not at.error
    assert not any("measured on the training text" in c.value for c in at.caption)


def test_widget_limits_train():
    at = open_page(PAGE)
    at.slider(key="rnn_hidden").set_value(256)
    at.slider(key="rnn_seq_len").set_value(4).run()
    at.button(key="rnn_step").click().run()
    assert not at.exception and metric(at, "Step") == "1"
    at.slider(key="rnn_hidden").set_value(1)
    at.slider(key="rnn_seq_len").set_value(200).run()
    at.button(key="rnn_step").click().run()
    assert not at.exception and metric(at, "Step") == "1"


def test_forecast_and_characters_show_their_own_views():
    at = open_page(PAGE)
    at.selectbox(key="rnn_task").set_value("sine").run()
    at.button(key="rnn_step").click().run()
    assert not at.exception
    assert any("Roll-out over 50 steps" in c.value for c in at.caption)
    at.selectbox(key="rnn_task").set_value("chars").run()
    at.radio(key="rnn_cell").set_value("GRU").run()
    at.button(key="rnn_step").click().run()
    assert not at.exception
    assert metric(at, "validation perplexity").replace(".", "").isdigit()
    before = sample(at)
    at.slider(key="rnn_temperature").set_value(0.1).run()
    assert sample(at) != before  # the sample follows the temperature


def test_learning_rate_changes_the_run_in_place():
    at = open_page(PAGE)
    at.button(key="rnn_step").click().run()
    runner = at.session_state["rnn_runner"]
    at.select_slider(key="rnn_lr").set_value(0.1).run()
    assert at.session_state["rnn_runner"] is runner
    assert runner.read(lambda job: job.snapshot().lr) == 0.1 and metric(at, "Step") == "1"
    assert any("changed during this run" in w.value for w in at.warning)
    at.slider(key="rnn_hidden").set_value(8).run()
    assert at.session_state["rnn_runner"] is not runner and metric(at, "Step") == "0"


def test_generated_code_prints_what_the_page_shows(tmp_path):
    at = open_page(PAGE)
    at.radio(key="rnn_cell").set_value("GRU")
    at.slider(key="rnn_hidden").set_value(8).run()
    at.session_state["rnn_runner"].apply(lambda job: [job.step() for _ in range(EVAL_EVERY)])
    at.run()
    shown = metric(at, "test MSE")
    line = next(m.value for m in at.markdown if "This script trains" in m.value)
    printed = re.search(r"`(.+)`", line).group(1)
    assert (
        printed == f"test MSE after {EVAL_EVERY} steps: {float(shown):.6f}"[: len(printed)]
        or shown in printed
    )
    words, number = run_generated(at.code[-1].value, tmp_path).strip().rsplit(" ", 1)
    assert words == printed.rsplit(" ", 1)[0]
    assert float(number) == pytest.approx(float(printed.rsplit(" ", 1)[1]), rel=1e-4)
