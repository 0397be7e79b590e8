"""Transfer-learning figures: the PCA projection is right, the charts carry the data they are given."""

import numpy as np

from core.transfer.figures import (
    class_counts,
    comparison_curves,
    confusion_matrix,
    embedding_scatter,
    pca_2d,
    training_curves,
)


def test_pca_matches_the_covariance_eigenvectors() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)) * np.array([5.0, 2.0, 1.0, 0.5, 0.1])
    points, share = pca_2d(x)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(x, rowvar=False))
    top = eigenvectors[:, ::-1][:, :2]
    expected = (x - x.mean(0)) @ top
    assert np.allclose(np.abs(points), np.abs(expected))  # each component up to its sign
    assert np.allclose(share, eigenvalues[::-1][:2] / eigenvalues.sum())


def test_figures_carry_their_data() -> None:
    counts = class_counts(["a", "b"], [5, 3], [1, 1])
    assert [list(t.y) for t in counts.data] == [[4, 2], [1, 1]]
    history = {"train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "val_acc": [0.5, 1.0]}
    assert list(training_curves(history).data[2].y) == [0.5, 1.0]
    cm = confusion_matrix(np.array([[2, 0], [1, 3]]), ["a", "b"])
    assert cm.data[0].z.tolist() == [[2, 0], [1, 3]]
    assert len(comparison_curves({"x": history, "y": history}).data) == 4
    scatter = embedding_scatter(np.arange(8.0).reshape(4, 2), np.array([0, 1, 1, 0]), ["a", "b"], "t")
    assert [len(t.x) for t in scatter.data] == [2, 2]
