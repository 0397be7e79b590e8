"""`python -m core train-playground`: train a playground network headless with the page's engine."""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from core.playground.config import add_arguments, from_args
from core.playground.csvdata import CSVError, parse_points_csv
from core.playground.datasets import UPLOAD, split
from core.playground.engine import Engine
from core.playground.export import export_script


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the subcommand; every page setting is a flag with the page's default."""
    parser = subparsers.add_parser(
        "train-playground",
        help="train a Training-playground network headless and summarise it",
        description="Train a small network on 2-D data with the same engine as the Training playground page.",
    )
    add_arguments(parser)
    parser.add_argument("--epochs", type=int, default=300, help="epochs to train (default: 300)")
    parser.add_argument(
        "--csv", type=Path, help="train on your own x1,x2,label or x1,x2,y file (sets --dataset)"
    )
    parser.add_argument(
        "--export", type=Path, help="also write the run as a self-contained PyTorch script here"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train, then print final losses, test accuracy, epochs run and epochs per second."""
    try:
        summary = train(args)
    except (ValueError, OSError) as error:  # bad flags, a bad CSV, an unreadable file: one line, no traceback
        print(json.dumps({"error": str(error)}, ensure_ascii=False))
        return 2
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key:>18}: {value}")
    return 0


def train(args: argparse.Namespace) -> dict[str, object]:
    """The run the flags describe, as the summary dictionary."""
    data = None
    if args.csv is not None:
        args.dataset = UPLOAD
    config = from_args(args)
    if config.dataset == UPLOAD:
        if args.csv is None:
            raise ValueError("--dataset upload needs --csv FILE")
        try:
            points, y, task, _ = parse_points_csv(args.csv.read_bytes())
        except CSVError as error:
            raise ValueError(f"{args.csv}: {error}") from None
        data = split(points, y, config.train_fraction, np.random.default_rng(config.seed), task)
    if args.epochs < 1:
        raise ValueError("--epochs must be at least 1")
    engine = Engine(config, data)
    engine.train(1)  # the first call may load the compiled kernel from its cache: keep it out of the timing
    start = time.perf_counter()
    engine.train(args.epochs - 1)
    elapsed = time.perf_counter() - start
    if args.export is not None:
        args.export.write_text(export_script(config, engine.epoch, engine.data if data is not None else None))
    last = {
        name: float(engine.history.column(name)[-1]) for name in ("train_loss", "test_loss", "test_accuracy")
    }
    finite = {name: value if np.isfinite(value) else None for name, value in last.items()}  # JSON has no NaN
    return {
        "train_loss": finite["train_loss"],
        "test_loss": finite["test_loss"],
        "test_accuracy": finite["test_accuracy"] if engine.task == "classification" else None,
        "epochs": engine.epoch,
        "epochs_per_second": round((engine.epoch - 1) / elapsed, 1) if elapsed > 0 else None,
    }
