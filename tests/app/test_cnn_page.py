"""AppTests for the CNN page: each part renders, reacts to its widgets, and its PyTorch code prints the
numbers the page shows."""

import re
import time
from pathlib import Path

from core.cnn.weights import load
from tests.app.helpers import open_page
from tests.generated import run_generated

PAGE = "pages/cnn.py"


def open_part(part: str):
    at = open_page(PAGE)
    at.segmented_control(key="cnn_part").set_value(part).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def checkable(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Checkable numbers"))


def test_explainer_formula_and_impossible_settings() -> None:
    at = open_page(PAGE)
    text = " ".join(m.value for m in at.markdown)
    assert "⌊(28 + 2·1 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊27 / 1⌋ + 1 = 28" in text and "**28×28**" in text
    at.slider(key="cnn_conv_stride").set_value(2).run()
    assert "**14×14**" in " ".join(m.value for m in at.markdown)
    at.radio(key="cnn_conv_source").set_value("Small grid").run()
    at.slider(key="cnn_conv_padding").set_value(0).run()
    at.slider(key="cnn_conv_dilation").set_value(3).run()
    assert len(at.error) == 1 and "does not fit in the 6×6 padded input" in at.error[0].value


def test_explainer_code_prints_the_pages_numbers(tmp_path: Path) -> None:
    at = open_page(PAGE)
    at.selectbox(key="cnn_conv_kernel").set_value("sobel x").run()
    at.slider(key="cnn_conv_stride").set_value(2).run()
    at.slider(key="cnn_conv_dilation").set_value(2).run()
    at.slider(key="cnn_conv_row").set_value(3).run()
    page = checkable(at)
    printed = run_generated(at.code[-1].value, tmp_path)
    numbers = re.findall(r"output\[3, \d+\] = -?[\d.]+|max = -?[\d.]+|min = -?[\d.]+", printed)
    assert numbers and all(n in page for n in numbers), (page, printed)
    at.radio(key="cnn_conv_op").set_value("Average pooling").run()
    assert "average pooling has no dilation" in at.error[0].value
    at.slider(key="cnn_conv_dilation").set_value(1).run()
    for op in ["Max pooling", "Average pooling"]:
        at.radio(key="cnn_conv_op").set_value(op).run()
        assert not at.exception
        printed = run_generated(at.code[-1].value, tmp_path)
        numbers = re.findall(r"output\[\d+, \d+\] = -?[\d.]+|max = -?[\d.]+|min = -?[\d.]+", printed)
        assert len(numbers) == 3 and all(n in checkable(at) for n in numbers), (checkable(at), printed)


def test_training_on_digits_live_and_its_code_agrees(tmp_path: Path) -> None:
    at = open_part("Train a CNN")
    at.selectbox(key="cnn_dataset").set_value("digits").run()
    at.selectbox(key="cnn_architecture").set_value("simple").run()
    at.slider(key="cnn_epochs").set_value(1).run()
    shapes = at.dataframe[0].value
    assert shapes["output (C×H×W)"].tolist() == ["1×8×8", "16×8×8", "16×4×4", "32×4×4", "32×2×2", "10"]
    at.button(key="cnn_step").click().run()
    runner = at.session_state["cnn_runner"]
    assert runner.read(lambda job: job.batches) == 1
    at.button(key="cnn_play").click().run()
    deadline = time.monotonic() + 60
    while not runner.read(lambda job: job.done) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.05)
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Epoch"] == "1.00"
    printed = run_generated(at.code[-1].value, tmp_path)
    assert f"test loss {metrics['Test loss']}, test accuracy {metrics['Test accuracy']}" in printed, (
        metrics,
        printed,
    )
    assert "parameters: 6090" in printed
    assert "Finished runs in this session" in " ".join(m.value for m in at.markdown)


def test_what_it_learned_shows_filters_maps_confusion_and_gradcam() -> None:
    at = open_part("What it learned")
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(titles) == 5  # filters, two conv layers' maps, confusion matrix, Grad-CAM
    text = " ".join(m.value for m in at.markdown)
    stored = float(load().facts["test_accuracy"])
    assert f"Test accuracy **{stored:.2%}**" in text
    assert re.search(r"\*\*True \d, predicted \d\*\*: \d+ images", text)
    at.number_input(key="cnn_learn_index").set_value(1).run()
    assert not at.exception


def test_draw_part_without_a_drawing_asks_for_one() -> None:
    at = open_part("Draw a digit")
    assert at.info and "Draw a digit" in at.info[0].value
