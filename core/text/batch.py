"""Batch sentiment: texts from pasted lines or an uploaded CSV/TXT file, classified in fixed-size batches so a
10,000-row file shows progress and never holds more than one batch of model activations in memory."""

import csv
import io
from collections.abc import Iterator, Sequence

import pandas as pd

from core.text.classifier import SentimentClassifier, SentimentPrediction

MAX_ROWS = 10_000  # rows classified per request; a larger file is cut with a notice
MAX_UPLOAD_MB = 50  # decimal megabytes (10**6 bytes), like core.vision.images.MAX_FILE_MB


class BatchInputError(ValueError):
    """Input that cannot become a list of texts; the message is one line, for the user."""


def texts_from_lines(raw: str) -> list[str]:
    """One text per non-blank line of pasted input."""
    return [line.strip() for line in raw.splitlines() if line.strip()]


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise BatchInputError("this file is binary, not text: upload a UTF-8 CSV or TXT file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchInputError(
            f"this file is not UTF-8 text (byte {exc.start} is invalid): save it as UTF-8 CSV or TXT"
        ) from exc


def _delimiter(content: str) -> str:
    """Comma, semicolon, tab or pipe, whichever the first lines use; a comma for a one-column file."""
    try:
        return csv.Sniffer().sniff(content[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_upload(data: bytes, filename: str) -> pd.DataFrame:
    """The uploaded file as a table of strings: a CSV's columns, or a TXT file's lines in column `text`."""
    if not data.strip():
        raise BatchInputError("the file is empty")
    if len(data) > MAX_UPLOAD_MB * 1_000_000:
        raise BatchInputError(f"the file is {len(data) / 1e6:.0f} MB; the limit is {MAX_UPLOAD_MB} MB")
    content = _decode(data)
    if not filename.lower().endswith(".csv"):
        return pd.DataFrame({"text": texts_from_lines(content)})
    try:
        table = pd.read_csv(io.StringIO(content), dtype=str, keep_default_na=False, sep=_delimiter(content))
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise BatchInputError(f"this CSV cannot be read: {str(exc).splitlines()[0]}") from exc
    if table.empty or not len(table.columns):
        raise BatchInputError("the CSV has no rows")
    return table


def column_texts(table: pd.DataFrame, column: str) -> list[str]:
    """The chosen column's texts; a clear error when the column does not exist."""
    if column not in table.columns:
        raise BatchInputError(
            f"the file has no column {column!r}; its columns are: " + ", ".join(map(str, table.columns))
        )
    return table[column].astype(str).tolist()


def limit_rows(texts: list[str]) -> tuple[list[str], str | None]:
    """At most MAX_ROWS texts, and a notice when some were left out."""
    if len(texts) <= MAX_ROWS:
        return texts, None
    return texts[:MAX_ROWS], f"only the first {MAX_ROWS:,} of {len(texts):,} rows were classified"


def classify_batches(
    classifier: SentimentClassifier, texts: Sequence[str], batch_size: int = 64
) -> Iterator[tuple[int, list[tuple[int, SentimentPrediction]]]]:
    """(texts done so far, [(row, prediction), ...]) batch by batch, for a progress bar.

    Rows are taken shortest first so that each batch pads to similar lengths (twice the throughput of file
    order on SST-2-like text); the row numbers let the caller put the predictions back in file order.
    """
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        predictions = classifier.predict([texts[i] for i in rows], batch_size=batch_size)
        yield start + len(rows), list(zip(rows, predictions, strict=True))


def in_file_order(pairs: dict[int, SentimentPrediction]) -> list[SentimentPrediction]:
    """The predictions collected from classify_batches, in the order of the input rows."""
    return [pairs[i] for i in range(len(pairs))]


def results_table(predictions: Sequence[SentimentPrediction]) -> pd.DataFrame:
    """One row per text: label, its probability, P(POSITIVE), truncation and error."""
    return pd.DataFrame(
        {
            # pandas' Arrow strings cannot hold a lone surrogate (text_problem): it is kept as its \u escape.
            "text": [p.text.encode("utf-8", "backslashreplace").decode("utf-8") for p in predictions],
            "label": [p.label or "" for p in predictions],
            "score": [p.score for p in predictions],
            "p_positive": [p.positive for p in predictions],
            "truncated": [p.truncated for p in predictions],
            "error": [p.error or "" for p in predictions],
        }
    )


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """The results as UTF-8 CSV for download, with RFC 4180 line ends."""
    # With "\r\n" as line end pandas quotes a text holding a bare "\r" too; with "\n" alone it did not, and
    # that row came back split in two.
    return table.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
