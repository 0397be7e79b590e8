"""The exported script runs on its own and reproduces the engine's loss curve; the CLI summarises a run."""

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

from core.cli import main
from core.playground.config import PlaygroundConfig
from core.playground.datasets import split
from core.playground.engine import Engine
from core.playground.export import TEMPLATE, export_script

CASES = {
    "reference A": PlaygroundConfig(),
    "adam, schedule, L2, features": PlaygroundConfig(
        dataset="xor",
        features=("x1", "x2", "x1x2", "sinx1"),
        hidden=(6, 4),
        activation="ReLU",
        loss="BCE",
        optimizer="Adam",
        lr=0.01,
        schedule="warmup",
        schedule_period=5,
        regularization="L2",
        reg_rate=0.001,
    ),
    "dropout, batch norm, step, regression": PlaygroundConfig(
        dataset="multi_gauss",
        hidden=(8,),
        activation="Step",
        loss="Huber",
        optimizer="Nesterov",
        dropout=0.2,
        batch_norm=True,
        schedule="step",
        schedule_period=3,
        init="Normal",
    ),
}


LINT = [
    "--isolated",
    "--line-length",
    "110",
    "--select",
    "E,F,W,I,B,UP,SIM,RUF",
    "--ignore",
    "RUF001,RUF002,RUF003",
]


def assert_ruff_clean(script: str) -> None:
    """The generated script passes the project's lint rules (it is code a learner reads)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *LINT, "--stdin-filename", "run.py"],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout


def run_script(tmp_path, script: str) -> dict[str, list[float]]:
    path, curve = tmp_path / "run.py", tmp_path / "curve.json"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(path), "--curve", str(curve)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "epoch" in done.stdout
    return json.loads(curve.read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_exported_script_reproduces_the_engines_loss_curve(tmp_path, name):
    config = CASES[name]
    engine = Engine(config)
    engine.train(12)
    script = export_script(config, engine.epoch)
    assert_ruff_clean(script)
    curve = run_script(tmp_path, script)
    np.testing.assert_allclose(curve["train_loss"], engine.history.column("train_loss"), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(curve["test_loss"], engine.history.column("test_loss"), rtol=1e-6, atol=1e-9)


def test_export_of_uploaded_points_writes_them_in(tmp_path):
    rng = np.random.default_rng(0)
    points = rng.uniform(-4, 4, (60, 2))
    data = split(points, (points[:, 0] > 0).astype(float), 0.5, rng, "classification")
    config = dataclasses.replace(PlaygroundConfig(), dataset="upload")
    engine = Engine(config, data)
    engine.train(5)
    script = export_script(config, 5, data)
    assert_ruff_clean(script)
    curve = run_script(tmp_path, script)
    np.testing.assert_allclose(curve["train_loss"], engine.history.column("train_loss"), rtol=1e-6)


def test_the_template_as_it_stands_is_reference_setup_a(tmp_path):
    """The template is itself a working script (the defaults, 10 epochs), not a string with holes."""
    engine = Engine(PlaygroundConfig())
    engine.train(10)
    curve = run_script(tmp_path, TEMPLATE.read_text())
    np.testing.assert_allclose(curve["test_loss"], engine.history.column("test_loss"), rtol=1e-6, atol=1e-9)
    assert curve["test_accuracy"] == pytest.approx(engine.history.column("test_accuracy").tolist())


def test_cli_prints_the_json_summary(capsys):
    code = main(
        [
            "train-playground",
            "--dataset",
            "spiral",
            "--hidden",
            "8,8",
            "--activation",
            "tanh",
            "--epochs",
            "30",
            "--seed",
            "0",
            "--json",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(summary) == {"train_loss", "test_loss", "test_accuracy", "epochs", "epochs_per_second"}
    assert summary["epochs"] == 30 and 0 <= summary["test_accuracy"] <= 1 and summary["epochs_per_second"] > 0
    engine = Engine(PlaygroundConfig(dataset="spiral", hidden=(8, 8)))
    engine.train(30)
    assert summary["train_loss"] == pytest.approx(engine.history.column("train_loss")[-1])


def test_cli_bad_input_is_one_json_error(capsys, tmp_path):
    assert main(["train-playground", "--optimizer", "lion", "--json"]) == 2
    assert "unknown optimizer 'lion'" in json.loads(capsys.readouterr().out)["error"]
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,1\n")
    assert main(["train-playground", "--csv", str(bad)]) == 2
    assert "at least 10 points" in json.loads(capsys.readouterr().out)["error"]
    for raw, message in ((b"x1,x2,label\r1,2,1\r", "at least 10 points"), (b",,", "header must be")):
        bad.write_bytes(raw)  # a bare-CR file and a file of empty cells: one line, never a traceback
        assert main(["train-playground", "--csv", str(bad)]) == 2
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and message in json.loads(out)["error"]


def test_cli_trains_on_a_csv_and_exports(capsys, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text(
        "x1,x2,label\n" + "\n".join(f"{i % 9 - 4},{i % 7 - 3},{int(i % 9 > 4)}" for i in range(60))
    )
    script = tmp_path / "run.py"
    assert (
        main(["train-playground", "--csv", str(csv), "--epochs", "5", "--export", str(script), "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["epochs"] == 5
    text = script.read_text()
    assert "UPLOADED = (\n    [[" in text and "make_points" not in text  # the points themselves, no generator
