"""`python -m core sentiment [--model NAME] [TEXT...]`: one JSON object per line per text.

Texts come from the arguments, or one per line from stdin when none are given. Each line of output is
{"text", "label", "score", "model"} (plus "truncated": true when the text was cut to the model's limit), or
{"text": "", "error": ...} for an empty line, so the output can be piped line by line.
"""

import argparse
import json
import sys

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
    texts = args.text if args.text else (line.rstrip("\r\n") for line in sys.stdin)
    pending: list[str] = []
    for text in texts:
        pending.append(text)
        if len(pending) == BATCH:
            _print_batch(classifier, pending)
            pending = []
    if pending:
        _print_batch(classifier, pending)
    return 0


def _print_batch(classifier: SentimentClassifier, texts: list[str]) -> None:
    for prediction in classifier.predict(texts, batch_size=BATCH):
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
