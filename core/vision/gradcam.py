"""Grad-CAM: where in the picture the evidence for one class lies, seen from the last conv block."""

import numpy as np
import torch
from captum.attr import LayerAttribution, LayerGradCam
from PIL import Image

from core.vision.registry import LoadedModel

GRAD_CAM_SCALE_NOTE = (
    "Grad-CAM maps keep only the evidence for the class (negative values are set to 0, a ReLU) and each map "
    "is divided by its own peak, so full red means the strongest evidence in that map, not a fixed amount: "
    "colours cannot be compared across classes or models, only where each map is red."
)


def grad_cam(loaded: LoadedModel, crop: Image.Image, target: int) -> np.ndarray:
    """A (crop, crop) map in [0, 1] of how much each region raises class `target`'s logit.

    `crop` is the picture the model saw (Classification.model_input). captum's LayerGradCam weights each
    channel of the last conv block's output (⌈crop/32⌉ on a side: 7×7 for 224, 9×9 for 260) by the mean
    gradient of the target logit, sums them and keeps the positive part; that coarse map is upsampled
    bilinearly to the crop's size and divided by its own peak (GRAD_CAM_SCALE_NOTE).
    """
    x = loaded.entry.preprocessing.normalise(crop)[None].to(loaded.device)  # (1, 3, H, W)
    layer = loaded.entry.cam_layer(loaded.module)
    # The lock: captum hooks `layer` for the duration of the call, and the model is shared between sessions.
    with loaded.lock, torch.enable_grad():
        coarse = LayerGradCam(loaded.module, layer).attribute(x, target=int(target), relu_attributions=True)
    cam = LayerAttribution.interpolate(coarse.detach(), tuple(x.shape[-2:]), interpolate_mode="bilinear")
    cam = cam[0, 0].clamp_min(0).cpu().numpy()  # (H, W); bilinear upsampling keeps it >= 0 up to rounding
    peak = float(cam.max())
    return cam / peak if peak > 0 else cam
