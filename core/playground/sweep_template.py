"""The sweep's part of a sweep's script: core/playground/lab_code.py puts these definitions into the base
run's exported script (core/playground/export_template.py, whose names this imports) in place of its main().

Runs that share their data, network shape, activation and batch size train together: their parameters are
stacked, one torch.func.vmap over functional_call computes every run's minibatch loss at once, and the sum of
the losses gives each run its own gradient in one backward pass. Each run keeps its own torch.optim optimizer.
As it stands: learning rate 0.03 and 0.3 × L2 rate 0 and 0.001 on the defaults, for 10 epochs.
"""

import argparse
import copy
import itertools
import json

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from core.playground.export_template import (
    LOSS,
    POINTS,
    TASK,
    TRAIN_FRACTION,
    encode_targets,
    features,
    loss_fn,
    make_output_activation,
    make_points,
    make_scheduler,
    split,
    weight_penalty,
)

SWEEP_EPOCHS = 10
RUNS = [  # one per cell, row by row
    {
        "lr": lr,
        "regularization": "L2",
        "reg_rate": rate,
        "optimizer": "SGD",
        "init": "Xavier",
        "batch_size": 10,
    }
    | {"hidden": (4, 2), "activation": "Tanh", "seed": 0, "noise": 0.0}
    for rate in (0.0, 0.001)
    for lr in (0.03, 0.3)
]
OPTIMIZERS = {"SGD": lambda model, lr: torch.optim.SGD(model.parameters(), lr=lr)}
INITS = {"Xavier": lambda w: nn.init.xavier_uniform_(w)}
ACTIVATIONS = {"Tanh": lambda: nn.Tanh()}


class RunNet(nn.Module):
    """One run's network: Linear → activation per hidden layer, then Linear → the output activation."""

    def __init__(self, n_inputs, hidden, activation):
        super().__init__()
        sizes = [n_inputs, *hidden, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.activation = ACTIVATIONS[activation]()
        self.output_activation = make_output_activation()

    def forward(self, x):  # (B, F) -> (B, 1)
        for linear in self.linears[:-1]:
            x = self.activation(linear(x))
        return self.output_activation(self.linears[-1](x))


def run_data(seed, noise):
    """A run's points from its seed and noise, split as the app splits them: inputs and targets."""
    rng = np.random.default_rng(seed)
    points, y = make_points(POINTS, noise, rng)
    data = split(points, y, TRAIN_FRACTION, rng, TASK)
    tensors = {}
    for name, xs, ys in (("train", data.train_points, data.train_y), ("test", data.test_points, data.test_y)):
        tensors[name] = (torch.from_numpy(features(xs)), encode_targets(torch.from_numpy(ys), LOSS, TASK))
    return tensors


def train_group(runs, epochs):
    """Train runs that share data, shape, activation and batch size, vectorised; each run's per-epoch
    (train loss, test loss, test accuracy) and the epoch after which its loss was not finite (0: never)."""
    first = runs[0]
    data = run_data(first["seed"], first["noise"])
    (x, t), (x_test, t_test) = data["train"], data["test"]
    models, optimizers, schedulers = [], [], []
    for run in runs:
        torch.manual_seed(run["seed"])
        model = RunNet(x.shape[1], run["hidden"], run["activation"]).double()
        with torch.no_grad():
            for linear in model.linears:
                INITS[run["init"]](linear.weight)
                linear.bias.zero_()
        models.append(model)
        optimizers.append(OPTIMIZERS[run["optimizer"]](model, run["lr"]))
        schedulers.append(make_scheduler(optimizers[-1]))
    template = copy.deepcopy(models[0]).to(
        "meta"
    )  # the structure functional_call fills with each run's weights
    names = [name for name, _ in template.named_parameters()]

    def run_loss(params, inputs, targets):
        return loss_fn(functional_call(template, params, (inputs,))[:, 0], targets)

    losses_of = torch.vmap(run_loss, in_dims=(0, None, None))  # stacked parameters -> (R,) losses
    order = torch.Generator().manual_seed(first["seed"])  # each run's own order: the same seed
    alive = torch.ones(len(runs), dtype=torch.bool)
    diverged_at = [0] * len(runs)
    history = np.full((len(runs), epochs, 3), np.nan)
    batch = first["batch_size"]
    for epoch in range(epochs):
        perm = torch.randperm(len(x), generator=order)
        for start in range(0, len(perm), batch):
            rows = perm[start : start + batch]
            stacked = {
                name: torch.stack([dict(m.named_parameters())[name] for m in models]) for name in names
            }
            penalties = torch.stack(
                [
                    r["reg_rate"] * weight_penalty(m, r["regularization"])
                    for r, m in zip(runs, models, strict=True)
                ]
            )
            total = (losses_of(stacked, x[rows], t[rows]) + penalties)[alive].sum()
            for optimizer in optimizers:
                optimizer.zero_grad()
            total.backward()
            for k, optimizer in enumerate(optimizers):
                if alive[k]:
                    optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        with torch.no_grad():
            stacked = {
                name: torch.stack([dict(m.named_parameters())[name] for m in models]) for name in names
            }
            train_loss = losses_of(stacked, x, t)
            test_out = torch.vmap(lambda p: functional_call(template, p, (x_test,))[:, 0])(stacked)
            test_loss = torch.vmap(loss_fn, in_dims=(0, None))(test_out, t_test)
            mid = 0.0 if LOSS == "MSE/2" else 0.5  # targets above it are class 1 (±1 under MSE/2, else 0/1)
            accuracy = ((test_out > 0) == (t_test > mid)).double().mean(dim=1)
        for k in range(len(runs)):
            if alive[k]:
                history[k, epoch] = train_loss[k].item(), test_loss[k].item(), accuracy[k].item()
                if not (torch.isfinite(train_loss[k]) and torch.isfinite(test_loss[k])):
                    alive[k], diverged_at[k] = False, epoch + 1
    return history, diverged_at


def main():
    """Train every run, group by group; print each run's final test loss, save them all with --out FILE."""
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="write every run's per-epoch losses to this JSON file")
    path = parser.parse_args().out

    groups = {}
    for k, run in enumerate(RUNS):
        key = (run["seed"], run["noise"], tuple(run["hidden"]), run["activation"], run["batch_size"])
        groups.setdefault(key, []).append(k)
    history = np.full((len(RUNS), SWEEP_EPOCHS, 3), np.nan)
    diverged_at = [0] * len(RUNS)
    for members in groups.values():
        group_history, group_diverged = train_group([RUNS[k] for k in members], SWEEP_EPOCHS)
        for column, k in enumerate(members):
            history[k], diverged_at[k] = group_history[column], group_diverged[column]
    for k, run in enumerate(RUNS):
        settings = ", ".join(f"{key} {value}" for key, value in run.items())
        result = (
            f"diverged at epoch {diverged_at[k]}" if diverged_at[k] else f"test loss {history[k, -1, 1]:.6f}"
        )
        print(f"run {k}: {result} ({settings})")
    if path is not None:
        with open(path, "w") as file:
            json.dump(
                {"history": np.nan_to_num(history, nan=-1.0).tolist(), "diverged_at": diverged_at}, file
            )


if __name__ == "__main__":
    main()
