"""What a trained CNN learned: first-layer filters, every conv layer's feature maps, the confusion matrix and
its misclassified examples, and Grad-CAM."""

import numpy as np
import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

from core.cnn.model import conv_layers


def first_filters(model: nn.Module) -> np.ndarray | None:
    """The first conv layer's kernels (out_channels, in_channels, k, k), or None for a model without convs."""
    convs = conv_layers(model)
    return convs[0][1].weight.detach().numpy().copy() if convs else None


def feature_maps(model: nn.Module, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(layer name, output (channels, H, W)) of every conv layer for one image (C, H, W), in order.

    The conv's own output (before ReLU and pooling), caught with forward hooks on one eval-mode pass."""
    maps: list[tuple[str, np.ndarray]] = []
    hooks = [
        conv.register_forward_hook(lambda _m, _i, out, name=name: maps.append((name, out[0].numpy().copy())))
        for name, conv in conv_layers(model)
    ]
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None])
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    return maps


def predict(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """Softmax probabilities (N, classes) for images (N, C, H, W), in eval mode."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))), 1)
    model.train(was_training)
    return probs.numpy()


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """(classes, classes) counts: row = true class, column = predicted class."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def cell_examples(
    labels: np.ndarray, predicted: np.ndarray, true: int, guess: int, limit: int = 12
) -> np.ndarray:
    """Indices of up to `limit` test examples of class `true` that were predicted as `guess`."""
    return np.flatnonzero((labels == true) & (predicted == guess))[:limit]


def grad_cam(model: nn.Module, image: np.ndarray, target: int, layer: nn.Module | None = None) -> np.ndarray:
    """An (H, W) Grad-CAM map in [0, 1] for class `target` on one image (C, H, W), the input's own size.

    captum's LayerGradCam weights each channel of `layer`'s output (default: the last conv layer) by the mean
    gradient of the target logit over its positions, sums the channels and keeps the positive part; the map
    is upsampled bilinearly to the input's size and scaled to its own peak (so its colours are relative to
    this image and class only)."""
    layer = layer or conv_layers(model)[-1][1]
    x = torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32))[None]  # (1, C, H, W)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            coarse = LayerGradCam(model, layer).attribute(x, target=int(target), relu_attributions=True)
    finally:
        model.train(was_training)
    cam = LayerAttribution.interpolate(coarse.detach(), tuple(x.shape[-2:]), interpolate_mode="bilinear")
    cam = cam[0, 0].clamp_min(0).numpy()  # (H, W)
    peak = float(cam.max())
    return cam / peak if peak > 0 else cam
