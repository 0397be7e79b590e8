"""Streamlit glue for the Transfer learning page: the shared backbone and built-in tasks, and this session's
own classes (uploads and camera shots, kept for the session only, as crops and cached features)."""

import hashlib
import io
from dataclasses import dataclass, field

import streamlit as st

from core.runner import Runner
from core.transfer.backbone import Backbone, load_backbone
from core.transfer.builtin import TASKS
from core.transfer.data import MAX_PER_CLASS, FeatureCache, Sample, decode
from core.transfer.figures import (
    comparison_curves,
    confusion_matrix,
    per_class_accuracy_bars,
    training_curves,
)
from core.transfer.train import (
    VARIANTS,
    HeadConfig,
    HeadJob,
    per_class_accuracy,
)
from core.transfer.workspace import Workspace, from_task, head_data, ingest
from core.vision.images import ImageError, load_image


@st.cache_resource(show_spinner="Loading the backbone…", max_entries=2)
def shared_backbone(name: str) -> Backbone:
    """The pretrained backbone for feature extraction: one per server process, never trained (jobs that
    train get their own copy from load_backbone)."""
    return load_backbone(name)


@st.cache_resource(show_spinner=False, max_entries=6)
def builtin_workspace(task: str, backbone: str) -> tuple[Workspace, FeatureCache]:
    """A built-in task's samples and their features, computed once per server process with a progress bar.
    Shared read-only: a session copies the feature cache before adding augmented views to it."""
    bar = st.progress(0.0, text=f"Extracting features of {TASKS[task].title}…")
    with st.spinner(f"Loading {TASKS[task].source}…"):
        data = TASKS[task].load()
    cache = FeatureCache(backbone)

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Extracting features: {done}/{total} pictures")

    space = from_task(data, shared_backbone(backbone), cache, progress)
    bar.empty()
    return space, cache


@dataclass
class OwnClasses:
    """This session's uploads: samples per class name, and which uploads were already taken in."""

    backbone: str
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)  # (class name, upload file id)
    cache: FeatureCache | None = None

    def workspace(self, classes: list[str]) -> Workspace:
        """The named classes' pictures, labelled by their position in `classes`."""
        pool = [
            Sample(label, s.jpeg, s.digest, s.name)
            for label, name in enumerate(classes)
            for s in self.samples.get(name, [])
        ]
        return Workspace(classes, pool)


def own_classes(backbone: str) -> OwnClasses:
    """This session's own classes for `backbone` (a new backbone starts empty: features differ)."""
    state = st.session_state
    if "tl_own" not in state or state.tl_own.backbone != backbone:
        state.tl_own = OwnClasses(backbone, cache=FeatureCache(backbone))
    return state.tl_own


def take_in(own: OwnClasses, class_name: str, files: list, backbone: Backbone) -> list[str]:
    """Add new uploaded files (or a camera shot) to a class: decode, crop, extract features, keep the crop.
    Returns one line per file that was refused. A progress bar shows when several arrive at once."""
    new = [f for f in files if (class_name, f.file_id) not in own.seen]
    problems: list[str] = []
    have = own.samples.setdefault(class_name, [])
    room = MAX_PER_CLASS - len(have)
    if len(new) > room:
        problems.append(
            f"class '{class_name}' can hold {MAX_PER_CLASS} pictures: the {len(new) - room} beyond that "
            "were not added"
        )
        for f in new[room:]:
            own.seen.add((class_name, f.file_id))
        new = new[:room]
    if not new:
        return problems

    def decoded():
        for f in new:
            own.seen.add((class_name, f.file_id))
            try:
                yield load_image(f.getvalue()).image, 0, f.name
            except ImageError as error:
                problems.append(f"{f.name}: {error}")

    bar = st.progress(0.0, text=f"Adding {len(new)} picture(s) to '{class_name}'…") if len(new) > 1 else None

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.progress(min(done / len(new), 1.0), text=f"'{class_name}': {done}/{len(new)} pictures")

    added = ingest(decoded(), backbone, own.cache, progress, total=len(new))
    have.extend(added)
    if bar is not None:
        bar.empty()
    return problems


def data_identity(space: Workspace) -> str:
    """A short fingerprint of a workspace's pictures and labels: a new one means a new training run."""
    digest = hashlib.sha256()
    for sample in space.pool + space.test:
        digest.update(f"{sample.digest}:{sample.label};".encode())
    return f"{len(space.classes)}:{digest.hexdigest()[:16]}"


def head_job(
    space: Workspace,
    backbone: Backbone,
    cache: FeatureCache,
    val_fraction: float,
    views: int,
    config: HeadConfig,
) -> HeadJob:
    """A new head-training job; augmented copies' features are computed here with a progress bar."""
    bar = st.progress(0.0, text="Features of augmented copies…") if views else None

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.progress(done / total, text=f"Features of augmented copies: {done}/{total}")

    data = head_data(space, backbone, cache, val_fraction, config.seed, views, progress)
    if bar is not None:
        bar.empty()
    return HeadJob(data, len(space.classes), config)


def thumbnail_png(sample: Sample, side: int = 64) -> bytes:
    """A small PNG of a sample's crop, for the class galleries."""
    image = decode(sample)
    image.thumbnail((side, side))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def draw_head(runner: Runner, playing: bool, classes: list[str]) -> None:
    """The head run: metrics while it trains; curves, confusion matrix and per-class accuracy paused."""
    snap = runner.read(lambda job: job.snapshot())
    history = snap["history"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Epoch", f"{snap['epoch']} / {snap['epochs']}")
    m2.metric("Train loss", f"{history['train_loss'][-1]:.4f}" if history["train_loss"] else "–")
    m3.metric("Validation accuracy", f"{history['val_acc'][-1]:.1%}" if history["val_acc"] else "–")
    m4.metric("Training time", f"{snap['seconds']:.2f} s")
    if playing or not history["train_loss"]:
        return
    st.plotly_chart(training_curves(history, "Head training"), key="tl_curves")
    left, right = st.columns(2)
    left.plotly_chart(
        confusion_matrix(snap["confusion"], classes, "Validation confusion matrix"), key="tl_cm"
    )
    right.plotly_chart(
        per_class_accuracy_bars(
            per_class_accuracy(snap["confusion"]), classes, "Validation accuracy per class"
        ),
        key="tl_pca",
    )


def draw_comparison(runner: Runner, playing: bool) -> None:
    """The three-way run: each variant's validation accuracy; their curves side by side when paused."""
    snaps = runner.read(lambda job: job.snapshot())
    if not snaps:
        st.info(
            "Press Play (or Step for one epoch of each): three copies of the network are built, then trained."
        )
        return
    cols = st.columns(3)
    for col, name in zip(cols, VARIANTS, strict=True):
        snap = snaps[name]
        acc = snap["history"]["val_acc"]
        col.metric(
            name,
            f"{acc[-1]:.1%}" if acc else "–",
            help=f"{snap['trainable']:,} trainable, {snap['frozen']:,} frozen parameters",
        )
        col.caption(f"epoch {snap['epoch']}/{snap['epochs']} · {snap['seconds']:.1f} s")
    if not playing and any(s["history"]["train_loss"] for s in snaps.values()):
        st.plotly_chart(comparison_curves({n: s["history"] for n, s in snaps.items()}), key="tl_cmp_curves")
