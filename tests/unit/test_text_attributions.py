"""Attributions: Integrated Gradients completeness and shapes, occlusion, word edits, escaped highlights."""

import numpy as np
import pytest

from core.text import registry
from core.text.attributions import (
    edit_word,
    empty_text_probability,
    integrated_gradients,
    occlusion,
    words_of,
)
from core.text.classifier import SentimentClassifier
from core.text.figures import (
    MAX_ATTENTION_TOKENS,
    attention_figure,
    highlighted_html,
    histogram_figure,
    probability_figure,
)

XSS = "<script>alert('x')</script> <img src=x onerror=alert(1)> & \"quoted\" great"


@pytest.fixture(scope="module")
def minilm() -> SentimentClassifier:
    return registry.load_model(registry.get_model("minilm-sst2"))


def test_integrated_gradients_shapes_and_completeness(minilm: SentimentClassifier) -> None:
    text = "The acting was wooden, but the soundtrack almost saved it."
    result = integrated_gradients(minilm, text, steps=32)
    assert len(result.tokens) == len(result.token_scores)
    assert result.tokens[0] == "[CLS]" and result.tokens[-1] == "[SEP]"
    assert [w.text for w in result.words] == text.split()
    assert result.word_scores.shape == (len(result.words),)
    # Completeness: the scores add up to the change in P(POSITIVE) from the baseline to the text.
    assert result.token_scores.sum() == pytest.approx(result.positive - result.reference, abs=0.01)
    assert abs(result.delta) < 0.01
    # [CLS]/[SEP] are the same in the baseline, so they get nothing; the words carry the whole sum.
    assert result.token_scores[0] == 0 and result.token_scores[-1] == 0
    assert result.word_scores.sum() == pytest.approx(result.token_scores.sum(), abs=1e-5)
    assert result.positive == pytest.approx(minilm.predict([text])[0].positive, abs=1e-4)


def test_integrated_gradients_blames_the_negative_word(minilm: SentimentClassifier) -> None:
    result = integrated_gradients(minilm, "I hate this so much!")
    assert [w.text for w in result.words][int(np.argmin(result.word_scores))] == "hate"


def test_integrated_gradients_on_long_text_covers_only_what_the_model_saw(
    minilm: SentimentClassifier,
) -> None:
    text = "good " * 20_000  # 100,000 characters
    result = integrated_gradients(minilm, text, steps=4)
    assert result.truncated and len(result.tokens) == minilm.max_tokens
    assert len(result.words) == minilm.max_tokens - 2


def test_occlusion_scores_one_per_word(minilm: SentimentClassifier) -> None:
    result = occlusion(minilm, "I hate this so much!")
    assert result.word_scores.shape == (5,)
    assert result.words[int(np.argmin(result.word_scores))].text == "hate"


def test_occluding_the_only_word_compares_with_the_models_no_word_output(minilm: SentimentClassifier) -> None:
    no_words = empty_text_probability(minilm)
    assert 0 < no_words < 1 and abs(no_words - 0.5) > 1e-3  # the model's own output, not an assumed 0.5
    result = occlusion(minilm, "wonderful")
    assert result.word_scores[0] == pytest.approx(minilm.predict(["wonderful"])[0].positive - no_words)


def test_occlusion_of_a_long_text_stays_within_what_the_model_reads(minilm: SentimentClassifier) -> None:
    result = occlusion(minilm, "good " * 20_000)
    assert result.truncated and len(result.words) == 200


def test_explanations_refuse_empty_text(minilm: SentimentClassifier) -> None:
    for explain in (integrated_gradients, occlusion):
        with pytest.raises(ValueError, match="empty"):
            explain(minilm, "   \n ")


def test_words_and_edits() -> None:
    text = "Ce film  est 😍 génial"
    assert [w.text for w in words_of(text)] == ["Ce", "film", "est", "😍", "génial"]
    assert edit_word(text, 3, "") == "Ce film  est génial"
    assert edit_word(text, 4, "") == "Ce film  est 😍"
    assert edit_word(text, 1, "livre") == "Ce livre  est 😍 génial"
    with pytest.raises(IndexError):
        edit_word(text, 5, "x")


def test_highlighted_html_escapes_user_text() -> None:
    spans = [(w.start, w.end) for w in words_of(XSS)]
    page = highlighted_html(XSS, spans, np.linspace(-1, 1, len(spans)), note="<b>note</b>")
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&quot;quoted&quot;" in page and "&amp;" in page
    assert page.count("<span") == len(spans)


def test_highlighted_html_greys_out_the_unseen_tail() -> None:
    text = "seen words and an unseen tail"
    page = highlighted_html(text, [(0, 4), (5, 10)], np.array([0.5, -0.5]))
    assert "rgba(228, 87, 46, 0.75)" in page and "rgba(46, 134, 171, 0.75)" in page
    assert "and an unseen tail</span>" in page


def test_figures() -> None:
    bar = probability_figure(0.8)
    assert [t.x[0] for t in bar.data] == pytest.approx([0.2, 0.8])
    tokens = [f"t{i}" for i in range(100)]
    heat = attention_figure(tokens, np.full((100, 100), 0.01), 2, 3)
    assert np.asarray(heat.data[0].z).shape == (MAX_ATTENTION_TOKENS, MAX_ATTENTION_TOKENS)
    assert heat.layout.title.text == "Layer 3, head 4"
    hist = histogram_figure([0.1, 0.2, 0.9, None])
    assert [len(t.x) for t in hist.data] == [2, 1]
