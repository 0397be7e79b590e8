"""Reading a user's CSV of points (`x1,x2,label` or `x1,x2,y`), with a clear message for every bad file.

pandas does the tokenizing: any line ending (LF, CRLF, a bare CR), quoted cells, a byte-order mark. The
delimiter is the one of `,` `;` tab that the header uses most; with `;` or tab a decimal comma (`1,5`) is read
as a decimal point, as spreadsheets in many locales write it.
"""

import io
import math
import re

import numpy as np
import pandas as pd

from core.playground.datasets import PLANE

MAX_BYTES = 10 * 1024 * 1024
MIN_POINTS, MAX_POINTS = 10, 5000
HEADERS = {"label": "classification", "y": "regression"}  # the third column's name -> the task
DELIMITERS = (",", ";", "\t")
_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")
_FIELD_COUNT = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


class CSVError(ValueError):
    """A CSV the playground cannot use; the message says why in one line."""


def parse_points_csv(raw: bytes) -> tuple[np.ndarray, np.ndarray, str, str]:
    """Points (n, 2), targets (n,), the task and a note from an uploaded file; raises CSVError when it is bad
    (and nothing else, whatever the bytes).

    `label` columns are classes (two distinct values: 0/1 or −1/1, kept as 0/1); `y` columns are regression
    values. Points far outside the plane are scaled into it, and the note says so.
    """
    text = _decode(raw)
    # Leading blank lines would make pandas see no columns; drop them and count them for the line numbers.
    blank = _BLANK_LINES.match(text).group()
    text, first_line = text[len(blank) :], 1 + len(blank.splitlines())
    delimiter = max(DELIMITERS, key=text.partition("\n")[0].partition("\r")[0].count)
    try:
        table = _read(text, delimiter, first_line)
    except CSVError:
        _check_header(_read(text, delimiter, first_line, rows=1).iloc[0].tolist())  # a bad header first
        raise
    task = _check_header(table.iloc[0].tolist())
    body = table.iloc[1:]
    body = body[(body.map(str.strip) != "").any(axis=1)]  # blank lines (and lines of empty cells) are skipped
    if len(body) < MIN_POINTS:
        raise CSVError(f"need at least {MIN_POINTS} points; found {len(body)}")
    if len(body) > MAX_POINTS:
        raise CSVError(f"at most {MAX_POINTS} points; found {len(body)}")
    values = np.array(
        [
            [_number(cell, first_line + row, delimiter) for cell in cells]
            for row, cells in zip(body.index, body.itertuples(index=False), strict=True)
        ]
    )  # (n, 3)
    points, target = values[:, :2], values[:, 2]
    if task == "classification":
        classes = sorted(set(target.tolist()))
        if len(classes) < 2:
            raise CSVError(f"classification needs at least two classes; every label is {classes[0]:g}")
        if classes not in ([0.0, 1.0], [-1.0, 1.0]):
            raise CSVError(
                "labels must be two classes written 0/1 or -1/1; found "
                + ", ".join(f"{c:g}" for c in classes[:5])
            )
        target = (target > 0).astype(np.float64)
    note = f"{len(points)} points, {task}"
    extent = float(np.abs(points).max())
    if extent > PLANE:
        points = points * (5.0 / extent)
        note += f"; scaled by {5.0 / extent:.3g} to fit the plane [-6, 6]²"
    return points, target, task, note


def _decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), or UTF-16 when it starts with its mark."""
    if len(raw) > MAX_BYTES:
        raise CSVError(f"the file is {len(raw) / 2**20:.1f} MB; the limit is 10 MB")
    try:
        # Excel's "Unicode text" export is UTF-16 with a byte-order mark; its digits and commas come with
        # zero bytes, which a stray \xff\xfe at the start of some other file lacks.
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in raw
        text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in raw:
            raise CSVError("this is a binary file, not a CSV text file") from None
        raise CSVError("this is not a UTF-8 text CSV file") from None
    if "\x00" in text:
        raise CSVError("this is a binary file, not a CSV text file")
    if not text.strip():
        raise CSVError("the file is empty")
    return text


def _read(text: str, delimiter: str, first_line: int, rows: int | None = None) -> pd.DataFrame:
    """Every line's cells as stripped-later strings; lines shorter than the first are padded with ""."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            nrows=rows,
        )
    except pd.errors.EmptyDataError:
        raise CSVError("the file is empty") from None
    except pd.errors.ParserError as error:
        if found := _FIELD_COUNT.search(str(error)):
            expected, line, saw = (int(n) for n in found.groups())
            raise CSVError(
                f"line {line + first_line - 1} has {saw} fields; every line needs {expected}"
            ) from None
        reason = str(error).split("C error: ")[-1].strip().splitlines()[0]
        raise CSVError(f"cannot read the file as CSV: {reason}") from None


def _check_header(cells: list[str]) -> str:
    """The task a header names; raises CSVError unless it is x1,x2,label or x1,x2,y (any case)."""
    names = [cell.strip().lower() for cell in cells]
    if len(names) != 3 or names[:2] != ["x1", "x2"] or names[2] not in HEADERS:
        found = ",".join(cell.strip() for cell in cells)
        found = repr(found) if found.strip(",") else "a first line of empty cells"
        raise CSVError(f"the header must be x1,x2,label (classes) or x1,x2,y (values); found {found}")
    return HEADERS[names[2]]


def _number(cell: str, line: int, delimiter: str) -> float:
    """One cell as a finite float; raises CSVError naming the line otherwise."""
    text = cell.strip()
    if not text:
        raise CSVError(f"line {line} has an empty value; every line needs x1, x2 and the label or y")
    try:
        value = float(text.replace(",", ".") if delimiter != "," else text)
    except ValueError:
        raise CSVError(f"line {line}: {text[:40]!r} is not a number") from None
    if not math.isfinite(value):
        raise CSVError(f"line {line}: {text} is not a finite number (NaN and infinity are not allowed)")
    return value
