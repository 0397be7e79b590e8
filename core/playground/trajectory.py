"""The weights a run passed through: a snapshot every `stride` epochs, at most `capacity` of them.

The loss landscape projects this path onto its slice (core/playground/landscape.py) and takes the PCA of it.
When the buffer is full every other snapshot goes and the stride doubles, so a run of any length keeps an even
sample of its whole path, always at epochs that are multiples of the stride: the same epochs whatever the
slices the run was trained in.
"""

import numpy as np

CAPACITY = 100  # snapshots kept: 100 × 5,600 weights of the largest network ≈ 4.5 MB


class Trajectory:
    """Parameter vectors (snapshots, P) at epochs 0, stride, 2·stride, ... up to the last multiple run."""

    def __init__(self, start: np.ndarray, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.stride = 1
        self.epochs = [0]
        self.weights = np.empty((capacity, len(start)))  # (capacity, P); rows beyond len(epochs) unused
        self.weights[0] = start

    def __len__(self) -> int:
        return len(self.epochs)

    def next_epoch(self, epoch: int) -> int:
        """The first epoch after `epoch` at which a snapshot is due."""
        return (epoch // self.stride + 1) * self.stride

    def add(self, epoch: int, weights: np.ndarray) -> None:
        """Keep the weights at `epoch` (a multiple of the stride), thinning the path first if it is full."""
        if len(self.epochs) == self.capacity:
            self.stride *= 2
            kept = [k for k, e in enumerate(self.epochs) if e % self.stride == 0]
            self.weights[: len(kept)] = self.weights[kept]
            self.epochs = [self.epochs[k] for k in kept]
        if epoch % self.stride == 0:
            self.weights[len(self.epochs)] = weights
            self.epochs.append(epoch)

    def path(self) -> tuple[np.ndarray, np.ndarray]:
        """The epochs (S,) and their parameter vectors (S, P), copied."""
        return np.array(self.epochs), self.weights[: len(self.epochs)].copy()

    def copy(self) -> "Trajectory":
        """An independent copy (a fork's second run starts with the first one's path)."""
        twin = Trajectory(self.weights[0], self.capacity)
        twin.stride, twin.epochs = self.stride, list(self.epochs)
        twin.weights[: len(self.epochs)] = self.weights[: len(self.epochs)]
        return twin
