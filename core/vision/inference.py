"""Classifying pictures with a loaded registry model: the top-k classes, their probabilities, the time."""

import time
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from core.vision.registry import LoadedModel


@dataclass(frozen=True)
class TopClass:
    """One of the top-k ImageNet classes of a classification, with its softmax probability."""

    label: str
    index: int  # ImageNet-1k class index, 0-999
    prob: float  # softmax probability


@dataclass(frozen=True)
class Classification:
    """What a model made of one picture."""

    model: str  # registry name
    predictions: list[TopClass]  # the top k, most probable first
    ms: float  # wall time of the forward pass alone, milliseconds
    model_input: Image.Image  # the crop x crop picture the network saw, before normalisation
    probabilities: np.ndarray  # (1000,) softmax over every class, to compare models class by class

    def as_json(self) -> dict[str, object]:
        """The CLI's JSON shape (without the file name)."""
        return {
            "model": self.model,
            "predictions": [
                {"label": p.label, "index": p.index, "prob": round(p.prob, 6)} for p in self.predictions
            ],
            "ms": round(self.ms, 2),
        }


def forward(loaded: LoadedModel, batch: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Logits for a normalised (B, 3, H, W) batch, and the forward pass's wall time in milliseconds."""
    batch = batch.to(loaded.device)
    with loaded.lock, torch.inference_mode():
        start = time.perf_counter()
        logits = loaded.module(batch)  # (B, 1000)
        if loaded.device.type == "cuda":
            torch.cuda.synchronize(loaded.device)  # kernels are asynchronous; time their completion
        ms = (time.perf_counter() - start) * 1000.0
    return logits.float().cpu(), ms


def classify(loaded: LoadedModel, image: Image.Image, top_k: int = 5) -> Classification:
    """The model's top-k ImageNet classes for one RGB picture."""
    categories = loaded.entry.categories
    if not 1 <= top_k <= len(categories):
        raise ValueError(f"top_k must be between 1 and {len(categories)}")
    crop = loaded.entry.preprocessing.crop_image(image)
    logits, ms = forward(loaded, loaded.entry.preprocessing.normalise(crop)[None])
    probabilities = logits.softmax(dim=-1)[0]  # (1000,)
    top = probabilities.topk(top_k)
    pairs = zip(top.values.tolist(), top.indices.tolist(), strict=True)
    predictions = [TopClass(categories[i], i, p) for p, i in pairs]
    return Classification(loaded.entry.name, predictions, ms, crop, probabilities.numpy())
