"""The command line: one subcommand per feature, each a thin wrapper over the core functions the pages use.

A feature adds its subcommand by writing `add_parser(subparsers)` in its own module (which sets
`func=` on its parser) and listing that module in SUBCOMMANDS below.
"""

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

from core.runtime import device_label, pick_device, versions

# Modules that each define add_parser(subparsers); one line adds a subcommand.
SUBCOMMANDS: list[str] = [
    "core.playground.cli",
    "core.vision.cli",
    "core.text.cli",
    "core.rnn.cli",
    "core.transformer.cli",
    "core.training.cli",
    "core.cnn.cli",
]


def offline_models() -> dict[str, list[dict[str, object]]]:
    """Which pretrained models each registry can load right now, without the network."""
    return {
        "image_classifiers": importlib.import_module("core.vision.registry").availability_report(),
        "sentiment": importlib.import_module("core.text.registry").availability_report(),
    }


def run_info(args: argparse.Namespace) -> int:
    """Print versions, device and offline model availability as JSON."""
    report = {
        "versions": versions(),
        "device": str(pick_device()),
        "device_label": device_label(),
        "pretrained_models": offline_models(),
    }
    print(json.dumps(report, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m core", description="Neural Playground from the command line."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    info = subparsers.add_parser("info", help="versions, device and offline pretrained models, as JSON")
    info.set_defaults(func=run_info)
    for module in SUBCOMMANDS:
        importlib.import_module(module).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run the chosen subcommand; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `python -m core classify ... | head`
        sys.stderr.close()
        return 0
