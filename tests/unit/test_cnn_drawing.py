"""MNIST-style preprocessing of drawings: size and centre as MNIST's, and it changes what the CNN reads."""

import numpy as np
import pytest

from core.cnn.data import load_mnist
from core.cnn.drawing import center_of_mass, ink_from_rgba, mnist_style, naive, resize
from core.cnn.inspect import predict
from core.cnn.weights import load

CANVAS = 280


def drawn(digit: np.ndarray, side: int, top: int, left: int) -> np.ndarray:
    """A 28×28 MNIST digit as someone might draw it: `side` pixels tall at (top, left) of a 280×280 canvas."""
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    canvas[top : top + side, left : left + side] = np.clip(resize(digit, side, side), 0, 1)
    return canvas


def test_nothing_drawn_gives_none() -> None:
    assert mnist_style(np.zeros((50, 50), dtype=np.float32)) is None


def test_digit_fits_20_pixels_with_its_centre_of_mass_in_the_middle() -> None:
    ink = np.zeros((280, 280), dtype=np.float32)
    ink[30:150, 200:230] = 1.0  # a tall bar, high and to the right
    x = mnist_style(ink)
    rows, cols = np.flatnonzero(x.max(1) > 0.05), np.flatnonzero(x.max(0) > 0.05)
    assert rows[-1] - rows[0] + 1 == 20 and cols[-1] - cols[0] + 1 <= 6
    com = center_of_mass(x)  # placed by a whole-pixel shift, so at most half a pixel off
    assert abs(com[0] - 14) <= 0.5 + 1e-6 and abs(com[1] - 14) <= 0.5 + 1e-6


def test_canvas_rgba_to_ink() -> None:
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[1, 2] = (255, 255, 255, 255)
    rgba[..., 3] = 255
    ink = ink_from_rgba(rgba)
    assert ink[1, 2] == 1.0 and ink.sum() == 1.0


def test_preprocessing_matters_for_the_trained_cnn() -> None:
    """Test digits drawn small and off-centre: read well after MNIST's preprocessing, badly when shrunk."""
    data = load_mnist()
    model = load().model
    rng = np.random.default_rng(0)
    pre, raw, labels = [], [], data.test_y[:200]
    for digit in data.test_x[:200, 0]:
        side = int(rng.integers(90, 140))
        canvas = drawn(digit, side, int(rng.integers(0, CANVAS - side)), int(rng.integers(0, CANVAS - side)))
        pre.append(mnist_style(canvas))
        raw.append(naive(canvas))
    accuracy_pre = (predict(model, np.stack(pre)[:, None]).argmax(1) == labels).mean()
    accuracy_raw = (predict(model, np.stack(raw)[:, None]).argmax(1) == labels).mean()
    assert accuracy_pre >= 0.95, accuracy_pre
    assert accuracy_raw <= 0.6, accuracy_raw


@pytest.mark.parametrize("index", [0, 1, 2])
def test_an_mnist_digit_drawn_big_comes_back_close_to_itself(index: int) -> None:
    digit = load_mnist().test_x[index, 0]
    back = mnist_style(drawn(digit, 280, 0, 0))
    assert np.corrcoef(back.ravel(), digit.ravel())[0, 1] > 0.85
