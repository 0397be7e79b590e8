"""The committed offline sentiment model: its SST-2 dev accuracy (computed here from the shared data), its
size, and its hand-written layer loop checked against transformers' own BertModel forward."""

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import registry
from core.text.attributions import attention_maps
from core.text.classifier import LABELS, SentimentClassifier, text_problem
from core.text.minilm import MiniLMSentiment
from core.text.offline import WEIGHTS, read_metadata
from tests.learner_text import says
from tests.unit.test_fuzz_inputs import long_texts, short_texts

REPO = Path(__file__).resolve().parents[2]
DEV = REPO.parent / "shared" / "data" / "sst2" / "dev.tsv"


@pytest.fixture(scope="module")
def minilm() -> SentimentClassifier:
    return registry.load_model(registry.get_model("minilm-sst2"))


def test_committed_head_is_small_and_documents_itself() -> None:
    assert WEIGHTS.stat().st_size < 10_000_000
    config, facts = read_metadata()
    assert 1 <= config.tuned_layers <= 6
    assert facts["trained_on"].startswith("SST-2") and facts["seed"] == 0


def test_sst2_dev_accuracy_at_least_85_percent(minilm: SentimentClassifier) -> None:
    assert DEV.is_file(), f"{DEV} is missing: the shared SST-2 data must lie beside the repository"
    table = pd.read_csv(DEV, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype={"text": str})
    predictions = minilm.predict(table["text"].tolist())
    correct = sum(
        (p.label == "POSITIVE") == bool(y) for p, y in zip(predictions, table["label"], strict=True)
    )
    accuracy = correct / len(table)
    print(f"SST-2 dev accuracy of the committed head: {accuracy:.4f} ({correct}/{len(table)})")
    assert len(table) == 872
    assert accuracy >= 0.85
    # The figure stored by the training script (and quoted in the README and the model card) is this one.
    assert accuracy == pytest.approx(read_metadata()[1]["dev_accuracy"], abs=0.003)


def test_frozen_layers_match_transformers_forward(minilm: SentimentClassifier) -> None:
    model: MiniLMSentiment = minilm.model
    batch = minilm.encode(["a gripping , funny film", "dull"])
    with torch.no_grad():
        ours = model.hidden_below_head(batch["input_ids"], batch["attention_mask"])
        reference = model.encoder(**batch, output_hidden_states=True).hidden_states[model.frozen_layers]
    real = batch["attention_mask"].bool()
    assert torch.allclose(ours[real], reference[real], atol=1e-4)


def test_attention_maps_are_distributions(minilm: SentimentClassifier) -> None:
    batch = minilm.encode(["the plot is thin but the cast is lovely"])
    with torch.no_grad():
        maps = minilm.model.attentions(batch["input_ids"], batch["attention_mask"])
    tokens = batch["input_ids"].shape[1]
    assert maps.shape == (6, 1, 12, tokens, tokens)
    assert torch.allclose(maps.sum(-1), torch.ones_like(maps.sum(-1)), atol=1e-5)


@pytest.mark.parametrize(
    "text", ["😍😍😍 best day ever", "Это ужасный фильм", "素晴らしい映画です", "a" * 100_000]
)
def test_unusual_text_gets_a_prediction(minilm: SentimentClassifier, text: str) -> None:
    prediction = minilm.predict([text])[0]
    assert prediction.error is None and 0.5 <= prediction.score <= 1.0
    assert prediction.truncated == (prediction.tokens > minilm.max_tokens)


def test_obvious_sentences(minilm: SentimentClassifier) -> None:
    labels = [p.label for p in minilm.predict(["I love this wonderful movie.", "I hate this so much!"])]
    assert labels == ["POSITIVE", "NEGATIVE"]


def test_the_french_example_is_wrong_at_83_percent_as_the_page_says(minilm: SentimentClassifier) -> None:
    (prediction,) = minilm.predict(["Ce film est nul ! 😡"])  # 'this film is rubbish'
    assert prediction.label == "POSITIVE" and round(prediction.score * 100) == 83
    assert says("calls the French *Ce film est nul ! 😡*, 'this film is rubbish', POSITIVE at 83 %")
    assert not says("it can be 99 % on text it gets wrong")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_default_device_is_cuda_and_agrees_with_the_cpu() -> None:
    from core.text.attributions import attention_maps, integrated_gradients

    on_gpu = registry.load_model(registry.get_model("minilm-sst2"))  # no device given: pick_device()
    minilm = registry.load_model(registry.get_model("minilm-sst2"), torch.device("cpu"))
    assert on_gpu.device.type == "cuda" and minilm.device.type == "cpu"
    texts = ["a gripping, beautifully acted film", "dull and far too long"]
    for gpu, cpu in zip(on_gpu.predict(texts), minilm.predict(texts), strict=True):
        assert gpu.label == cpu.label and gpu.positive == pytest.approx(cpu.positive, abs=1e-3)
    gpu_scores = integrated_gradients(on_gpu, texts[0]).word_scores
    cpu_scores = integrated_gradients(minilm, texts[0]).word_scores
    assert gpu_scores == pytest.approx(cpu_scores, abs=1e-2)
    assert attention_maps(on_gpu, texts[1])[1].shape == attention_maps(minilm, texts[1])[1].shape


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.lists(short_texts | long_texts(5_000), min_size=1, max_size=4))
def test_any_texts_get_a_prediction_or_a_one_line_error(
    minilm: SentimentClassifier, batch: list[str]
) -> None:
    # The fuzz of tests/unit/test_fuzz_inputs.py through the tokenizer and the model: empty text, lone
    # surrogates, NUL, right-to-left marks, emoji, long texts (and 100,000 characters above).
    predictions = minilm.predict(batch)
    assert [p.text for p in predictions] == batch
    for p in predictions:
        assert (p.error is None) == (text_problem(p.text) is None)
        if p.error is None:
            assert p.label in LABELS and 0.5 <= p.score <= 1.0 and math.isfinite(p.positive)
    try:
        tokens, maps = attention_maps(minilm, batch[0])
    except ValueError as error:
        assert str(error) == text_problem(batch[0])
    else:
        assert maps.shape[-1] == len(tokens) <= minilm.max_tokens
