"""The Transformers page's "PyTorch for these settings" script prints the page's validation loss, and the CLI
trains like the page and turns bad input away in one line each."""

import dataclasses
import json
import shutil

import pytest

from core.cli import main
from core.transformer.code import loss_line, text_file, train_script
from core.transformer.config import TransformerConfig
from core.transformer.data import CORPUS_FILE
from core.transformer.job import EVAL_EVERY, TransformerJob
from tests.generated import run_generated

YOURS = (
    "To be, or not to be: that is the question. 🙂 Ça va? " * 30 + "Whether 'tis nobler in the mind. " * 40
)


@pytest.mark.parametrize(
    "config",
    [
        TransformerConfig(layers=2, width=64, seed=1),
        TransformerConfig(
            source="yours",
            text=YOURS,
            layers=1,
            heads=2,
            width=32,
            context=16,
            dropout=0.1,
            causal=False,
            positions="sinusoidal",
            lr=0.003,
            batch=5,
        ),
    ],
    ids=["shakespeare", "yours-dropout-no-mask-sinusoidal"],
)
def test_train_script_prints_the_pages_validation_loss(config, tmp_path):
    job = TransformerJob(config)
    for _ in range(EVAL_EVERY):
        job.step()
    assert job.eval_steps[-1] == EVAL_EVERY
    if config.source == "shakespeare":
        shutil.copy(CORPUS_FILE, tmp_path / text_file(config))
    else:
        (tmp_path / text_file(config)).write_text(
            job.text, encoding="utf-8"
        )  # what the download button gives
    printed = run_generated(train_script(config, EVAL_EVERY), tmp_path, timeout=300).splitlines()
    assert printed[0] == f"{job.parameters:,} parameters, {len(job.alphabet)} characters"
    words, number = printed[1].split(": ")[0], float(printed[1].split(": ")[1].split()[0])
    assert f"{words}: " == loss_line(EVAL_EVERY, job.val_losses[-1]).split(": ")[0] + ": "
    assert printed[1].endswith(" nats per character")
    assert abs(number - job.val_losses[-1]) <= 1e-5, (printed[1], job.val_losses[-1])
    assert len(printed[2]) > 0  # a sample follows


def test_cli_prints_a_json_summary_like_the_page(tmp_path, capsys):
    script = tmp_path / "run.py"
    flags = ["--layers", "1", "--width", "32", "--heads", "2", "--context", "16", "--steps", "30"]
    assert main(["train-transformer", *flags, "--no-causal", "--export", str(script)]) == 0
    summary = json.loads(capsys.readouterr().out)
    job = TransformerJob(TransformerConfig(layers=1, width=32, heads=2, context=16, steps=30, causal=False))
    while not job.done:
        job.step()
    assert summary["steps"] == 30 and summary["parameters"] == job.parameters
    assert summary["val_loss"] == pytest.approx(job.val_losses[-1], abs=1e-6)
    assert summary["characters"] == len(job.text) and summary["alphabet"] == 76
    assert summary["text"] == "Eight Shakespeare plays" and len(summary["sample"]) == 200
    assert (
        "CAUSAL, POSITIONS = False," in script.read_text()
        and "STEPS = 0.003, 12, 0, 30" in script.read_text()
    )


def test_cli_learns_a_text_file_and_stops_at_seconds(tmp_path, capsys):
    mine = tmp_path / "mine.txt"
    mine.write_text(YOURS, encoding="utf-8")
    assert (
        main(["train-transformer", "--text", str(mine), "--width", "32", "--context", "16", "--seconds", "1"])
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["text"] == str(mine) and summary["characters"] == len(YOURS) and summary["steps"] >= 1
    # The time limit, not the step budget, ended it: a second of training is far fewer than the budget's
    # steps.
    assert summary["seconds"] >= 1 and summary["steps"] < TransformerConfig().steps


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--width", "96", "--heads", "5"], "does not split into 5 heads"),
        (["--context", "1000"], "Context must be between"),
        (["--positions", "none", "--dropout", "0.9"], "Dropout must be between"),
        (["--temperature", "0"], "Temperature and seconds must be positive"),
        (["--text", "MISSING"], "No such file"),
        (["--text", "EMPTY"], "The text is empty"),
        (["--text", "SHORT"], "a context of 64 characters needs at least 65"),
        (["--text", "BINARY"], "can't decode"),
    ],
)
def test_cli_bad_input_gets_one_line(flags, message, tmp_path, capsys):
    files = {
        "MISSING": tmp_path / "missing.txt",
        "EMPTY": tmp_path / "empty.txt",
        "SHORT": tmp_path / "s.txt",
    }
    files["EMPTY"].write_text("")
    files["SHORT"].write_text("abc")
    files["BINARY"] = tmp_path / "b.bin"
    files["BINARY"].write_bytes(b"\xff\xfe\x00\x81" * 50)
    flags = [str(files.get(f, f)) for f in flags]
    assert main(["train-transformer", *flags]) == 2
    out = capsys.readouterr().out
    assert out.startswith("error: ") and message in out and out.count("\n") == 1, out


def test_the_script_is_written_from_the_config():
    config = dataclasses.replace(
        TransformerConfig(), layers=3, heads=2, width=48, context=32, positions="none"
    )
    script = train_script(config, 100)
    assert "LAYERS, HEADS, WIDTH, CONTEXT, DROPOUT = 3, 2, 48, 32, 0.0" in script
    assert 'CAUSAL, POSITIONS = True, "none"' in script and "STEPS = 0.003, 12, 0, 100" in script
    assert "import streamlit" not in script and "from core" not in script
