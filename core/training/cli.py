"""`python -m core lr-schedule` and `python -m core bn-dropout`: the training-concept pages' runs, as JSON."""

import argparse
import json

from core.training.batchnorm import BatchNormConfig, BatchNormJob
from core.training.dropout import DropoutConfig, DropoutJob
from core.training.lr_training import ScheduleConfig, ScheduleJob, lr_range_test
from core.training.schedules import MIN_EPOCHS, SCHEDULES, schedule_lrs, scripted_losses


def _epochs(text: str) -> int:
    value = int(text)
    if not MIN_EPOCHS <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"must be between {MIN_EPOCHS} and 10000")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 < value <= 10:
        raise argparse.ArgumentTypeError("must be in (0, 10]")
    return value


def _p(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must be in (0, 1)")
    return value


def run_lr_schedule(args: argparse.Namespace) -> int:
    """Print the schedule's rate per epoch, the range test's read-outs and, with --train, the final losses."""
    config = ScheduleConfig(schedule=args.schedule, lr=args.lr, epochs=args.epochs, seed=args.seed)
    test = lr_range_test(config)
    report: dict[str, object] = {
        "schedule": args.schedule,
        "lr": schedule_lrs(args.schedule, args.lr, args.epochs, scripted_losses(args.epochs)),
        "range_test": {"steepest": test.steepest, "min_loss_over_10": test.min_over_10},
    }
    if args.train:
        job = ScheduleJob(config)
        job.train_for(float("inf"))
        snap = job.snapshot()
        report["final_loss"] = {
            "scheduled": float(snap["loss"][-1]),
            "constant": float(snap["constant_loss"][-1]),
        }
    print(json.dumps(report))
    return 0


def run_bn_dropout(args: argparse.Namespace) -> int:
    """Train both comparisons to the end and print their final losses."""
    bn = BatchNormJob(BatchNormConfig(depth=args.depth, epochs=args.bn_epochs, seed=args.seed))
    bn.train_for(float("inf"))
    dropout = DropoutJob(DropoutConfig(p=args.p, epochs=args.dropout_epochs, seed=args.seed))
    dropout.train_for(float("inf"))
    bn_snap, do_snap = bn.snapshot(), dropout.snapshot()
    report = {
        "batch_norm": {name: float(v[-1]) for name, v in bn_snap["losses"].items()},
        "dropout": {
            name: {"train": float(do_snap["train"][name][-1]), "test": float(do_snap["test"][name][-1])}
            for name in do_snap["train"]
        },
    }
    print(json.dumps(report))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `lr-schedule` and `bn-dropout`."""
    parser = subparsers.add_parser(
        "lr-schedule", help="a learning-rate schedule's rates, the LR range test, optionally a training run"
    )
    parser.add_argument("--schedule", default="StepLR", choices=list(SCHEDULES), help="default: %(default)s")
    parser.add_argument("--lr", type=_rate, default=0.1, help="base learning rate (default: %(default)s)")
    parser.add_argument("--epochs", type=_epochs, default=100, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", action="store_true", help="also train both twins and report final losses")
    parser.set_defaults(func=run_lr_schedule)

    parser = subparsers.add_parser("bn-dropout", help="train the batch-norm and the dropout comparisons")
    parser.add_argument("--depth", type=int, default=6, choices=range(2, 11), metavar="2..10")
    parser.add_argument("--bn-epochs", type=int, default=60)
    parser.add_argument("--p", type=_p, default=0.5, help="dropout rate (default: %(default)s)")
    parser.add_argument("--dropout-epochs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(func=run_bn_dropout)
