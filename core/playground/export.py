"""'Export as PyTorch': a self-contained script that reproduces a playground run, written from its config."""

import inspect

from core.activations import ACTIVATIONS, Step
from core.playground.config import PlaygroundConfig, to_query
from core.playground.datasets import DATASETS, Split
from core.playground.features import FEATURES
from core.playground.losses import LOSSES, output_activation
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES


def _module(name: str) -> str:
    return "Step()" if name == "Step" else f"nn.{type(ACTIVATIONS[name].module()).__name__}()"


def _data_code(config: PlaygroundConfig, data: Split | None) -> str:
    """Code that makes train_points, train_y, test_points, test_y: the generator from the seed, or the
    uploaded points written out."""
    if data is not None:
        return "\n".join(
            f"{name} = np.array({getattr(data, name).tolist()!r})"
            for name in ("train_points", "train_y", "test_points", "test_y")
        )
    generator = DATASETS[config.dataset].generate
    return f"""{inspect.getsource(generator).rstrip()}


rng = np.random.default_rng(SEED)
points, y = {generator.__name__}({config.points}, {config.noise!r}, rng)
order = rng.permutation(len(points))
cut = min(max(1, round(len(points) * {config.train_fraction!r})), len(points) - 1)
train_points, train_y = points[order[:cut]], y[order[:cut]]
test_points, test_y = points[order[cut:]], y[order[cut:]]"""


def export_script(config: PlaygroundConfig, epochs: int, data: Split | None = None) -> str:
    """A runnable script: the same data (from the seed), nn.Module, init, loss, optimizer, schedule and loop.

    `data` is given for uploaded points, which are written into the script. Run it with `--curve FILE` to save
    the per-epoch losses as JSON.
    """
    task = data.task if data is not None else DATASETS[config.dataset].task
    output = output_activation(config.loss, task)
    chosen = [f for f in FEATURES.values() if f.id in config.features]
    target = "torch.from_numpy(train_y) * 2 - 1" if output == "Tanh" else "torch.from_numpy(train_y)"
    mid = "0.0" if config.loss == "MSE" else "0.5"
    penalty = {
        "none": "0.0",
        "L1": "sum(lin.weight.abs().sum() for lin in model.linears)",
        "L2": "0.5 * sum((lin.weight**2).sum() for lin in model.linears)",
    }[config.regularization]
    schedule = (
        SCHEDULES[config.schedule].code.format(period=config.schedule_period)
        or "torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 1.0)"
    )
    norm = "nn.BatchNorm1d(w)" if config.batch_norm else "nn.Identity()"
    link = "&".join(f"{k}={v}" for k, v in to_query(config).items())
    step_class = inspect.getsource(Step) + "\n\n" if "Step" in (config.activation, output) else ""
    return f'''"""Training playground run exported as plain PyTorch: python this_file.py [--curve losses.json]

Reproduces the app's run (same seed, data, initial weights, minibatch order and updates) for {epochs} epochs.
App settings: ?{link}
"""

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
SEED = {config.seed}
EPOCHS = {epochs}
BATCH_SIZE = {config.batch_size}
REG_RATE = {config.reg_rate!r}  # {config.regularization} regularization

{_data_code(config, data)}


def features(points):
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([{", ".join(f.code for f in chosen)}], axis=1)


x_train, x_test = torch.from_numpy(features(train_points)), torch.from_numpy(features(test_points))
t_train = {target}
t_test = {target.replace("train_y", "test_y")}


{step_class}class Net(nn.Module):
    def __init__(self):
        super().__init__()
        sizes = [{len(chosen)}, *{list(config.hidden)!r}, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = nn.ModuleList({norm} for w in sizes[1:-1])
        self.activation = {_module(config.activation)}
        self.dropout = {f"nn.Dropout({config.dropout!r})" if config.dropout > 0 else "nn.Identity()"}
        self.output_activation = {_module(output)}

    def forward(self, x):
        for linear, norm in zip(self.linears[:-1], self.norms):
            x = self.dropout(self.activation(norm(linear(x))))
        return self.output_activation(self.linears[-1](x))


torch.manual_seed(SEED)
model = Net().double()
with torch.no_grad():
    for linear in model.linears:
        w = linear.weight
        {INITS[config.init].code}
        linear.bias.zero_()


def loss_fn(out, target):
    return {LOSSES[config.loss].code}


optimizer = {OPTIMIZERS[config.optimizer].code.format(lr=repr(config.lr))}
scheduler = {schedule}
order = torch.Generator().manual_seed(SEED)  # the minibatch order
torch.manual_seed(SEED)  # dropout masks


def evaluate(x, t):
    model.eval()
    with torch.no_grad():
        out = model(x)[:, 0]
        return loss_fn(out, t).item(), ((out > 0) == (t > {mid})).double().mean().item()


curve = {{"train_loss": [], "test_loss": [], "test_accuracy": []}}
for epoch in range(EPOCHS):
    perm = torch.randperm(len(x_train), generator=order)
    model.train()
    for start in range(0, len(perm), BATCH_SIZE):
        rows = perm[start:start + BATCH_SIZE]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[rows])[:, 0], t_train[rows]) + REG_RATE * {penalty}
        loss.backward()
        optimizer.step()
    scheduler.step()
    (train_loss, _), (test_loss, test_accuracy) = evaluate(x_train, t_train), evaluate(x_test, t_test)
    for key, value in zip(curve, (train_loss, test_loss, test_accuracy)):
        curve[key].append(value)
    if (epoch + 1) % max(1, EPOCHS // 10) == 0 or epoch + 1 == EPOCHS:
        print(f"epoch {{epoch + 1}}: train loss {{train_loss:.4f}}, test loss {{test_loss:.4f}}"
              {'f", test accuracy {test_accuracy:.3f}"' if task == "classification" else ""})

parser = argparse.ArgumentParser()
parser.add_argument("--curve", help="write the per-epoch losses to this JSON file")
if (path := parser.parse_args().curve) is not None:
    with open(path, "w") as file:
        json.dump(curve, file)
'''
