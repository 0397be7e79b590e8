"""The Batch norm & dropout page's prediction cards: both comparisons train live on the page's runners."""

import math

from core.cards.card import Card, Live, Numbers, live_run
from core.training.batchnorm import BatchNormConfig, BatchNormJob
from core.training.dropout import DropoutConfig, DropoutJob

MC_SAMPLES, MC_RESOLUTION = 30, 41  # the page's Monte-Carlo defaults


def batchnorm_numbers(job: BatchNormJob) -> Numbers:
    """Both nets' last mean training loss, ln 2, and the batch-norm net's last-layer pre-activation std."""
    snap = job.snapshot()
    return {
        "plain": float(snap["losses"]["plain"][-1]),
        "batch_norm": float(snap["losses"]["batch norm"][-1]),
        "ln2": math.log(2),
        "std": float(snap["stds"]["batch norm"][-1][-1]),
        "plain_std": float(snap["stds"]["plain"][-1][-1]),
    }


def dropout_numbers(job: DropoutJob) -> Numbers:
    """Both nets' last eval-mode train and test losses, and the Monte-Carlo spread the page shows."""
    snap = job.snapshot()
    dropped = f"dropout {job.config.p:g}"
    spread = job.monte_carlo(MC_SAMPLES, job.config.seed, MC_RESOLUTION)["std"]
    return {
        "plain_train": float(snap["train"]["no dropout"][-1]),
        "plain_test": float(snap["test"]["no dropout"][-1]),
        "dropout_train": float(snap["train"][dropped][-1]),
        "dropout_test": float(snap["test"][dropped][-1]),
        "spread": float(spread.mean()),
    }


BATCHNORM = Live(runner="bn_runner", measure=batchnorm_numbers)
DROPOUT = Live(runner="do_runner", measure=dropout_numbers)


def batchnorm_settings(config: BatchNormConfig) -> dict[str, object]:
    """The batch-norm section's widgets for `config` (seed from the sidebar)."""
    return {
        "bn_depth": config.depth,
        "bn_lr": config.lr,
        "bn_epochs": config.epochs,
        "global_seed": config.seed,
    }


def dropout_settings(config: DropoutConfig) -> dict[str, object]:
    """The dropout section's widgets for `config`."""
    return {"do_p": config.p, "do_epochs": config.epochs, "global_seed": config.seed}


def stuck_rule(n: Numbers) -> int:
    """Both learn (0), only batch norm learns while the plain net stays within 0.01 of ln 2 (1), or the
    plain net learns too, more slowly (2)."""
    if abs(n["plain"] - n["ln2"]) < 0.01:
        return 1 if n["batch_norm"] < 0.3 else 3
    return 0 if n["plain"] < 0.2 else 2


def dropout_rule(n: Numbers) -> int:
    """Dropout's test loss lower by over 10 % (0), higher by over 10 % (1), or about the same (2)."""
    if n["dropout_test"] < 0.9 * n["plain_test"]:
        return 0
    return 1 if n["dropout_test"] > 1.1 * n["plain_test"] else 2


DEEP, SHALLOW = BatchNormConfig(), BatchNormConfig(depth=2)
HALF, MOST = DropoutConfig(), DropoutConfig(p=0.8)
LEARNS = (
    "Both fall close to 0",
    "Only the batch-norm net learns",
    "The plain net learns too, only more slowly",
    "Neither learns",
)
TEST_LOSS = ("Lower with dropout", "Higher with dropout", "About the same")

CARDS = (
    Card(
        name="batchnorm_dropout-deep",
        page="batchnorm_dropout",
        question="The defaults: **6 hidden layers**, SGD at 0.05, 60 epochs (seed 0), with and without batch "
        "norm. After 60 epochs…",
        answers=LEARNS,
        settings=batchnorm_settings(DEEP),
        run=live_run(lambda: BatchNormJob(DEEP), BATCHNORM),
        rule=stuck_rule,
        note="Without batch norm the loss is **{plain:.4f}**, ln 2 = {ln2:.4f}: it predicts ½ everywhere. "
        "With it the loss falls to **{batch_norm:.2f}**. The plain net's last-layer pre-activations have std "
        "{plain_std:.3f}, shrunk layer by layer until no signal (and no gradient) gets through; batch norm "
        "keeps that std at {std:.2f}.",
        explains=1,
        live=BATCHNORM,
    ),
    Card(
        name="batchnorm_dropout-shallow",
        page="batchnorm_dropout",
        question="The same comparison with **2 hidden layers**. After 60 epochs…",
        answers=LEARNS,
        settings=batchnorm_settings(SHALLOW),
        run=live_run(lambda: BatchNormJob(SHALLOW), BATCHNORM),
        rule=stuck_rule,
        note="Plain **{plain:.2f}**, batch norm **{batch_norm:.2f}**: two layers do not shrink the signal "
        "away, so the plain net learns, only more slowly. Depth is what batch norm rescues here.",
        explains=2,
        live=BATCHNORM,
    ),
    Card(
        name="batchnorm_dropout-dropout",
        page="batchnorm_dropout",
        question="**Dropout** at the defaults: p = 0.5, 200 epochs of Adam on 40 noisy XOR points (seed 0). "
        "The test loss at the end…",
        answers=TEST_LOSS,
        settings=dropout_settings(HALF),
        run=live_run(lambda: DropoutJob(HALF), DROPOUT),
        rule=dropout_rule,
        note="Without dropout the training loss goes to {plain_train:.4f} while the test loss climbs to "
        "**{plain_test:.2f}**: 64 × 64 units memorise 40 noisy points. With p = 0.5 it ends at "
        "**{dropout_test:.2f}**; the Monte-Carlo spread averages {spread:.2f} over the plane.",
        explains=0,
        live=DROPOUT,
    ),
    Card(
        name="batchnorm_dropout-dropout-most",
        page="batchnorm_dropout",
        question="Dropout at **p = 0.8**: four units in five dropped in every training step. The test loss "
        "at the end, against the net without dropout…",
        answers=TEST_LOSS,
        settings=dropout_settings(MOST),
        run=live_run(lambda: DropoutJob(MOST), DROPOUT),
        rule=dropout_rule,
        note="**{dropout_test:.2f}** against {plain_test:.2f} without dropout, and the Monte-Carlo spread "
        "averages **{spread:.2f}** over the plane: a stronger regularizer, and a less certain network, each "
        "thinned copy keeping only a fifth of its units.",
        explains=0,
        live=DROPOUT,
    ),
)
