"""Streamlit glue for the CNN page: cached data and weights, and the page's four parts (explainer, live
training, what the model learned, draw a digit). The maths lives in core.cnn; this module only lays out
widgets and figures."""

import copy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image
from torch import nn

from core.cnn import conv, drawing, export
from core.cnn.data import DATASETS, DatasetUnavailable, ImageSplits, load_dataset
from core.cnn.figures import (
    confusion_figure,
    curves_figure,
    gradcam_figure,
    grid_figure,
    mosaic_figure,
    probability_figure,
)
from core.cnn.inspect import (
    cell_examples,
    confusion_matrix,
    feature_maps,
    first_filters,
    grad_cam,
    predict,
)
from core.cnn.model import (
    ARCHITECTURES,
    OPTIMIZERS,
    CNNConfig,
    ConfigError,
    build_model,
    check_config,
    conv_layers,
    layer_shapes,
    parameter_count,
)
from core.cnn.train import CNNJob, untrained_score
from core.cnn.weights import DEFAULT_WEIGHTS, REPRODUCE, TrainedCNN, UnreadableWeights, facts_line, load
from core.runner import Runner
from core.vision.images import ImageError, load_image
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import seed

RUNNER_KEY = "cnn_runner"
RESULTS_KEY = "cnn_results"  # finished runs of this session: config -> (parameters, test accuracy)
CURVES_EVERY = 2.0  # seconds between two redraws of the curves while training
GRID = np.array(  # the editable grid's starting values: a small bright "L" on black
    [
        [0, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 1, 1, 1, 1, 0],
        [0] * 6,
    ],
    dtype=np.float32,
)
UPLOAD_SIDE = 32  # an uploaded picture is shrunk so its longer side has this many pixels


# ---------------------------------------------------------------- cached data and models


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=4)
def cached_dataset(name: str) -> ImageSplits:
    """A dataset's arrays, loaded once per server process and shared read-only by every session."""
    return load_dataset(name)


@st.cache_resource(show_spinner="Loading the trained CNN…")
def cached_default() -> TrainedCNN:
    """The shipped MNIST CNN (core/cnn/weights), loaded once per process; never used directly (see
    `default_model`)."""
    return load(DEFAULT_WEIGHTS)


def default_model() -> TrainedCNN:
    """A private copy of the shipped CNN: Grad-CAM and feature maps hook into the model, and the cached one
    is shared by every session."""
    shared = cached_default()
    return TrainedCNN(copy.deepcopy(shared.model), shared.config, shared.facts)


@st.cache_resource(show_spinner="Classifying the 10,000 test digits…")
def default_test_probs() -> np.ndarray:
    """The shipped CNN's probabilities (N, 10) on MNIST's test digits, computed once per process."""
    return predict(cached_default().model, cached_dataset("mnist").test_x)


def shipped_or_message() -> TrainedCNN | None:
    """The shipped CNN, or None after one line saying what is wrong with its weights file and how to remake
    it."""
    if not DEFAULT_WEIGHTS.exists():
        st.error(f"The trained CNN's weights ({DEFAULT_WEIGHTS.name}) are missing: run `{REPRODUCE}`.")
        return None
    try:
        return default_model()
    except UnreadableWeights as error:
        st.error(f"The trained CNN's weights: {error}. Restore the file from git or run `{REPRODUCE}`.")
        return None


@st.cache_data(show_spinner="Scoring the untrained model on the test images…", max_entries=64)
def cached_untrained_score(config: CNNConfig) -> tuple[float, float]:
    """The untrained model's test score, computed once per config for every session (a seeded build)."""
    return untrained_score(config, cached_dataset(config.dataset))


def mnist_or_message() -> ImageSplits | None:
    """MNIST, or None after one line saying why it cannot be loaded."""
    try:
        return cached_dataset("mnist")
    except DatasetUnavailable as error:
        st.error(f"MNIST cannot be loaded: {error}")
        return None


# ---------------------------------------------------------------- 1. convolution explainer


def explainer_input() -> np.ndarray | None:
    """The explainer's (H, W) input in [0, 1] from the chosen source; None (with a note) when missing."""
    source = st.radio(
        "Input", ["MNIST digit", "Small grid", "Upload"], horizontal=True, key="cnn_conv_source"
    )
    if source == "MNIST digit":
        index = st.number_input("Test digit number", 0, 9999, 0, key="cnn_conv_digit")
        mnist = mnist_or_message()
        return None if mnist is None else mnist.test_x[int(index), 0]
    if source == "Small grid":
        st.caption("Edit the numbers (rows and columns can be added at the bottom/right).")
        table = st.data_editor(pd.DataFrame(GRID), num_rows="dynamic", key="cnn_conv_grid")
        values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float32)
        if values.size == 0 or np.isnan(values).any():
            st.error("Every grid cell needs a number.")
            return None
        return values
    upload = st.file_uploader(
        "Image (turned to grey)", type=["png", "jpg", "jpeg", "webp", "bmp"], key="cnn_conv_upload"
    )
    if upload is None:
        st.info(
            f"Upload a picture: it becomes grey and is shrunk to {UPLOAD_SIDE} pixels on its longer side."
        )
        return None
    try:  # the same checks as every upload: size, format, decompression bombs, corrupt data
        image = load_image(upload.getvalue()).image.convert("L")
    except ImageError as error:
        st.error(f"{upload.name}: {error}")
        return None
    image.thumbnail((UPLOAD_SIDE, UPLOAD_SIDE))
    return np.asarray(image, dtype=np.float32) / 255.0


def explainer_kernel(op: str) -> tuple[np.ndarray | None, int]:
    """The conv kernel (k, k) chosen or typed, or (None, side) for pooling."""
    if op != "conv":
        return None, st.slider("Pooling window side", 1, 5, 2, key="cnn_conv_pool_size")
    name = st.selectbox("Kernel", [*conv.KERNELS, "your 3×3", "your 5×5"], key="cnn_conv_kernel")
    if name in conv.KERNELS:
        kernel = conv.KERNELS[name]
        st.dataframe(pd.DataFrame(kernel).round(4), hide_index=True)
        return kernel, 3
    side = int(name[5])
    start = pd.DataFrame(np.eye(side, dtype=np.float32))
    table = st.data_editor(start, key=f"cnn_conv_kernel_grid{side}")
    values = table.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float32)
    if np.isnan(values).any():
        st.error("Every kernel cell needs a number.")
        return None, side
    return values, side


def conv_section() -> None:
    """Part 1: one convolution or pooling, every number of a chosen output cell spelled out; Try this."""
    shown = conv_explainer()
    st.subheader("Try this")
    cards_section("cnn")
    st.markdown(
        "- **Sobel x** on digit 0 (a 7): the vertical parts of the stroke light up, positive on the "
        "left edge and negative on the right; **Sobel y** picks out the top bar instead.\n"
        "- Max pooling 2×2 with stride 2 halves each side and keeps the brightest pixel of each window."
    )
    if shown is not None:
        with st.expander("PyTorch for these settings"):
            st.code(export.conv_code(*shown), language="python")


def conv_explainer() -> tuple | None:
    """The explainer itself; what its code needs (input, operation, settings, cell, kernel), or None when
    there is nothing to show (no input, or impossible settings: one line says why)."""
    st.markdown(
        "A convolution slides a small **kernel** over the image; each output number is the sum of the "
        "kernel's weights times the pixels under it. PyTorch's `conv2d` does **not** flip the kernel "
        "(it is a "
        "cross-correlation). Pooling slides a window the same way but takes the **max** or the **mean**."
    )
    left, right = st.columns([1, 2], gap="medium")
    with left:
        x = explainer_input()
        op = {"Convolution": "conv", "Max pooling": "max", "Average pooling": "avg"}[
            st.radio(
                "Operation",
                ["Convolution", "Max pooling", "Average pooling"],
                horizontal=True,
                key="cnn_conv_op",
            )
        ]
        kernel, side = explainer_kernel(op)
        stride = st.slider("Stride", 1, 4, 1, key="cnn_conv_stride")
        padding = st.slider("Padding", 0, 3, 0 if op != "conv" else 1, key="cnn_conv_padding")
        dilation = st.slider("Dilation", 1, 3, 1, key="cnn_conv_dilation")
    if x is None or (op == "conv" and kernel is None):
        return None
    s = conv.Settings(side, stride, padding, dilation)
    with right:
        try:
            out = conv.conv2d(x, kernel, s) if op == "conv" else conv.pool2d(x, s, op)
        except conv.ImpossibleSettings as error:
            st.error(f"Impossible here: {error}.")
            return None
        st.markdown(
            f"**Output size** (PyTorch's formula, per axis): height {conv.formula(x.shape[0], s)}; "
            f"width {conv.formula(x.shape[1], s)}. Input {x.shape[0]}×{x.shape[1]} → output "
            f"**{out.shape[0]}×{out.shape[1]}**."
        )
        row_col, col_col = st.columns(2)
        i = (
            row_col.slider("Output row", 0, out.shape[0] - 1, out.shape[0] // 3, key="cnn_conv_row")
            if out.shape[0] > 1
            else 0
        )
        j = (
            col_col.slider("Output column", 0, out.shape[1] - 1, out.shape[1] // 2, key="cnn_conv_col")
            if out.shape[1] > 1
            else 0
        )
        fill = -np.inf if op == "max" else 0.0
        shown = conv.padded(x, s)  # max pooling's −∞ padding is drawn as 0, the picture needs finite numbers
        in_fig, out_fig = st.columns(2)
        in_fig.plotly_chart(
            grid_figure(
                shown, f"input, padded by {padding}", conv.window_index(i, j, s), (padding, padding, *x.shape)
            ),
            key="cnn_conv_input_fig",
        )
        out_taps = (np.array([i]), np.array([j]))
        out_fig.plotly_chart(
            grid_figure(
                out,
                "output (feature map)" if op == "conv" else f"{op} pooled",
                out_taps,
                diverging=op == "conv",
            ),
            key="cnn_conv_output_fig",
        )
        window = conv.window(x, i, j, s, fill)
        cells = st.columns(3 if op == "conv" else 1)
        cells[0].markdown("**Input window**")
        cells[0].dataframe(pd.DataFrame(window).round(4), hide_index=True)
        if op == "conv":
            cells[1].markdown("**Kernel**")
            cells[1].dataframe(pd.DataFrame(kernel).round(4), hide_index=True)
            cells[2].markdown("**Products** (window × kernel)")
            cells[2].dataframe(pd.DataFrame(conv.products(x, kernel, i, j, s)).round(4), hide_index=True)
            st.markdown(f"Sum of the {kernel.size} products = **output[{i}, {j}] = {out[i, j]:.4f}**")
        elif op == "max":
            st.markdown(
                f"Largest of the {window.size} values (padding counts as −∞) = **output[{i}, {j}] = "
                f"{out[i, j]:.4f}**"
            )
        else:
            st.markdown(
                f"Sum {window.sum():.4f} / {window.size} values (padded zeros count) = **output[{i}, "
                f"{j}] = {out[i, j]:.4f}**"
            )
        st.caption(
            f"Checkable numbers: output[{i}, {j}] = {out[i, j]:.4f}, max = {out.max():.4f}, min = "
            f"{out.min():.4f}"
        )
    return x, op, s, (i, j), kernel


# ---------------------------------------------------------------- 2. train live


def train_controls() -> CNNConfig:
    """The training widgets; the CNNConfig they describe (seed from the sidebar)."""
    d = CNNConfig()
    c1, c2, c3, c4 = st.columns(4)
    dataset = c1.selectbox(
        "Dataset", list(DATASETS), format_func=lambda n: DATASETS[n].title, key="cnn_dataset"
    )
    architecture = c1.selectbox(
        "Model",
        list(ARCHITECTURES),
        index=list(ARCHITECTURES).index(d.architecture),
        format_func=ARCHITECTURES.get,
        key="cnn_architecture",
    )
    custom, is_mlp = architecture == "custom", architecture == "mlp"
    channels = c2.select_slider(
        "Channels (first block)", [4, 8, 16, 32, 64], d.channels, key="cnn_channels", disabled=not custom
    )
    kernel_size = c2.select_slider(
        "Kernel size", [1, 3, 5, 7], d.kernel_size, key="cnn_kernel_size", disabled=not custom
    )
    blocks = c2.slider("Conv blocks", 1, 3, d.blocks, key="cnn_blocks", disabled=not custom)
    batch_norm = c3.toggle(
        "Batch norm",
        d.batch_norm,
        key="cnn_batch_norm",
        disabled=not custom,
        help="BatchNorm2d after each conv: normalises each channel over the minibatch.",
    )
    dropout = c3.slider(
        "Dropout before the last layer",
        0.0,
        0.7,
        d.dropout,
        0.05,
        key="cnn_dropout",
        disabled=architecture == "simple",
        help="Zeroes this fraction of features while training.",
    )
    hidden = c3.select_slider(
        "MLP hidden units", [32, 64, 128, 256, 512], d.hidden, key="cnn_hidden", disabled=not is_mlp
    )
    optimizer = c4.selectbox("Optimizer", list(OPTIMIZERS), key="cnn_optimizer")
    lr = c4.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1], d.lr, key="cnn_lr")
    epochs = c4.slider("Epochs", 1, 30, d.epochs, key="cnn_epochs")
    cosine = c3.toggle(
        "Cosine learning-rate decay",
        d.cosine,
        key="cnn_cosine",
        help="CosineAnnealingLR: the learning rate falls from its start value to 0 over the whole run.",
    )
    batch_size = c4.select_slider("Batch size", [16, 32, 64, 128, 256], d.batch_size, key="cnn_batch_size")
    return CNNConfig(
        dataset=dataset,
        architecture=architecture,
        channels=channels,
        kernel_size=kernel_size,
        blocks=blocks,
        batch_norm=batch_norm,
        dropout=dropout,
        hidden=hidden,
        optimizer=optimizer,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        cosine=cosine,
        seed=seed(),
    )


def model_facts(config: CNNConfig, shape: tuple[int, int, int]) -> None:
    """The model's code and the output shape of every layer for this input, and the MLP's size beside it."""
    model = build_model(config, shape)
    code_col, shape_col = st.columns(2)
    code_col.code(export.model_code_for_display(config, shape), language="python", wrap_lines=True)
    rows = [
        (name, layer.split("(")[0], "×".join(map(str, out[1:])))
        for name, layer, out in layer_shapes(model, shape)
    ]
    shape_col.dataframe(
        pd.DataFrame(
            [("input", "", "×".join(map(str, shape))), *rows], columns=["layer", "type", "output (C×H×W)"]
        ),
        hide_index=True,
    )
    baseline = build_model(CNNConfig(architecture="mlp", hidden=config.hidden, seed=config.seed), shape)
    shape_col.caption(
        f"**{parameter_count(model):,} parameters** in this model; the MLP baseline ({config.hidden} hidden "
        f"units) has {parameter_count(baseline):,}."
        + (
            " F.relu in SimpleCNN is a function, not a layer: no row."
            if config.architecture == "simple"
            else ""
        )
    )


def draw_training(runner: Runner, playing: bool) -> None:
    """The live view's numbers, redrawn twice a second while it trains; a finished run's result is kept
    for comparison."""
    snap = runner.read(lambda job: job.snapshot())
    h = snap.history
    a, b, c, d, e = st.columns(5)
    a.metric("Epoch", f"{snap.epoch:.2f}")
    b.metric("Examples/s", f"{snap.examples_per_s:,.0f}")
    c.metric("Train loss", f"{h.train_loss[-1]:.4f}" if h.train_loss else "–")
    d.metric("Test loss", f"{h.test_loss[-1]:.4f}")
    e.metric("Test accuracy", f"{h.test_accuracy[-1]:.2%}")
    if snap.diverged:
        st.error("The loss became NaN or infinite: lower the learning rate and press Reset.")
    config = runner.read(lambda job: job.config)
    st.caption(f"{snap.examples:,} training examples seen in {snap.train_seconds:.1f} s of training.")
    if snap.done and not snap.diverged:
        st.session_state.setdefault(RESULTS_KEY, {})[config] = (snap.parameters, h.test_accuracy[-1])


def draw_curves(runner: Runner, playing: bool) -> None:
    """The loss and accuracy curves: two charts cost more to build and send than the numbers, so while it
    trains they are redrawn every CURVES_EVERY seconds only (and less often on a busy server)."""
    h = runner.read(lambda job: job.snapshot()).history
    loss_col, acc_col = st.columns(2)
    loss_col.plotly_chart(
        curves_figure(h.train_examples, h.train_loss, h.test_examples, h.test_loss, "loss"),
        key="cnn_loss_fig",
    )
    acc_col.plotly_chart(
        curves_figure(h.train_examples, h.train_accuracy, h.test_examples, h.test_accuracy, "accuracy"),
        key="cnn_acc_fig",
    )
    st.caption(
        f"Test points after each epoch on all {runner.read(lambda job: len(job.data.test_y)):,} test images."
    )


def train_section() -> None:
    """Part 2: the seed's SimpleCNN (or a variant, or an MLP) trained live with Play/Pause/Step/Reset."""
    st.markdown(
        "The seed's **SimpleCNN** (conv 16, pool, conv 32, pool, linear) adapted to the chosen data, a "
        "configurable CNN, or an **MLP** that sees the same pixels without convolutions. Press Play: it "
        "trains on the server in the background and the numbers below update live."
    )
    config = train_controls()
    entry = DATASETS[config.dataset]
    try:
        check_config(config, entry.shape)
        data = cached_dataset(config.dataset)
    except (ConfigError, DatasetUnavailable) as error:
        st.error(str(error))
        return
    st.caption(
        f"{entry.title}: {len(data.train_y):,} training and {len(data.test_y):,} test images from "
        f"{entry.source}."
    )
    model_facts(config, entry.shape)
    runner = session_runner(
        RUNNER_KEY, lambda: CNNJob(config, data, cached_untrained_score(config)), identity=config
    )
    start_pending(RUNNER_KEY, runner)
    live_view(
        runner,
        draw_training,
        "cnn",
        fps=2,
        step_help="Train one minibatch",
        on_reset=lambda: drop_runner(RUNNER_KEY),
        draw_slow=draw_curves,
        slow_every=CURVES_EVERY,
    )
    results = st.session_state.get(RESULTS_KEY, {})
    if results:
        st.markdown("**Finished runs in this session**")
        st.dataframe(
            pd.DataFrame(
                [
                    (c.dataset, ARCHITECTURES[c.architecture], c.epochs, p, f"{acc:.2%}")
                    for c, (p, acc) in results.items()
                ],
                columns=["data", "model", "epochs", "parameters", "test accuracy"],
            ),
            hide_index=True,
        )
    st.subheader("Try this")
    cards_section("cnn", "train")
    st.markdown(
        "With seed 0 (sidebar), on **sklearn digits** (1,347 training images, seconds per run):\n"
        "- On MNIST (5 epochs) the MLP has about twice the CNN's parameters (101,770 against 50,378) and is "
        "still less accurate (96.51% against the shipped CNN's 99.06%).\n"
        "- The seed's **SimpleCNN**, 10 epochs: **90.44%**; the same network with batch norm (the custom "
        "model with 16 channels, dropout 0) reaches **97.11%**: without batch norm it learns more slowly at "
        "this learning rate."
    )
    with st.expander("PyTorch for these settings"):
        st.code(export.train_code(config), language="python")


# ---------------------------------------------------------------- 3. what it learned


@dataclass(frozen=True)
class Inspected:
    """A model to look inside, the data it was trained on and its test-set probabilities."""

    model: nn.Module
    data: ImageSplits
    probs: np.ndarray  # (N, classes)
    label: str


def inspected_model() -> Inspected | None:
    """The shipped MNIST CNN, or a private copy of this session's run."""
    runner: Runner | None = st.session_state.get(RUNNER_KEY)
    options = ["shipped"] + (
        ["session"] if runner is not None and runner.read(lambda j: j.batches) > 0 else []
    )
    choice = st.radio(
        "Model",
        options,
        format_func={"shipped": "Shipped CNN (MNIST)", "session": "Your run (Train part)"}.get,
        horizontal=True,
        key="cnn_learn_model",
    )
    if choice == "shipped":
        trained, mnist = shipped_or_message(), mnist_or_message()
        if trained is None or mnist is None:
            return None
        st.caption(f"{facts_line(trained)}. Reproduce: `{REPRODUCE}`")
        return Inspected(trained.model, mnist, default_test_probs(), "shipped")
    model, data, batches = runner.read(lambda job: (copy.deepcopy(job.model), job.data, job.batches))
    cache = st.session_state.get("cnn_learn_probs")
    if cache is None or cache[0] != (id(runner), batches):
        cache = st.session_state["cnn_learn_probs"] = ((id(runner), batches), predict(model, data.test_x))
    st.caption(f"Your run after {batches} minibatches (pause it to keep this picture still).")
    return Inspected(model, data, cache[1], "session")


def learned_section() -> None:
    """Part 3: first-layer filters, feature maps, the confusion matrix with its errors, Grad-CAM."""
    st.markdown(
        "Look inside a trained CNN: the first layer's kernels, what every conv layer outputs for one "
        "test image, "
        "which digits it confuses, and with Grad-CAM where in the image the evidence for a class lies."
    )
    seen = inspected_model()
    if seen is None:
        return
    model, data, probs = seen.model, seen.data, seen.probs
    predicted = probs.argmax(1)
    convs = conv_layers(model)
    accuracy = float((predicted == data.test_y).mean())
    st.markdown(
        f"Test accuracy **{accuracy:.2%}** ({int((predicted == data.test_y).sum()):,} of "
        f"{len(data.test_y):,})."
    )
    index = int(st.number_input("Test image number", 0, len(data.test_y) - 1, 0, key="cnn_learn_index"))
    image = data.test_x[index]
    if not convs:
        st.info(
            "This model has no convolution layers (the MLP baseline): no filters or feature maps to show."
        )
    else:
        filters = first_filters(model)
        st.plotly_chart(
            mosaic_figure(
                filters[:, 0],
                f"First-layer kernels ({filters.shape[0]} of {filters.shape[2]}×{filters.shape[3]}; "
                "red positive, blue negative, each scaled to its own largest weight)",
                diverging=True,
                height=220,
            ),
            key="cnn_filters_fig",
        )
        maps_by_layer = feature_maps(model, image)
        for number, (name, maps) in enumerate(maps_by_layer, start=1):
            st.plotly_chart(
                mosaic_figure(
                    maps,
                    f"conv layer {number} ({name}): {maps.shape[0]} feature maps of "
                    f"{maps.shape[1]}×{maps.shape[2]} "
                    "(conv output before ReLU; each map scaled to its own range)",
                    columns=16,
                    height=120 + 40 * (-(-maps.shape[0] // 16)),
                ),
                key=f"cnn_maps_{name}",
            )
    st.markdown(
        "**Confusion matrix** (rows: true digit, columns: prediction). Click a cell to see its images."
    )
    matrix = confusion_matrix(data.test_y, predicted, len(data.classes))
    conf_col, cell_col = st.columns([3, 2])
    event = conf_col.plotly_chart(
        confusion_figure(matrix, data.classes),
        key="cnn_confusion",
        on_select="rerun",
        selection_mode="points",
    )
    points = event.selection.points if event and event.selection else []
    clicked = [p["point_index"] for p in points if p.get("curve_number") == 1]  # the cell markers' trace
    off = matrix * (1 - np.eye(len(matrix), dtype=matrix.dtype))
    # markers are laid out row by row; without a click, show the most frequent confusion
    true, guess = (
        divmod(int(clicked[0]), len(matrix)) if clicked else np.unravel_index(off.argmax(), off.shape)
    )
    with cell_col:
        st.markdown(
            f"**True {data.classes[true]}, predicted {data.classes[guess]}**: {matrix[true, guess]} images"
        )
        picks = cell_examples(data.test_y, predicted, int(true), int(guess))
        if len(picks) == 0:
            st.caption("No test images in this cell.")
        shown = st.columns(4)
        for k, idx in enumerate(picks):
            shown[k % 4].image(
                np.clip(data.test_x[idx, 0], 0, 1)
                if data.test_x.shape[1] == 1
                else data.test_x[idx].transpose(1, 2, 0),
                caption=f"#{idx}: p({data.classes[guess]})={probs[idx, guess]:.2f}, "
                f"p({data.classes[true]})={probs[idx, true]:.2f}",
                width=72,
            )
    if convs:
        st.markdown("**Grad-CAM** for the chosen test image")
        cam_class = st.selectbox(
            "Class",
            range(len(data.classes)),
            index=int(predicted[index]),
            format_func=lambda c: f"{data.classes[c]} (p = {probs[index, c]:.3f})",
            key="cnn_cam_class",
        )
        cam = grad_cam(model, image, cam_class)
        st.plotly_chart(
            gradcam_figure(
                image.mean(0),
                cam,
                f"test image #{index}, label {data.classes[data.test_y[index]]}, "
                f"Grad-CAM for {data.classes[cam_class]} from the last conv layer "
                f"({maps_by_layer[-1][1].shape[1]}×{maps_by_layer[-1][1].shape[2]}, upsampled to "
                f"{cam.shape[0]}×{cam.shape[1]})",
            ),
            key="cnn_gradcam_fig",
        )
        st.caption(
            "Grad-CAM is scaled to its own peak: compare where it is bright, not how bright across classes."
        )
    st.subheader("Try this")
    cards_section("cnn", "learned")
    st.markdown(
        "- Click the largest off-diagonal cell: its images are ambiguous to a person too, and the two "
        "probabilities under each show how close the CNN came to the right digit.\n"
        "- Conv layer 1's maps still look like the digit, each stressing edges of one direction; conv layer "
        "2's are 14×14 (after a 2×2 pool) and more abstract."
    )


# ---------------------------------------------------------------- 4. draw a digit


def draw_section() -> None:
    """Part 4: draw with the mouse; MNIST-style preprocessing; the shipped CNN's probabilities."""
    from streamlit_drawable_canvas import st_canvas

    st.markdown(
        "Draw a digit with the mouse. MNIST's digits were scaled to fit a **20×20** box and placed "
        "in **28×28** "
        "with their **centre of mass** in the middle; your drawing is prepared the same way before "
        "the shipped "
        "CNN reads it."
    )
    canvas_col, input_col, probs_col = st.columns([2, 1, 2])
    with canvas_col:
        result = st_canvas(
            stroke_width=18,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=280,
            width=280,
            drawing_mode="freedraw",
            return_image_data=True,
            key="cnn_canvas",
        )
        st.caption("Draw white on black, as MNIST stores digits. The canvas toolbar clears it.")
    rgba = result.image_data if result is not None and result.json_data else None
    ink = drawing.ink_from_rgba(rgba) if rgba is not None else None
    x = drawing.mnist_style(ink) if ink is not None else None
    if x is None:
        input_col.info("Draw a digit on the black square.")
        return
    trained = shipped_or_message()
    if trained is None:
        return
    probs = predict(trained.model, x[None, None])[0]
    naive_probs = predict(trained.model, drawing.naive(ink)[None, None])[0]
    with input_col:
        st.image(
            Image.fromarray((x * 255).astype(np.uint8)).resize((140, 140), Image.NEAREST),
            caption="28×28 MNIST-style input",
            width=140,
        )
        st.image(
            Image.fromarray((drawing.naive(ink) * 255).astype(np.uint8)).resize((140, 140), Image.NEAREST),
            caption=f"Just shrunk to 28×28: read as {naive_probs.argmax()} ({naive_probs.max():.0%})",
            width=140,
        )
    with probs_col:
        best = int(probs.argmax())
        st.markdown(f"### The CNN reads: **{best}** ({probs[best]:.1%})")
        st.plotly_chart(
            probability_figure(probs, tuple(str(d) for d in range(10)), "class probabilities"),
            key="cnn_draw_probs",
        )
    st.subheader("Try this")
    st.markdown(
        "- Draw a small 7 in a corner: the MNIST-style input looks like a big one's, while the merely "
        "shrunk picture is tiny and off-centre; its reading (under it) is often wrong. On 200 test digits "
        "drawn small and off-centre the shipped CNN reads at least 95% right after the preprocessing and at "
        "most 60% without (tests/unit/test_cnn_drawing.py).\n"
        "- Draw a 1 as one vertical stroke: the 20×20 box makes it a tall thin line in the middle, like "
        "MNIST's 1s.\n"
        "- Undo (toolbar) and draw a 0 as an oval: the 28×28 input fills the 20×20 box in height."
    )
    with st.expander("PyTorch for these settings"):
        st.code(export.predict_code(trained.config, DEFAULT_WEIGHTS, x), language="python")
