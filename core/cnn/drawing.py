"""Turn a drawing into an MNIST digit the way MNIST itself was made.

LeCun et al.: each NIST digit was scaled to fit a 20×20 box keeping its aspect ratio (anti-aliased, hence
grey levels), then placed in a 28×28 image so that its centre of mass is at the centre. A network trained on
MNIST has only ever seen digits that size, in that place: a drawing shrunk to 28×28 as a whole is usually
too small or off-centre, and is often misread.
"""

import numpy as np
import torch
import torch.nn.functional as F

SIZE = 28  # MNIST's image side
BOX = 20  # side of the box the digit is scaled into
INK = 0.05  # pixel values above this count as ink when finding the bounding box


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] (H, W) from a canvas's RGBA pixels (H, W, 4), drawn light on a dark background."""
    return rgba[..., :3].astype(np.float32).mean(-1) / 255.0 * (rgba[..., 3] / 255.0)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased bilinear resize of a (H, W) float array."""
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None, None]  # (1, 1, H, W)
    return F.interpolate(x, size=(height, width), mode="bilinear", antialias=True, align_corners=False)[
        0, 0
    ].numpy()


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted mean (row, column) of a non-empty (H, W) image, in pixel-index coordinates."""
    rows, cols = np.indices(image.shape)
    total = image.sum()
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def mnist_style(ink: np.ndarray) -> np.ndarray | None:
    """The 28×28 MNIST-style digit for ink (H, W) in [0, 1], or None when nothing is drawn.

    Crop to the ink's bounding box, scale its longer side to 20 pixels keeping the aspect ratio, and place
    it in 28×28 with its centre of mass at (14, 14), where MNIST's digits have theirs (mean over the test
    set: 13.99, 14.00)."""
    rows = np.flatnonzero(ink.max(1) > INK)
    cols = np.flatnonzero(ink.max(0) > INK)
    if len(rows) == 0:
        return None
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = BOX / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    digit = np.clip(resize(crop, height, width), 0.0, 1.0)
    com_row, com_col = center_of_mass(digit)
    top = int(np.clip(round(SIZE / 2 - com_row), 0, SIZE - height))
    left = int(np.clip(round(SIZE / 2 - com_col), 0, SIZE - width))
    out = np.zeros((SIZE, SIZE), dtype=np.float32)
    out[top : top + height, left : left + width] = digit
    return out


def naive(ink: np.ndarray) -> np.ndarray:
    """The whole drawing shrunk to 28×28, without MNIST's preprocessing (for comparison)."""
    return np.clip(resize(ink, SIZE, SIZE), 0.0, 1.0)
