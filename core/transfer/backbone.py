"""The one adapter between transfer learning and the image page's pretrained-model registry.

Everything the transfer page needs from a pretrained classifier goes through here: which models can serve
as a backbone, the backbone itself (image -> pooled feature vector), its blocks in input-to-output order
(what the freezing slider counts), and its preprocessing. Registry calls used: `DEFAULT_MODEL`,
`available_models()`, `get_model(name)` (its `title`, `source`, `origin`, `preprocessing`, `build`) and
`load_model(entry)` (its `.module`), and the `ModelUnavailable` error.
"""

import copy
from dataclasses import dataclass

import torch
from torch import nn

from core.runtime import holds_global_rng
from core.vision.registry import DEFAULT_MODEL, ModelUnavailable, Preprocessing, available_models, get_model
from core.vision.registry import load_model as load_registry_model

__all__ = [
    "DEFAULT_BACKBONE",
    "Backbone",
    "ModelUnavailable",
    "backbone_names",
    "backbone_title",
    "load_backbone",
    "load_classifier",
]

DEFAULT_BACKBONE = DEFAULT_MODEL


class Trunk(nn.Module):
    """A classifier without its last layer: picture -> global-average-pooled feature vector."""

    def __init__(self, blocks: list[tuple[str, nn.Module]]) -> None:
        super().__init__()
        self.blocks = nn.ModuleDict(blocks)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H, W) -> (B, D)
        for block in self.blocks.values():
            x = block(x)
        return x.mean(dim=(2, 3))


class _Stem(nn.Sequential):
    """Convolution, batch norm, activation: the first block of EfficientNet-Lite and ResNet."""


def _lite_blocks(net: nn.Module) -> list[tuple[str, nn.Module]]:
    """EfficientNet-Lite (efficientnet-lite-pytorch): stem, the MBConv blocks, the 1x1 head convolution.

    Mirrors the package's `extract_features`: the blocks' drop-connect rate is only used in training, and the
    package scales it by depth; it is kept here (`drop_connect_rate`) so fine-tuning trains the same network.
    """
    act = nn.ReLU6()  # the package's _swish is ReLU6 for the Lite variants
    blocks: list[tuple[str, nn.Module]] = [("stem", _Stem(net._conv_stem, net._bn0, act))]
    rate = net._global_params.drop_connect_rate or 0.0
    for i, block in enumerate(net._blocks):
        blocks.append((f"block{i + 1}", _MBConv(block, rate * i / len(net._blocks))))
    blocks.append(("head", _Stem(net._conv_head, net._bn1, nn.ReLU6())))
    return blocks


class _MBConv(nn.Module):
    """One package MBConv block with its depth-scaled drop-connect rate bound in."""

    def __init__(self, block: nn.Module, drop_connect_rate: float) -> None:
        super().__init__()
        self.block = block
        self.drop_connect_rate = drop_connect_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block(x, drop_connect_rate=self.drop_connect_rate)


def _resnet_blocks(net: nn.Module) -> list[tuple[str, nn.Module]]:
    """torchvision ResNet: stem (conv, bn, relu, max-pool) and its four stages."""
    stem = _Stem(net.conv1, net.bn1, net.relu, net.maxpool)
    return [("stem", stem)] + [(f"layer{i}", getattr(net, f"layer{i}")) for i in range(1, 5)]


def _mobilenet_blocks(net: nn.Module) -> list[tuple[str, nn.Module]]:
    """torchvision MobileNet: each entry of `features`."""
    return [(f"features{i}", block) for i, block in enumerate(net.features)]


def split_blocks(module: nn.Module) -> list[tuple[str, nn.Module]]:
    """The feature blocks of a registry classifier, recognised by its structure (so new entries of the
    same families work without a change here)."""
    net = getattr(module, "net", module)  # the registry wraps EfficientNet-Lite as `.net`
    if hasattr(net, "_blocks") and hasattr(net, "_conv_head"):
        return _lite_blocks(net)
    if hasattr(net, "layer4"):
        return _resnet_blocks(net)
    if hasattr(net, "features") and hasattr(net, "avgpool"):
        return _mobilenet_blocks(net)
    raise ModelUnavailable(f"no transfer-learning adapter for {type(net).__name__}")


@dataclass
class Backbone:
    """A pretrained (or freshly initialised) feature extractor and what is needed to feed it."""

    name: str  # registry name
    title: str
    origin: str  # where the weights come from, for the page to name
    preprocessing: Preprocessing
    trunk: Trunk  # (B, 3, H, W) -> (B, feature_dim)
    feature_dim: int
    pretrained: bool

    @property
    def block_names(self) -> list[str]:
        """The blocks the freezing slider counts, input side first."""
        return list(self.trunk.blocks)


def backbone_names() -> list[str]:
    """Registry models whose weights are on this machine, offline default first."""
    return available_models()


def backbone_title(name: str) -> str:
    """The registry's display name for a model."""
    return get_model(name).title


def load_classifier(name: str) -> nn.Module:
    """A private copy of the registry's whole pretrained classifier (for the seed's recipe)."""
    return copy.deepcopy(load_registry_model(get_model(name), torch.device("cpu")).module)


def load_backbone(name: str = DEFAULT_BACKBONE, pretrained: bool = True, seed: int = 0) -> Backbone:
    """A private copy of the registry model's trunk (safe to train); random weights drawn from `seed` when
    not `pretrained`.

    ModelUnavailable (one line) when the weights are not on this machine.
    """
    entry = get_model(name)
    if pretrained:
        module = load_classifier(name)
    else:
        with holds_global_rng(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = entry.build()
    trunk = Trunk(split_blocks(module)).eval()
    with torch.inference_mode():
        dim = trunk(torch.zeros(1, 3, 64, 64)).shape[1]
    return Backbone(
        name, entry.title, f"{entry.source}: {entry.origin}", entry.preprocessing, trunk, dim, pretrained
    )
