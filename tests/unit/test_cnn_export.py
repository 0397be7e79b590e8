"""The CNN page's generated PyTorch scripts, run in a fresh interpreter, print what the app computes."""

from pathlib import Path

import numpy as np

from core.cnn.data import load_digits, load_mnist
from core.cnn.export import predict_code, train_code
from core.cnn.inspect import predict
from core.cnn.model import CNNConfig
from core.cnn.train import CNNJob
from core.cnn.weights import DEFAULT_WEIGHTS, load
from tests.generated import run_generated


def test_predict_code_prints_the_shipped_models_probabilities(tmp_path: Path) -> None:
    trained = load()
    digit = load_mnist().test_x[0, 0]
    printed = run_generated(predict_code(trained.config, DEFAULT_WEIGHTS, digit), tmp_path)
    probs = predict(trained.model, digit[None, None])[0]
    assert printed.split("\n")[:10] == [f"{d}: {p:.4f}" for d, p in enumerate(probs)]
    assert int(np.argmax(probs)) == 7


def test_train_code_for_the_configurable_cnn_matches_the_job(tmp_path: Path) -> None:
    """Batch norm, dropout off, cosine decay, SGD: the Sequential script reproduces the job's numbers."""
    config = CNNConfig(dataset="digits", channels=8, dropout=0.0, optimizer="sgd", lr=0.05, epochs=2)
    job = CNNJob(config, load_digits()).run()
    printed = run_generated(train_code(config), tmp_path)
    h = job.history
    for epoch in (1, 2):
        line = (
            f"epoch {epoch}: test loss {h.test_loss[epoch]:.4f}, test accuracy {h.test_accuracy[epoch]:.2%}"
        )
        assert line in printed, (line, printed)
