"""`python -m core sentiment [--model NAME] [TEXT...]`: one JSON object per line per text.

Texts come from the arguments, or one per line from stdin when none are given. Each line of output is
{"text", "label", "score", "model"} (plus "truncated": true when the text was cut to the model's limit), or
{"text", "error"} for a text that cannot be classified (empty, or bytes that are not UTF-8), so the output can
be piped line by line and one bad line never costs the others.
"""

import argparse
import json
import os
import sys
from collections.abc import Iterator

from core.pretrained import ModelUnavailable
from core.text.classifier import SentimentClassifier
from core.text.registry import MODELS, default_model, get_model, load_model

BATCH = 64


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the `sentiment` subcommand."""
    parser = subparsers.add_parser(
        "sentiment", help="sentiment of texts (arguments or stdin lines), as JSON lines"
    )
    parser.add_argument(
        "--model",
        choices=list(MODELS),
        default=None,
        help="registry model; default: the first available of local-dir, distilbert-sst2, minilm-sst2",
    )
    parser.add_argument(
        "text", nargs="*", help="texts to classify; read from stdin, one per line, when absent"
    )
    parser.set_defaults(func=run)


def _emit(record: dict[str, object]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """The text in `raw` and None, or a printable form of it and why it cannot be classified."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        shown = raw.decode("utf-8", "backslashreplace")
        return shown, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at position {exc.start}"


def read_texts(args: argparse.Namespace) -> Iterator[tuple[str, str | None]]:
    """Each text to classify with the reason it cannot be, if any: the arguments, else stdin's lines.

    Both are read as bytes: stdin's lines from its buffer, the arguments as the shell passed them (Python
    keeps undecodable argument bytes as surrogates, which os.fsencode turns back), so an invalid line gets
    its own error instead of ending the run.
    """
    if args.text:
        raws: Iterator[bytes] = (os.fsencode(text) for text in args.text)
    else:
        raws = (line.rstrip(b"\r\n") for line in sys.stdin.buffer)
    for raw in raws:
        yield decode_text(raw)


def run(args: argparse.Namespace) -> int:
    """Classify the texts and print one JSON line each; exit status 2 when no model can be loaded."""
    name = args.model or default_model()[0]
    if name is None:
        _emit({"error": default_model()[1]})
        return 2
    from transformers.utils import logging as transformers_logging  # imported late: only when a model loads

    transformers_logging.disable_progress_bar()  # stderr stays quiet; stdout carries the JSON lines
    try:
        classifier = load_model(get_model(name))
    except ModelUnavailable as exc:
        _emit({"error": str(exc)})
        return 2
    pending: list[tuple[str, str | None]] = []
    for text in read_texts(args):
        pending.append(text)
        if len(pending) == BATCH:
            _print_batch(classifier, pending)
            pending = []
    if pending:
        _print_batch(classifier, pending)
    return 0


def _print_batch(classifier: SentimentClassifier, texts: list[tuple[str, str | None]]) -> None:
    predictions = iter(classifier.predict([text for text, error in texts if error is None], batch_size=BATCH))
    for text, error in texts:
        if error is not None:
            _emit({"text": text, "error": error})
            continue
        prediction = next(predictions)
        if prediction.error:
            _emit({"text": prediction.text, "error": prediction.error})
            continue
        record: dict[str, object] = {
            "text": prediction.text,
            "label": prediction.label,
            "score": round(float(prediction.score), 6),
            "model": classifier.name,
        }
        if prediction.truncated:
            record["truncated"] = True
        _emit(record)
