"""`python -m core sentiment`: one JSON object per line, errors as objects, stdin mode, model choice."""

import json
import os
import subprocess
import sys
from pathlib import Path

from core.cli import main

REPO = Path(__file__).resolve().parents[2]


def run_lines(capsys, argv: list[str]) -> tuple[int, list[dict]]:
    status = main(argv)
    return status, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_texts_from_arguments(capsys) -> None:
    status, rows = run_lines(
        capsys, ["sentiment", "--model", "minilm-sst2", "I love it", "", "<b>awful</b> 😡"]
    )
    assert status == 0 and len(rows) == 3
    assert rows[0] == {
        "text": "I love it",
        "label": "POSITIVE",
        "score": rows[0]["score"],
        "model": "minilm-sst2",
    }
    assert 0.5 <= rows[0]["score"] <= 1
    assert rows[1]["text"] == "" and "empty" in rows[1]["error"] and "label" not in rows[1]
    assert rows[2]["text"] == "<b>awful</b> 😡" and rows[2]["label"] == "NEGATIVE"


def test_unavailable_model_is_an_error_object(capsys, monkeypatch) -> None:
    from core.text import registry

    monkeypatch.setattr(registry, "cached_snapshot", lambda repo, cache_dir=None: None)
    status, rows = run_lines(capsys, ["sentiment", "--model", "distilbert-sst2", "hello"])
    assert status == 2 and "not in the local Hugging Face cache" in rows[0]["error"]


def test_stdin_one_text_per_line_and_long_text_flag() -> None:
    lines = "great fun\n\n" + "boring " * 400 + "\n"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "core", "sentiment", "--model", "minilm-sst2"],
        input=lines,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r.get("label") for r in rows] == ["POSITIVE", None, "NEGATIVE"]
    assert rows[1] == {"text": "", "error": rows[1]["error"]}
    assert rows[2]["truncated"] is True and rows[0]["model"] == "minilm-sst2"


def test_info_lists_sentiment_models(capsys) -> None:
    main(["info"])
    report = json.loads(capsys.readouterr().out)
    names = {row["name"]: row["available"] for row in report["pretrained_models"]["sentiment"]}
    assert names["minilm-sst2"] is True and set(names) == {"minilm-sst2", "distilbert-sst2", "local-dir"}


def run_sentiment_bytes(argv: list[bytes], stdin: bytes) -> list[dict]:
    """`python -m core sentiment` in a subprocess fed raw bytes; the JSON lines it printed."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable.encode(), b"-m", b"core", b"sentiment", b"--model", b"minilm-sst2", *argv]
    done = subprocess.run(command, input=stdin, capture_output=True, cwd=REPO, timeout=300, env=env)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    return [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]


def test_stdin_bytes_that_are_not_utf8_get_their_own_error_and_the_rest_is_classified() -> None:
    rows = run_sentiment_bytes([], b"ok text\n\xff\xfe bad bytes\nwhat an awful film\n")
    assert [r.get("label") for r in rows] == ["POSITIVE", None, "NEGATIVE"]
    assert rows[1] == {"text": "\\xff\\xfe bad bytes", "error": "not UTF-8 text: byte 0xff at position 0"}
    assert rows[0]["text"] == "ok text" and rows[2]["text"] == "what an awful film"


def test_argument_bytes_that_are_not_utf8_get_their_own_error() -> None:
    rows = run_sentiment_bytes([b"a lovely day", b"caf\xe9 au lait"], b"")
    assert rows[0]["label"] == "POSITIVE"
    assert rows[1] == {"text": "caf\\xe9 au lait", "error": "not UTF-8 text: byte 0xe9 at position 3"}
