"""The pretrained-model registry: entries, availability from local files, loading, and the download action."""

import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from torchvision import models as tvm

from core.runtime import pick_device
from core.vision.registry import (
    COMPARISON_DEFAULT,
    DEFAULT_MODEL,
    IMAGENET_CATEGORIES,
    MODELS,
    SOURCE_BUNDLED,
    SOURCE_TORCHVISION,
    ModelUnavailable,
    availability_report,
    available_models,
    checkpoints_dir,
    download_weights,
    get_model,
    load_model,
)


@pytest.fixture
def empty_torch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A TORCH_HOME with no cached weights; torch.hub.get_dir() reads the variable on every call."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


def save_random_resnet18(torch_home: Path) -> tuple[Path, torch.nn.Module]:
    """The real ResNet-18 architecture with seeded random weights, cached under torchvision's file name."""
    torch.manual_seed(0)
    model = tvm.resnet18(weights=None).eval()
    path = torch_home / "hub" / "checkpoints" / Path(tvm.ResNet18_Weights.DEFAULT.url).name
    path.parent.mkdir(parents=True)
    torch.save(model.state_dict(), path)
    return path, model


LITE = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")
# Each family's own input resolution: EfficientNet-Lite's from the TensorFlow builder's (width, depth,
# resolution, dropout) table, torchvision's from its weights' transforms.
FAMILY_CROP = {
    "efficientnet_lite0": 224,
    "efficientnet_lite1": 240,
    "efficientnet_lite2": 260,
    "resnet18": 224,
    "resnet50": 224,
    "mobilenet_v3_large": 224,
}


def test_every_entry_names_its_source_preprocessing_and_labels() -> None:
    assert DEFAULT_MODEL == "efficientnet_lite0" and next(iter(MODELS)) == DEFAULT_MODEL
    assert COMPARISON_DEFAULT in LITE and COMPARISON_DEFAULT != DEFAULT_MODEL
    assert set(MODELS) == set(FAMILY_CROP)
    for entry in MODELS.values():
        assert entry.source in (SOURCE_BUNDLED, SOURCE_TORCHVISION)
        assert len(entry.categories) == 1000 and entry.categories == IMAGENET_CATEGORIES
        assert entry.origin and entry.build_code and 60 < entry.top1 < 90
    assert [MODELS[name].top1 for name in LITE] == [75.1, 76.7, 77.6]  # TensorFlow's published float top-1
    assert IMAGENET_CATEGORIES[281] == "tabby" and IMAGENET_CATEGORIES[967] == "espresso"


@pytest.mark.parametrize("name", list(FAMILY_CROP))
def test_crop_size_of_each_entry_is_its_familys(name: str) -> None:
    pre = MODELS[name].preprocessing
    assert pre.crop == FAMILY_CROP[name] and pre.resize > pre.crop
    assert f"centre crop {pre.crop}×{pre.crop}" in pre.describe()


def test_lite_resolutions_are_the_architecture_packages() -> None:
    from efficientnet_lite_pytorch.utils import efficientnet_params

    for name in LITE:
        _, _, resolution, _ = efficientnet_params(name.replace("_", "-"))
        assert MODELS[name].preprocessing.crop == resolution


def test_torchvision_entries_come_from_the_weights_api() -> None:
    entry = MODELS["resnet50"]
    weights = tvm.ResNet50_Weights.DEFAULT
    assert entry.origin == "torchvision ResNet50_Weights.IMAGENET1K_V2"
    assert entry.url == weights.url
    transforms = weights.transforms()
    assert entry.preprocessing.resize == transforms.resize_size[0] == 232
    assert entry.preprocessing.mean == tuple(transforms.mean)


@pytest.mark.parametrize("name", LITE)
def test_lite_preprocessing_is_tensorflows_not_imagenets(name: str) -> None:
    pre = MODELS[name].preprocessing
    assert pre.mean == pytest.approx((127 / 255,) * 3) and pre.std == pytest.approx((128 / 255,) * 3)
    assert pre.interpolation.value == "bicubic" and pre.resize == pre.crop + 32  # TF's crop_padding 32
    assert (
        MODELS["efficientnet_lite0"].preprocessing.resize,
        MODELS["efficientnet_lite0"].preprocessing.crop,
    ) == (
        256,
        224,
    )


@pytest.mark.parametrize("name", LITE)
def test_offline_lite_models_load_in_eval_mode_on_the_picked_device(
    empty_torch_home: Path, name: str
) -> None:
    assert available_models() == list(LITE)
    loaded = load_model(get_model(name))
    assert not loaded.module.training
    assert next(loaded.module.parameters()).device.type == pick_device().type
    # strict loading put the packaged weights in, not the random initialisation
    state = torch.load(loaded.entry.weights_file(), map_location="cpu", weights_only=True)
    assert torch.equal(loaded.module.net._fc.weight.cpu(), state["_fc.weight"])
    assert set(loaded.module.net.state_dict()) == set(state)
    assert loaded.parameter_count == sum(p.numel() for p in loaded.module.parameters())


def test_lite_weights_load_with_strict_keys_and_weights_only(tmp_path: Path) -> None:
    lite1, lite2 = get_model("efficientnet_lite1"), get_model("efficientnet_lite2")
    mismatched = replace(lite2, weights_file=lite1.weights_file)  # Lite1's tensors have other shapes
    with pytest.raises(ModelUnavailable, match=r"EfficientNet-Lite2 weights at .* could not be loaded"):
        load_model(mismatched, torch.device("cpu"))
    state = torch.load(lite2.weights_file(), map_location="cpu", weights_only=True)
    state["extra.weight"] = torch.zeros(1)
    extra_key = tmp_path / "extra.pth"
    torch.save(state, extra_key)
    with pytest.raises(ModelUnavailable, match="could not be loaded") as error:
        load_model(replace(lite2, weights_file=lambda: extra_key), torch.device("cpu"))
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in str(error.value.__cause__)
    pickled_object = tmp_path / "object.pth"
    torch.save({"model": Path("not a tensor")}, pickled_object)  # a pickle that is not just tensors
    with pytest.raises(ModelUnavailable, match="could not be loaded"):
        load_model(replace(lite2, weights_file=lambda: pickled_object), torch.device("cpu"))


def test_torchvision_model_unavailable_without_cache_says_how_to_get_it(empty_torch_home: Path) -> None:
    entry = get_model("resnet50")
    status = entry.availability()
    assert not status.available
    assert status.path == empty_torch_home / "hub" / "checkpoints" / "resnet50-11ad3fa6.pth"
    assert "python -m core classify --download resnet50" in status.reason
    assert "resnet50-11ad3fa6.pth" in status.reason
    with pytest.raises(ModelUnavailable, match="not cached"):
        load_model(entry)
    report = {row["name"]: row for row in availability_report()}
    assert all(report[name]["available"] is True for name in LITE)
    assert report["resnet50"]["available"] is False and "how_to_get" in report["resnet50"]


def test_cached_torchvision_weights_are_found_and_loaded(empty_torch_home: Path) -> None:
    path, reference = save_random_resnet18(empty_torch_home)
    assert checkpoints_dir() == path.parent
    assert available_models() == [*LITE, "resnet18"]
    loaded = load_model(get_model("resnet18"), device=torch.device("cpu"))
    assert not loaded.module.training
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(loaded.module(x), reference(x), atol=1e-5)


def test_unreadable_cache_file_gives_a_clear_error(empty_torch_home: Path) -> None:
    path = empty_torch_home / "hub" / "checkpoints" / "resnet18-f37072fd.pth"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelUnavailable, match=r"^ResNet-18 weights at .* could not be loaded: "):
        load_model(get_model("resnet18"))


def test_unknown_model_name_lists_the_choices() -> None:
    with pytest.raises(
        ModelUnavailable,
        match="choose one of efficientnet_lite0, efficientnet_lite1, efficientnet_lite2, resnet18",
    ):
        get_model("vgg16")


def test_download_fails_clearly_without_a_network(
    empty_torch_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = replace(get_model("resnet18"), url="http://127.0.0.1:9/resnet18-f37072fd.pth")  # nothing listens
    monkeypatch.setitem(MODELS, "resnet18", entry)  # download_weights fetches registry entries only
    with pytest.raises(ModelUnavailable, match="could not download ResNet-18 weights"):
        download_weights(entry, timeout_s=2)
    assert list(checkpoints_dir().iterdir()) == []  # no partial file left behind


def test_download_gives_up_on_a_server_that_never_answers(
    empty_torch_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts the connection and then says nothing: without `timeout_s` on the read, the
    download would wait forever. It gives up by itself, with the same clear error."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody ever answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/resnet18-f37072fd.pth"
        entry = replace(get_model("resnet18"), url=url)
        monkeypatch.setitem(MODELS, "resnet18", entry)
        errors: list[Exception] = []

        def download() -> None:
            try:
                download_weights(entry, timeout_s=0.5)
            except ModelUnavailable as error:
                errors.append(error)

        worker = threading.Thread(target=download, daemon=True)
        worker.start()
        worker.join(timeout=120)  # generous: this waits for the give-up, it does not time it
        assert not worker.is_alive(), "download_weights still waits on a silent server"
    assert len(errors) == 1 and "could not download ResNet-18 weights" in str(errors[0]), errors
    assert "timed out" in str(errors[0])
    assert list(checkpoints_dir().iterdir()) == []


def test_bundled_model_has_nothing_to_download() -> None:
    with pytest.raises(ModelUnavailable, match="ships inside a package"):
        download_weights(get_model("efficientnet_lite0"))


@pytest.fixture
def local_http(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A localhost HTTP server over a folder, standing in for download.pytorch.org."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: object) -> None:  # keep pytest's output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_download_checks_the_hash_in_the_file_name(
    empty_torch_home: Path, local_http: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = local_http
    save_random_resnet18(tmp_path / "elsewhere")
    payload = (tmp_path / "elsewhere" / "hub" / "checkpoints" / "resnet18-f37072fd.pth").read_bytes()
    good = f"resnet18-{hashlib.sha256(payload).hexdigest()[:8]}.pth"
    (root / good).write_bytes(payload)
    (root / "resnet18-00000000.pth").write_bytes(payload)

    entry = get_model("resnet18")
    bad_entry = replace(
        entry,
        url=f"{base}/resnet18-00000000.pth",
        weights_file=lambda: checkpoints_dir() / "resnet18-00000000.pth",
    )
    monkeypatch.setitem(MODELS, "resnet18", bad_entry)  # download_weights fetches registry entries only
    with pytest.raises(ModelUnavailable, match="checksum mismatch"):
        download_weights(bad_entry, timeout_s=5)
    assert not bad_entry.availability().available

    good_entry = replace(entry, url=f"{base}/{good}", weights_file=lambda: checkpoints_dir() / good)
    monkeypatch.setitem(MODELS, "resnet18", good_entry)
    assert download_weights(good_entry, timeout_s=5).read_bytes() == payload
    assert good_entry.availability().available
    assert sorted(p.name for p in checkpoints_dir().iterdir()) == [good]
