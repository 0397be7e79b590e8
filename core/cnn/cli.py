"""`python -m core cnn ...`: train a CNNConfig from the command line (flags derived from the dataclass),
and evaluate a weights file on its test set."""

import argparse
import json
import platform
import time
from dataclasses import fields
from pathlib import Path

import torch

from core.cnn.data import DatasetUnavailable, load_dataset
from core.cnn.model import CNNConfig, ConfigError, parameter_count
from core.cnn.train import CNNJob, evaluate
from core.cnn.weights import DEFAULT_WEIGHTS, load, save


def config_from_args(args: argparse.Namespace) -> CNNConfig:
    """The CNNConfig the flags describe."""
    return CNNConfig(**{f.name: getattr(args, f.name) for f in fields(CNNConfig)})


def command(config: CNNConfig, threads: int, save: str) -> str:
    """The command line that trains `config` again: only the flags that differ from the defaults."""
    flags = [
        f"--{f.name.replace('_', '-')} {getattr(config, f.name)}"
        for f in fields(CNNConfig)
        if getattr(config, f.name) != f.default and f.type not in (bool, "bool")
    ]
    flags += [
        f"--{'' if getattr(config, f.name) else 'no-'}{f.name.replace('_', '-')}"
        for f in fields(CNNConfig)
        if getattr(config, f.name) != f.default and f.type in (bool, "bool")
    ]
    return " ".join(["python -m core cnn train", *flags, f"--threads {threads}", f"--save {save}"])


def run_train(args: argparse.Namespace) -> int:
    """Train with the flags' config; print test accuracy, CPU and wall time as JSON; optionally save."""
    torch.set_num_threads(args.threads)
    config = config_from_args(args)
    try:
        data = load_dataset(config.dataset)
        job = CNNJob(config, data)
    except (DatasetUnavailable, ConfigError) as error:
        print(f"error: {error}")
        return 2
    cpu, wall = time.process_time(), time.perf_counter()
    job.run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    result = evaluate(job.model, data.test_x, data.test_y)
    report = {
        "config": json.loads(config.to_json()),
        "test_accuracy": round(result.accuracy, 4),
        "test_examples": len(data.test_y),
        "test_loss": round(result.loss, 4),
        "parameters": parameter_count(job.model),
        "threads": torch.get_num_threads(),
        "cpu_seconds": round(cpu, 1),
        "wall_seconds": round(wall, 1),
        "seconds_per_epoch": round(wall / config.epochs, 1),
        "examples_per_s": round(job.examples / job.train_seconds),
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "diverged": job.diverged,
    }
    if args.save:
        facts = {k: v for k, v in report.items() if k != "config"}
        facts["command"] = command(config, args.threads, args.save)
        save(job.model.eval(), config, facts, Path(args.save))
        report["saved"] = args.save
    print(json.dumps(report, indent=2))
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    """Evaluate a weights file on its dataset's test split; print stored and measured accuracy as JSON."""
    torch.set_num_threads(args.threads)
    trained = load(Path(args.weights))
    data = load_dataset(trained.config.dataset)
    start = time.perf_counter()
    result = evaluate(trained.model, data.test_x, data.test_y)
    report = {
        "weights": args.weights,
        "test_accuracy": round(result.accuracy, 4),
        "test_examples": len(data.test_y),
        "seconds": round(time.perf_counter() - start, 2),
        "stored": trained.facts,
    }
    print(json.dumps(report, indent=2))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `cnn train` and `cnn evaluate`."""
    cnn = subparsers.add_parser("cnn", help="train a CNN on MNIST / digits, or evaluate stored weights")
    commands = cnn.add_subparsers(dest="cnn_command", required=True)
    train = commands.add_parser("train", help="train with CNNConfig's defaults unless flags say otherwise")
    for f in fields(CNNConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.type in (bool, "bool"):
            train.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=f.default)
        else:
            kind = (
                {"int": int, "float": float, "str": str}.get(f.type, f.type)
                if isinstance(f.type, str)
                else f.type
            )
            train.add_argument(flag, dest=f.name, type=kind, default=f.default, help=f"default {f.default}")
    train.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    train.add_argument("--save", help="write the trained weights (safetensors) here")
    train.set_defaults(func=run_train)
    evaluate_parser = commands.add_parser("evaluate", help="test accuracy of a weights file")
    evaluate_parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    evaluate_parser.add_argument("--threads", type=int, default=1)
    evaluate_parser.set_defaults(func=run_evaluate)
