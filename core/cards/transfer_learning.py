"""The Transfer learning page's prediction cards: a new head on the shipped backbone's features and the
freezing comparison, both on the built-in textures and trained live on the page's runners."""

from functools import cache

from core.cards.card import Card, Live, Numbers, live_run
from core.transfer.backbone import DEFAULT_BACKBONE, Backbone, load_backbone
from core.transfer.builtin import TASKS
from core.transfer.data import FeatureCache
from core.transfer.train import CompareJob, HeadConfig, HeadJob, compare_job, freeze_counts
from core.transfer.workspace import Workspace, from_task, head_data

TEXTURES = "textures"
VAL = 0.2  # the page's validation share
BLOCKS = 18  # EfficientNet-Lite0's blocks (stem, 16 MBConv blocks, head), the frozen-blocks slider's end
CMP_EPOCHS = 3  # the comparison's epochs in the card (the page's default is 6)
LR_FACTOR = 0.1


@cache
def backbone() -> Backbone:
    """The shipped backbone for feature extraction, loaded once per process (never trained)."""
    return load_backbone(DEFAULT_BACKBONE)


@cache
def textures() -> tuple[Workspace, FeatureCache]:
    """The textures task with every picture's features, computed once per process."""
    features = FeatureCache(DEFAULT_BACKBONE)
    return from_task(TASKS[TEXTURES].load(), backbone(), features), features


def head_job() -> HeadJob:
    """The page's head job at its defaults on the textures (seed 0)."""
    space, features = textures()
    return HeadJob(head_data(space, backbone(), features, VAL, 0), len(space.classes), HeadConfig())


def head_numbers(job: HeadJob) -> Numbers:
    """Validation and test accuracy (%) after the last epoch, and the pictures each part has."""
    _, test_accuracy = job.evaluate(job.data.test_x, job.data.test_y)
    return {
        "val": 100 * job.epochs.history["val_acc"][-1],
        "test": 100 * test_accuracy,
        "n_train": len(job.data.train_y),
        "n_test": len(job.data.test_y),
        "epochs": job.epochs.epoch,
    }


def comparison() -> CompareJob:
    """The comparison at the page's defaults but CMP_EPOCHS epochs (half the blocks frozen when
    fine-tuning), on the textures."""
    space, _ = textures()
    return compare_job(space, DEFAULT_BACKBONE, VAL, BLOCKS // 2, LR_FACTOR, CMP_EPOCHS, 1e-3, 0)


def comparison_numbers(job: CompareJob) -> Numbers:
    """Each variant's validation accuracy (%) per epoch: the last, and the first epoch at 100 % (0: none)."""
    numbers: Numbers = {}
    for name, variant in job.jobs.items():
        key = name.replace(" ", "_").replace("-", "_")
        accuracies = variant.epochs.history["val_acc"]
        numbers[key] = 100 * accuracies[-1]
        numbers[f"{key}_full"] = next((e + 1 for e, a in enumerate(accuracies) if a == 1.0), 0)
    numbers["epochs"] = CMP_EPOCHS
    numbers["n_train"] = len(job.jobs["frozen"].train_y)
    return numbers


def comparison_rule(n: Numbers) -> int:
    """The one left behind, the lowest validation accuracy: from scratch (0), frozen (1) or fine-tuned (3);
    none when all three reach 100 % (2)."""
    accuracy = {0: n["from_scratch"], 1: n["frozen"], 3: n["fine_tuned"]}
    if min(accuracy.values()) == 100:
        return 2
    return min(accuracy, key=accuracy.get)


def trainable_at_the_end() -> Numbers:
    """Trainable and frozen parameter counts with every block frozen, on 3 classes, and the feature size."""
    trainable, frozen = freeze_counts(backbone(), len(backbone().block_names), 3)
    blocks = len(backbone().block_names)
    return {"trainable": trainable, "frozen": frozen, "features": backbone().feature_dim, "blocks": blocks}


def trainable_rule(n: Numbers) -> int:
    """The head alone (0: features × 3 + 3), everything (1), or nothing (2)."""
    if n["trainable"] == n["features"] * 3 + 3:
        return 0
    return 2 if n["trainable"] == 0 else 1


HEAD = Live(runner="tl_runner", measure=head_numbers)
COMPARE = Live(runner="tl_cmp_runner", measure=comparison_numbers)
DATA = {"tl_backbone": DEFAULT_BACKBONE, "tl_source": TEXTURES, "tl_val": VAL, "global_seed": 0}
HEAD_SETTINGS = {"tl_epochs": 40, "tl_lr": 1e-3, "tl_augment": False}

CARDS = (
    Card(
        name="transfer_learning-textures",
        page="transfer_learning",
        question="**Textures** (brick, grass, gravel), defaults: a new head on the frozen "
        "EfficientNet-Lite0 features, 40 epochs (seed 0). Its accuracy on the **bottom halves** of the "
        "photos, pixels it never saw?",
        answers=("About 100 %", "Between 60 % and 95 %", "About a third: chance"),
        settings=DATA | HEAD_SETTINGS,
        run=live_run(head_job, HEAD),
        rule=lambda n: 0 if n["test"] >= 95 else 1 if n["test"] >= 60 else 2,
        note="**{test:.0f} %** on the {n_test} test halves (validation {val:.0f} %), from {n_train} training "
        "pictures. The backbone ran once per picture when the task loaded; the head is one Linear layer on "
        "its features, so training takes a moment.",
        explains=0,
        live=HEAD,
    ),
    Card(
        name="transfer_learning-frozen-count",
        page="transfer_learning",
        question="**What freezing does**: move the frozen-blocks slider to the end (all blocks frozen, 3 "
        "classes). The trainable parameters are…",
        answers=("the head alone", "the whole network", "none at all"),
        settings=DATA | {"tl_frozen": BLOCKS},
        run=trainable_at_the_end,
        rule=trainable_rule,
        note="**{trainable:,}** trainable: {features:,} × 3 weights + 3 biases, the new head; the {blocks} "
        "frozen blocks hold the other {frozen:,}. At 0 nothing is frozen.",
        explains=0,
    ),
    Card(
        name="transfer_learning-compare",
        page="transfer_learning",
        question=f"**What freezing does** on the textures, **{CMP_EPOCHS} epochs** (seed 0): from scratch, "
        "frozen and fine-tuned on the same pictures. Which is left behind?",
        answers=("From scratch", "Frozen", "None: all three reach 100 %", "Fine-tuned"),
        settings=DATA
        | {"tl_frozen": BLOCKS // 2, "tl_lr_factor": LR_FACTOR, "tl_cmp_epochs": CMP_EPOCHS, "tl_lr": 1e-3},
        run=live_run(comparison, COMPARE),
        rule=comparison_rule,
        note="After {epochs} epochs: from scratch **{from_scratch:.0f} %**, frozen **{frozen:.0f} %** (100 % "
        "from epoch {frozen_full}), fine-tuned {fine_tuned:.0f} %. With {n_train} training pictures the "
        "random network has nothing to build on; what the pretrained weights know is the difference.",
        explains=0,
        live=COMPARE,
    ),
)
