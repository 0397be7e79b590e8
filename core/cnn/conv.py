"""Convolution and pooling written out by hand, one output cell at a time, so each number can be explained.

PyTorch's `conv2d` is a cross-correlation: the kernel is not flipped. Output cell (i, j) is the sum over
kernel positions (a, b) of kernel[a, b] × padded[i·stride + a·dilation, j·stride + b·dilation], where
`padded` is the input with `padding` zeros on every side. Every function here is checked against
torch.nn.functional in tests/unit/test_cnn_conv.py.
"""

from dataclasses import dataclass

import numpy as np

KERNELS: dict[str, np.ndarray] = {
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float32),
    "blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float32) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32),
    "sobel x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32),
    "sobel y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float32),
}
POOLS = ("max", "avg")


class ImpossibleSettings(ValueError):
    """Stride, padding, dilation and kernel that PyTorch rejects for this input; the message is one line."""


@dataclass(frozen=True)
class Settings:
    """The sliding-window settings shared by convolution and pooling (same on both axes)."""

    kernel: int  # kernel side (the kernel is square)
    stride: int = 1  # step between windows
    padding: int = 0  # zeros (conv, avg pool) or -inf (max pool) added on every side
    dilation: int = 1  # spacing between the kernel's taps

    @property
    def span(self) -> int:
        """How many input pixels one window covers along an axis: dilation·(kernel − 1) + 1."""
        return self.dilation * (self.kernel - 1) + 1


def output_size(n: int, s: Settings) -> int:
    """PyTorch's output length for input length `n`:
    ⌊(n + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1."""
    return (n + 2 * s.padding - s.dilation * (s.kernel - 1) - 1) // s.stride + 1


def formula(n: int, s: Settings) -> str:
    """The output-size formula with this input's numbers filled in."""
    top = n + 2 * s.padding - s.dilation * (s.kernel - 1) - 1
    return (
        f"⌊({n} + 2·{s.padding} − {s.dilation}·({s.kernel} − 1) − 1) / {s.stride}⌋ + 1 "
        f"= ⌊{top} / {s.stride}⌋ + 1 = {output_size(n, s)}"
    )


def check(shape: tuple[int, int], s: Settings, op: str = "conv") -> None:
    """Raise ImpossibleSettings (one line) when PyTorch would reject `op` ("conv", "max", "avg") here."""
    if min(s.kernel, s.stride, s.dilation) < 1 or s.padding < 0:
        raise ImpossibleSettings("kernel, stride and dilation must be at least 1 and padding at least 0")
    if op == "avg" and s.dilation != 1:
        raise ImpossibleSettings("average pooling has no dilation in PyTorch (avg_pool2d): set it to 1")
    if op in POOLS and s.padding > s.kernel // 2:
        raise ImpossibleSettings(
            f"pooling allows padding up to half the kernel side: at most {s.kernel // 2}"
        )
    rows, cols = (output_size(n, s) for n in shape)
    if rows < 1 or cols < 1:
        raise ImpossibleSettings(
            f"a {s.span}×{s.span} window does not fit in the {shape[0] + 2 * s.padding}×"
            f"{shape[1] + 2 * s.padding} padded input (output would be {rows}×{cols}): "
            "lower the kernel or dilation, or add padding"
        )


def padded(x: np.ndarray, s: Settings, fill: float = 0.0) -> np.ndarray:
    """`x` (H, W) with `padding` cells of `fill` on every side: (H + 2p, W + 2p)."""
    return np.pad(x, s.padding, constant_values=fill)


def window_index(i: int, j: int, s: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices, in padded coordinates, of the taps that make output cell (i, j)."""
    taps = np.arange(s.kernel) * s.dilation
    return i * s.stride + taps, j * s.stride + taps


def window(x: np.ndarray, i: int, j: int, s: Settings, fill: float = 0.0) -> np.ndarray:
    """The (kernel, kernel) input values that output cell (i, j) sees."""
    rows, cols = window_index(i, j, s)
    return padded(x, s, fill)[np.ix_(rows, cols)]


def conv2d(x: np.ndarray, kernel: np.ndarray, s: Settings) -> np.ndarray:
    """Cross-correlate `x` (H, W) with a square `kernel` (k, k) cell by cell: what F.conv2d computes."""
    check(x.shape, s, "conv")
    out = np.empty((output_size(x.shape[0], s), output_size(x.shape[1], s)), dtype=np.float64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(window(x, i, j, s) * kernel)
    return out


def pool2d(x: np.ndarray, s: Settings, op: str) -> np.ndarray:
    """Max (`op`="max", padding with −inf) or average (`op`="avg", padded zeros count, as PyTorch's
    default count_include_pad=True) over each window of `x` (H, W)."""
    check(x.shape, s, op)
    fill = -np.inf if op == "max" else 0.0
    out = np.empty((output_size(x.shape[0], s), output_size(x.shape[1], s)), dtype=np.float64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            values = window(x, i, j, s, fill)
            out[i, j] = values.max() if op == "max" else values.mean()
    return out


def products(x: np.ndarray, kernel: np.ndarray, i: int, j: int, s: Settings) -> np.ndarray:
    """The element-wise products input window × kernel whose sum is conv2d's output cell (i, j)."""
    return window(x, i, j, s) * kernel
