"""Fuzz tests over every core entry point that takes a visitor's input: any input either works or raises the
one documented validation error, with a one-line message. Nothing else may escape.

Entry point -> documented error:
    core.playground.csvdata.parse_points_csv (uploaded CSV)      -> CSVError (more in test_playground_csv.py)
    core.vision.images.load_image (upload, camera)               -> ImageError
    core.text.batch.read_upload / column_texts (sentiment files) -> BatchInputError
    core.text.attributions.edit_word (what-if word index)        -> IndexError for a word that does not exist
    core.rnn.text.prepare_text (text to learn)                   -> TextError
    core.training.losses.parse_vector (loss page numbers)                 -> ValueError
    core.transfer.data.parse_class_names + class_problems        -> problems as a list, never an exception
    core.playground.config.from_query (URL query parameters)     -> problems as a list, never an exception
The tokenizer and model path (SentimentClassifier.predict) is fuzzed in tests/unit/test_text_model.py, where
the model is already loaded once for its module.

Examples are bounded and derandomized, so CI runs the same inputs every time in a few seconds.
"""

import io
import re
import struct
import zlib

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.playground.config import FIELDS, PlaygroundConfig, encode, from_query, to_query
from core.playground.csvdata import CSVError, parse_points_csv
from core.playground.datasets import UPLOAD
from core.playground.engine import Engine
from core.rnn.text import MAX_VOCAB, TextError, prepare_text
from core.text import batch
from core.text.attributions import edit_word, words_of
from core.text.classifier import SentimentPrediction
from core.text.figures import highlighted_html
from core.training.losses import parse_vector
from core.transfer.data import class_problems, parse_class_names
from core.vision.images import MAX_PIXELS, MIN_SIDE, ImageError, load_image
from core.vision.registry import DEFAULT_MODEL, MODELS

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)
SLOW_FUZZ = settings(max_examples=40, deadline=None, derandomize=True)  # examples that build or decode more

# Characters that break naive text handling: lone surrogates (what Python makes of non-UTF-8 bytes), NUL,
# right-to-left marks and overrides, zero-width and line/paragraph separators, a BOM, emoji with modifiers.
TRICKY = ["\udcff", "\ud800", "\x00", "\u200f", "\u202e", "\u200b", "\u2028", "\u2029", "\ufeff", "\r", "\t"]
TRICKY += ["😀", "👍🏽", "👨‍👩‍👧", "\U0010ffff", "é", "ﷺ", "<script>alert(1)</script>", "&amp;", '"', " "]
short_texts = st.one_of(
    st.text(st.characters(), max_size=60),  # any code point, surrogates included
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=4), max_size=20).map("".join),
)


def long_texts(max_chars: int) -> st.SearchStrategy[str]:
    return st.integers(0, max_chars).map(lambda n: "word " * (n // 5))


texts = short_texts | long_texts(200_000)


def one_line(message: str) -> bool:
    return bool(message) and "\n" not in message and "\r" not in message


# ---- uploaded images ---------------------------------------------------------------------------------------


def saved(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


# (mode, format): every mode a phone, an editor or a scanner writes, in a format that stores it.
MODE_FORMATS = [("RGB", "JPEG"), ("L", "JPEG"), ("CMYK", "JPEG"), ("RGB", "PNG"), ("RGBA", "PNG")]
MODE_FORMATS += [("LA", "PNG"), ("I;16", "PNG"), ("P", "GIF"), ("1", "BMP"), ("RGB", "WEBP"), ("F", "TIFF")]


@st.composite
def image_files(draw: st.DrawFn) -> bytes:
    """A real small image file: random pixels, any size from 1×1, in one of MODE_FORMATS."""
    width, height = draw(st.integers(1, 80)), draw(st.integers(1, 80))
    mode, fmt = draw(st.sampled_from(MODE_FORMATS))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return saved(Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).convert(mode), fmt)


@st.composite
def damaged(draw: st.DrawFn, files: st.SearchStrategy[bytes]) -> bytes:
    """A real file cut short or with a few bytes overwritten (a broken download, a corrupt disk)."""
    data = bytearray(draw(files))
    if draw(st.booleans()):
        return bytes(data[: draw(st.integers(0, len(data) - 1))])
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


def png_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header claims width×height: a decompression bomb (or 0-size image) before decoding."""
    png = bytearray(saved(Image.new("L", (1, 1)), "PNG"))
    struct.pack_into(">II", png, 16, width, height)  # IHDR data starts after signature (8), length, type
    struct.pack_into(">I", png, 29, zlib.crc32(png[12:29]))  # CRC over the chunk type and its 13 data bytes
    return bytes(png)


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims width×height."""
    jpeg = bytearray(saved(Image.new("RGB", (16, 16)), "JPEG"))
    sof = jpeg.index(b"\xff\xc0")
    struct.pack_into(">HH", jpeg, sof + 5, height, width)  # after marker (2), length (2), precision (1)
    return bytes(jpeg)


dimensions = st.tuples(st.integers(0, 2**31 - 1), st.integers(0, 2**31 - 1))
strips = st.tuples(st.integers(16, 4_000_000), st.integers(MIN_SIDE, 32))  # long and thin, all real pixels
uploads = st.one_of(
    st.binary(max_size=256),
    image_files(),
    damaged(image_files()),
    image_files().flatmap(lambda data: st.integers(1, 64).map(lambda n: data[:n])),  # only part of a header
    dimensions.map(lambda size: png_claiming(*size)),
    st.tuples(st.integers(0, 65535), st.integers(0, 65535)).map(lambda size: jpeg_claiming(*size)),
    strips.map(lambda size: saved(Image.new("L", size), "PNG")),
)
# The largest short side any registry model resizes to: what a picture becomes before its centre crop.
LARGEST_RESIZE = max(entry.preprocessing.resize for entry in MODELS.values())


@SLOW_FUZZ
@given(uploads)
def test_any_upload_becomes_a_picture_a_model_can_take_or_one_image_error(data: bytes) -> None:
    try:
        loaded = load_image(data)
    except ImageError as error:
        assert one_line(str(error))
        return
    image = loaded.image
    short, long = sorted(image.size)
    assert image.mode == "RGB" and short >= MIN_SIDE and short * long <= MAX_PIXELS
    # Resizing the short side must not make it bigger than the largest picture load_image itself accepts.
    assert LARGEST_RESIZE * round(LARGEST_RESIZE * long / short) <= MAX_PIXELS, image.size
    crop = MODELS[DEFAULT_MODEL].preprocessing.crop
    assert MODELS[DEFAULT_MODEL].preprocessing.to_tensor(image).shape == (3, crop, crop)


# ---- uploaded CSV for the playground (more in tests/unit/test_playground_csv.py) ---------------------------


@FUZZ
@given(
    st.one_of(
        texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
        texts.map(lambda t: "x1,x2,y\n" + t).map(lambda t: t.encode("utf-16", "surrogatepass")),
    )
)
def test_any_csv_text_loads_or_raises_one_csv_error(raw: bytes) -> None:
    try:
        points, y, _, _ = parse_points_csv(raw)
    except CSVError as error:
        assert one_line(str(error))
    else:
        assert points.shape == (len(y), 2) and np.isfinite(points).all() and np.isfinite(y).all()


# ---- text: sentiment, the character model, the loss page's numbers, class names ----------------------------


@FUZZ
@given(texts, st.data())
def test_sentiment_text_handling_never_fails(text: str, data: st.DataObject) -> None:
    words = words_of(text)
    assert all(
        text[w.start : w.end] == w.text and w.text and not any(c.isspace() for c in w.text) for w in words
    )
    assert all(line and line == line.strip() for line in batch.texts_from_lines(text))
    if words:
        index = data.draw(st.integers(0, len(words) - 1))
        assert isinstance(edit_word(text, index, data.draw(texts)), str)
    scores = np.linspace(-1.0, 1.0, len(words))
    page = highlighted_html(text, [(w.start, w.end) for w in words], scores, note=data.draw(texts))
    # Every tag on the page is one of ours: the visitor's '<' arrives escaped.
    assert "<" not in re.sub(r"</?(span|div)( [^<>]*)?>", "", page)
    prediction = SentimentPrediction(text, None, None, None, 0, False, "some error")
    table = batch.results_table([prediction])
    assert len(pd.read_csv(io.BytesIO(batch.to_csv_bytes(table)), keep_default_na=False)) == 1


@FUZZ
@given(
    st.binary(max_size=300) | texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(["a.csv", "a.txt", "A.CSV"]),
)
def test_sentiment_uploads_load_or_raise_one_batch_input_error(data: bytes, name: str) -> None:
    try:
        table = batch.read_upload(data, name)
        texts_read = batch.column_texts(table, str(table.columns[0]))
    except batch.BatchInputError as error:
        assert one_line(str(error))
    else:
        assert all(isinstance(t, str) for t in texts_read)


@FUZZ
@given(texts, st.integers(2, 201))
def test_text_to_learn_is_prepared_or_refused_with_one_text_error(text: str, min_chars: int) -> None:
    try:
        prepared = prepare_text(text, min_chars)
    except TextError as error:
        assert one_line(str(error))
        return
    assert len(prepared.alphabet) <= MAX_VOCAB and len(prepared.encode()) == len(prepared.text) >= min_chars
    assert all(one_line(note) for note in prepared.notes)


@FUZZ
@given(
    texts
    | st.lists(st.floats() | st.integers(-(2**70), 2**70), max_size=8).map(lambda v: ", ".join(map(str, v)))
)
def test_loss_page_numbers_parse_or_raise_one_value_error(text: str) -> None:
    try:
        values = parse_vector(text)
    except ValueError as error:
        assert one_line(str(error))
    else:
        assert values and np.isfinite(values).all()


@FUZZ
@given(texts)
def test_class_names_give_names_or_problems(text: str) -> None:
    names = parse_class_names(text)
    assert all(one_line(problem) for problem in class_problems(names))


# ---- URL query parameters (the playground's link) ----------------------------------------------------------

values = st.one_of(
    st.text(st.characters(), max_size=12),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(str),
    st.sampled_from(
        ["", "nan", "-inf", "1e400", "-0", "0x10", "1_000", "٣", " 7 ", "x1,x1", "8,,8", "8,x", "on"]
    ),
    st.sampled_from(list(FIELDS)).map(lambda name: encode(name, getattr(PlaygroundConfig(), name))),
)
queries = st.dictionaries(
    st.sampled_from(list(FIELDS)) | st.text(max_size=6), values, max_size=len(FIELDS) + 2
)


@FUZZ
@given(queries)
def test_any_link_opens_a_valid_configuration_with_one_line_per_problem(params: dict[str, str]) -> None:
    config, problems = from_query(params)
    assert config.errors() == [] and all(one_line(p) for p in problems)
    assert from_query(to_query(config)) == (config, [])  # the page's own link reproduces it
    assert len(set(config.features)) == len(config.features)  # the page's multiselect holds each input once
    if config.dataset != UPLOAD:  # an upload link waits for the file
        assert Engine(config).epoch == 0  # the run the page starts from it can be built
