"""AppTests for the Transfer learning page: built-in task, own classes with uploads, bad inputs, the
freezing comparison and the seed's recipe."""

import io
import time

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.app.helpers import open_page

PAGE = "pages/transfer_learning.py"


def png(colour: tuple[int, int, int], seed: int) -> bytes:
    """A 64x64 picture: one colour plus noise, so pictures of one class look alike."""
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 20, (64, 64, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def play_until_done(at: AppTest, key: str, timeout: float = 240) -> None:
    runner = at.session_state[key]
    runner.play()
    deadline = time.monotonic() + timeout
    while not runner.read(lambda job: job.done) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.1)
    assert runner.read(lambda job: job.done)
    at.run()


def test_textures_head_trains_shows_its_numbers_and_predicts() -> None:
    at = open_page(PAGE, timeout=600)
    assert metrics(at)["Epoch"] == "0 / 40"
    at.button(key="tl_step").click().run()
    assert metrics(at)["Epoch"] == "1 / 40"
    play_until_done(at, "tl_runner")
    assert metrics(at)["Epoch"] == "40 / 40" and not at.exception
    lines = at.success[0].value.split(" · ")
    assert lines[0].startswith("train loss (last epoch) ")
    test_accuracy = float(lines[2].removeprefix("test accuracy "))
    assert test_accuracy >= 0.95  # the head alone, on the texture half it never saw
    chart_keys = {c.proto.id for c in at.get("plotly_chart")}
    assert len(chart_keys) >= 5  # counts, curves, confusion, per-class accuracy, probabilities
    assert any(c.value.startswith("True class: **") for c in at.caption)  # the test picture predicted


def test_bad_class_lists_each_get_one_line() -> None:
    at = open_page(PAGE, timeout=600)
    at.radio(key="tl_source").set_value("own").run()
    for text, message in (
        ("cats", "name at least 2 classes (you named 1)"),
        ("cats, , dogs", "a class name is empty: remove the extra comma or name it"),
        ("cats, Cats", "class name 'Cats' is used twice: each class needs its own name"),
    ):
        at.text_input(key="tl_classes").set_value(text).run()
        assert [e.value for e in at.error] == [message]
        assert not at.exception
    at.text_input(key="tl_classes").set_value("red, blue").run()
    assert [e.value for e in at.error] == [
        "class 'red' has no images: add some",
        "class 'blue' has no images: add some",
    ]


def test_own_classes_from_uploads_train_and_a_bad_file_gets_one_line() -> None:
    at = open_page(PAGE, timeout=600)
    at.radio(key="tl_source").set_value("own").run()
    at.text_input(key="tl_classes").set_value("red, blue").run()
    reds = [(f"red{i}.png", png((220, 30, 30), i), "image/png") for i in range(5)]
    at.file_uploader(key="tl_upload_0").set_value(
        [*reds, ("broken.png", b"not a picture", "image/png")]
    ).run()
    assert [w.value for w in at.warning] == [
        "broken.png: not an image: Pillow recognises no image format in it "
        "(use jpg, jpeg, png, webp, bmp, gif, tif, tiff)"
    ]
    blues = [(f"blue{i}.png", png((30, 30, 220), 10 + i), "image/png") for i in range(5)]
    at.file_uploader(key="tl_upload_1").set_value(blues).run()
    assert not at.error and not at.exception
    assert {"5 pictures in 'red'", "5 pictures in 'blue'"} <= {c.value for c in at.caption}
    at.button(key="tl_clear_1").click().run()
    assert [e.value for e in at.error] == ["class 'blue' has no images: add some"]
    at.file_uploader(key="tl_upload_1").set_value(blues).run()  # the same files again: new uploads
    assert "5 pictures in 'blue'" in {c.value for c in at.caption} and not at.error
    play_until_done(at, "tl_runner")
    lines = at.success[0].value.split(" · ")
    assert lines[1] == "validation accuracy 1.0000"  # 1 red and 1 blue held out
    at.radio(key="tl_predict_source").set_value("Upload").run()
    at.file_uploader(key="tl_predict_upload").set_value(
        ("new.png", png((200, 40, 40), 99), "image/png")
    ).run()
    probs = at.get("plotly_chart")[-1].proto.spec
    assert '"red"' in probs and not at.exception
    at.file_uploader(key="tl_predict_upload").set_value(
        ("cut.png", png((0, 0, 0), 1)[:300], "image/png")
    ).run()
    assert [e.value for e in at.error] == [
        "cut.png: the PNG data is truncated or corrupt (image file is truncated)"
    ]


def test_a_camera_shot_joins_the_chosen_class() -> None:
    at = open_page(PAGE, timeout=600)
    at.radio(key="tl_source").set_value("own").run()
    at.text_input(key="tl_classes").set_value("red, blue").run()
    at.selectbox(key="tl_camera_class").set_value("blue").run()
    shot = io.BytesIO()
    Image.open(io.BytesIO(png((30, 30, 220), 5))).save(shot, "JPEG")
    at.camera_input(key="tl_camera").set_value(("shot.jpg", shot.getvalue(), "image/jpeg")).run()
    captions = {c.value for c in at.caption}
    assert {"0 pictures in 'red'", "1 picture in 'blue'"} <= captions
    assert [e.value for e in at.error] == ["class 'red' has no images: add some"]


def test_freezing_comparison_steps_all_three_and_shows_embeddings() -> None:
    at = open_page(PAGE, timeout=600)
    at.slider(key="tl_frozen").set_value(18).run()
    assert metrics(at)["Trainable parameters"] == f"{1280 * 3 + 3:,}"
    assert metrics(at)["Frozen parameters"] == "3,371,008"
    at.slider(key="tl_frozen").set_value(0).run()
    assert metrics(at)["Frozen parameters"] == "0"
    at.slider(key="tl_frozen").set_value(12).run()
    at.button(key="tl_cmp_step").click().run(timeout=600)
    shown = metrics(at)
    assert all(shown[name].endswith("%") for name in ("from scratch", "frozen", "fine-tuned"))
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Pretrained features, PCA" in t for t in titles)
    assert any("Fine-tuned features, PCA" in t for t in titles)


def test_the_seed_recipe_runs_on_the_offline_model() -> None:
    at = open_page(PAGE, timeout=600)
    assert any("ResNet18_Weights.DEFAULT" in c.value for c in at.code)
    at.button(key="tl_run_recipe").click().run()
    assert any(c.value == "_fc.weight\n_fc.bias" for c in at.code)
    assert any("3,843 trainable and 3,371,008 frozen parameters." in c.value for c in at.caption)
