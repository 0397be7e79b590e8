"""AppTest for the Sentiment page: prediction, attributions, attention, what-if, batch and bad input."""

import math
import re

import pytest
from streamlit.testing.v1 import AppTest

from core.text.code import offline_code
from tests.app.helpers import open_page

PAGE = "pages/sentiment.py"


def label_metric(at: AppTest) -> str:
    return next(m for m in at.metric if m.label == "Label").value


def test_single_text_prediction_attributions_and_attention() -> None:
    at = open_page(PAGE)
    assert label_metric(at) == "POSITIVE"
    captions = " ".join(c.value for c in at.caption)
    assert "In use:" in captions and "ships with the app" in captions
    highlighted = at.get("html")[0].proto.body
    at.selectbox(key="sent_example").set_value("I hate this so much!").run()
    assert not at.exception and label_metric(at) == "NEGATIVE"
    assert at.get("html")[0].proto.body != highlighted and "hate</span>" in at.get("html")[0].proto.body
    at.radio(key="sent_method").set_value("Occlusion (delete each word)").run()
    assert not at.exception and "hate</span>" in at.get("html")[0].proto.body
    attention = at.get("plotly_chart")[-1].proto.spec
    at.slider(key="sent_head").set_value(5).run()
    assert not at.exception and at.get("plotly_chart")[-1].proto.spec != attention


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_numbers_caveats_and_the_code_behind_them() -> None:
    at = open_page(PAGE)
    label = next(m for m in at.metric if m.label == "Label")
    assert label.value == "POSITIVE" and label.delta.startswith("P(POSITIVE) = ")
    shown = float(label.delta.rsplit("= ", 1)[1].rstrip("%")) / 100
    text = captions(at)
    assert "confidence" not in label.delta and "not a calibrated confidence" in text
    assert "Attention weights are not an explanation" in text
    # The logits caption is checkable by hand: softmax of the two logits is the shown probability.
    negative, positive = map(float, re.search(r"Logits: NEGATIVE (\S+), POSITIVE (\S+)\. ", text).groups())
    assert 1 / (1 + math.exp(negative - positive)) == pytest.approx(shown, abs=0.001)
    slide, offline = (c.value for c in at.code)
    assert 'pipeline("sentiment-analysis")' in slide
    assert offline == offline_code("I've been waiting for a HuggingFace course my whole life.").strip()
    assert any(r.key == "card_pick_sentiment-negation" for r in at.radio)  # Try this asks it


def test_texts_outside_the_training_data_are_flagged() -> None:
    at = open_page(PAGE)
    at.selectbox(key="sent_example").set_value("Ce film est nul ! 😡").run()
    assert not at.exception and "Outside the training data" in captions(at)
    assert "never taught French" in captions(at)


def test_occlusion_caption_shows_the_no_word_probability() -> None:
    at = open_page(PAGE)
    at.text_area(key="sent_text").set_value("good").run()
    at.radio(key="sent_method").set_value("Occlusion (delete each word)").run()
    no_words = float(captions(at).split("the model says P(POSITIVE) = ", 1)[1][:5])
    assert 0.7 < no_words < 0.9  # the model's own output for [CLS] [SEP]: not 0.5


def test_script_tags_are_shown_as_text() -> None:
    at = open_page(PAGE)
    at.text_area(key="sent_text").set_value(
        "<script>alert('x')</script><img src=x onerror=alert(1)> fine"
    ).run()
    assert not at.exception
    body = at.get("html")[0].proto.body
    assert "<script" not in body and "<img" not in body and "&lt;script&gt;" in body


def test_empty_and_very_long_text() -> None:
    at = open_page(PAGE)
    at.text_area(key="sent_text").set_value("   \n  ").run()
    assert not at.exception and "empty" in at.error[0].value
    at.text_area(key="sent_text").set_value("nice " * 20_000).run()
    assert not at.exception and "reads only the first 256" in at.warning[0].value


def test_what_if_shows_the_change_side_by_side() -> None:
    at = open_page(PAGE)
    at.text_area(key="sent_text").set_value("a truly wonderful film").run()
    at.radio(key="sent_view").set_value("What if").run()
    at.selectbox(key="sent_word").set_value(2).run()  # "wonderful"
    at.text_input(key="sent_replacement").set_value("terrible").run()
    assert not at.exception
    change = next(m for m in at.metric if m.label == "P(POSITIVE) after the edit")
    assert change.delta.startswith("-")
    bodies = [h.proto.body for h in at.get("html") if not h.proto.body.startswith('<span id="card-')]
    assert len(bodies) == 2 and "wonderful</span>" in bodies[0] and "terrible</span>" in bodies[1]


def test_batch_of_typed_lines() -> None:
    at = open_page(PAGE)
    at.radio(key="sent_view").set_value("Batch").run()
    at.text_area(key="sent_lines").set_value("great acting\n\nawful plot\nfine 😀\n").run()
    at.button(key="sent_run").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["text"].tolist() == ["great acting", "awful plot", "fine 😀"]
    assert table["label"].tolist()[:2] == ["POSITIVE", "NEGATIVE"]
    assert at.get("download_button") and at.get("plotly_chart")
