"""Class names, splits, feature caching and bounded ingestion for the transfer-learning page."""

import numpy as np
import pytest
from PIL import Image

from core.transfer.builtin import texture_patches
from core.transfer.data import (
    BATCH,
    MAX_CLASSES,
    FeatureCache,
    augmented,
    class_problems,
    count_problems,
    decode,
    parse_class_names,
    stratified_split,
)
from core.transfer.workspace import Workspace, head_data, ingest
from tests.unit.transfer_fixtures import tiny_backbone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cats", ["name at least 2 classes (you named 1)"]),
        ("", ["name at least 2 classes (you named 0)"]),
        ("cats, , dogs", ["a class name is empty: remove the extra comma or name it"]),
        ("cats, Cats", ["class name 'Cats' is used twice: each class needs its own name"]),
        (",".join(f"c{i}" for i in range(11)), [f"at most {MAX_CLASSES} classes (you named 11)"]),
        ("cats, dogs", []),
    ],
)
def test_each_bad_class_list_gets_its_one_line(text: str, expected: list[str]) -> None:
    assert class_problems(parse_class_names(text)) == expected


def test_a_class_with_no_images_is_named() -> None:
    assert count_problems(["cats", "dogs"], [3, 0]) == ["class 'dogs' has no images: add some"]
    assert count_problems(["cats", "dogs"], [3, 1]) == []


def test_split_is_stratified_seeded_and_disjoint() -> None:
    labels = [0] * 10 + [1] * 20 + [2] * 1
    train, val = stratified_split(labels, 0.2, seed=3)
    assert set(train).isdisjoint(val) and sorted([*train, *val]) == list(range(31))
    val_labels = np.asarray(labels)[val]
    assert [int((val_labels == k).sum()) for k in range(3)] == [2, 4, 0]  # one picture: trains only
    again, _ = stratified_split(labels, 0.2, seed=3)
    other, _ = stratified_split(labels, 0.2, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_texture_train_and_test_patches_come_from_different_halves() -> None:
    image = np.arange(512 * 512).reshape(512, 512)  # every pixel value is unique
    top, bottom = texture_patches(image, "top"), texture_patches(image, "bottom")
    assert len(top) == len(bottom) == 21
    seen = set(np.concatenate([p.ravel() for p in top]).tolist())
    assert seen.isdisjoint(np.concatenate([p.ravel() for p in bottom]).tolist())
    assert max(seen) < 256 * 512  # the top half's pixels only


def _pictures(n: int, counter: dict[str, int]):
    rng = np.random.default_rng(0)
    for i in range(n):
        counter["yielded"] += 1
        yield Image.fromarray(rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)), i % 2, f"p{i}.png"


def test_500_pictures_are_taken_in_a_batch_at_a_time_with_progress() -> None:
    backbone, cache = tiny_backbone(), FeatureCache("tiny")
    counter, reports, outstanding = {"yielded": 0}, [], []

    def progress(done: int, total: int) -> None:
        reports.append((done, total))
        outstanding.append(counter["yielded"] - done)

    samples = ingest(_pictures(500, counter), backbone, cache, progress, total=500)
    assert len(samples) == 500 and len(cache) == 500
    assert reports[-1] == (500, 500) and len(reports) == -(-500 // BATCH)
    assert max(outstanding) == 0  # never more than BATCH decoded pictures waited for their features
    assert decode(samples[0]).size == (32, 32)  # only the model-input crop is kept
    assert max(len(s.jpeg) for s in samples) < 5_000


def test_features_are_cached_per_picture_and_augmented_copies_are_seeded() -> None:
    backbone, cache = tiny_backbone(), FeatureCache("tiny")
    samples = ingest(_pictures(12, {"yielded": 0}), backbone, cache)
    space = Workspace(["a", "b"], samples)
    plain = head_data(space, backbone, cache, 0.25, seed=0)
    assert len(cache) == 12  # nothing new to compute
    assert plain.train_x.shape == (8, 8) and plain.val_x.shape == (4, 8)
    with_views = head_data(space, backbone, cache, 0.25, seed=0, views=2)
    assert len(cache) == 12 + 16 and with_views.train_x.shape == (24, 8)
    crop = decode(samples[0])
    assert augmented(crop, 1, 5).tobytes() == augmented(crop, 1, 5).tobytes()
    assert augmented(crop, 1, 5).tobytes() != augmented(crop, 2, 5).tobytes()
