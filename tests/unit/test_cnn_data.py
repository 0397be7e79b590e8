"""The CNN page's datasets: MNIST (read by core.datasets_offline, tested there), sklearn digits, and
torchvision datasets that are not on disk."""

import numpy as np
import pytest

from core.cnn.data import DATASETS, DatasetUnavailable, load_dataset, load_digits, load_mnist


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
