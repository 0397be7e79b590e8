"""`python -m core classify`: classify image files with the registry's pretrained models; JSON lines."""

import argparse
import json
from pathlib import Path

from core.vision.images import MAX_FILE_MB, ImageError, load_image
from core.vision.inference import classify
from core.vision.registry import (
    DEFAULT_MODEL,
    LoadedModel,
    ModelUnavailable,
    availability_report,
    download_weights,
    get_model,
    load_model,
    model_names,
)


def _top_k(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be between 1 and 1000")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `classify`: FILE... with --model and --top-k, or --list-models, or --download NAME."""
    parser = subparsers.add_parser(
        "classify",
        help="classify image files with a pretrained ImageNet model (JSON lines)",
        description="Prints one JSON object per file: {file, model, predictions: [{label, index, prob}], ms} "
        '(plus "notes" when the image was converted, e.g. the first frame of an animated GIF), or '
        "{file, error} when it cannot be classified. Exit status 1 if any file failed.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="JPEG, PNG, WebP, BMP, GIF or TIFF files")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=model_names(), help="default: %(default)s")
    parser.add_argument("--top-k", type=_top_k, default=5, help="classes to report (default: 5)")
    parser.add_argument("--list-models", action="store_true", help="list the models and their availability")
    parser.add_argument("--download", metavar="NAME", help="fetch a torchvision model's weights (internet)")
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Dispatch to listing, downloading or classifying; returns the exit status."""
    if args.list_models:
        for row in availability_report():
            print(json.dumps(row))
        return 0
    if args.download:
        return _download(args.download)
    if not args.files:
        args.parser.error("give at least one FILE, or --list-models, or --download NAME")
    return classify_files(args.files, args.model, args.top_k)


def _download(name: str) -> int:
    try:
        path = download_weights(get_model(name))
    except ModelUnavailable as error:
        print(json.dumps({"model": name, "error": str(error)}))
        return 1
    print(json.dumps({"model": name, "weights": str(path)}))
    return 0


def classify_files(files: list[str], model: str, top_k: int) -> int:
    """Print one JSON line per file; 1 if any file could not be classified, else 0."""
    try:
        loaded = load_model(get_model(model))
    except ModelUnavailable as error:
        for file in files:
            print(json.dumps({"file": file, "error": str(error)}), flush=True)
        return 1
    results = [classify_file(loaded, file, top_k) for file in files]
    return int(any("error" in row for row in results))


def classify_file(loaded: LoadedModel, file: str, top_k: int) -> dict[str, object]:
    """Classify one file and print its JSON line; the line's object is returned too."""
    try:
        path = Path(file)
        size = path.stat().st_size
        if size > MAX_FILE_MB * 1_000_000:  # refuse before reading it into memory
            raise ImageError(f"the file is {size / 1e6:.1f} MB, over the {MAX_FILE_MB:.1f} MB upload limit")
        image = load_image(path.read_bytes())
        result = classify(loaded, image.image, top_k)
        row = {"file": file, **result.as_json(), **({"notes": image.notes} if image.notes else {})}
    except ImageError as error:
        row = {"file": file, "error": str(error)}
    except OSError as error:  # missing, a directory, no permission
        row = {"file": file, "error": f"cannot read the file: {error.strerror or error}"}
    print(json.dumps(row), flush=True)
    return row
