"""From pictures to training tensors: a task's samples, its seeded split, and cached features per split."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from core.transfer.backbone import Backbone
from core.transfer.builtin import TaskData
from core.transfer.data import (
    BATCH,
    FeatureCache,
    Sample,
    augmented,
    cached_features,
    crop_of,
    decode,
    embed,
    finetune_tensor,
    make_sample,
    stratified_split,
)

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Workspace:
    """What a head is trained on: class names, the training pool (split into train and validation by a
    seed) and, for built-in tasks, a separate test part."""

    classes: list[str]
    pool: list[Sample]
    test: list[Sample] = field(default_factory=list)

    def counts(self) -> list[int]:
        """Pictures per class in the training pool."""
        labels = [s.label for s in self.pool]
        return [labels.count(i) for i in range(len(self.classes))]


def ingest(
    pictures: Iterable[tuple[Image.Image, int, str]],
    backbone: Backbone,
    cache: FeatureCache,
    progress: Progress | None = None,
    total: int = 0,
) -> list[Sample]:
    """(picture, label, name) triples to Samples, BATCH at a time: each picture is cropped as the backbone
    sees it, its features computed from that exact crop and cached, and only the crop's JPEG kept. Memory
    stays bounded however many pictures arrive (an iterator may decode them one by one)."""
    samples: list[Sample] = []
    pending: list[tuple[Image.Image, Sample]] = []

    def flush() -> None:
        for (_, sample), vector in zip(pending, embed(backbone, [c for c, _ in pending]), strict=True):
            cache.vectors[(sample.digest, 0, 0)] = vector.clone()
        samples.extend(s for _, s in pending)
        pending.clear()
        if progress is not None:
            progress(len(samples), max(total, len(samples)))

    for picture, label, name in pictures:
        crop = crop_of(picture, backbone)
        pending.append((crop, make_sample(crop, label, name)))
        if len(pending) == BATCH:
            flush()
    if pending:
        flush()
    return samples


def from_task(
    task: TaskData, backbone: Backbone, cache: FeatureCache, progress: Progress | None = None
) -> Workspace:
    """A built-in task's pictures as samples, their features cached."""
    pairs = task.train + task.test
    named = ((p, label, f"{task.classes[label]} {i}") for i, (p, label) in enumerate(pairs))
    samples = ingest(named, backbone, cache, progress, total=len(pairs))
    return Workspace(task.classes, samples[: len(task.train)], samples[len(task.train) :])


@dataclass
class HeadData:
    """Features and labels for training a head: train (with augmented copies), validation and test."""

    train_x: torch.Tensor  # (N * (1 + views), D)
    train_y: torch.Tensor
    val_x: torch.Tensor  # (M, D)
    val_y: torch.Tensor
    test_x: torch.Tensor  # (T, D), empty without a test part
    test_y: torch.Tensor
    train_index: np.ndarray  # positions in the pool
    val_index: np.ndarray


def _labels(samples: list[Sample]) -> torch.Tensor:
    return torch.tensor([s.label for s in samples], dtype=torch.long)


def head_data(
    space: Workspace,
    backbone: Backbone,
    cache: FeatureCache,
    val_fraction: float,
    seed: int,
    views: int = 0,
    progress: Progress | None = None,
) -> HeadData:
    """Split the pool by `seed` (stratified) and look up or compute every feature vector; with `views` > 0,
    each training picture also gets that many augmented copies (seeded by `seed`)."""
    train_index, val_index = stratified_split([s.label for s in space.pool], val_fraction, seed)
    train = [space.pool[i] for i in train_index]
    val = [space.pool[i] for i in val_index]
    base = train + val + space.test
    aug = [(s, v) for v in range(1, views + 1) for s in train]
    keys = [(s.digest, 0, 0) for s in base] + [(s.digest, v, seed) for s, v in aug]

    def crops(indices: list[int]):
        return [
            decode(base[i])
            if i < len(base)
            else augmented(decode(aug[i - len(base)][0]), aug[i - len(base)][1], seed)
            for i in indices
        ]

    features = cached_features(backbone, cache, keys, crops, progress)
    n_train, n_val = len(train), len(val)
    return HeadData(
        train_x=torch.cat([features[:n_train], features[len(base) :]]),
        train_y=torch.cat([_labels(train), _labels([s for s, _ in aug])]),
        val_x=features[n_train : n_train + n_val],
        val_y=_labels(val),
        test_x=features[n_train + n_val : len(base)],
        test_y=_labels(space.test),
        train_index=train_index,
        val_index=val_index,
    )


def finetune_data(
    space: Workspace, backbone: Backbone, val_fraction: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The same split as `head_data`, as small normalised pictures for fine-tuning: train x, y, val x, y."""
    train_index, val_index = stratified_split([s.label for s in space.pool], val_fraction, seed)
    train = [space.pool[i] for i in train_index]
    val = [space.pool[i] for i in val_index]
    return (
        finetune_tensor([decode(s) for s in train], backbone),
        _labels(train),
        finetune_tensor([decode(s) for s in val], backbone),
        _labels(val),
    )
