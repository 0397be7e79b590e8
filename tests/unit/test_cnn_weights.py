"""The committed default CNN: made with the default settings, and ≥ 99.0% on MNIST's 10,000 test digits."""

from core.cnn.data import load_mnist
from core.cnn.model import CNNConfig
from core.cnn.train import evaluate
from core.cnn.weights import load


def test_committed_weights_reach_99_percent_on_the_10k_test_digits() -> None:
    trained = load()
    data = load_mnist()
    result = evaluate(trained.model, data.test_x, data.test_y)
    assert len(data.test_y) == 10_000
    assert result.accuracy >= 0.990, result.accuracy
    assert round(result.accuracy, 4) == float(trained.facts["test_accuracy"])  # what the file says it scored


def test_committed_weights_were_trained_with_the_default_settings() -> None:
    """So `python -m core cnn train --threads 1 --save ...` (defaults) reproduces the file."""
    trained = load()
    assert trained.config == CNNConfig()
    assert trained.facts["threads"] == "1" and float(trained.facts["cpu_seconds"]) > 0
