"""The sentiment registry decides availability from local files only, and loads Hugging Face model
directories through pipeline('sentiment-analysis') without the network or remote code."""

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification

from core.pretrained import ModelUnavailable
from core.text import registry
from core.text.attributions import attention_maps, integrated_gradients
from core.text.offline import WEIGHTS, minilm_dir


def tiny_model_dir(path: Path, labels: int = 2) -> Path:
    """A small random DistilBERT classifier with MiniLM's BERT-uncased tokenizer, saved like a hub model."""
    torch.manual_seed(0)
    config = DistilBertConfig(
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        num_labels=labels,
        id2label={i: n for i, n in enumerate(["NEGATIVE", "POSITIVE", "NEUTRAL"][:labels])},
    )
    DistilBertForSequenceClassification(config).save_pretrained(path)
    AutoTokenizer.from_pretrained(minilm_dir(), local_files_only=True).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model_dir(tmp_path_factory.mktemp("tiny"))


def test_offline_model_ships_with_the_repository() -> None:
    found = registry.get_model("minilm-sst2").availability()
    assert found.available, found.reason
    assert WEIGHTS.stat().st_size < 10_000_000


def test_hub_model_found_only_in_a_complete_cache_snapshot(tmp_path: Path) -> None:
    assert registry.cached_snapshot(registry.HUB_REPO, cache_dir=tmp_path) is None
    repo = tmp_path / f"models--{registry.HUB_REPO.replace('/', '--')}"
    snapshot = repo / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("abc123")
    (snapshot / "config.json").write_text("{}")
    assert registry.cached_snapshot(registry.HUB_REPO, cache_dir=tmp_path) is None  # config but no weights
    (snapshot / "model.safetensors").write_bytes(b"")
    assert registry.cached_snapshot(registry.HUB_REPO, cache_dir=tmp_path) == snapshot


def test_default_is_offline_model_with_reasons_when_nothing_else_is_there(
    monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(registry.LOCAL_DIR_ENV, raising=False)
    monkeypatch.setattr(registry, "cached_snapshot", lambda repo, cache_dir=None: None)
    name, why = registry.default_model()
    assert name == "minilm-sst2"
    assert "ships with the app" in why and "DistilBERT SST-2 (Hugging Face hub)" in why


def test_configured_local_directory_is_preferred_and_loads_through_pipeline(
    monkeypatch, tiny_dir: Path
) -> None:
    monkeypatch.setenv(registry.LOCAL_DIR_ENV, str(tiny_dir))
    assert registry.default_model()[0] == "local-dir"
    classifier = registry.load_model(registry.get_model("local-dir"))
    assert classifier.pipe is not None and classifier.max_tokens == 512
    predictions = classifier.predict(["a fine film", "", "word " * 600])
    assert predictions[0].label in ("POSITIVE", "NEGATIVE") and 0.5 <= predictions[0].score <= 1.0
    assert predictions[1].error and predictions[2].truncated
    # The pipeline's numbers are the model's own softmax.
    with torch.no_grad():
        direct = classifier.positive_probability(**classifier.encode(["a fine film"]))
    assert float(direct) == pytest.approx(predictions[0].positive, abs=1e-5)
    result = integrated_gradients(classifier, "a fine film", steps=16)
    assert result.token_scores.sum() == pytest.approx(result.positive - result.reference, abs=0.02)
    tokens, maps = attention_maps(classifier, "a fine film")
    assert maps.shape == (2, 2, len(tokens), len(tokens))


def test_bad_local_directories_are_refused_with_a_reason(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(registry.LOCAL_DIR_ENV, str(tmp_path / "missing"))
    assert not registry.availability()["local-dir"].available
    with pytest.raises(ModelUnavailable, match="not available"):
        registry.load_model(registry.get_model("local-dir"))
    three = tiny_model_dir(tmp_path / "three", labels=3)
    with pytest.raises(ModelUnavailable, match="two-label"):
        registry.load_hf_directory(three, "local-dir")
    with pytest.raises(ModelUnavailable, match="unknown model 'nope'; choose one of minilm-sst2"):
        registry.get_model("nope")


def test_report_is_json_ready_and_shaped_like_the_image_registrys(monkeypatch) -> None:
    import json

    from core.vision.registry import availability_report as image_report

    monkeypatch.delenv(registry.LOCAL_DIR_ENV, raising=False)
    rows = registry.availability_report()
    assert [r["name"] for r in rows] == list(registry.MODELS)
    json.dumps(rows)
    minilm = rows[0]
    assert minilm["available"] is True and minilm["weights"] == str(WEIGHTS) and "how_to_get" not in minilm
    local = next(r for r in rows if r["name"] == "local-dir")
    assert local["available"] is False and registry.LOCAL_DIR_ENV in local["how_to_get"]
    # One shape for both registries: the sentiment rows' keys are the image rows' keys, less `origin`.
    image_keys = {key for row in image_report() for key in row} - {"origin"}
    assert {key for row in rows for key in row} == image_keys


def test_every_entry_loads_through_its_own_loader_not_by_name(monkeypatch, tmp_path: Path) -> None:
    seen = []

    def fake_loader(path: Path, name: str, device: torch.device) -> str:
        seen.append((path, name, device))
        return "loaded"

    found = registry.Availability(True, tmp_path, "test")
    entry = replace(registry.MODELS["minilm-sst2"], locate=lambda: found, load=fake_loader)
    assert registry.load_model(entry, torch.device("cpu")) == "loaded"
    assert seen == [(tmp_path, "minilm-sst2", torch.device("cpu"))]
