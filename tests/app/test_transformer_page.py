"""AppTests for the Transformers page: training by Step, the paused inside view, attention by hand with its
checks, bad input one line each (the rest of the page stays), live settings, and the page's own script
printing the validation loss the page shows."""

import re
import shutil

import pytest

from core.transformer.attention import MAX_TOKENS
from core.transformer.data import CORPUS_FILE
from core.transformer.job import EVAL_EVERY
from tests.app.helpers import open_page
from tests.generated import run_generated

PAGE = "pages/transformer.py"
HEADERS = [
    "1. Train a small GPT",
    "2. Inside the model",
    "3. Attention by hand, every number",
    "Try this",
    "PyTorch for these settings",
]


def metric(at, label_start: str) -> str:
    """The value of the metric whose label starts with `label_start`."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def small(at) -> None:
    """A small model, so a test's steps take little time."""
    at.slider(key="tf_layers").set_value(1)
    at.slider(key="tf_width").set_value(32)
    at.slider(key="tf_heads").set_value(2)
    at.slider(key="tf_context").set_value(32).run()


def test_step_trains_and_the_paused_view_looks_inside():
    at = open_page(PAGE)
    assert [h.value for h in at.header] == HEADERS
    assert metric(at, "Step") == "0"
    assert float(metric(at, "Validation loss")) == pytest.approx(4.33, abs=0.05)  # ln 76: a uniform guess
    assert any("456,672 parameters; 76 distinct characters" in c.value for c in at.caption)
    at.button(key="tf_step").click().run()
    assert not at.exception and metric(at, "Step") == "1"
    markdown = " ".join(m.value for m in at.markdown)
    assert "Attention maps of the prompt" in markdown and "Writing, one character at a time" in markdown
    written = [c.value for c in at.code if c.language != "python"]
    assert len(written) == 1 and len(written[0]) == 200
    at.slider(key="tf_written_k").set_value(5).run()
    assert not at.exception
    at.slider(key="tf_temperature").set_value(0.1).run()
    assert [c.value for c in at.code if c.language != "python"] != written  # the sample follows it


def test_attention_by_hand_shows_its_checks_and_one_row():
    at = open_page(PAGE)
    markdown = " ".join(m.value for m in at.markdown)
    checks = re.findall(
        r"`(?:F\.scaled_dot_product_attention|nn\.MultiheadAttention \w+)` ([0-9.e+-]+)", markdown
    )
    assert len(checks) == 3 and all(float(c) <= 1e-6 for c in checks)
    row = next(d.value for d in at.dataframe if "q_i · k_j" in d.value.columns)
    assert len(row) == 6 and row["weight"].sum() == pytest.approx(1.0)
    at.selectbox(key="tf_attn_token").set_value(3).run()
    row = next(d.value for d in at.dataframe if "q_i · k_j" in d.value.columns)
    assert list(row["masked"] != "") == [False] * 4 + [True] * 2
    at.toggle(key="tf_attn_causal").set_value(False)
    at.radio(key="tf_attn_positions").set_value("none").run()
    markdown = " ".join(m.value for m in at.markdown)
    assert re.search(r"none positions: [0-9.]+e-1[0-9]", markdown)  # without both, order is rounding


def test_bad_hand_inputs_get_one_line_each():
    at = open_page(PAGE)
    for text, message in (
        ("", "The input is empty"),
        (" ".join(["word"] * (MAX_TOKENS + 1)), f"at most {MAX_TOKENS}"),
    ):
        at.text_input(key="tf_attn_text").set_value(text).run()
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value, [e.value for e in at.error]
        assert [h.value for h in at.header] == HEADERS  # the rest of the page stays
    at.text_input(key="tf_attn_text").set_value("🙂 ok 👍🏽 fine").run()
    assert not at.exception and not at.error
    at.slider(key="tf_attn_width").set_value(10)
    at.select_slider(key="tf_attn_heads").set_value(4).run()
    assert len(at.error) == 1 and "does not split into 4 heads" in at.error[0].value


def test_bad_text_and_settings_get_one_line_each():
    at = open_page(PAGE)
    at.selectbox(key="tf_source").set_value("yours").run()
    assert not at.exception and not at.error  # starts from 20,000 characters of Shakespeare
    for text, message in (
        ("", "The text is empty"),
        ("zzzz", "one distinct character"),
        ("to be or not", "a context of 64 characters needs at least 65"),
    ):
        at.text_area(key="tf_text").set_value(text).run()
        assert not at.exception
        assert len(at.error) == 1 and message in at.error[0].value, [e.value for e in at.error]
        assert [h.value for h in at.header] == HEADERS
    at.text_area(key="tf_text").set_value("Emoji 🙂 and odd characters \x00\u200b ✓. " * 4000).run()
    assert not at.exception and not at.error
    notes = [i.value for i in at.info]
    assert any("non-ASCII" in n for n in notes) and any("only the first 100,000" in n for n in notes)
    at.button(key="tf_step").click().run()
    assert not at.exception and metric(at, "Step") == "1"
    at.button(key="tf_default_text").click().run()
    assert not at.info and not at.error
    at.slider(key="tf_heads").set_value(5).run()
    assert len(at.error) == 1 and "does not split into 5 heads" in at.error[0].value
    assert any("Fix the settings above" in i.value for i in at.info)


def test_learning_rate_changes_the_run_in_place():
    at = open_page(PAGE)
    small(at)
    at.button(key="tf_step").click().run()
    runner = at.session_state["tf_runner"]
    at.select_slider(key="tf_lr").set_value(0.01).run()
    assert at.session_state["tf_runner"] is runner
    assert runner.read(lambda job: job.snapshot().lr) == 0.01 and metric(at, "Step") == "1"
    assert any("changed during this run" in w.value for w in at.warning)
    at.toggle(key="tf_causal").set_value(False).run()
    assert at.session_state["tf_runner"] is not runner and metric(at, "Step") == "0"


def test_generated_code_prints_what_the_page_shows(tmp_path):
    at = open_page(PAGE)
    small(at)
    at.session_state["tf_runner"].apply(lambda job: [job.step() for _ in range(EVAL_EVERY)])
    at.run()
    shown = metric(at, "Validation loss")
    line = next(m.value for m in at.markdown if "This script trains" in m.value)
    printed = re.search(r"`(validation loss after .+?)`", line).group(1)
    assert printed.startswith(f"validation loss after {EVAL_EVERY} steps: {shown}")
    shutil.copy(CORPUS_FILE, tmp_path / "shakespeare.txt")  # what the page's download button saves
    output = run_generated(at.code[-1].value, tmp_path, timeout=300).splitlines()
    number = float(output[1].split(": ")[1].split()[0])
    assert abs(number - float(printed.split(": ")[1].split()[0])) <= 1e-5
