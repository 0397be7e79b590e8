"""The fork's part of a forked run's script: core/playground/lab_code.py puts these definitions into the run's
exported script (core/playground/export_template.py, whose names this imports) in place of its main().

Run A trains to FORK_EPOCH; then B is A deep-copied (model, optimizer and schedule in one copy, so that B's
optimizer holds B's weights) with its own copy of the minibatch-order generator and of the dropout
generator's state, and B's settings applied; both train on. As it stands: the defaults forked at epoch 5,
B at learning rate 0.1.
"""

import argparse
import copy
import json

import torch
from torch import nn

from core.playground.export_template import (
    BATCH_SIZE,
    LOSS,
    REG_RATE,
    REGULARIZATION,
    SEED,
    TASK,
    Net,
    encode_targets,
    evaluate,
    features,
    init_weight,
    load_data,
    loss_fn,
    make_optimizer,
    make_scheduler,
    weight_penalty,
)

LR = 0.03  # A's learning rate
FORK_EPOCH = 5
A_EPOCHS = 10  # epochs in all, the shared ones included
B_EPOCHS = 10
B_LR = 0.1
B_BATCH_SIZE = 10
B_REGULARIZATION = "none"
B_REG_RATE = 0.0
B_DROPOUT = 0.0
B_SAME_OPTIMIZER = True  # B keeps A's optimizer (and its state); else B starts a new one


def make_optimizer_b(model):
    """B's optimizer, when it is not A's."""
    return torch.optim.SGD(model.parameters(), lr=B_LR)


def make_activation_b():
    """B's hidden activation."""
    return nn.Tanh()


def train_epoch(run, x, t):
    """One epoch of a run (a dict: model, optimizer, scheduler, order, rng, batch_size, penalty), drawing its
    dropout masks from its own generator state; then its train and test numbers."""
    model, optimizer = run["model"], run["optimizer"]
    torch.set_rng_state(run["rng"])
    perm = torch.randperm(len(x), generator=run["order"])
    model.train()
    for start in range(0, len(perm), run["batch_size"]):
        rows = perm[start : start + run["batch_size"]]
        optimizer.zero_grad()
        loss = loss_fn(model(x[rows])[:, 0], t[rows])
        loss = loss + run["reg_rate"] * weight_penalty(model, run["regularization"])
        loss.backward()
        optimizer.step()
    run["scheduler"].step()
    run["rng"] = torch.get_rng_state()


def main():
    """Train A to the fork, fork B, race both; print the final losses, save the curves with --curve FILE."""
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser()
    parser.add_argument("--curve", help="write both runs' per-epoch losses to this JSON file")
    path = parser.parse_args().curve

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
    a = {
        "model": model,
        "optimizer": optimizer,
        "scheduler": make_scheduler(optimizer),
        "order": torch.Generator().manual_seed(SEED),  # the minibatch order
        "rng": torch.Generator().manual_seed(SEED).get_state(),  # the dropout masks
        "batch_size": BATCH_SIZE,
        "regularization": REGULARIZATION,
        "reg_rate": REG_RATE,
    }
    curves = {"A": {"train_loss": [], "test_loss": []}, "B": {"train_loss": [], "test_loss": []}}

    def record(name, run):
        curves[name]["train_loss"].append(evaluate(run["model"], x_train, t_train, y_train)[0])
        curves[name]["test_loss"].append(evaluate(run["model"], x_test, t_test, y_test)[0])

    for _ in range(FORK_EPOCH):
        train_epoch(a, x_train, t_train)
        record("A", a)
    curves["B"] = copy.deepcopy(curves["A"])  # the shared past

    # The fork: one deepcopy of model, optimizer and schedule, so that B's optimizer holds B's weights.
    b_model, b_optimizer, b_scheduler = copy.deepcopy((a["model"], a["optimizer"], a["scheduler"]))
    b_order = torch.Generator()
    b_order.set_state(a["order"].get_state())
    if B_SAME_OPTIMIZER:
        for group in b_optimizer.param_groups:  # the same schedule from B's own rate
            group["lr"] = group["lr"] / LR * B_LR
            group["initial_lr"] = B_LR
        b_scheduler.base_lrs = [B_LR]
    else:  # a new optimizer starts with no state; its schedule is where A's is
        b_optimizer = make_optimizer_b(b_model)
        b_scheduler = make_scheduler(b_optimizer)
        for _ in range(FORK_EPOCH):
            b_scheduler.step()
    b_model.activation = make_activation_b()
    b_model.dropout = nn.Dropout(B_DROPOUT) if B_DROPOUT > 0 else nn.Identity()
    b = {
        "model": b_model,
        "optimizer": b_optimizer,
        "scheduler": b_scheduler,
        "order": b_order,
        "rng": a["rng"].clone(),
        "batch_size": B_BATCH_SIZE,
        "regularization": B_REGULARIZATION,
        "reg_rate": B_REG_RATE,
    }

    for name, run, epochs in (("A", a, A_EPOCHS), ("B", b, B_EPOCHS)):
        for _ in range(FORK_EPOCH, epochs):
            train_epoch(run, x_train, t_train)
            record(name, run)
        train_loss, test_loss = curves[name]["train_loss"][-1], curves[name]["test_loss"][-1]
        print(f"{name}: epoch {epochs}, train loss {train_loss:.6f}, test loss {test_loss:.6f}")
    if path is not None:
        with open(path, "w") as file:
            json.dump(curves, file)


if __name__ == "__main__":
    main()
