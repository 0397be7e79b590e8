"""The CNN page's models: the seed's SimpleCNN adapted to the data, a configurable CNN, and an MLP baseline,
all built from one CNNConfig."""

import json
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from core.runtime import holds_global_rng

ARCHITECTURES = {
    "simple": "SimpleCNN (the seed's: conv 16, pool, conv 32, pool, linear)",
    "custom": "Configurable CNN",
    "mlp": "MLP baseline (no convolutions)",
}
OPTIMIZERS = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "adamw": torch.optim.AdamW}


@dataclass(frozen=True)
class CNNConfig:
    """One CNN training run: data, model, optimiser and budget. The page, the CLI and the exported PyTorch
    code are all derived from it."""

    dataset: str = "mnist"  # a key of core.cnn.data.DATASETS
    architecture: str = "custom"  # a key of ARCHITECTURES; "simple" is the seed's SimpleCNN as it was
    channels: int = 32  # custom: output channels of the first conv block; each next block doubles them
    kernel_size: int = 3  # custom: odd conv kernel side; padding kernel_size // 2 keeps the size
    blocks: int = 2  # custom: conv blocks, each conv -> (batch norm) -> ReLU -> 2×2 max-pool
    batch_norm: bool = True  # custom: BatchNorm2d after each conv
    dropout: float = 0.25  # custom and mlp: dropout probability before the last linear layer
    hidden: int = 128  # mlp: width of the hidden layer
    optimizer: str = "adam"  # a key of OPTIMIZERS
    lr: float = 1e-3  # learning rate at the start
    cosine: bool = True  # anneal the learning rate to 0 along a cosine over the whole run (CosineAnnealingLR)
    epochs: int = 5  # passes over the training set
    batch_size: int = 64  # examples per minibatch
    seed: int = 0  # initial weights and minibatch order

    def to_json(self) -> str:
        """The config as JSON (stored in weight files' metadata)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "CNNConfig":
        """The config written by to_json; unknown keys are ignored."""
        values = json.loads(text)
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})


class SimpleCNN(nn.Module):
    """The seed's SimpleCNN (conv 3→16, pool, conv 16→32, pool, linear to 10), for any input shape."""

    def __init__(self, in_channels: int = 3, size: int = 32, classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 16, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.flat = (size // 2 // 2) ** 2 * 32  # two 2×2 pools quarter each side
        self.fc = nn.Linear(self.flat, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))  # (B, 16, H/2, W/2)
        x = self.pool(F.relu(self.conv2(x)))  # (B, 32, H/4, W/4)
        return self.fc(x.flatten(1))  # (B, classes)


def custom_cnn(config: CNNConfig, in_channels: int, size: int, classes: int) -> nn.Sequential:
    """The configurable CNN: `blocks` × (conv, optional batch norm, ReLU, 2×2 max-pool), then linear."""
    layers: list[nn.Module] = []
    channels_in = in_channels
    for block in range(config.blocks):
        channels_out = config.channels * 2**block
        layers.append(
            nn.Conv2d(channels_in, channels_out, config.kernel_size, padding=config.kernel_size // 2)
        )
        if config.batch_norm:
            layers.append(nn.BatchNorm2d(channels_out))
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
        channels_in, size = channels_out, size // 2
    layers.append(nn.Flatten())
    if config.dropout > 0:
        layers.append(nn.Dropout(config.dropout))
    layers.append(nn.Linear(channels_in * size * size, classes))
    return nn.Sequential(*layers)


def mlp(config: CNNConfig, in_channels: int, size: int, classes: int) -> nn.Sequential:
    """The baseline without convolutions: flatten, one hidden ReLU layer, linear."""
    layers: list[nn.Module] = [nn.Flatten(), nn.Linear(in_channels * size * size, config.hidden), nn.ReLU()]
    if config.dropout > 0:
        layers.append(nn.Dropout(config.dropout))
    layers.append(nn.Linear(config.hidden, classes))
    return nn.Sequential(*layers)


class ConfigError(ValueError):
    """Settings that cannot build a model for this data (e.g. too many pools for 8×8 images)."""


def check_config(config: CNNConfig, shape: tuple[int, int, int]) -> None:
    """Raise ConfigError with one line when `config` cannot be built for images of `shape` (C, H, W)."""
    size = shape[1]
    pools = 2 if config.architecture == "simple" else config.blocks if config.architecture == "custom" else 0
    if size // 2**pools < 1:
        raise ConfigError(
            f"{pools} 2×2 poolings shrink a {size}×{size} image below 1 pixel: use fewer blocks"
        )
    if config.architecture not in ARCHITECTURES:
        raise ConfigError(f"unknown architecture {config.architecture!r}")
    if config.kernel_size % 2 == 0:
        raise ConfigError("use an odd kernel size, so that padding kernel_size // 2 keeps the image size")


@holds_global_rng()
def build_model(config: CNNConfig, shape: tuple[int, int, int], classes: int = 10) -> nn.Module:
    """The model `config` describes for images of `shape` (C, H, W), initialised from config.seed."""
    check_config(config, shape)
    torch.manual_seed(config.seed)
    channels, size = shape[0], shape[1]
    if config.architecture == "simple":
        return SimpleCNN(channels, size, classes)
    if config.architecture == "custom":
        return custom_cnn(config, channels, size, classes)
    return mlp(config, channels, size, classes)


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    """The model's Conv2d layers with their names, in order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def layer_shapes(model: nn.Module, shape: tuple[int, int, int]) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, layer description, output shape) of every leaf layer for one input of `shape`, in call order.

    Found with forward hooks on a real forward pass, so it is what PyTorch computes, not a formula."""
    rows: list[tuple[str, str, tuple[int, ...]]] = []
    hooks = [
        module.register_forward_hook(
            lambda m, _inputs, output, name=name: rows.append((name, repr(m), tuple(output.shape)))
        )
        for name, module in model.named_modules()
        if not list(module.children())
    ]
    try:
        with torch.no_grad():
            was_training = model.training
            model.eval()
            model(torch.zeros(1, *shape))
            model.train(was_training)
    finally:
        for hook in hooks:
            hook.remove()
    return rows
