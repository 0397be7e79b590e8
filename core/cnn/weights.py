"""Trained CNN weights as safetensors files whose metadata say how they were made (config, accuracy, time)."""

import json
from dataclasses import dataclass
from pathlib import Path

from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from core.cnn.data import DATASETS
from core.cnn.model import CNNConfig, build_model

DEFAULT_WEIGHTS = Path(__file__).with_name("weights") / "mnist_default.safetensors"
REPRODUCE = "python -m core cnn train --threads 1 --save core/cnn/weights/mnist_default.safetensors"


@dataclass(frozen=True)
class TrainedCNN:
    """A model loaded from a weights file, with the config that built it and the facts stored beside it."""

    model: nn.Module  # in eval mode
    config: CNNConfig
    facts: dict[str, str]  # the file's metadata: test accuracy, CPU seconds, torch version, command


def save(model: nn.Module, config: CNNConfig, facts: dict[str, object], path: Path) -> None:
    """Write `model`'s state dict to `path` with the config and `facts` in the metadata (strings)."""
    metadata = {"config": config.to_json(), **{k: str(v) for k, v in facts.items()}}
    tensors = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=metadata)


class UnreadableWeights(RuntimeError):
    """A weights file that is missing, corrupt, cut short or not a CNN of ours; the message says which."""


def load(path: Path = DEFAULT_WEIGHTS) -> TrainedCNN:
    """The model stored at `path`, rebuilt from its config and loaded strictly, in eval mode; an
    UnreadableWeights with one line when the file cannot give it."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = dict(handle.metadata() or {})
        config = CNNConfig.from_json(metadata.pop("config"))
        model = build_model(config, DATASETS[config.dataset].shape)
        model.load_state_dict(load_file(str(path)), strict=True)
    except (SafetensorError, OSError, KeyError, TypeError, ValueError, RuntimeError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise UnreadableWeights(f"{path.name} cannot be loaded ({reason})") from error
    return TrainedCNN(model.eval(), config, metadata)


def facts_line(trained: TrainedCNN) -> str:
    """One line naming what the stored model is and how well it did."""
    f = trained.facts
    return (
        f"{trained.config.architecture} CNN trained on {trained.config.dataset} for {trained.config.epochs} "
        f"epochs: {float(f.get('test_accuracy', 'nan')):.2%} on the {f.get('test_examples', '?')} test "
        "images, "
        f"{float(f.get('cpu_seconds', 'nan')):.0f} s CPU time ({f.get('threads', '?')} torch thread)"
    )


def as_json(trained: TrainedCNN) -> str:
    """The stored facts and config as JSON (CLI output)."""
    return json.dumps({"config": json.loads(trained.config.to_json()), **trained.facts}, indent=2)
