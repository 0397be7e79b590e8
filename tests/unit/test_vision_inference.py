"""The offline model on real photos from installed packages, the classify contract, Grad-CAM by hand."""

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.vision.examples import EXAMPLES, example_image, example_names
from core.vision.gradcam import grad_cam
from core.vision.inference import classify
from core.vision.registry import MODELS, LoadedModel, get_model, load_model

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def lite0() -> LoadedModel:
    return load_model(get_model("efficientnet_lite0"), device=CPU)


# The known subjects, named: (example, ImageNet classes of which one must be in the top 5).
KNOWN = [(name, e.expected) for name, e in EXAMPLES.items() if e.expected]


def test_known_subjects_are_named() -> None:
    assert dict(KNOWN) == {
        "cat": ("tiger cat", "Egyptian cat", "tabby"),
        "coffee": ("espresso", "cup"),
        "rocket": ("missile", "projectile", "space shuttle"),
        "motorcycle": ("moped", "motor scooter"),
        "cameraman": ("tripod",),
        "palace": ("palace",),
        "flower": ("daisy",),
    }


@pytest.mark.parametrize(("name", "expected"), KNOWN, ids=[name for name, _ in KNOWN])
def test_offline_model_is_right_on_the_example_photos(lite0: LoadedModel, name: str, expected: tuple) -> None:
    result = classify(lite0, example_image(name).image, top_k=5)
    top5 = [p.label for p in result.predictions]
    assert set(expected) & set(top5), f"{name}: expected one of {expected} in the top 5, got {top5}"
    assert result.predictions[0].label in expected, f"{name}: top-1 {top5[0]}"


def test_wrong_normalisation_costs_accuracy(lite0: LoadedModel) -> None:
    """The reason the registry carries preprocessing: ImageNet's mean/std loses top-1 answers on Lite0."""
    imagenet = replace(lite0.entry.preprocessing, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
    wrong = replace(lite0, entry=replace(lite0.entry, preprocessing=imagenet))

    def top1_hits(model: LoadedModel) -> int:
        return sum(classify(model, example_image(n).image, 1).predictions[0].label in exp for n, exp in KNOWN)

    assert top1_hits(lite0) == len(KNOWN)
    assert top1_hits(wrong) < len(KNOWN)


def test_classify_contract(lite0: LoadedModel) -> None:
    result = classify(lite0, example_image("coffee").image, top_k=7)
    assert result.model == "efficientnet_lite0" and result.ms > 0
    assert result.model_input.size == (224, 224) and result.model_input.mode == "RGB"
    probs = [p.prob for p in result.predictions]
    assert len(probs) == 7 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    for p in result.predictions:
        assert 0 <= p.index < 1000 and lite0.entry.categories[p.index] == p.label
    row = result.as_json()
    assert set(row) == {"model", "predictions", "ms"}
    assert set(row["predictions"][0]) == {"label", "index", "prob"}
    with pytest.raises(ValueError, match="top_k must be between 1 and 1000"):
        classify(lite0, example_image("coffee").image, top_k=0)


def test_every_example_loads_as_rgb() -> None:
    for name in example_names():
        image = example_image(name).image
        assert image.mode == "RGB" and min(image.size) >= 224, name


def grad_cam_by_hand(loaded: LoadedModel, x: torch.Tensor, target: int) -> np.ndarray:
    """Grad-CAM written out: channel weights = mean gradient, weighted sum of activations, ReLU, upsample."""
    captured = {}
    layer = loaded.entry.cam_layer(loaded.module)
    handle = layer.register_forward_hook(lambda _m, _i, out: captured.setdefault("a", out))
    try:
        logits = loaded.module(x)
    finally:
        handle.remove()
    activations = captured["a"]  # (1, C, 7, 7)
    (gradients,) = torch.autograd.grad(logits[0, target], activations)
    weights = gradients.mean(dim=(2, 3), keepdim=True)  # (1, C, 1, 1)
    cam = F.relu((weights * activations).sum(dim=1, keepdim=True))  # (1, 1, 7, 7)
    cam = F.interpolate(cam, size=x.shape[-2:], mode="bilinear")[0, 0].detach().numpy()
    return cam / cam.max()


def test_grad_cam_matches_the_hand_written_version(lite0: LoadedModel) -> None:
    result = classify(lite0, example_image("cat").image)
    target = result.predictions[0].index
    cam = grad_cam(lite0, result.model_input, target)
    x = lite0.entry.preprocessing.normalise(result.model_input)[None]
    assert cam.shape == (224, 224) and cam.min() >= 0 and cam.max() == pytest.approx(1.0)
    np.testing.assert_allclose(cam, grad_cam_by_hand(lite0, x, target), atol=1e-4)
    # another class is found elsewhere: the map depends on the target
    other = grad_cam(lite0, result.model_input, lite0.entry.categories.index("window screen"))
    assert np.abs(cam - other).mean() > 0.05


@pytest.mark.parametrize("name", [n for n in MODELS if n != "efficientnet_lite0"])
def test_grad_cam_layer_of_each_torchvision_model(name: str) -> None:
    entry = get_model(name)
    torch.manual_seed(0)
    loaded = LoadedModel(entry, entry.build().eval(), CPU, 0.0)  # random weights: only the wiring is tested
    crop = example_image("cat").image.resize((224, 224))
    cam = grad_cam(loaded, crop, target=3)
    assert cam.shape == (224, 224) and cam.min() >= 0 and cam.max() <= 1
    captured = {}
    entry.cam_layer(loaded.module).register_forward_hook(lambda _m, _i, out: captured.setdefault("a", out))
    with torch.no_grad():
        loaded.module(torch.zeros(1, 3, 224, 224))
    assert captured["a"].shape[-2:] == (7, 7)  # the last conv block, before pooling


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_default_device_is_cuda_and_agrees_with_the_cpu(lite0: LoadedModel) -> None:
    on_gpu = load_model(get_model("efficientnet_lite0"))  # no device given: pick_device()
    assert next(on_gpu.module.parameters()).is_cuda
    photo = example_image("cat").image
    gpu, cpu = classify(on_gpu, photo), classify(lite0, photo)
    assert [p.index for p in gpu.predictions] == [p.index for p in cpu.predictions]
    assert gpu.predictions[0].prob == pytest.approx(cpu.predictions[0].prob, abs=1e-3)
    cam_gpu = grad_cam(on_gpu, gpu.model_input, gpu.predictions[0].index)
    np.testing.assert_allclose(cam_gpu, grad_cam(lite0, cpu.model_input, cpu.predictions[0].index), atol=1e-2)
