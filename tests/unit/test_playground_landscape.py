"""The loss landscape: the batched slice against a plain loop over the module, a known quadratic, the
filter normalisation, and the PCA of a known path."""

import copy

import numpy as np
import pytest
import torch

from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.landscape import (
    compute_slice,
    layout_of,
    pca_directions,
    plane_losses,
    project,
    random_directions,
    take_source,
)
from core.playground.losses import PLAYGROUND_LOSSES


def loop_losses(engine: Engine, theta, d1, d2, alphas, betas, surface="train") -> np.ndarray:
    """The slice as a plain loop: each weight set put into a copy of the module, evaluated in eval mode."""
    model = copy.deepcopy(engine.model).eval()
    x, t = (engine.x_train, engine.t_train) if surface == "train" else (engine.x_test, engine.t_test)
    values = []
    with torch.no_grad():
        for a, b in zip(alphas, betas, strict=True):
            torch.nn.utils.vector_to_parameters(torch.from_numpy(theta + a * d1 + b * d2), model.parameters())
            values.append(PLAYGROUND_LOSSES[engine.config.loss].fn(model(x)[:, 0], t).item())
    return np.array(values)


NETWORKS = {
    "tanh, MSE/2": PlaygroundConfig(hidden=(5, 3)),
    "ReLU, BCE, all inputs": PlaygroundConfig(
        dataset="spiral", hidden=(6, 6), activation="ReLU", loss="BCE", features=("x1", "x2", "x1sq", "sinx2")
    ),
    "batch norm and dropout, Huber": PlaygroundConfig(
        dataset="multi_gauss", hidden=(4, 4), loss="Huber", batch_norm=True, dropout=0.2, points=200
    ),
}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_the_batched_slice_equals_a_plain_loop_over_the_module(name):
    engine = Engine(NETWORKS[name])
    engine.train(15)
    source = take_source(engine)
    rng = np.random.default_rng(1)
    d1, d2 = rng.normal(size=(2, source.layout.size)) * 0.3  # biases and γ, β move too
    alphas, betas = rng.uniform(-1, 1, 30), rng.uniform(-1, 1, 30)
    for surface in ("train", "test"):
        x, t = source.data[surface]
        batched = plane_losses(source.layout, source.theta, d1, d2, alphas, betas, x, t)
        looped = loop_losses(engine, source.theta, d1, d2, alphas, betas, surface)
        np.testing.assert_allclose(batched, looped, rtol=2e-5, atol=1e-6)  # float32 against float64


def test_a_linear_model_gives_the_known_quadratic():
    """No hidden layer, identity output, MSE/2: L(α, β) = mean ½(r + α·u + β·v)² with r = x·w + b − t,
    u = x·d₁, v = x·d₂ — a quadratic with known coefficients."""
    engine = Engine(PlaygroundConfig(dataset="plane", hidden=(), points=300, noise=0.2))
    engine.train(3)
    source = take_source(engine)
    s = compute_slice(source, "random", "train", resolution=21)
    d1, d2 = random_directions(source.layout, source.theta, source.seed)
    x, t = source.data["train"]
    w, b = source.theta[:2], source.theta[2]
    r, u, v = x @ w + b - t, x @ d1[:2], x @ d2[:2]
    coefficients = [
        np.mean(r * r) / 2,
        np.mean(r * u),
        np.mean(r * v),
        np.mean(u * u) / 2,
        np.mean(u * v),
        np.mean(v * v) / 2,
    ]
    a, bb = np.meshgrid(s.alphas, s.betas)
    c0, ca, cb, caa, cab, cbb = coefficients
    expected = c0 + ca * a + cb * bb + caa * a * a + cab * a * bb + cbb * bb * bb
    np.testing.assert_allclose(s.losses, expected, rtol=1e-5)
    assert s.centre == pytest.approx(engine.history.column("train_loss")[-1], rel=1e-6)
    assert d1[2] == d2[2] == 0.0  # the bias has no direction


def test_random_directions_are_filter_normalised():
    engine = Engine(PlaygroundConfig(hidden=(6, 3)))
    engine.train(5)
    layout, theta = layout_of(engine), engine.parameter_vector()
    d1, d2 = random_directions(layout, theta, seed=3)
    for offset, n_out, n_in in layout.weights:
        norms = [
            np.linalg.norm(vec[offset : offset + n_out * n_in].reshape(n_out, n_in), axis=1)
            for vec in (d1, d2, theta)
        ]
        np.testing.assert_allclose(norms[0], norms[2])
        np.testing.assert_allclose(norms[1], norms[2])
    for offset, n in layout.biases:
        assert not d1[offset : offset + n].any()
    assert not np.allclose(d1, d2)
    np.testing.assert_array_equal(random_directions(layout, theta, seed=3)[0], d1)  # the same every redraw


def test_pca_of_a_known_path_recovers_its_plane_and_coordinates():
    engine = Engine(PlaygroundConfig(hidden=(8, 8)))
    layout, theta = layout_of(engine), engine.parameter_vector()
    mask = layout.weight_mask()
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=(2, layout.size)) * mask
    u /= np.linalg.norm(u)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    steps = np.linspace(0, 1, 40)
    # A straight run to θ with a bump sideways, symmetric about the middle: after centring, the two
    # coordinates are uncorrelated, so the principal axes are u and v themselves.
    coordinates = np.stack([3 * (1 - steps), 0.5 * np.sin(np.pi * steps)], axis=1)  # ends at θ
    path = theta + coordinates @ np.stack([u, v])
    path += rng.normal(size=path.shape) * 1e-9 * (1 - mask)  # bias noise: left out of the PCA
    d1, d2, explained = pca_directions(layout, theta, path)
    assert abs(d1 @ u) == pytest.approx(1, abs=1e-9) and abs(d2 @ v) == pytest.approx(1, abs=1e-9)
    projected = project(layout, theta, path, d1, d2)
    signs = np.sign([d1 @ u, d2 @ v])
    np.testing.assert_allclose(projected * signs, coordinates, atol=1e-9)
    centred = coordinates - coordinates.mean(axis=0)
    variance = (centred**2).sum(axis=0)
    np.testing.assert_allclose(explained, variance / variance.sum(), rtol=1e-9)


def test_the_engine_path_and_the_pca_slice():
    engine = Engine(PlaygroundConfig())
    with pytest.raises(ValueError, match="PCA"):
        compute_slice(take_source(engine), "PCA")
    engine.train(300)
    epochs, _ = engine.trajectory.path()
    assert epochs[0] == 0 and epochs[-1] <= 300 and len(epochs) <= 100 and np.all(np.diff(epochs) > 0)
    assert np.all(epochs % engine.trajectory.stride == 0)
    s = compute_slice(take_source(engine), "PCA", "test", resolution=11)
    assert s.losses.shape == (11, 11) and np.isfinite(s.losses).all()
    assert s.explained[0] >= s.explained[1] > 0
    assert s.alphas[0] <= s.path[:, 0].min() and s.path[:, 0].max() <= s.alphas[-1]
    assert s.centre == pytest.approx(engine.history.column("test_loss")[-1], rel=1e-5)
