"""A transfer-learning data set: named classes, their pictures, a stratified split, cached features.

Each picture is kept as the model-input crop only (a JPEG of crop x crop pixels, ~20 kB), never as the
uploaded file, so 500 phone photos in one class stay a few megabytes. Its backbone features are computed once
when it arrives, from the exact crop, and cached under the crop's hash: retraining the head never runs the
backbone again. The JPEG serves display, augmentation and fine-tuning.
"""

import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as TF

from core.runtime import holds_global_rng
from core.transfer.backbone import Backbone

MIN_CLASSES, MAX_CLASSES = 2, 10
MAX_PER_CLASS = 500  # pictures kept per class; more are refused with one line
BATCH = 16  # pictures per backbone forward pass when extracting features
FINETUNE_SIZE = 96  # side of the pictures fine-tuning trains on: ~20 ms per image forward+backward on a CPU
JPEG_QUALITY = 92


def parse_class_names(text: str) -> list[str]:
    """Class names from a comma-separated line, spaces trimmed (empty entries kept, to be reported)."""
    return [name.strip() for name in text.split(",")] if text.strip() else []


def class_problems(names: list[str]) -> list[str]:
    """One line per problem with a list of class names; empty when it is usable."""
    problems = []
    real = [n for n in names if n]
    if len(real) < MIN_CLASSES:
        problems.append(f"name at least {MIN_CLASSES} classes (you named {len(real)})")
    if len(names) > MAX_CLASSES:
        problems.append(f"at most {MAX_CLASSES} classes (you named {len(names)})")
    if len(real) < len(names):
        problems.append("a class name is empty: remove the extra comma or name it")
    seen: set[str] = set()
    for name in real:
        if name.casefold() in seen:
            problems.append(f"class name '{name}' is used twice: each class needs its own name")
        seen.add(name.casefold())
    return problems


def count_problems(names: list[str], counts: list[int]) -> list[str]:
    """One line per class that cannot be trained on (no pictures)."""
    return [f"class '{n}' has no images: add some" for n, c in zip(names, counts, strict=True) if c == 0]


@dataclass(frozen=True)
class Sample:
    """One picture of one class, as the crop the backbone sees."""

    label: int
    jpeg: bytes  # the crop x crop model input, JPEG-compressed (display, augmentation, fine-tuning)
    digest: str  # sha256 of the crop's pixels: the feature cache key
    name: str  # file name or where it came from


def crop_of(image: Image.Image, backbone: Backbone) -> Image.Image:
    """The crop x crop RGB picture the backbone sees (resize, centre crop; before normalisation)."""
    return backbone.preprocessing.crop_image(image.convert("RGB"))


def make_sample(crop: Image.Image, label: int, name: str) -> Sample:
    """Pack a model-input crop as a Sample."""
    buffer = io.BytesIO()
    crop.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return Sample(label, buffer.getvalue(), hashlib.sha256(crop.tobytes()).hexdigest(), name)


def decode(sample: Sample) -> Image.Image:
    """A sample's crop as an RGB picture."""
    return Image.open(io.BytesIO(sample.jpeg)).convert("RGB")


@dataclass
class FeatureCache:
    """Backbone features per picture, for one backbone. Key: (crop digest, augmentation view, augmentation
    seed); view 0 is the picture itself (seed 0)."""

    backbone: str
    vectors: dict[tuple[str, int, int], torch.Tensor] = field(default_factory=dict)  # key -> (D,)

    def __len__(self) -> int:
        return len(self.vectors)


@torch.inference_mode()
def embed(backbone: Backbone, crops: list[Image.Image]) -> torch.Tensor:
    """Features of model-input crops, in batches of BATCH: (N, D)."""
    out = []
    for start in range(0, len(crops), BATCH):
        batch = torch.stack([backbone.preprocessing.normalise(c) for c in crops[start : start + BATCH]])
        out.append(backbone.trunk(batch))  # (B, D)
    return torch.cat(out) if out else torch.zeros(0, backbone.feature_dim)


def cached_features(
    backbone: Backbone,
    cache: FeatureCache,
    keys: list[tuple[str, int, int]],
    crops: Callable[[list[int]], list[Image.Image]],
    progress: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Features for `keys` (digest, view, seed): cached ones looked up, the rest computed from
    `crops(indices)` a batch at a time (at most BATCH decoded pictures in memory) and cached. (N, D)."""
    missing = [i for i, key in enumerate(keys) if key not in cache.vectors]
    for start in range(0, len(missing), BATCH):
        chunk = missing[start : start + BATCH]
        for i, vector in zip(chunk, embed(backbone, crops(chunk)), strict=True):
            cache.vectors[keys[i]] = vector.clone()
        if progress is not None:
            progress(min(start + BATCH, len(missing)), len(missing))
    if not keys:
        return torch.zeros(0, backbone.feature_dim)
    return torch.stack([cache.vectors[key] for key in keys])


def augmenter(size: int) -> v2.Compose:
    """The augmentations of the page's toggle: a random crop of 60–100 % of the area, a horizontal flip,
    colour jitter. Applied to the model-input crop, so the result is the same size."""
    return v2.Compose(
        [
            v2.RandomResizedCrop(size, scale=(0.6, 1.0), antialias=True),
            v2.RandomHorizontalFlip(p=0.5),
            v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.05),
        ]
    )


def augmented(crop: Image.Image, view: int, seed: int) -> Image.Image:
    """Augmented copy number `view` (>= 1) of a crop; the same (seed, view) always gives the same copy."""
    # v2 transforms draw from torch's global generator
    with holds_global_rng(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed * 1000 + view)
        return TF.to_pil_image(augmenter(crop.height)(TF.pil_to_tensor(crop)))


def stratified_split(labels: Iterable[int], val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation indices with each class split in the same proportion, shuffled by `seed`.

    A class with n >= 2 pictures gives round(n * val_fraction) of them to validation, at least 1 and at most
    n - 1; a class with one picture trains only."""
    labels = np.asarray(list(labels))
    rng = np.random.default_rng(seed)
    train, val = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_val = 0 if len(members) < 2 else min(max(round(len(members) * val_fraction), 1), len(members) - 1)
        val.extend(members[:n_val])
        train.extend(members[n_val:])
    return np.sort(np.array(train, dtype=np.int64)), np.sort(np.array(val, dtype=np.int64))


def finetune_tensor(crops: list[Image.Image], backbone: Backbone, size: int = FINETUNE_SIZE) -> torch.Tensor:
    """Crops shrunk to size x size and normalised for fine-tuning: (N, 3, size, size)."""
    out = [backbone.preprocessing.normalise(TF.resize(c, [size, size], antialias=True)) for c in crops]
    return torch.stack(out) if out else torch.zeros(0, 3, size, size)
