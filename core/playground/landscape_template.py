"""The loss landscape's part of a run's script: core/playground/lab_code.py puts these definitions into the
run's exported script (core/playground/export_template.py, whose names this imports) in place of its main().

It trains the run, keeping its weights at SNAPSHOT_EPOCHS, then computes the slice L(θ + α·d₁ + β·d₂) around
the final weights θ in a plain loop: each weight set is put into the model and the loss evaluated. As it
stands: the defaults after 10 epochs, filter-normalised random directions.
"""

import argparse
import json

import numpy as np
import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from core.playground.export_template import (
    BATCH_SIZE,
    EPOCHS,
    LOSS,
    REG_RATE,
    REGULARIZATION,
    SEED,
    TASK,
    Net,
    encode_targets,
    features,
    init_weight,
    load_data,
    loss_fn,
    make_optimizer,
    make_scheduler,
    weight_penalty,
)

DIRECTIONS = "random"  # or "PCA": the top two principal directions of the path
SURFACE = "train"
SNAPSHOT_EPOCHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]  # where the path's weights are kept
ALPHAS = np.linspace(-1.0, 1.0, 11)
BETAS = np.linspace(-1.0, 1.0, 11)


def random_directions(model, theta):
    """Two Gaussian directions, each row of each weight matrix rescaled to that row's norm in θ (filter
    normalisation, Li et al. 2018); no direction for biases and batch-norm parameters (1-D tensors)."""
    generator = torch.Generator().manual_seed(SEED)
    directions = []
    for _ in range(2):
        parts = []
        for p, w in zip(model.parameters(), _split(model, theta), strict=True):
            if p.dim() < 2:
                parts.append(torch.zeros(p.numel(), dtype=torch.float64))
                continue
            d = torch.randn(p.shape, generator=generator, dtype=torch.float64)
            d *= w.norm(dim=1, keepdim=True) / (d.norm(dim=1, keepdim=True) + 1e-10)
            parts.append(d.reshape(-1))
        directions.append(torch.cat(parts))
    return directions


def _split(model, vector):
    """A parameter vector cut into tensors shaped like the model's parameters."""
    sizes = [p.numel() for p in model.parameters()]
    return [part.view(p.shape) for part, p in zip(vector.split(sizes), model.parameters(), strict=True)]


def weight_mask(model):
    """1 on weight-matrix entries, 0 on biases and batch-norm parameters."""
    return torch.cat(
        [torch.full((p.numel(),), float(p.dim() >= 2), dtype=torch.float64) for p in model.parameters()]
    )


def pca_directions(model, theta, path):
    """The path's top two principal directions relative to θ (weights only), their shares of its variance."""
    differences = ((path - theta) * weight_mask(model)).numpy()
    centred = differences - differences.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    variance = singular**2
    return [torch.from_numpy(vt[0]), torch.from_numpy(vt[1])], variance[:2] / variance.sum()


def main():
    """Train, take the directions, compute the slice; print its centre and save it with --out FILE."""
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="write the slice and the projected path to this JSON file")
    path_file = parser.parse_args().out

    data = load_data()
    x_train, x_test = (
        torch.from_numpy(features(data.train_points)),
        torch.from_numpy(features(data.test_points)),
    )
    y_train, y_test = torch.from_numpy(data.train_y), torch.from_numpy(data.test_y)
    t_train, t_test = encode_targets(y_train, LOSS, TASK), encode_targets(y_test, LOSS, TASK)

    torch.manual_seed(SEED)
    model = Net(x_train.shape[1]).double()
    with torch.no_grad():
        for linear in model.linears:
            init_weight(linear.weight)
            linear.bias.zero_()
    optimizer = make_optimizer(model)
    scheduler = make_scheduler(optimizer)
    order = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)  # the dropout masks
    snapshots = [parameters_to_vector(model.parameters()).detach().clone()]
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(x_train), generator=order)
        model.train()
        for start in range(0, len(perm), BATCH_SIZE):
            rows = perm[start : start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[rows])[:, 0], t_train[rows])
            loss = loss + REG_RATE * weight_penalty(model, REGULARIZATION)
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch + 1 in SNAPSHOT_EPOCHS:
            snapshots.append(parameters_to_vector(model.parameters()).detach().clone())

    theta = parameters_to_vector(model.parameters()).detach().clone()
    path = torch.stack(snapshots)
    if DIRECTIONS == "PCA":
        (d1, d2), explained = pca_directions(model, theta, path)
        print(f"PCA directions explain {explained[0]:.1%} and {explained[1]:.1%} of the path's variance")
    else:
        d1, d2 = random_directions(model, theta)
    basis = torch.stack([d1, d2])  # (2, P); the path's (α, β): least squares in the plane of d₁, d₂
    coordinates = torch.linalg.solve(basis @ basis.T, basis @ ((path - theta) * weight_mask(model)).T).T

    x, t = (x_train, t_train) if SURFACE == "train" else (x_test, t_test)
    model.eval()
    losses = np.empty((len(BETAS), len(ALPHAS)))
    with torch.no_grad():
        for j, beta in enumerate(BETAS):
            for i, alpha in enumerate(ALPHAS):
                vector_to_parameters(theta + alpha * d1 + beta * d2, model.parameters())
                losses[j, i] = loss_fn(model(x)[:, 0], t).item()
        vector_to_parameters(theta, model.parameters())
        centre = loss_fn(model(x)[:, 0], t).item()
    low, high = losses.min(), losses.max()
    print(f"{SURFACE} loss at θ: {centre:.6f}; lowest on the slice {low:.6f}, highest {high:.6f}")
    if path_file is not None:
        with open(path_file, "w") as file:
            json.dump({"losses": losses.tolist(), "centre": centre, "path": coordinates.tolist()}, file)


if __name__ == "__main__":
    main()
