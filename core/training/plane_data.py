"""The playground's 2-D datasets as float32 tensors for the training-concept pages, and the same as code.

Points are divided by the plane's half-width so inputs lie in about [-1, 1]; labels are 0/1 floats.
"""

from dataclasses import dataclass
from string import Template

import numpy as np
import torch

from core.playground.datasets import DATASETS, PLANE, make_split
from core.sources import source_of

CLASSIFICATION = [name for name, d in DATASETS.items() if d.task == "classification"]

DATA_TEMPLATE = Template('''$generator


def plane_data(seed):
    """The app's $name points (seed $$seed): train and test inputs scaled to about [-1, 1], 0/1 labels."""
    rng = np.random.default_rng(seed)
    points, y = $function($points, $noise, rng)
    order = rng.permutation(len(points))
    cut = min(max(1, round(len(points) * $train_fraction)), len(points) - 1)
    x = torch.tensor(points / $plane, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]''')


@dataclass(frozen=True)
class PlaneData:
    """Train and test tensors of one 2-D classification dataset."""

    train_x: torch.Tensor  # (N, 2)
    train_y: torch.Tensor  # (N,) 0 or 1
    test_x: torch.Tensor  # (M, 2)
    test_y: torch.Tensor  # (M,)


def plane_data(name: str, points: int, noise: float, train_fraction: float, seed: int) -> PlaneData:
    """A playground dataset from its seed, split and scaled like `data_code` writes it."""
    split = make_split(name, points, noise, train_fraction, seed)

    def tensor(a: np.ndarray) -> torch.Tensor:
        return torch.tensor(a, dtype=torch.float32)

    return PlaneData(
        tensor(split.train_points / PLANE),
        tensor(split.train_y),
        tensor(split.test_points / PLANE),
        tensor(split.test_y),
    )


def data_code(name: str, points: int, noise: float, train_fraction: float) -> str:
    """Python source of `plane_data(seed)` for a script: the generator copied in, then the same split."""
    generator = DATASETS[name].generate
    return DATA_TEMPLATE.substitute(
        generator=source_of(generator).rstrip(),
        name=name,
        function=generator.__name__,
        points=points,
        noise=repr(noise),
        train_fraction=repr(train_fraction),
        plane=repr(PLANE),
    )
