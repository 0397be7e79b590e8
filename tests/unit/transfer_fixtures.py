"""A tiny stand-in backbone for fast transfer-learning tests: the Backbone shape, milliseconds a picture."""

import torch
from torch import nn
from torchvision.transforms import InterpolationMode

from core.transfer.backbone import Backbone, Trunk
from core.vision.registry import Preprocessing


def tiny_backbone(seed: int = 0) -> Backbone:
    """Three conv blocks with batch norm on 32x32 crops, 8 features."""
    torch.manual_seed(seed)
    blocks = [
        ("stem", nn.Sequential(nn.Conv2d(3, 4, 3, stride=2), nn.BatchNorm2d(4), nn.ReLU())),
        ("block1", nn.Sequential(nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.ReLU())),
        ("head", nn.Sequential(nn.Conv2d(8, 8, 1), nn.BatchNorm2d(8), nn.ReLU())),
    ]
    preprocessing = Preprocessing(40, 32, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), InterpolationMode.BILINEAR)
    return Backbone("tiny", "Tiny", "tests", preprocessing, Trunk(blocks).eval(), 8, True)
