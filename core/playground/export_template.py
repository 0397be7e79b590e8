"""Training playground run exported as plain PyTorch: python this_file.py [--curve losses.json]

(The template of the export: core/playground/export.py fills in the values and the engine's own functions.
As it stands it runs the playground's defaults, reference setup A, for 10 epochs.)
"""

import argparse
import itertools
import json
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0  # the data, the initial weights, the minibatch order and the dropout masks
EPOCHS = 10
POINTS = 500
NOISE = 0.0
TRAIN_FRACTION = 0.5
UPLOADED = None  # uploaded points, as the app split them: train_points, train_y, test_points, test_y
TASK = "classification"
LOSS = "MSE/2"
HIDDEN = (4, 2)  # hidden layer widths
DROPOUT = 0.0
BATCH_SIZE = 10
REGULARIZATION = "none"
REG_RATE = 0.0


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 inside radius 2.5, class 0 on a ring from 3.5 to 5; noise jitters the points."""
    inner = n // 2
    radius = np.concatenate([rng.uniform(0, 2.5, inner), rng.uniform(3.5, 5.0, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += rng.uniform(-5, 5, (n, 2)) * noise
    labels = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    return points, labels


make_points = circle  # the dataset's generator


@dataclass
class Split:
    """Points and targets split into train and test, plus the task they belong to."""

    task: str
    train_points: np.ndarray  # (n_train, 2)
    train_y: np.ndarray  # (n_train,) class 0/1 or value
    test_points: np.ndarray  # (n_test, 2)
    test_y: np.ndarray  # (n_test,)


def train_size(n: int, train_fraction: float) -> int:
    """How many of n points are for training: `train_fraction` of them, at least one and not all."""
    return min(max(1, round(n * train_fraction)), n - 1)


def split(
    points: np.ndarray, y: np.ndarray, train_fraction: float, rng: np.random.Generator, task: str
) -> Split:
    """Shuffle the points; the first `train_size` of them are for training, the rest for testing."""
    order = rng.permutation(len(points))
    cut = train_size(len(points), train_fraction)
    train, test = order[:cut], order[cut:]
    return Split(task, points[train], y[train], points[test], y[test])


def load_data():
    """The app's points: the dataset's generator from the seed, split as the app splits them."""
    rng = np.random.default_rng(SEED)
    points, y = make_points(POINTS, NOISE, rng)
    return split(points, y, TRAIN_FRACTION, rng, TASK)


def load_uploaded_data():
    """The uploaded points, split as the app split them."""
    return Split(TASK, *(np.array(rows, dtype=np.float64) for rows in UPLOADED))


def features(points):
    """The network's inputs, one column per chosen feature: points (n, 2) -> (n, F)."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([x1, x2], axis=1)


def encode_targets(labels: torch.Tensor, loss: str, task: str) -> torch.Tensor:
    """Targets the loss compares with: 0/1 classes become ±1 under MSE/2; regression values pass through."""
    if task == "classification" and loss == "MSE/2":
        return labels * 2.0 - 1.0
    return labels


class Step(nn.Module):
    """The Heaviside step, 1 where x > 0 else 0: the original perceptron's activation.

    Written through torch.sign so autograd gives its true derivative (0 almost everywhere): the reason
    nobody trains a network of steps with gradient descent.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * (torch.sign(x) + 1.0)


def make_activation():
    """The hidden layers' activation."""
    return nn.Tanh()


def make_output_activation():
    """The output layer's: tanh for classes written −1/+1, none (nn.Identity) for a logit or a value."""
    return nn.Tanh()


def make_norm(width):
    """What follows each hidden Linear layer: nn.BatchNorm1d(width) with batch norm, else nothing."""
    return nn.Identity()


class Net(nn.Module):
    """Linear → norm → activation → dropout per hidden layer, then Linear → output activation."""

    def __init__(self, n_inputs):
        super().__init__()
        sizes = [n_inputs, *HIDDEN, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.norms = nn.ModuleList(make_norm(width) for width in HIDDEN)
        self.activation = make_activation()
        self.dropout = nn.Dropout(DROPOUT) if DROPOUT > 0 else nn.Identity()
        self.output_activation = make_output_activation()

    def forward(self, x):  # (B, F) -> (B, 1)
        for linear, norm in zip(self.linears[:-1], self.norms, strict=True):
            x = self.dropout(self.activation(norm(linear(x))))
        return self.output_activation(self.linears[-1](x))


def init_weight(w):
    """The chosen initialisation, in place on one Linear layer's weight (biases start at zero)."""
    return nn.init.xavier_uniform_(w)


def loss_fn(out, target):
    """The mean loss over a batch of outputs (B,) and targets (B,)."""
    return F.mse_loss(out, target) / 2


def weight_penalty(model: nn.Module, kind: str) -> torch.Tensor:
    """The regularization term before its rate: Σ|w| (L1) or ½Σw² (L2) over the weights, biases excluded."""
    weights = [linear.weight for linear in model.linears]
    if kind == "L1":
        return sum(w.abs().sum() for w in weights)
    if kind == "L2":
        return 0.5 * sum((w * w).sum() for w in weights)
    return torch.zeros((), dtype=weights[0].dtype)


def make_optimizer(model):
    """The optimizer with torch's defaults for everything but the learning rate."""
    return torch.optim.SGD(model.parameters(), lr=0.03)


def make_scheduler(optimizer):
    """The learning-rate schedule, stepped once per epoch."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0)


def evaluate(model, x, t, y):
    """Mean loss (no penalty) and accuracy (output > 0 against class 1) in eval mode."""
    model.eval()
    with torch.no_grad():
        out = model(x)[:, 0]
        return loss_fn(out, t).item(), ((out > 0) == (y > 0.5)).double().mean().item()


def main():
    """Train for EPOCHS epochs, print the losses ten times, and save the curve with --curve FILE."""
    torch.set_num_threads(1)  # matrices this small only lose time to threads
    parser = argparse.ArgumentParser()
    parser.add_argument("--curve", help="write the per-epoch losses to this JSON file")
    path = parser.parse_args().curve

    data = load_data()
    x_train, x_test = (
        torch.from_numpy(features(data.train_points)),
        torch.from_numpy(features(data.test_points)),
    )
    y_train, y_test = torch.from_numpy(data.train_y), torch.from_numpy(data.test_y)  # classes 0/1 or values
    t_train, t_test = encode_targets(y_train, LOSS, TASK), encode_targets(y_test, LOSS, TASK)

    torch.manual_seed(SEED)
    model = Net(x_train.shape[1]).double()
    with torch.no_grad():
        for linear in model.linears:
            init_weight(linear.weight)
            linear.bias.zero_()
    optimizer = make_optimizer(model)
    scheduler = make_scheduler(optimizer)
    order = torch.Generator().manual_seed(SEED)  # the minibatch order
    torch.manual_seed(SEED)  # the dropout masks

    curve = {"train_loss": [], "test_loss": [], "test_accuracy": []}
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
        train_loss, _ = evaluate(model, x_train, t_train, y_train)
        test_loss, test_accuracy = evaluate(model, x_test, t_test, y_test)
        for key, value in zip(curve, (train_loss, test_loss, test_accuracy), strict=True):
            curve[key].append(value)
        if (epoch + 1) % max(1, EPOCHS // 10) == 0 or epoch + 1 == EPOCHS:
            report = f"epoch {epoch + 1}: train loss {train_loss:.4f}, test loss {test_loss:.4f}"
            print(report + (f", test accuracy {test_accuracy:.3f}" if TASK == "classification" else ""))
    if path is not None:
        with open(path, "w") as file:
            json.dump(curve, file)


if __name__ == "__main__":
    main()
