"""What every pretrained-model registry shares: one availability record and one error.

Both registries (core.vision.registry for ImageNet classifiers, core.text.registry for sentiment models)
follow the torchvision `Weights` pattern: an entry carries everything needed to use it correctly and answers
`availability()` from local files alone; `load_model(entry)` raises ModelUnavailable with one actionable line.
"""

from dataclasses import dataclass
from pathlib import Path


class ModelUnavailable(RuntimeError):
    """A model's weights are missing, unreadable or could not be downloaded; the message says what to do."""


@dataclass(frozen=True)
class Availability:
    """Whether a model can be loaded from this machine's files, where from, and if not, how to get it."""

    available: bool
    path: Path | None  # the weights file or model directory, when it is known
    reason: str  # if available, where it comes from (may be empty); else why not and how to get it
