"""The Convolutional networks page's prediction cards: output sizes by PyTorch's formula, CNNs trained live
on sklearn's digits through the page's runner, and the shipped MNIST CNN's reading of a test digit."""

import dataclasses
from collections.abc import Callable
from functools import cache

import numpy as np

from core.cards.card import Card, Live, Numbers, live_run
from core.cnn import conv
from core.cnn.data import ImageSplits, load_dataset
from core.cnn.inspect import predict
from core.cnn.model import CNNConfig
from core.cnn.train import CNNJob
from core.cnn.weights import load

GRID_SIDE = 6  # the explainer's small grid is 6×6
SIZES = ("28×28", "26×26", "25×25", "14×14")
ACCURACY = ("Above 95 %", "Between 85 % and 95 %", "Below 85 %")
# A run at too large a learning rate is knocked back to chance early and is still recovering when the cosine
# schedule ends: seed 0 gives 83–86 % depending on the CPU's kernels (AVX-512, AVX2, plain), so its bands
# keep well clear of that spread.
UNSETTLED = ("Above 95 %, as at lr 0.001", "Between 70 % and 95 %", "Below 70 %")


@cache
def dataset(name: str) -> ImageSplits:
    """A dataset's arrays, loaded once per process (read only)."""
    return load_dataset(name)


def conv_settings(source: str, **sliders: int) -> dict[str, object]:
    """The convolution part's widgets: the input, a 3×3 kernel and the sliders named."""
    values = {"cnn_part": "Convolution", "cnn_conv_source": source, "cnn_conv_op": "Convolution"}
    values |= {"cnn_conv_kernel": "sobel x", "cnn_conv_digit": 0} if source == "MNIST digit" else {}
    return values | {f"cnn_conv_{name}": value for name, value in sliders.items()}


def digit_output() -> Numbers:
    """The output of a 3×3 Sobel kernel over MNIST's test digit 0, padding 0, stride 1."""
    image = dataset("mnist").test_x[0, 0]  # (28, 28)
    out = conv.conv2d(image, conv.KERNELS["sobel x"], conv.Settings(3))
    return {"side": image.shape[0], "rows": out.shape[0], "cols": out.shape[1]}


def dilated() -> Numbers:
    """A 3×3 kernel with dilation 3 on the 6×6 grid, padding 0: its span, and the output side (0 when
    PyTorch refuses it)."""
    settings = conv.Settings(3, 1, 0, 3)
    try:
        conv.check((GRID_SIDE, GRID_SIDE), settings)
        side = conv.output_size(GRID_SIDE, settings)
    except conv.ImpossibleSettings:
        side = 0
    return {"span": settings.span, "side": side, "grid": GRID_SIDE}


def train_settings(config: CNNConfig) -> dict[str, object]:
    """The training part's widgets for `config` (seed from the sidebar)."""
    fields = dataclasses.asdict(config)
    seed = fields.pop("seed")
    return {"cnn_part": "Train a CNN", "global_seed": seed} | {f"cnn_{k}": v for k, v in fields.items()}


def run_numbers(job: CNNJob) -> Numbers:
    """The run's final test accuracy (%) and its parameter count."""
    snap = job.snapshot()
    return {"accuracy": 100 * float(snap.history.test_accuracy[-1]), "parameters": snap.parameters}


def accuracy_band(n: Numbers) -> int:
    """Above 95 % (0), 85–95 % (1), below 85 % (2)."""
    return 0 if n["accuracy"] > 95 else 1 if n["accuracy"] > 85 else 2


def unsettled_band(n: Numbers) -> int:
    """Above 95 % (0), 70–95 % (1), below 70 % (2): the bands of UNSETTLED."""
    return 0 if n["accuracy"] > 95 else 1 if n["accuracy"] > 70 else 2


def shipped_reading() -> Numbers:
    """The shipped CNN's probabilities for MNIST's test image 0: its top class, that class's p and p(1)."""
    probs = predict(load().model, dataset("mnist").test_x[:1])[0]  # (10,)
    top = int(np.argmax(probs))
    return {
        "label": int(dataset("mnist").test_y[0]),
        "top": top,
        "p_top": float(probs[top]),
        "p1": float(probs[1]),
    }


RUN = Live(runner="cnn_runner", measure=run_numbers)
DIGITS = CNNConfig(dataset="digits", epochs=10)
MLP = dataclasses.replace(DIGITS, architecture="mlp")
FAST = dataclasses.replace(DIGITS, lr=0.1)


def trained_card(
    name: str,
    config: CNNConfig,
    answers: tuple[str, ...] = ACCURACY,
    rule: Callable[[Numbers], int] = accuracy_band,
    **fields: object,
) -> Card:
    """A card that trains `config` live on the page's runner."""
    return Card(
        name=name,
        page="cnn",
        section="train",
        answers=answers,
        settings=train_settings(config),
        run=live_run(lambda: CNNJob(config, dataset(config.dataset)), RUN),
        rule=rule,
        live=RUN,
        **fields,
    )


CARDS = (
    Card(
        name="cnn-output-size",
        page="cnn",
        question="A **3×3** kernel over an MNIST digit (28×28) with **padding 0, stride 1**. The output's "
        "size?",
        answers=SIZES,
        settings=conv_settings("MNIST digit", stride=1, padding=0, dilation=1),
        run=digit_output,
        rule=lambda n: SIZES.index(f"{n['rows']}×{n['cols']}"),
        note="**{rows}×{cols}**: ⌊(28 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 26. A 3×3 window fits {rows} times "
        "along 28 pixels; padding 1 would keep 28, stride 2 would give 13×13.",
        explains=1,
    ),
    Card(
        name="cnn-dilation",
        page="cnn",
        question="The **small grid** (6×6), a 3×3 kernel with **dilation 3**, padding 0. The output?",
        answers=("4×4", "2×2", "1×1", "None: PyTorch refuses it"),
        settings=conv_settings("Small grid", stride=1, padding=0, dilation=3),
        run=dilated,
        rule=lambda n: {4: 0, 2: 1, 1: 2, 0: 3}[n["side"]],
        note="Dilation 3 spaces the 3 taps 3 pixels apart: the window spans 3·(3 − 1) + 1 = **{span}** "
        "pixels, more than the grid's {grid}, so there is no place to put it (the page says so). Padding 1 "
        "would make room.",
        explains=3,
    ),
    trained_card(
        "cnn-digits",
        DIGITS,
        question="**Train a CNN** on **sklearn digits**: the default CNN (32 channels, batch norm), **10 "
        "epochs** (seed 0). Its test accuracy?",
        note="**{accuracy:.2f} %** with {parameters:,} parameters: two conv blocks reuse each small 3×3 "
        "kernel at every position, so a stroke learnt in one place is recognised everywhere; it wins with "
        "more parameters than the MLP, not fewer.",
        explains=0,
    ),
    trained_card(
        "cnn-mlp",
        MLP,
        question="The **MLP baseline** (no convolutions, 128 hidden units) on the same digits, 10 epochs. "
        "Its test accuracy?",
        note="**{accuracy:.2f} %** with {parameters:,} parameters: every pixel has its own weights, so a "
        "stroke learnt in one place is not known one pixel over; the table of finished runs puts the two "
        "side by side.",
        explains=1,
    ),
    trained_card(
        "cnn-lr",
        FAST,
        question="The default CNN at **learning rate 0.1** (Adam), 10 epochs. Its test accuracy?",
        answers=UNSETTLED,
        rule=unsettled_band,
        note="**{accuracy:.2f} %**: Adam's steps are about lr per weight, and 0.1 is a hundred times the "
        "default. The first epochs' steps are so large that the network falls back to chance (about 10 % "
        "after two epochs); the cosine schedule then shrinks the learning rate towards 0 and it climbs back, "
        "but 10 epochs are not enough to catch the default's. Where it ends depends on how hard it was "
        "knocked: other seeds end above 95 %, and this one a point or so apart on another CPU.",
        explains=1,
    ),
    Card(
        name="cnn-gradcam-one",
        page="cnn",
        section="learned",
        question="**What it learned**, the shipped CNN: test image 0 is a 7. What probability does it give "
        "the class **1**?",
        answers=("Near 0", "About 0.1", "About 0.5"),
        settings={
            "cnn_part": "What it learned",
            "cnn_learn_model": "shipped",
            "cnn_learn_index": 0,
            "cnn_cam_class": 1,
        },
        run=shipped_reading,
        rule=lambda n: 0 if n["p1"] < 0.01 else 1 if n["p1"] < 0.3 else 2,
        note="It reads a {top} with p = **{p_top:.3f}** and gives 1 only **{p1:.1e}**. Grad-CAM for class 1 "
        "still shows a map: each map is scaled to its own peak, so it shows where the little evidence for a "
        "1 lies, not how much there is.",
        explains=0,
    ),
)
