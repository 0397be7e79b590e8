"""The convolution explainer against torch.nn.functional on random inputs over a grid of settings."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.cnn.conv import (
    KERNELS,
    ImpossibleSettings,
    Settings,
    check,
    conv2d,
    formula,
    output_size,
    pool2d,
    products,
    window,
)

GRID = list(
    itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2], [1, 2, 3])
)  # kernel, stride, padding, dilation


def torch_or_error(fn, *args, **kwargs) -> torch.Tensor | None:
    """fn's result, or None when PyTorch rejects the settings."""
    try:
        return fn(*args, **kwargs)
    except RuntimeError:
        return None


@pytest.mark.parametrize("kernel,stride,padding,dilation", GRID)
def test_conv2d_equals_torch(kernel: int, stride: int, padding: int, dilation: int) -> None:
    rng = np.random.default_rng(kernel * 1000 + stride * 100 + padding * 10 + dilation)
    x = rng.normal(size=(7, 6)).astype(np.float32)
    k = rng.normal(size=(kernel, kernel)).astype(np.float32)
    s = Settings(kernel, stride, padding, dilation)
    expected = torch_or_error(
        F.conv2d,
        torch.from_numpy(x)[None, None],
        torch.from_numpy(k)[None, None],
        stride=stride,
        padding=padding,
        dilation=dilation,
    )
    if expected is None:
        with pytest.raises(ImpossibleSettings):
            conv2d(x, k, s)
        return
    got = conv2d(x, k, s)
    assert got.shape == tuple(expected.shape[-2:]) == (output_size(7, s), output_size(6, s))
    np.testing.assert_allclose(got, expected[0, 0].numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("op", ["max", "avg"])
@pytest.mark.parametrize("kernel,stride,padding,dilation", GRID)
def test_pool2d_equals_torch(op: str, kernel: int, stride: int, padding: int, dilation: int) -> None:
    rng = np.random.default_rng(kernel * 1000 + stride * 100 + padding * 10 + dilation)
    x = rng.normal(size=(7, 6)).astype(np.float32)
    s = Settings(kernel, stride, padding, dilation)
    xt = torch.from_numpy(x)[None, None]
    if op == "max":
        expected = torch_or_error(F.max_pool2d, xt, kernel, stride, padding, dilation)
    else:
        expected = None if dilation != 1 else torch_or_error(F.avg_pool2d, xt, kernel, stride, padding)
    if expected is None:
        with pytest.raises(ImpossibleSettings):
            pool2d(x, s, op)
        return
    got = pool2d(x, s, op)
    assert got.shape == tuple(expected.shape[-2:]) == (output_size(7, s), output_size(6, s))
    np.testing.assert_allclose(got, expected[0, 0].numpy(), rtol=1e-5, atol=1e-6)


def test_rejected_settings_are_exactly_torchs() -> None:
    """Over a wider grid, check() refuses exactly the settings F.conv2d refuses, including tiny inputs."""
    for n, kernel, stride, padding, dilation in itertools.product(
        [1, 3, 5], [1, 3, 5], [1, 2], [0, 1, 2], [1, 2]
    ):
        s = Settings(kernel, stride, padding, dilation)
        ours = True
        try:
            check((n, n), s, "conv")
        except ImpossibleSettings:
            ours = False
        theirs = torch_or_error(
            F.conv2d,
            torch.zeros(1, 1, n, n),
            torch.zeros(1, 1, kernel, kernel),
            stride=stride,
            padding=padding,
            dilation=dilation,
        )
        assert ours == (theirs is not None), (n, s)


def test_formula_shows_the_numbers_and_the_actual_size() -> None:
    s = Settings(kernel=3, stride=2, padding=1, dilation=2)
    out = F.conv2d(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 3, 3), stride=2, padding=1, dilation=2)
    assert formula(28, s) == f"⌊(28 + 2·1 − 2·(3 − 1) − 1) / 2⌋ + 1 = ⌊25 / 2⌋ + 1 = {out.shape[-1]}"


def test_one_line_message_for_a_window_that_does_not_fit() -> None:
    with pytest.raises(ImpossibleSettings, match=r"does not fit in the 4×4 padded input") as error:
        check((4, 4), Settings(kernel=3, dilation=2))
    assert "\n" not in str(error.value)


def test_products_of_a_cell_sum_to_its_output() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(9, 9))
    s = Settings(3, stride=2, padding=1, dilation=1)
    out = conv2d(x, KERNELS["sobel x"], s)
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        assert products(x, KERNELS["sobel x"], i, j, s).sum() == pytest.approx(out[i, j])
    # the top-left window of a padded input starts in the padding
    assert window(x, 0, 0, s)[0].tolist() == [0.0, 0.0, 0.0]
