"""Batch input: pasted lines, CSV/TXT uploads and their failure modes, batching with progress, CSV output."""

import io

import pandas as pd
import pytest

from core.text import batch
from core.text.classifier import LABELS, SentimentPrediction


class CountingClassifier:
    """Stands in for a model: P(POSITIVE) = 0.9 when the text contains 'good'; records batch sizes."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def predict(self, texts, batch_size: int = 64) -> list[SentimentPrediction]:
        self.calls.append(len(texts))
        out = []
        for t in texts:
            p = 0.9 if "good" in t else 0.2
            out.append(SentimentPrediction(t, LABELS[int(p >= 0.5)], max(p, 1 - p), p, 3, False))
        return out


def test_lines_skip_blanks() -> None:
    assert batch.texts_from_lines("good\n\n  \r\nbad  \n") == ["good", "bad"]


def test_csv_columns_and_missing_column() -> None:
    table = batch.read_upload(b'id,review\n1,good film\n2,"bad, really"\n', "reviews.csv")
    assert batch.column_texts(table, "review") == ["good film", "bad, really"]
    with pytest.raises(batch.BatchInputError, match="no column 'text'; its columns are: id, review"):
        batch.column_texts(table, "text")


def test_txt_upload_with_bom_emoji_and_other_scripts() -> None:
    table = batch.read_upload("\ufeffgood 😍\nЭто ужасно\n\n素晴らしい\n".encode(), "notes.TXT")
    assert table["text"].tolist() == ["good 😍", "Это ужасно", "素晴らしい"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "binary"),
        ("caf\xe9,ok\n".encode("latin-1"), "not UTF-8"),
        (b"   \n", "empty"),
    ],
)
def test_unreadable_uploads_get_one_line_messages(data: bytes, message: str) -> None:
    with pytest.raises(batch.BatchInputError, match=message) as info:
        batch.read_upload(data, "data.csv")
    assert "\n" not in str(info.value)


def test_row_limit_with_notice() -> None:
    texts, notice = batch.limit_rows(["x"] * (batch.MAX_ROWS + 5))
    assert len(texts) == batch.MAX_ROWS and "10,000 of 10,005" in notice
    assert batch.limit_rows(["x"] * 3) == (["x"] * 3, None)


def test_ten_thousand_rows_stream_in_bounded_batches() -> None:
    data = "text\n" + "\n".join(f"row {i} {'good' if i % 2 else 'bad'}" for i in range(10_000))
    texts = batch.column_texts(batch.read_upload(data.encode(), "big.csv"), "text")
    model = CountingClassifier()
    stream = batch.classify_batches(model, texts, batch_size=64)
    done, first = next(stream)  # lazy: one batch at a time, so memory holds one batch of activations
    assert (done, len(first), model.calls) == (64, 64, [64])
    rows = dict(first)
    progress = [done]
    for done, pairs in stream:
        progress.append(done)
        rows.update(pairs)
    assert progress[-1] == 10_000 and progress == sorted(progress)
    assert max(model.calls) == 64 and sum(model.calls) == 10_000
    ordered = batch.in_file_order(rows)
    assert [p.text for p in ordered] == texts
    assert [p.label for p in ordered[:2]] == ["NEGATIVE", "POSITIVE"]


def test_results_table_and_csv_round_trip() -> None:
    predictions = [
        *CountingClassifier().predict(['good, "quoted"', "bad"]),
        SentimentPrediction("", None, None, None, 0, False, "empty text"),
    ]
    table = batch.results_table(predictions)
    back = pd.read_csv(io.BytesIO(batch.to_csv_bytes(table)), keep_default_na=False)
    assert back["text"].tolist() == ['good, "quoted"', "bad", ""]
    assert back["label"].tolist() == ["POSITIVE", "NEGATIVE", ""]
    assert back["error"].tolist() == ["", "", "empty text"]


def test_csv_download_keeps_a_text_that_is_not_valid_unicode() -> None:
    # A lone surrogate (what Python makes of non-UTF-8 bytes) cannot be stored in pandas' Arrow strings nor
    # encoded as UTF-8: the table keeps its escape instead of a UnicodeEncodeError. Found by fuzzing.
    table = batch.results_table(
        [SentimentPrediction("bad \udcff byte", None, None, None, 0, False, "not Unicode")]
    )
    back = pd.read_csv(io.BytesIO(batch.to_csv_bytes(table)), keep_default_na=False)
    assert back["text"].tolist() == ["bad \\udcff byte"]
