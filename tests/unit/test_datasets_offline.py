"""Packaged data sets: MNIST is hash-checked and unpickled with arrays only."""

import gzip
import io
import os
import pickle

import numpy as np
import pytest

from core import datasets_offline
from core.datasets_offline import DataUnavailable, _ArraysOnly, load_mnist


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(_Payload()),  # os.system through __reduce__
        pickle.dumps(print),  # a builtin function
        b"cos\nsystem\n(S'echo owned'\ntR.",  # the classic os.system call, protocol 0
        pickle.dumps(io.BytesIO),  # any other class of the standard library
    ],
)
def test_restricted_unpickler_refuses_anything_but_arrays(payload: bytes) -> None:
    with pytest.raises(pickle.UnpicklingError, match="refused global"):
        _ArraysOnly(io.BytesIO(payload)).load()


def test_restricted_unpickler_builds_arrays() -> None:
    arrays = (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2]))
    loaded = _ArraysOnly(io.BytesIO(pickle.dumps(arrays, protocol=4))).load()
    assert all(np.array_equal(a, b) for a, b in zip(arrays, loaded, strict=True))


def test_a_file_with_another_hash_is_refused_before_unpickling(tmp_path, monkeypatch) -> None:
    fake = tmp_path / "mnist.pkl.gz"
    fake.write_bytes(gzip.compress(pickle.dumps(_Payload())))
    monkeypatch.setattr(datasets_offline, "mnist_path", lambda: fake)
    with pytest.raises(DataUnavailable, match="not the published"):
        load_mnist()


def test_mnist_loads_as_8_bit_pictures() -> None:
    mnist = load_mnist()
    assert {k: v[0].shape for k, v in mnist.items()} == {
        "train": (50_000, 28, 28),
        "valid": (10_000, 28, 28),
        "test": (10_000, 28, 28),
    }
    x, y = mnist["test"]
    assert x.dtype == np.uint8 and x.max() == 255 and y[:5].tolist() == [7, 2, 1, 0, 4]
    assert np.bincount(y).tolist()[:2] == [980, 1135]  # MNIST's published test-set class counts
