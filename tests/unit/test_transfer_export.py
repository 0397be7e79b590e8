"""The exported head and scripts: reloading gives the same predictions, the scripts print the page's numbers,
and the textures task reaches its accuracy with the head alone."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.datasets_offline import MNIST_SHA256
from core.transfer.backbone import load_backbone
from core.transfer.builtin import TASKS
from core.transfer.data import FeatureCache, crop_of, embed
from core.transfer.export import (
    RecipeSettings,
    head_bytes,
    load_head,
    predict_script,
    recipe_script,
    run_offline_recipe,
)
from core.transfer.train import HeadConfig, HeadJob
from core.transfer.workspace import from_task, head_data
from core.vision.images import load_image
from tests.generated import run_generated


@pytest.fixture(scope="module")
def textures():
    """The textures task on EfficientNet-Lite0, features extracted once for this module."""
    backbone = load_backbone()
    cache = FeatureCache(backbone.name)
    return backbone, cache, from_task(TASKS["textures"].load(), backbone, cache)


def test_textures_head_alone_reaches_95_percent_on_the_unseen_half(textures) -> None:
    backbone, cache, space = textures
    job = HeadJob(head_data(space, backbone, cache, 0.2, seed=0), 3, HeadConfig(seed=0))
    job.run()
    _, test_accuracy = job.evaluate(job.data.test_x, job.data.test_y)
    assert len(job.data.test_y) == 63 and test_accuracy >= 0.95


def test_exported_head_reloads_with_the_same_predictions(textures, tmp_path: Path) -> None:
    backbone, cache, space = textures
    job = HeadJob(head_data(space, backbone, cache, 0.2, seed=1), 3, HeadConfig(epochs=5, seed=1))
    job.run()
    data = head_bytes(job.head, space.classes, backbone.name)
    head, classes, name = load_head(data)
    assert classes == ["brick", "grass", "gravel"] and name == "efficientnet_lite0"
    for key, tensor in job.head.state_dict().items():
        assert torch.equal(head.state_dict()[key], tensor), key
    assert torch.equal(head(job.data.test_x), job.head(job.data.test_x))

    # The stand-alone predict script, on picture files, against the page's path for the same files.
    (tmp_path / "head.safetensors").write_bytes(data)
    files = []
    for i, (picture, _) in enumerate(TASKS["textures"].load().test[::20]):
        files.append(tmp_path / f"patch{i}.png")
        picture.save(files[-1])
    (tmp_path / "predict.py").write_text(predict_script(backbone))
    done = subprocess.run(
        [sys.executable, "predict.py", "head.safetensors", *[f.name for f in files]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == len(files)
    for path, line in zip(files, lines, strict=True):
        crop = crop_of(load_image(path.read_bytes()).image, backbone)
        expected = job.probabilities(embed(backbone, [crop]))[0]
        _, best, *probs = line.split(" ")
        assert best == space.classes[int(expected.argmax())]
        printed = [float(p.split("=")[1]) for p in probs]
        assert np.allclose(printed, expected.tolist(), atol=2e-6)


def test_training_script_prints_the_numbers_the_page_shows(textures, tmp_path: Path) -> None:
    backbone, cache, space = textures
    config = HeadConfig(epochs=4, lr=3e-3, batch_size=16, seed=2)
    job = HeadJob(head_data(space, backbone, cache, 0.3, seed=2, views=1), 3, config)
    job.run()
    settings = RecipeSettings("textures", tuple(space.classes), 0.3, 1, config)
    printed = run_generated(recipe_script(settings, backbone), tmp_path, timeout=600).strip().splitlines()
    assert printed == job.results()


def test_the_seed_recipe_on_the_offline_model_leaves_only_the_new_layer_trainable(tmp_path: Path) -> None:
    names, trainable, frozen = run_offline_recipe(10)
    assert names == ["_fc.weight", "_fc.bias"]
    assert trainable == 1280 * 10 + 10 and frozen == 3_371_008


@pytest.mark.parametrize("task", ["textures", "faces", "digits"])
def test_the_scripts_data_section_builds_the_pages_pictures(task: str) -> None:
    from core.transfer.export import _DATA

    settings = RecipeSettings(task, (), 0.2, 0, HeadConfig())
    script = recipe_script(settings, load_backbone())
    data_section = script.split("# ---- the data\n")[1].split("# ---- the backbone")[0]
    assert (
        data_section.strip()
        == _DATA[task]
        .substitute(
            patch=128, stride=64, sha256=MNIST_SHA256, train_per_class=20, test_per_class=10, classes="[]"
        )
        .strip()
    )
    namespace: dict[str, object] = {"np": np, "Image": Image, "Path": Path}
    exec(compile(data_section, f"<{task} data>", "exec"), namespace)  # our own template, as a learner runs it
    expected = TASKS[task].load()
    assert namespace["classes"] == expected.classes
    for part in ("train", "test"):
        mine, theirs = namespace[part], getattr(expected, part)
        assert [k for _, k in mine] == [k for _, k in theirs]
        assert all(a.tobytes() == b.tobytes() for (a, _), (b, _) in zip(mine, theirs, strict=True))


def test_every_lite_backbone_has_a_working_script_template() -> None:
    from core.transfer.export import backbone_code

    for name, crop in (("efficientnet_lite1", 240), ("efficientnet_lite2", 260)):
        namespace: dict[str, object] = {"torch": torch}
        exec(compile(backbone_code(name, crop), f"<{name}>", "exec"), namespace)  # as a learner runs it
        with torch.no_grad():
            assert namespace["features"](torch.zeros(1, 3, crop, crop)).shape == (1, 1280)
