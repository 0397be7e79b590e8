"""`python -m core train-rnn`: train a recurrent model on one of the RNN page's sequence tasks, headless."""

import argparse
import dataclasses
from pathlib import Path

from core.rnn.config import TASKS, RNNConfig
from core.rnn.export import metric_line, train_script
from core.rnn.job import RNNJob
from core.rnn.model import CELLS
from core.rnn.text import TextError


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the subcommand: one flag per RNNConfig field (the page's widgets), with its default."""
    parser = subparsers.add_parser(
        "train-rnn",
        help="train an RNN, LSTM or GRU on the RNN page's sequence tasks and print its test metric",
        description="Train a recurrent model like the RNN page does and print the metric the page shows.",
    )
    defaults = RNNConfig()
    parser.add_argument("--task", choices=list(TASKS), default=defaults.task)
    parser.add_argument("--cell", choices=list(CELLS), default=defaults.cell)
    for field in dataclasses.fields(RNNConfig):
        if field.name not in ("task", "cell", "text", "sum_of_sines"):
            parser.add_argument(f"--{field.name.replace('_', '-')}", type=field.type, default=field.default)
    parser.add_argument("--sum-of-sines", action="store_true", help="forecast the sum of two sines")
    parser.add_argument("--text", type=Path, help="a UTF-8 text file for the character model")
    parser.add_argument("--export", type=Path, help="also write the PyTorch script of the run here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train for the budget (--steps) and print the last test metric, the steps and the steps per second."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(RNNConfig) if f.name != "text"}
    try:
        text = args.text.read_text(encoding="utf-8") if args.text else RNNConfig.text
        config = RNNConfig(**values, text=text)
        if config.errors():
            raise ValueError(" ".join(config.errors()))
        job = RNNJob(config)
    except (ValueError, OSError, TextError) as error:
        print(f"error: {error}")
        return 2
    while not job.done:
        job.train_for(1.0)
    print(metric_line(config.task, job.eval_steps[-1], job.metrics[-1]))
    print(f"{job.steps} steps in {job.seconds:.1f} s ({job.steps / job.seconds:.0f} steps/s)")
    if args.export is not None:
        args.export.write_text(train_script(config, job.eval_steps[-1]))
    return 0
