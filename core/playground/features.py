"""Input features a playground network can be fed, each computed from the point (x1, x2)."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    """One optional input: its id (URL and CLI), its label on the page, and how it is computed."""

    id: str
    label: str
    compute: Callable[[np.ndarray, np.ndarray], np.ndarray]
    code: str  # the same expression in the exported script, on x1 and x2


FEATURES: dict[str, Feature] = {
    f.id: f
    for f in (
        Feature("x1", "x₁", lambda x1, x2: x1, "x1"),
        Feature("x2", "x₂", lambda x1, x2: x2, "x2"),
        Feature("x1sq", "x₁²", lambda x1, x2: x1 * x1, "x1 * x1"),
        Feature("x2sq", "x₂²", lambda x1, x2: x2 * x2, "x2 * x2"),
        Feature("x1x2", "x₁·x₂", lambda x1, x2: x1 * x2, "x1 * x2"),
        Feature("sinx1", "sin x₁", lambda x1, x2: np.sin(x1), "np.sin(x1)"),
        Feature("sinx2", "sin x₂", lambda x1, x2: np.sin(x2), "np.sin(x2)"),
    )
}


def feature_matrix(points: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """The network's input for (n, 2) points: one column per chosen feature, in registry order."""
    x1, x2 = points[:, 0], points[:, 1]
    chosen = [f for f in FEATURES.values() if f.id in features]
    return np.stack([f.compute(x1, x2) for f in chosen], axis=1).astype(np.float64)  # (n, F)
