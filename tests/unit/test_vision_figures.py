"""Image-classification figures, checked without a browser."""

import numpy as np
from PIL import Image

from core.vision.figures import gradcam_overlay, topk_bars
from core.vision.inference import TopClass

PREDICTIONS = [
    TopClass("espresso", 967, 0.9),
    TopClass("cup", 968, 0.06),
    TopClass("consomme", 925, 0.01),
]


def test_topk_bars_most_probable_on_top() -> None:
    fig = topk_bars(PREDICTIONS, "EfficientNet-Lite0", highlight=968)
    bar = fig.data[0]
    assert list(bar.y) == ["espresso (967)", "cup (968)", "consomme (925)"]
    assert list(bar.x) == [0.9, 0.06, 0.01] and list(bar.text) == ["90.0%", "6.0%", "1.0%"]
    assert fig.layout.yaxis.autorange == "reversed"
    assert bar.marker.color[1] != bar.marker.color[0]  # the Grad-CAM class stands out


def test_gradcam_overlay_puts_the_map_on_the_picture() -> None:
    crop = Image.new("RGB", (224, 224), (10, 20, 30))
    cam = np.linspace(0, 1, 224 * 224).reshape(224, 224)
    fig = gradcam_overlay(crop, cam, "tiger cat")
    image, heat = fig.data
    assert image.type == "image" and np.asarray(image.z).shape == (224, 224, 3)
    assert heat.type == "heatmap" and np.asarray(heat.z).shape == (224, 224) and 0 < heat.opacity < 1
    assert fig.layout.title.text == "tiger cat"
