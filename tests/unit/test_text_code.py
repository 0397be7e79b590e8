"""The Sentiment page's generated code (run in a fresh interpreter), its example notes and its "Try this"."""

import ast
from pathlib import Path

import pytest

from core.text import registry
from core.text.attributions import empty_text_probability
from core.text.classifier import SentimentClassifier
from core.text.code import offline_code, pipeline_code
from core.text.examples import EXAMPLE_TEXTS, example_note
from tests.generated import run_generated


@pytest.fixture(scope="module")
def minilm() -> SentimentClassifier:
    return registry.load_model(registry.get_model("minilm-sst2"))


def test_offline_script_prints_the_pages_logits_and_probability(minilm: SentimentClassifier, tmp_path: Path):
    text = EXAMPLE_TEXTS[0].text  # the page's default
    code = offline_code(text)
    assert "from core" not in code and "import core" not in code
    printed = run_generated(code, tmp_path).strip().splitlines()
    negative, positive = minilm.logits(text)
    assert printed[0] == f"logits: NEGATIVE {negative:.4f}, POSITIVE {positive:.4f}"
    p_positive = float(printed[1].rsplit("= ", 1)[1])
    assert p_positive == pytest.approx(minilm.predict([text])[0].positive, abs=1e-4)


def test_pipeline_script_is_the_slides_call_and_names_local_models() -> None:
    slide = pipeline_code("minilm-sst2", "I hate this so much!")
    ast.parse(slide)
    assert 'pipeline("sentiment-analysis")' in slide and "'I hate this so much!'" in slide
    assert "distilbert-base-uncased-finetuned-sst-2-english" in slide  # says which model it downloads
    local = pipeline_code("local-dir", "it's fine", "/models/mine")
    ast.parse(local)
    assert "pipeline(\"sentiment-analysis\", model='/models/mine')" in local


def test_texts_outside_the_training_data_say_so() -> None:
    notes = {e.text: e.note for e in EXAMPLE_TEXTS}
    assert notes["Ce film est magnifique ! 😍"].startswith("Outside the training data")
    assert notes["Ce film est nul ! 😡"].startswith("Outside the training data")
    assert "SST-2 dev" in example_note("it 's a charming and often affecting journey .")
    assert example_note("a text of my own") == ""


def test_emoji_and_french_are_unknown_or_split_by_the_vocabulary(minilm: SentimentClassifier) -> None:
    assert minilm.tokenizer.tokenize("Ce film est magnifique ! 😍") == [
        "ce",
        "film",
        "est",
        "mag",
        "##ni",
        "##fi",
        "##que",
        "!",
        "[UNK]",
    ]


# The labels the page's prediction cards (core/cards/sentiment.py) are about, from the offline model.
LABELS = {
    "bad": "NEGATIVE",
    "not bad": "POSITIVE",
    "not good": "NEGATIVE",
    "a truly wonderful film": "POSITIVE",
    "a truly terrible film": "NEGATIVE",
    "Ce film est nul ! 😡": "POSITIVE",
    "good": "POSITIVE",
}


def test_try_this_labels_are_the_offline_models(minilm: SentimentClassifier) -> None:
    assert [p.label for p in minilm.predict(list(LABELS))] == list(LABELS.values())


def test_try_this_numbers(minilm: SentimentClassifier) -> None:
    wonderful, terrible, french = minilm.predict(
        ["a truly wonderful film", "a truly terrible film", "Ce film est nul ! 😡"]
    )
    assert wonderful.positive > 0.99 and terrible.positive < 0.01
    assert french.score > 0.75  # 'high probability' on text it cannot read
    assert empty_text_probability(minilm) == pytest.approx(0.80, abs=0.05)  # "about 80 %, not 0.5"
