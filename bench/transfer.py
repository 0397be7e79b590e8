"""Transfer learning on the CPU: seconds per picture to extract features, seconds to train the head (features
cached vs not), test accuracy per built-in task; and the three-way from-scratch / frozen / fine-tuned
comparison on one task.

    .venv/bin/python bench/transfer.py [--tasks textures faces digits] [--compare textures --epochs 6]

Threads follow core.runtime (1 unless NEURAL_PLAYGROUND_THREADS is set). Prints the machine load before and
after, and Markdown tables to paste into the README. Defaults are the page's: seed 0, validation share 0.2,
head 40 epochs at Adam 1e-3, batch 16, no augmentation.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402

from core.transfer.backbone import load_backbone  # noqa: E402
from core.transfer.builtin import TASKS  # noqa: E402
from core.transfer.data import FeatureCache, decode, finetune_tensor  # noqa: E402
from core.transfer.train import CompareJob, FineTuneConfig, FineTuneJob, HeadConfig, HeadJob  # noqa: E402
from core.transfer.workspace import finetune_data, from_task, head_data  # noqa: E402


def load() -> str:
    """The `uptime` line: load averages over 1, 5 and 15 minutes."""
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def head_row(name: str, backbone) -> str:
    """Extraction and head-training figures for one built-in task, as a Markdown table row."""
    task = TASKS[name]
    start = time.perf_counter()
    data = task.load()
    load_s = time.perf_counter() - start
    cache = FeatureCache(backbone.name)
    start = time.perf_counter()
    space = from_task(data, backbone, cache)
    extract_s = time.perf_counter() - start
    n = len(space.pool) + len(space.test)
    start = time.perf_counter()
    job = HeadJob(head_data(space, backbone, cache, 0.2, seed=0), len(space.classes), HeadConfig(seed=0))
    job.run()
    cached_s = time.perf_counter() - start
    _, val_acc = job.evaluate(job.data.val_x, job.data.val_y)
    _, test_acc = job.evaluate(job.data.test_x, job.data.test_y)
    return (
        f"| {task.title} | {len(space.pool)} / {len(space.test)} | {load_s:.1f} | "
        f"{1000 * extract_s / n:.0f} | {cached_s:.2f} | {extract_s + cached_s:.1f} | {val_acc:.1%} | "
        f"{test_acc:.1%} |"
    )


def compare(name: str, epochs: int, n_frozen: int, lr_factor: float) -> list[str]:
    """The three-way comparison on one task: final validation and test accuracy and seconds per variant."""
    backbone = load_backbone()
    space = from_task(TASKS[name].load(), backbone, FeatureCache(backbone.name))
    train_x, train_y, val_x, val_y = finetune_data(space, backbone, 0.2, seed=0)
    test_x = finetune_tensor([decode(s) for s in space.test], backbone)
    test_y = torch.tensor([s.label for s in space.test])
    settings = {
        "from scratch": (load_backbone(pretrained=False), 0, 1.0),
        "frozen": (backbone, len(backbone.block_names), 1.0),
        "fine-tuned": (load_backbone(), n_frozen, lr_factor),
    }
    job = CompareJob(
        lambda: {
            variant: FineTuneJob(
                net,
                train_x,
                train_y,
                val_x,
                val_y,
                len(space.classes),
                FineTuneConfig(k, f, epochs, 1e-3, 16, 0),
            )
            for variant, (net, k, f) in settings.items()
        }
    )
    while not job.done:
        job.train_for(1.0)
    rows = []
    for variant, sub in job.jobs.items():
        snap = sub.snapshot()
        history = snap["history"]
        _, test_acc = sub.evaluate(test_x, test_y)
        curve = " ".join(f"{a:.0%}" for a in history["val_acc"])
        rows.append(
            f"| {variant} | {snap['trainable']:,} | {history['train_loss'][-1]:.3f} | {curve} | "
            f"{test_acc:.1%} | {snap['seconds']:.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", nargs="*", default=["textures", "faces", "digits"], choices=list(TASKS))
    parser.add_argument("--compare", default="textures", choices=[*TASKS, "none"])
    parser.add_argument("--epochs", type=int, default=6, help="epochs of the three-way comparison")
    parser.add_argument("--frozen", type=int, default=9, help="frozen blocks of the fine-tuned variant")
    parser.add_argument("--lr-factor", type=float, default=0.1, help="backbone learning rate x head's")
    args = parser.parse_args()

    print(f"before: {load()}  (torch threads: {os.environ.get('NEURAL_PLAYGROUND_THREADS', '1')})")
    backbone = load_backbone()
    print(f"\nHead on frozen {backbone.title} features (seed 0, 40 epochs, Adam 1e-3, batch 16)\n")
    print(
        "| task | train / test pictures | load data s | feature extraction ms per picture | "
        "train head, features cached s | extract + train s | validation acc | test acc |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.tasks:
        print(head_row(name, backbone), flush=True)
    if args.compare != "none":
        print(
            f"\nThree-way comparison on {TASKS[args.compare].title}: 96×96 inputs, {args.epochs} epochs, "
            f"fine-tuned = {args.frozen} blocks frozen, backbone lr × {args.lr_factor}\n"
        )
        print(
            "| variant | trainable parameters | final train loss | validation accuracy per epoch | "
            "test acc | s |"
        )
        print("|---|---|---|---|---|---|")
        for row in compare(args.compare, args.epochs, args.frozen, args.lr_factor):
            print(row, flush=True)
    print(f"\nafter: {load()}")


if __name__ == "__main__":
    main()
