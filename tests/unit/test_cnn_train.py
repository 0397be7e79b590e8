"""CNN models and the live training job, on sklearn digits (tiny and real)."""

import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.cnn.data import load_digits
from core.cnn.inspect import feature_maps, first_filters, grad_cam
from core.cnn.model import (
    CNNConfig,
    ConfigError,
    SimpleCNN,
    build_model,
    check_config,
    layer_shapes,
    parameter_count,
)
from core.cnn.train import CNNJob
from core.runner import Runner


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_simple_cnn_is_the_seeds_on_cifar_shape() -> None:
    """On 32×32 RGB the model is exactly the seed's: conv 3→16, pool, conv 16→32, pool, linear 2048→10."""
    model = SimpleCNN()
    shapes = [out for _, _, out in layer_shapes(model, (3, 32, 32))]
    assert shapes == [(1, 16, 32, 32), (1, 16, 16, 16), (1, 32, 16, 16), (1, 32, 8, 8), (1, 10)]
    assert model.fc.in_features == 32 * 8 * 8


@pytest.mark.parametrize("shape", [(1, 28, 28), (1, 8, 8), (3, 32, 32)])
@pytest.mark.parametrize("architecture", ["simple", "custom", "mlp"])
def test_layer_shapes_match_a_real_forward_pass(architecture: str, shape: tuple[int, int, int]) -> None:
    config = CNNConfig(architecture=architecture, blocks=3, batch_norm=True, dropout=0.2)
    model = build_model(config, shape)
    rows = layer_shapes(model, shape)
    assert rows[-1][2] == (1, 10)
    assert model.eval()(torch.zeros(2, *shape)).shape == (2, 10)


def test_too_many_pools_for_8x8_is_one_line() -> None:
    with pytest.raises(ConfigError, match="below 1 pixel"):
        check_config(CNNConfig(architecture="custom", blocks=4), (1, 8, 8))


def test_same_seed_same_weights() -> None:
    a, b = (build_model(CNNConfig(seed=3), (1, 28, 28)) for _ in range(2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_job_steps_and_history(digits) -> None:
    job = CNNJob(CNNConfig(dataset="digits", epochs=1, batch_size=64), digits)
    assert job.batches_per_epoch == 22 and job.history.test_examples == [0]
    job.step()
    assert job.batches == 1 and job.examples == 64
    ran = job.train_for(0.05)  # how many fit depends on the machine; the next test pins the slice
    assert ran >= 1 and job.batches == 1 + ran <= job.batches_per_epoch
    job.run()
    snap = job.snapshot()
    assert snap.done and snap.epoch == 1.0 and snap.examples == 1347
    assert snap.history.test_examples == [0, 1347] and snap.examples_per_s > 0


def test_train_for_keeps_to_its_time_slice(digits, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a fake clock where every minibatch takes 1/16 s (exact in binary): a slice of 1/4 s is 4
    minibatches, not the rest of the budget, and a slice shorter than a minibatch still trains one."""
    job = CNNJob(CNNConfig(dataset="digits", epochs=50), digits)
    clock, step = [0.0], job.step

    def timed_step() -> None:
        step()
        clock[0] += 1 / 16

    monkeypatch.setattr(job, "step", timed_step)
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    assert job.train_for(0.25) == 4 and job.batches == 4
    assert job.train_for(0.01) == 1 and job.batches == 5


def test_sklearn_digits_reach_97_percent(digits) -> None:
    """The default CNN on sklearn digits, 10 epochs: ≥ 97% on its 450-image test split."""
    config = CNNConfig(dataset="digits", epochs=10)
    job = CNNJob(config, digits).run()
    assert job.history.test_accuracy[-1] >= 0.97, job.history.test_accuracy


def test_divergence_stops_the_job(digits) -> None:
    config = CNNConfig(dataset="digits", architecture="simple", lr=1e6, optimizer="sgd", epochs=5)
    job = CNNJob(config, digits)
    job.run()
    assert job.diverged and job.done and job.batches < job.total_batches


def test_job_through_the_runner(digits) -> None:
    runner = Runner(CNNJob(CNNConfig(dataset="digits", epochs=200), digits))
    try:
        runner.play()
        deadline = time.monotonic() + 30
        while runner.read(lambda job: job.batches) < 5 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.05)
        runner.pause()
        done = runner.read(lambda job: job.batches)
        assert done >= 5
        time.sleep(0.2)
        assert runner.read(lambda job: job.batches) == done  # paused means paused
        runner.step()
        assert runner.read(lambda job: job.batches) == done + 1
    finally:
        runner.close()


def test_feature_maps_filters_and_gradcam_shapes(digits) -> None:
    model = build_model(CNNConfig(architecture="custom", blocks=2, channels=8), (1, 8, 8))
    image = digits.test_x[0]
    maps = feature_maps(model, image)
    assert [(name, m.shape) for name, m in maps] == [("0", (8, 8, 8)), ("4", (16, 4, 4))]
    with torch.no_grad():
        first = F.conv2d(torch.from_numpy(image)[None], model[0].weight, model[0].bias, padding=1)[0]
    np.testing.assert_allclose(maps[0][1], first.numpy(), rtol=1e-5, atol=1e-6)
    assert first_filters(model).shape == (8, 1, 3, 3)
    cam = grad_cam(model, image, target=3)
    assert cam.shape == image.shape[1:] and cam.min() >= 0 and cam.max() <= 1


def test_gradcam_has_the_input_size_on_mnist_shape() -> None:
    model = build_model(CNNConfig(), (1, 28, 28))
    image = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32)
    assert grad_cam(model, image, target=7).shape == (28, 28)
    assert parameter_count(model) > 0


def test_a_cached_untrained_score_is_the_score_the_job_would_take(digits) -> None:
    from core.cnn.train import untrained_score

    config = CNNConfig(dataset="digits", epochs=1, seed=5)
    computed = CNNJob(config, digits).history
    given = CNNJob(config, digits, untrained=untrained_score(config, digits)).history
    assert given.test_examples == computed.test_examples == [0]
    assert given.test_loss == computed.test_loss and given.test_accuracy == computed.test_accuracy
    other_seed = untrained_score(CNNConfig(dataset="digits", epochs=1, seed=6), digits)
    assert other_seed[0] != computed.test_loss[0]  # the score is the seeded model's, not any model's


def test_a_run_with_dropout_repeats_whatever_else_draws_from_torchs_generator(digits) -> None:
    # A page's reruns (building models from the seed) and other sessions draw from the process-wide
    # generator while a run trains on its worker: its dropout masks must not depend on them.
    config = CNNConfig(dataset="digits", epochs=1, dropout=0.5)
    quiet, busy = CNNJob(config, digits), CNNJob(config, digits)
    while not quiet.done:
        quiet.step()
    while not busy.done:
        torch.manual_seed(busy.batches)  # what another thread could do between two minibatches
        torch.rand(3)
        busy.step()
    assert quiet.history.train_loss == busy.history.train_loss
    assert quiet.history.test_accuracy == busy.history.test_accuracy
