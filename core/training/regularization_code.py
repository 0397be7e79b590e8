"""'PyTorch for these settings' on the batch norm & dropout page: two standalone scripts, filled from the
page's configs, that print the numbers the page shows (same seed, data, weights and minibatch order)."""

from string import Template

from core.training.batchnorm import BatchNormConfig
from core.training.dropout import DropoutConfig
from core.training.plane_data import data_code

BATCHNORM_SCRIPT = Template('''"""A $depth-layer MLP with and without nn.BatchNorm1d, $epochs_done epochs."""

import copy

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # the app's thread count: the same arithmetic order, the same numbers
SEED = $seed

$data_code


def batchnorm_model(batch_norm):
    """(Linear -> BatchNorm1d -> ReLU) x $depth -> Linear; the same Linear weights with or without BN."""
    torch.manual_seed(SEED)
    layers, fan_in = [], 2
    for _ in range($depth):
        layers.append(nn.Linear(fan_in, $width))
        if batch_norm:
            layers.append(nn.BatchNorm1d($width))
        layers.append(nn.ReLU())
        fan_in = $width
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


def show(values):
    """Numbers as the page's tables show them."""
    return " ".join(f"{v:.4f}" for v in values.tolist())


train_x, train_y, test_x, test_y = plane_data(SEED)
models = {"plain": batchnorm_model(False), "batch norm": batchnorm_model(True)}
optimizers = {name: torch.optim.SGD(m.parameters(), lr=$lr) for name, m in models.items()}
loss_fn = nn.BCEWithLogitsLoss()
order = torch.Generator().manual_seed(SEED)
for epoch in range($epochs_done):
    batches = torch.randperm(len(train_y), generator=order).split($batch_size)
    losses = []
    for name, model in models.items():
        total = 0.0
        for idx in batches:
            loss = loss_fn(model(train_x[idx]).squeeze(1), train_y[idx])
            optimizers[name].zero_grad()
            loss.backward()
            optimizers[name].step()
            total += loss.item()
        losses.append(total / len(batches))
    print(f"epoch {epoch + 1}: plain {losses[0]:.4f}, batch norm {losses[1]:.4f}")

model, probe = models["batch norm"], train_x[:$batch_size]
with torch.no_grad():
    z = model[0](probe)  # the first BatchNorm1d's input
    bn = model[1]
    print("batch mean  ", show(z.mean(0)[:6]))
    print("running mean", show(bn.running_mean[:6]))
    print("batch var   ", show(z.var(0, unbiased=False)[:6]))
    print("running var ", show(bn.running_var[:6]))
    # train mode normalizes with this batch's statistics and updates the running ones: run it on a copy
    train_mode = torch.sigmoid(copy.deepcopy(model).train()(probe)).squeeze(1)
    eval_mode = torch.sigmoid(model.eval()(probe)).squeeze(1)
print("train mode", show(train_mode[:8]))
print("eval mode ", show(eval_mode[:8]))
''')

DROPOUT_SCRIPT = Template('''"""An MLP without and with nn.Dropout($p), $epochs_done epochs."""

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)  # the app's thread count: the same arithmetic order, the same numbers
SEED = $seed

$data_code


def dropout_model(p):
    """(Linear -> ReLU -> Dropout(p)) per hidden layer -> Linear; no Dropout layers for p = 0."""
    torch.manual_seed(SEED)
    layers, fan_in = [], 2
    for width in $hidden:
        layers += [nn.Linear(fan_in, width), nn.ReLU()] + ([nn.Dropout(p)] if p > 0 else [])
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, 1))


train_x, train_y, test_x, test_y = plane_data(SEED)
models = {"no dropout": dropout_model(0.0), "dropout": dropout_model($p)}  # dropout masks follow from here
optimizers = {name: torch.optim.Adam(m.parameters(), lr=$lr) for name, m in models.items()}
loss_fn = nn.BCEWithLogitsLoss()
order = torch.Generator().manual_seed(SEED)
for epoch in range($epochs_done):
    batches = torch.randperm(len(train_y), generator=order).split($batch_size)
    for name, model in models.items():
        model.train()
        for idx in batches:
            loss = loss_fn(model(train_x[idx]).squeeze(1), train_y[idx])
            optimizers[name].zero_grad()
            loss.backward()
            optimizers[name].step()
    with torch.no_grad():  # both evaluated in eval mode: dropout off
        line = [
            f"{name} train {loss_fn(m.eval()(train_x).squeeze(1), train_y):.4f} "
            f"test {loss_fn(m(test_x).squeeze(1), test_y):.4f}"
            for name, m in models.items()
        ]
    print(f"epoch {epoch + 1}: " + ", ".join(line))

model = models["dropout"]
with torch.no_grad():
    torch.manual_seed($mask_seed)  # one sampled mask per Dropout layer, for the input ($x1, $x2)
    h = torch.tensor([[$x1, $x2]])
    for module in model:
        if isinstance(module, nn.Dropout):
            scale = module.train()(torch.ones_like(h))  # 0 (dropped) or 1 / (1 - p) (kept)
            kept = int((scale != 0).sum())
            print(f"mask: {kept} of {h.shape[1]} kept, kept units scaled by {scale.max():.4f}")
            h = h * scale
        else:
            h = module(h)

    torch.manual_seed($mc_seed)  # Monte-Carlo dropout: $samples passes in train mode over the plane
    axis = torch.linspace(-1.0, 1.0, $resolution)
    x2, x1 = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    model.train()
    draws = torch.stack([torch.sigmoid(model(grid)).squeeze(1) for _ in range($samples)])
print(f"MC dropout std: max {draws.std(0).max():.4f}, mean {draws.std(0).mean():.4f}")
''')


def batchnorm_script(config: BatchNormConfig, epochs_done: int) -> str:
    """Trains both models for `epochs_done` epochs printing each epoch's losses, then the first BN layer's
    batch vs running statistics and the probe batch's train- vs eval-mode probabilities."""
    return BATCHNORM_SCRIPT.substitute(
        depth=config.depth,
        width=config.width,
        lr=config.lr,
        batch_size=config.batch_size,
        epochs_done=epochs_done,
        seed=config.seed,
        data_code=data_code(config.dataset, config.points, config.noise, config.train_fraction),
    )


def dropout_script(
    config: DropoutConfig,
    epochs_done: int,
    point: tuple[float, float],
    mask_seed: int,
    samples: int,
    mc_seed: int,
    resolution: int,
) -> str:
    """Trains both models for `epochs_done` epochs printing eval-mode train and test losses, then one
    sampled mask per layer for `point` and the Monte-Carlo dropout spread over the plane."""
    return DROPOUT_SCRIPT.substitute(
        p=config.p,
        hidden=repr(config.hidden),
        lr=config.lr,
        batch_size=config.batch_size,
        epochs_done=epochs_done,
        seed=config.seed,
        data_code=data_code(config.dataset, config.points, config.noise, config.train_fraction),
        mask_seed=mask_seed,
        x1=point[0],
        x2=point[1],
        mc_seed=mc_seed,
        samples=samples,
        resolution=resolution,
    )
