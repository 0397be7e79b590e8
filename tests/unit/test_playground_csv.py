"""Uploaded CSVs: good files load, every kind of bad file gets a clear one-line message."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.playground.csvdata import MAX_POINTS, MIN_POINTS, CSVError, parse_points_csv

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


@pytest.mark.parametrize(
    "raw",
    [
        GOOD.replace("\n", "\r").encode(),  # old Mac / some Excel exports
        GOOD.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + GOOD.encode(),  # Excel's "CSV UTF-8" starts with a byte-order mark
        GOOD.replace(",", ";").encode(),
        GOOD.replace(",", "\t").encode(),
        GOOD.encode("utf-16"),  # Excel's "Unicode text"
        "\n".join(",".join(f'"{cell}"' for cell in line.split(",")) for line in GOOD.split("\n")).encode(),
        ("\n \n" + GOOD.replace("\n", "\n\n") + "\n,,\n\n").encode(),  # blank lines and empty cells skipped
        GOOD.upper().encode(),
    ],
    ids=["bare CR", "CRLF", "BOM", "semicolons", "tabs", "UTF-16", "quoted", "blank lines", "upper case"],
)
def test_line_ends_quoting_bom_and_delimiters_read_the_same_points(raw):
    expected = parse_points_csv(GOOD.encode())
    points, y, task, note = parse_points_csv(raw)
    np.testing.assert_array_equal(points, expected[0])
    np.testing.assert_array_equal(y, expected[1])
    assert (task, note) == expected[2:]


def test_semicolon_files_may_write_decimal_commas():
    text = "x1;x2;y\n" + "\n".join(f"{i % 5},5;-{i % 5},25;0,{i}" for i in range(10))
    points, y, task, _ = parse_points_csv(text.encode())
    assert task == "regression"
    assert points[3].tolist() == [3.5, -3.25] and y[3] == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b",,", "header must be x1,x2,label"),
        (b",,\n,,\n", "header must be x1,x2,label"),
        (b"x1,x2\n" + b"1,2,1\n" * 12, "header must be x1,x2,label"),
        (b"\n\n" + GOOD.replace("\n1,", "\n1,5,", 1).encode(), "line 8 has 4 fields; every line needs 3"),
        (GOOD.replace("\n", "\n\n").replace("1\n", "x\n", 1).encode(), r"line 5: 'x' is not a number"),
        (GOOD.replace(",1\n", "\n", 1).encode(), "line 3 has an empty value"),
        (GOOD.replace("\n1,", '\n"1,', 1).encode(), "cannot read the file as CSV"),  # a quote never closed
        (b"\xff\xfe" + b"\x00" * 3, "binary"),
    ],
)
def test_malformed_files_name_the_problem_and_its_line(raw, message):
    with pytest.raises(CSVError, match=message) as error:
        parse_points_csv(raw)
    assert "\n" not in str(error.value)


@settings(max_examples=300, deadline=None, derandomize=True)  # the same inputs on every CI run
@given(
    st.one_of(
        st.binary(max_size=64),
        st.binary(max_size=64).map(lambda tail: b"x1,x2,label\n" + tail),
        st.text(alphabet='x12label,;\t\r\n" .-e9naif', max_size=300).map(str.encode),
        st.text(alphabet='0123456789,;\t\r\n" .-+eE', max_size=600).map(lambda t: b"x1,x2,y\n" + t.encode()),
    )
)
def test_any_bytes_either_load_or_raise_the_documented_one_line_error(raw):
    try:
        points, y, task, note = parse_points_csv(raw)
    except CSVError as error:
        assert str(error) and "\n" not in str(error) and "\r" not in str(error)
    else:
        assert points.shape == (len(y), 2) and MIN_POINTS <= len(y) <= MAX_POINTS
        assert np.isfinite(points).all() and np.isfinite(y).all() and task in ("classification", "regression")
        assert note.startswith(f"{len(y)} points, {task}")
