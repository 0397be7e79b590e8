"""Uploaded CSVs: good files load, every kind of bad file gets a clear one-line message."""

import numpy as np
import pytest

from core.playground.csvdata import CSVError, parse_points_csv

GOOD = "x1,x2,label\n" + "\n".join(f"{i % 7 - 3},{i % 5 - 2},{i % 2}" for i in range(20))


def test_a_good_classification_file_loads():
    points, y, task, note = parse_points_csv(GOOD.encode())
    assert points.shape == (20, 2) and task == "classification"
    assert set(y.tolist()) == {0.0, 1.0} and "20 points" in note


def test_minus_one_plus_one_labels_become_classes_and_values_mean_regression():
    text = GOOD.replace(",0\n", ",-1\n")
    assert set(parse_points_csv(text.encode())[1].tolist()) == {0.0, 1.0}
    reg = "x1,x2,y\n" + "\n".join(f"{i},{-i},{i * 0.1}" for i in range(12))
    points, y, task, note = parse_points_csv(reg.encode())
    assert task == "regression" and y[3] == pytest.approx(0.3)
    assert np.abs(points).max() <= 5.0 + 1e-9 and "scaled" in note  # 11 is off the plane


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (GOOD.replace("1\n", "one\n", 1).encode(), "is not a number"),
        (GOOD.replace("1\n", "nan\n", 1).encode(), "not a finite number"),
        (GOOD.replace("1\n", "inf\n", 1).encode(), "not a finite number"),
        (("x1,x2,label\n" + "1,2,1\n" * 20).encode(), "at least two classes"),
        (("x1,x2,label\n" + "1,2,3\n1,2,1\n" * 10).encode(), "0/1 or -1/1"),
        (b"x1,x2,label\n" + b"1,2,1\n" * 2_000_000, "limit is 10 MB"),
        (b"a,b,c\n1,2,3\n", "header must be x1,x2,label"),
        (b"x1,x2\n1,2\n", "header must be x1,x2,label"),
        (GOOD.replace("1\n", "1,5\n", 1).encode(), "has 4 fields"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"\xff\xfe\xfa not utf8", "not a UTF-8 text"),
        (b"x1,x2,label\n1,2,1\n", "at least 10 points"),
    ],
)
def test_bad_files_get_one_clear_line(raw, message):
    with pytest.raises(CSVError, match=message) as error:
        parse_points_csv(raw)
    assert "\n" not in str(error.value)
