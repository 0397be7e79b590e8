"""The loss landscape of the network being trained: a 2-D slice L(θ + α·d₁ + β·d₂) around its weights θ.

Directions (Li et al., "Visualizing the Loss Landscape of Neural Nets", NeurIPS 2018):
- random: Gaussian directions with each filter (a neuron's row of incoming weights) rescaled to the norm of
  the same row of θ, so the slice's scale matches the network's; biases and batch-norm parameters get no
  direction (the paper's "ignore biasbn"), so α = β = 1 is a step as large as the weights themselves.
- PCA: the top two principal directions of the run's path (core/playground/trajectory.py) relative to θ,
  over the same weights; the path projected onto them shows where the optimizer went.

The slice is computed for all resolution² weight sets at once: the first layer's products are three matrix
products shared by every set (θ, d₁ and d₂ times the inputs), the other layers one batched product per block
of sets, in float32 (a picture needs no more) on torch's one thread.
"""

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.basics.activations import ACTIVATIONS
from core.playground.engine import Engine
from core.playground.losses import PLAYGROUND_LOSSES

DIRECTIONS = ("random", "PCA")
SURFACES = ("train", "test")
RESOLUTION = 41  # grid points per side of a slice
RANDOM_SPAN = 1.0  # random directions: α, β in [−1, 1], a step as large as the weights
CHUNK_VALUES = 2_000_000  # activations per batched pass (8 MB): larger blocks fall out of the caches


@dataclass(frozen=True)
class Layout:
    """Where a network's tensors sit in its parameter vector (model.parameters() order), what it computes."""

    weights: list[tuple[int, int, int]]  # per Linear layer: (offset, n_out, n_in), row-major
    biases: list[tuple[int, int]]  # per Linear layer: (offset, n_out)
    norms: list[tuple[int, int, np.ndarray, np.ndarray, float] | None]  # per hidden layer, eval-mode batch
    # norm: (γ offset, β offset, running mean, running variance, eps); None without batch norm
    activation: str
    output_activation: str
    loss: str
    size: int  # P

    def weight_mask(self) -> np.ndarray:
        """1 on the entries of weight matrices, 0 on biases and batch-norm parameters (P,)."""
        mask = np.zeros(self.size)
        for offset, n_out, n_in in self.weights:
            mask[offset : offset + n_out * n_in] = 1.0
        return mask


def layout_of(engine: Engine) -> Layout:
    """The layout of an engine's network."""
    model = engine.model
    offsets, offset = {}, 0
    for name, p in model.named_parameters():
        offsets[name] = offset
        offset += p.numel()
    norms = []
    for k, norm in enumerate(model.norms):
        if isinstance(norm, nn.BatchNorm1d):
            mean, var = norm.running_mean.detach().numpy().copy(), norm.running_var.detach().numpy().copy()
            norms.append((offsets[f"norms.{k}.weight"], offsets[f"norms.{k}.bias"], mean, var, norm.eps))
        else:
            norms.append(None)
    return Layout(
        weights=[
            (offsets[f"linears.{k}.weight"], lin.out_features, lin.in_features)
            for k, lin in enumerate(model.linears)
        ],
        biases=[(offsets[f"linears.{k}.bias"], lin.out_features) for k, lin in enumerate(model.linears)],
        norms=norms,
        activation=engine.config.activation,
        output_activation=engine.output_activation,
        loss=engine.config.loss,
        size=offset,
    )


@dataclass(frozen=True)
class Source:
    """What a slice needs of a run, copied out of its engine between two training slices."""

    layout: Layout
    theta: np.ndarray  # (P,) the weights now
    epoch: int
    path_epochs: np.ndarray  # (S,)
    path: np.ndarray  # (S, P) the weights at those epochs
    data: dict[str, tuple[np.ndarray, np.ndarray]]  # "train"/"test" -> inputs (n, F), targets (n,)
    seed: int  # of the random directions


def take_source(engine: Engine) -> Source:
    """Copy a slice's inputs out of `engine` (cheap: call it under the runner's lock)."""
    epochs, path = engine.trajectory.path()
    return Source(
        layout=layout_of(engine),
        theta=engine.parameter_vector(),
        epoch=engine.epoch,
        path_epochs=epochs,
        path=path,
        data={
            "train": (engine.x_train.numpy().copy(), engine.t_train.numpy().copy()),
            "test": (engine.x_test.numpy().copy(), engine.t_test.numpy().copy()),
        },
        seed=engine.config.seed,
    )


def random_directions(layout: Layout, theta: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two filter-normalised Gaussian directions (P,): each row of each weight matrix scaled to the norm of
    that row of θ; zero on biases and batch-norm parameters."""
    generator = torch.Generator().manual_seed(seed)
    directions = []
    for _ in range(2):
        d = np.zeros(layout.size)
        for offset, n_out, n_in in layout.weights:
            block = torch.randn(n_out, n_in, generator=generator, dtype=torch.float64).numpy()
            rows = theta[offset : offset + n_out * n_in].reshape(n_out, n_in)
            scale = np.linalg.norm(rows, axis=1, keepdims=True) / (
                np.linalg.norm(block, axis=1, keepdims=True) + 1e-10
            )
            d[offset : offset + n_out * n_in] = (block * scale).reshape(-1)
        directions.append(d)
    return directions[0], directions[1]


def pca_directions(
    layout: Layout, theta: np.ndarray, path: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top two principal directions (P,), unit length, of the path's weights relative to θ (biases and
    batch-norm parameters left out, as for the random directions), and the share of the path's variance each
    explains (2,). Raises ValueError when the path has not moved in two directions."""
    differences = (path - theta) * layout.weight_mask()  # (S, P)
    centred = differences - differences.mean(axis=0)
    if len(path) < 3:
        raise ValueError("the PCA directions need a path: train at least two epochs first")
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    if variance.sum() == 0 or variance[1] <= 1e-12 * variance.sum():
        raise ValueError("the weights have not moved in two directions yet: the PCA has no plane to show")
    return vt[0], vt[1], variance[:2] / variance.sum()


def project(
    layout: Layout, theta: np.ndarray, path: np.ndarray, d1: np.ndarray, d2: np.ndarray
) -> np.ndarray:
    """Each path point's (α, β) (S, 2): the least-squares coordinates of its weights − θ in the plane of d₁
    and d₂ (for orthonormal PCA directions, the dot products)."""
    basis = np.stack([d1, d2])  # (2, P)
    differences = (path - theta) * layout.weight_mask()  # (S, P)
    return np.linalg.solve(basis @ basis.T, basis @ differences.T).T  # the normal equations, 2 × 2


def _activation(name: str):
    """The activation as a tensor function. tanh(z) = 2σ(2z) − 1: torch's float32 sigmoid is ten times faster
    than its tanh on one thread, and the slice's time is mostly the activations."""
    if name == "Tanh":
        return lambda z: torch.sigmoid_(z.mul_(2.0)).mul_(2.0).sub_(1.0)  # in place: z is not needed after
    return ACTIVATIONS[name].module()


@contextlib.contextmanager
def _flushing_denormals() -> Iterator[None]:
    """Treat float32 values below 1.2e-38 as 0 on this thread while the slice is computed: a saturated
    sigmoid gives such values, and the CPU computes with them many times slower; a loss loses nothing."""
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)  # torch's default, which nothing in the app changes


def _f32(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))


def plane_losses(
    layout: Layout,
    theta: np.ndarray,
    d1: np.ndarray,
    d2: np.ndarray,
    alphas: np.ndarray,
    betas: np.ndarray,
    x: np.ndarray,
    t: np.ndarray,
) -> np.ndarray:
    """The mean data loss (no penalty, eval mode) at θ + α·d₁ + β·d₂ for each pair (G,) of alpha and beta.

    Column layout, as the engine's picture pass: activations (sets, units, N), so each layer is a batch of
    W·H products, several times faster than H·Wᵀ at these shapes."""
    th, u, v = _f32(theta), _f32(d1), _f32(d2)
    x, t = _f32(x), _f32(t)
    act, out_act = _activation(layout.activation), _activation(layout.output_activation)
    loss = torch.vmap(PLAYGROUND_LOSSES[layout.loss].fn, in_dims=(0, None))

    def tensor(vector: torch.Tensor, offset: int, shape: tuple[int, ...]) -> torch.Tensor:
        return vector[offset : offset + int(np.prod(shape))].view(shape)

    weights = [[tensor(vec, o, (n_out, n_in)) for vec in (th, u, v)] for o, n_out, n_in in layout.weights]
    biases = [[tensor(vec, o, (n, 1)) for vec in (th, u, v)] for o, n in layout.biases]
    first = [w @ x.T for w in weights[0]]  # (h, N) each: θ, d₁ and d₂ through the first layer, for every set
    result = np.empty(len(alphas))
    chunk = max(1, CHUNK_VALUES // (len(x) * max(n for _, n, _ in layout.weights)))
    with torch.inference_mode(), _flushing_denormals():
        for start in range(0, len(alphas), chunk):
            a = _f32(alphas[start : start + chunk])[:, None, None]  # (c, 1, 1)
            b = _f32(betas[start : start + chunk])[:, None, None]

            z = _along(first, a, b).add_(_along(biases[0], a, b))  # (c, h, N)
            for k in range(1, len(weights)):
                norm = layout.norms[k - 1]
                h = act(z if norm is None else _batch_norm(z, norm, (th, u, v), a, b))
                z = torch.bmm(_along(weights[k], a, b), h).add_(_along(biases[k], a, b))  # (c, h', N)
            h = out_act(z)
            result[start : start + chunk] = loss(h[:, 0], t).double().numpy()
    return result


def _along(parts: list[torch.Tensor], a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """parts = (the tensor at θ, along d₁, along d₂): its value at every set's (α, β) (c, 1, 1), stacked."""
    return torch.addcmul(parts[0], a, parts[1]).addcmul_(b, parts[2])


def _batch_norm(
    z: torch.Tensor, norm: tuple, vectors: tuple[torch.Tensor, ...], a: torch.Tensor, b: torch.Tensor
) -> torch.Tensor:
    """nn.BatchNorm1d in eval mode on (c, h, N), with γ, β moved along the directions too (zero for random
    directions)."""
    gamma_at, beta_at, mean, var, eps = norm
    n = z.shape[1]
    gamma = [vec[gamma_at : gamma_at + n, None] for vec in vectors]
    beta = [vec[beta_at : beta_at + n, None] for vec in vectors]
    g, s = _along(gamma, a, b), _along(beta, a, b)  # (c, h, 1)
    inv = _f32(1.0 / np.sqrt(var + eps))[:, None]
    return (z - _f32(mean)[:, None]) * inv * g + s


@dataclass(frozen=True)
class Slice:
    """A 2-D slice of the loss around θ, and the run's path projected onto it."""

    directions: str  # "random" or "PCA"
    surface: str  # "train" or "test"
    epoch: int
    alphas: np.ndarray  # (n,) along d₁ (x axis)
    betas: np.ndarray  # (n,) along d₂ (y axis)
    losses: np.ndarray  # (n, n): row j is β = betas[j]
    centre: float  # the loss at θ itself (α = β = 0)
    path: np.ndarray  # (S, 2) the path's (α, β)
    path_epochs: np.ndarray  # (S,)
    explained: np.ndarray | None  # PCA: share of the path's variance along d₁, d₂
    other: np.ndarray | None = None  # (S', 2) another run's path on the same slice (a fork's B), θ_B last


def compute_slice(
    source: Source,
    directions: str = "random",
    surface: str = "train",
    resolution: int = RESOLUTION,
    other: np.ndarray | None = None,
) -> Slice:
    """The slice of `surface`'s loss along `directions`, and `other` (S', P), another run's weights over
    time (a fork's B: its path, then its weights now), projected onto it. Raises ValueError when PCA has no
    path yet."""
    layout, theta = source.layout, source.theta
    if not np.isfinite(theta).all():
        raise ValueError(
            "the run diverged: its weights are NaN or infinite, so there is no landscape around them"
        )
    finite = np.isfinite(source.path).all(axis=1)  # a diverged fork's other run may not be
    source = dataclasses.replace(source, path=source.path[finite], path_epochs=source.path_epochs[finite])
    if other is not None:
        other = other[np.isfinite(other).all(axis=1)]
    explained = None
    if directions == "PCA":
        d1, d2, explained = pca_directions(layout, theta, source.path)
    else:
        d1, d2 = random_directions(layout, theta, source.seed)
    path = project(layout, theta, source.path, d1, d2)
    others = project(layout, theta, other, d1, d2) if other is not None else None
    if directions == "PCA":
        # The paths' extent with a margin on each side, θ (the origin) included.
        shown = path if others is None else np.concatenate([path, others])
        low, high = np.minimum(shown.min(axis=0), 0), np.maximum(shown.max(axis=0), 0)
        margin = 0.25 * np.maximum(high - low, 1e-6)
        (a0, b0), (a1, b1) = low - margin, high + margin
    else:
        a0 = b0 = -RANDOM_SPAN
        a1 = b1 = RANDOM_SPAN
    alphas, betas = np.linspace(a0, a1, resolution), np.linspace(b0, b1, resolution)
    grid_a, grid_b = np.meshgrid(alphas, betas)  # (n, n), x across
    x, t = source.data[surface]
    pairs = np.concatenate(
        [[0.0, 0.0], np.stack([grid_a.reshape(-1), grid_b.reshape(-1)], axis=1).reshape(-1)]
    )
    values = plane_losses(layout, theta, d1, d2, pairs[0::2], pairs[1::2], x, t)
    return Slice(
        directions=directions,
        surface=surface,
        epoch=source.epoch,
        alphas=alphas,
        betas=betas,
        losses=values[1:].reshape(resolution, resolution),
        centre=float(values[0]),
        path=path,
        path_epochs=source.path_epochs,
        explained=explained,
        other=others,
    )
