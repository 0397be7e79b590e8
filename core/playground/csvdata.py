"""Reading a user's CSV of points (`x1,x2,label` or `x1,x2,y`), with a clear message for every bad file."""

import csv
import io
import math

import numpy as np

from core.playground.datasets import PLANE

MAX_BYTES = 10 * 1024 * 1024
MIN_POINTS, MAX_POINTS = 10, 5000


class CSVError(ValueError):
    """A CSV the playground cannot use; the message says why in one line."""


def parse_points_csv(raw: bytes) -> tuple[np.ndarray, np.ndarray, str, str]:
    """Points (n, 2), targets (n,), the task and a note from an uploaded file; raises CSVError when it is bad.

    `label` columns are classes (two distinct values: 0/1 or −1/1, kept as 0/1); `y` columns are regression
    values. Points far outside the plane are scaled into it, and the note says so.
    """
    if len(raw) > MAX_BYTES:
        raise CSVError(f"the file is {len(raw) / 2**20:.1f} MB; the limit is 10 MB")
    if not raw.strip():
        raise CSVError("the file is empty")
    if b"\x00" in raw:
        raise CSVError("this is a binary file, not a CSV text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CSVError("this is not a UTF-8 text CSV file") from None
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    header = [cell.strip().lower() for cell in rows[0]]
    if header not in (["x1", "x2", "label"], ["x1", "x2", "y"]):
        raise CSVError(
            f"the header must be x1,x2,label (classes) or x1,x2,y (values); found {','.join(rows[0])}"
        )
    body = rows[1:]
    if len(body) < MIN_POINTS:
        raise CSVError(f"need at least {MIN_POINTS} points; found {len(body)}")
    if len(body) > MAX_POINTS:
        raise CSVError(f"at most {MAX_POINTS} points; found {len(body)}")
    values = np.empty((len(body), 3))
    for line, row in enumerate(body, start=2):
        if len(row) != 3:
            raise CSVError(f"line {line} has {len(row)} fields; every line needs 3")
        for k, cell in enumerate(row):
            try:
                values[line - 2, k] = float(cell)
            except ValueError:
                raise CSVError(f"line {line}: {cell.strip()!r} is not a number") from None
            if not math.isfinite(values[line - 2, k]):
                raise CSVError(
                    f"line {line}: {cell.strip()} is not a finite number (NaN and infinity are not allowed)"
                )
    points, target = values[:, :2], values[:, 2]
    task = "classification" if header[2] == "label" else "regression"
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
