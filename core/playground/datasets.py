"""The dataset registry: 2-D point clouds on the plane [-6, 6]², generated from a seed.

Each generator is self-contained (numpy only, no module names) because the exported script copies its source:
the export then makes exactly the same points from the same seed.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

PLANE = 6.0  # the input plane is [-PLANE, PLANE]², as in TensorFlow Playground


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 2.5, class 0 on a ring from 3.5 to 5; noise jitters the points."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0, 2.5, inner), rng.uniform(3.5, 5.0, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += rng.uniform(-5, 5, (n, 2)) * noise
    labels = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    return points, labels


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x1 and x2 have the same sign; points kept 0.3 away from the axes."""
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.float64)
    points += rng.uniform(-5, 5, (n, 2)) * noise
    return points, labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs at (2, 2) and (-2, -2); noise widens them."""
    half = n // 2
    spread = np.sqrt(0.5 + 3.5 * noise)
    points = np.concatenate([rng.normal(2, spread, (half, 2)), rng.normal(-2, spread, (n - half, 2))])
    labels = np.concatenate([np.ones(half), np.zeros(n - half)])
    return points, labels


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms, 1.75 turns each."""
    half = n // 2
    arms = []
    for count, shift in ((half, 0.0), (n - half, np.pi)):
        r = np.arange(count) / count * 5
        t = 1.75 * np.arange(count) / count * 2 * np.pi + shift
        arms.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (count, 2)) * noise)
    labels = np.concatenate([np.ones(half), np.zeros(n - half)])
    return np.concatenate(arms), labels


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interlocking half circles (scikit-learn's moons, scaled to the plane)."""
    half = n // 2
    t_top, t_bottom = rng.uniform(0, np.pi, half), rng.uniform(0, np.pi, n - half)
    top = np.stack([np.cos(t_top), np.sin(t_top)], axis=1)
    bottom = np.stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)], axis=1)
    points = (np.concatenate([top, bottom]) - [0.5, 0.25]) * 3.0 + rng.normal(0, 1, (n, 2)) * noise * 2
    labels = np.concatenate([np.ones(half), np.zeros(n - half)])
    return points, labels


def plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression: y = (x1 + x2) / 10, a tilted plane in [-1, 1]."""
    points = rng.uniform(-5, 5, (n, 2))
    values = (points[:, 0] + points[:, 1]) / 10 + rng.uniform(-1, 1, n) * noise
    return points, values


def multi_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Regression: a sum of six signed Gaussian bumps."""
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([-1, 1, -1, 1, -1, 1])
    points = rng.uniform(-5, 5, (n, 2))
    squared = ((points[:, None, :] - centres[None]) ** 2).sum(axis=2)  # (n, 6)
    values = (signs * np.exp(-squared / 2)).sum(axis=1) + rng.uniform(-1, 1, n) * noise
    return points, values


@dataclass(frozen=True)
class Dataset:
    """One registry entry: its task and its generator (n, noise, rng) -> points (n, 2), y (n,)."""

    name: str
    task: str  # "classification" (y in {0, 1}) or "regression"
    generate: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]

    @property
    def note(self) -> str:
        """The generator's docstring: what the data looks like."""
        return inspect.getdoc(self.generate) or ""


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("circle", "classification", circle),
        Dataset("xor", "classification", xor),
        Dataset("gauss", "classification", gauss),
        Dataset("spiral", "classification", spiral),
        Dataset("moons", "classification", moons),
        Dataset("plane", "regression", plane),
        Dataset("multi_gauss", "regression", multi_gauss),
    )
}
UPLOAD = "upload"  # the dataset name of points from a user's CSV


@dataclass
class Split:
    """Points and targets split into train and test, plus the task they belong to."""

    task: str
    train_points: np.ndarray  # (n_train, 2)
    train_y: np.ndarray  # (n_train,) class 0/1 or value
    test_points: np.ndarray  # (n_test, 2)
    test_y: np.ndarray  # (n_test,)


def train_size(n: int, train_fraction: float) -> int:
    """How many of n points are for training: `train_fraction` of them, at least one and not all."""
    return min(max(1, round(n * train_fraction)), n - 1)


def split(
    points: np.ndarray, y: np.ndarray, train_fraction: float, rng: np.random.Generator, task: str
) -> Split:
    """Shuffle the points; the first `train_size` of them are for training, the rest for testing."""
    order = rng.permutation(len(points))
    cut = train_size(len(points), train_fraction)
    train, test = order[:cut], order[cut:]
    return Split(task, points[train], y[train], points[test], y[test])


def make_split(name: str, n: int, noise: float, train_fraction: float, seed: int) -> Split:
    """Generate a registry dataset from the seed and split it into train and test."""
    dataset = DATASETS[name]
    rng = np.random.default_rng(seed)
    points, y = dataset.generate(n, noise, rng)
    return split(points.astype(np.float64), y.astype(np.float64), train_fraction, rng, dataset.task)
