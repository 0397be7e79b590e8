"""`python -m core train-transformer`: train the Transformers page's GPT headless and print a JSON summary."""

import argparse
import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from core.rnn.text import TextError
from core.transformer.code import train_script
from core.transformer.config import TransformerConfig
from core.transformer.data import SOURCES
from core.transformer.inside import sample
from core.transformer.job import EVAL_EVERY, TransformerJob
from core.transformer.model import POSITIONS

SAMPLE_LENGTH = 200


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the subcommand: one flag per TransformerConfig field (the page's widgets) and its default."""
    parser = subparsers.add_parser(
        "train-transformer",
        help="train the Transformers page's character-level GPT and print a JSON summary",
        description="Train a small GPT like the Transformers page does (on the built-in Shakespeare or "
        "--text FILE) and print its losses, speed and a sample as JSON.",
    )
    defaults = TransformerConfig()
    parser.add_argument("--positions", choices=POSITIONS, default=defaults.positions)
    parser.add_argument(
        "--causal", action=argparse.BooleanOptionalAction, default=defaults.causal, help="the causal mask"
    )
    for field in dataclasses.fields(TransformerConfig):
        if field.name not in ("source", "text", "positions", "causal"):
            parser.add_argument(f"--{field.name.replace('_', '-')}", type=field.type, default=field.default)
    parser.add_argument("--text", type=Path, help="a UTF-8 text file to learn instead of the built-in corpus")
    parser.add_argument("--seconds", type=float, help="stop after this many seconds of training, if sooner")
    parser.add_argument("--temperature", type=float, default=1.0, help="of the sample in the summary")
    parser.add_argument("--export", type=Path, help="also write the PyTorch script of the run here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train for the budget (--steps, or --seconds if sooner) and print the summary as one JSON object."""
    values = {
        f.name: getattr(args, f.name) for f in dataclasses.fields(TransformerConfig) if hasattr(args, f.name)
    }
    try:
        if args.temperature <= 0 or (args.seconds is not None and args.seconds <= 0):
            raise ValueError("Temperature and seconds must be positive.")
        text = args.text.read_text(encoding="utf-8") if args.text else ""
        config = TransformerConfig(
            **{**values, "text": text, "source": "yours" if args.text else "shakespeare"}
        )
        if config.errors():
            raise ValueError(" ".join(config.errors()))
        job = TransformerJob(config)
    except (ValueError, OSError, TextError) as error:  # UnicodeDecodeError is a ValueError
        print(f"error: {error}")
        return 2
    while not job.done and (args.seconds is None or job.seconds < args.seconds):
        job.train_for(min(1.0, args.seconds - job.seconds) if args.seconds else 1.0)
    if job.eval_steps[-1] != job.steps:
        job.evaluate()
    summary = {
        "text": SOURCES[config.source] if not args.text else str(args.text),
        "characters": len(job.text),
        "alphabet": len(job.alphabet),
        "parameters": job.parameters,
        "steps": job.steps,
        "seconds": round(job.seconds, 2),
        "steps_per_second": round(job.steps / job.seconds, 2) if job.seconds else None,
        "train_loss": round(float(np.mean(job.losses[-EVAL_EVERY:])), 6) if job.losses else None,
        "val_loss": round(job.val_losses[-1], 6),
        "val_perplexity": round(math.exp(min(job.val_losses[-1], 50.0)), 4),
        "diverged": job.diverged,
        "sample": sample(job.model, job.alphabet, "\n", SAMPLE_LENGTH, args.temperature, 0),
    }
    print(json.dumps(summary, indent=2))
    if args.export is not None:
        args.export.write_text(train_script(config, job.steps))
    return 0
