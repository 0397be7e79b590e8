"""Image classification: an ImageNet model names what is in a photo; Grad-CAM shows where it looked."""

import streamlit as st

from core.vision.code import pytorch_code
from core.vision.compare import classes_in_both, verdict
from core.vision.examples import EXAMPLE_PHOTOS, example_names
from core.vision.figures import gradcam_overlay, topk_bars
from core.vision.gradcam import GRAD_CAM_SCALE_NOTE, grad_cam
from core.vision.images import EXTENSIONS, ImageError
from core.vision.inference import Classification, classify
from core.vision.registry import (
    COMPARISON_DEFAULT,
    DEFAULT_MODEL,
    MODELS,
    LoadedModel,
    ModelUnavailable,
    available_models,
    download_weights,
)
from pages.image_classification.image_models import (
    cached_example,
    cached_model,
    classified_example,
    decode_upload,
    example_grad_cam,
)
from ui.cards import cards_section
from ui.shell import ensure_shell

ensure_shell()

PICTURE_WIDTH = 160  # pixels: two fit side by side on a phone (390 px), beside the answer on a desktop


def model_panel(
    loaded: LoadedModel, result: Classification, cam_class: int, layout: str, example: str | None
) -> None:
    """One model's answer: its top-k bars, its source, size and timing, and the Grad-CAM map for `cam_class`
    (of the example photo `example`, else of the picture the model saw).

    `layout` is part of the chart keys: a chart that moves between full width and a column is mounted
    afresh, because plotly keeps the picture's old, narrower domain when its container changes width.
    """
    entry, best = loaded.entry, result.predictions[0]
    st.markdown(f"#### {entry.title}: **{best.label}** ({best.prob:.1%})")
    st.plotly_chart(topk_bars(result.predictions, highlight=cam_class), key=f"img_bars_{entry.name}_{layout}")
    st.caption(
        f"{entry.source} ({entry.origin}) · {loaded.parameter_count / 1e6:.2f} M parameters · published "
        f"ImageNet top-1 {entry.top1:.1f} % · input {entry.preprocessing.crop}×{entry.preprocessing.crop} · "
        f"inference {result.ms:.0f} ms on {loaded.device.type.upper()} · loaded in {loaded.load_s:.2f} s"
    )
    cam = (
        example_grad_cam(entry.name, example, cam_class)
        if example
        else grad_cam(loaded, result.model_input, cam_class)
    )
    title = f"Grad-CAM for '{entry.categories[cam_class]}'"
    st.plotly_chart(gradcam_overlay(result.model_input, cam, title), key=f"img_cam_{entry.name}_{layout}")


st.title("Image classification")
st.markdown(
    "A convolutional network trained on ImageNet (1.3 million photos, 1,000 classes) names what is in a "
    "picture: it resizes and crops the photo to its input size, outputs 1,000 scores (logits), and softmax "
    "turns them into probabilities that sum to 1. They are the model's scores, not calibrated confidences: "
    "modern ImageNet networks are often over-confident (Guo et al., 2017: of the answers given at 90 %, "
    "fewer than 90 % are right). Pick an example, upload a photo or use your camera; see "
    "the picture as the model receives it, its top guesses, and with **Grad-CAM** which regions raised the "
    "score of a class. Compare two models of the EfficientNet-Lite family (all three ship with the app)."
)
available = available_models()

source_col, model_col = st.columns([3, 2])
with model_col:
    model_name = st.selectbox(
        "Model",
        list(MODELS),
        format_func=lambda n: MODELS[n].title + ("" if n in available else " (not available)"),
        key="img_model",
    )
    top_k = st.slider("Top-k classes", 1, 10, 5, key="img_topk")
    if model_name not in available:
        entry = MODELS[model_name]
        st.warning(f"{entry.title} is not available here. {entry.availability().reason}")
        if entry.url and st.button(f"Try to download {entry.title}", key="img_download"):
            try:
                with st.spinner("Downloading…"):
                    download_weights(entry)
                st.rerun()
            except ModelUnavailable as error:
                st.error(str(error))
        if not available:
            st.stop()
        model_name = DEFAULT_MODEL if DEFAULT_MODEL in available else available[0]
        st.info(f"Showing {MODELS[model_name].title}, which is available here, instead.")

with source_col:
    source = st.radio("Image", ["Example photo", "Upload", "Camera"], horizontal=True, key="img_source")
    example = None
    if source == "Example photo":
        example = st.selectbox(
            "Photo", example_names(), format_func=lambda n: EXAMPLE_PHOTOS[n].title, key="img_example"
        )
        st.caption(f"From `{EXAMPLE_PHOTOS[example].source}`. {EXAMPLE_PHOTOS[example].note}")
        upload = None
    elif source == "Upload":
        upload = st.file_uploader(
            "Image file (JPEG, PNG, WebP, BMP, GIF, TIFF)", type=list(EXTENSIONS), key="img_upload"
        )
    else:
        upload = st.camera_input("Take a photo", key="img_camera")

if example is not None:
    picture = cached_example(example)
elif upload is None:
    st.info("Upload an image to classify it." if source == "Upload" else "Take a photo to classify it.")
    st.stop()
else:
    try:
        picture = decode_upload(upload.getvalue())
    except ImageError as error:
        st.error(f"{upload.name}: {error}")
        st.stop()
for note in picture.notes:
    st.info(note)

try:
    loaded = cached_model(model_name)
except ModelUnavailable as error:  # e.g. a cached weights file that turns out to be unreadable
    st.error(str(error))
    st.stop()
result = classified_example(model_name, example, top_k) if example else classify(loaded, picture.image, top_k)

crop = loaded.entry.preprocessing.crop
# The pictures stay small, beside the answer, so the classes show in the first screen; on a phone the two
# sit side by side above it.
pictures_col, answer_col = st.columns([1, 4], gap="medium")
with pictures_col, st.container(horizontal=True):
    st.image(
        picture.image,
        caption=f"Your picture: {picture.image.width}×{picture.image.height}, {picture.format}, "
        f"mode {picture.original_mode}",
        width=PICTURE_WIDTH,
    )
    st.image(
        result.model_input,
        caption=f"What {loaded.entry.title} sees, {crop}×{crop}: {loaded.entry.preprocessing.describe()}",
        width=PICTURE_WIDTH,
    )

with answer_col:
    others = [name for name in available if name != model_name]
    choice_col, compare_col = st.columns(2)
    cam_class = choice_col.selectbox(
        "Grad-CAM for class",
        [p.index for p in result.predictions],
        format_func=lambda i: f"{loaded.entry.categories[i]} ({i})",
        key="img_cam_class",
    )
    compare_options = ["none", *others]
    compare_with = compare_col.selectbox(
        "Compare with a second model",
        compare_options,
        index=compare_options.index(COMPARISON_DEFAULT) if COMPARISON_DEFAULT in others else 0,
        format_func=lambda n: "none" if n == "none" else MODELS[n].title,
        key="img_compare",
        disabled=not others,
    )
    if not others:
        st.info(
            f"Only {loaded.entry.title} is available on this machine, so there is no second model to "
            f"compare with. {MODELS['resnet50'].availability().reason}"
        )

    if compare_with == "none":
        model_panel(loaded, result, cam_class, "single", example)
        st.caption(GRAD_CAM_SCALE_NOTE)
    else:
        try:
            other = cached_model(compare_with)
        except ModelUnavailable as error:
            st.error(str(error))
            st.stop()
        other_result = (
            classified_example(compare_with, example, top_k)
            if example
            else classify(other, picture.image, top_k)
        )
        title_a, title_b = loaded.entry.title, other.entry.title
        st.markdown(verdict(title_a, result, title_b, other_result))
        left, right = st.columns(2)
        with left:
            model_panel(loaded, result, cam_class, "pair", example)
        with right:
            model_panel(other, other_result, cam_class, "pair", example)
        st.caption(GRAD_CAM_SCALE_NOTE)
        st.dataframe(
            [
                {
                    "class (index)": f"{row.label} ({row.index})",
                    f"{title_a} P": f"{row.prob_a:.1%}",
                    f"{title_a} rank": row.rank_a,
                    f"{title_b} P": f"{row.prob_b:.1%}",
                    f"{title_b} rank": row.rank_b,
                }
                for row in classes_in_both(result, other_result, loaded.entry.categories)
            ],
            hide_index=True,
            key="img_compare_table",
        )

st.subheader("Try this")
cards_section("image_classification")

st.subheader("PyTorch for these settings")
st.caption(
    f"{loaded.entry.title} on this picture, top {top_k}: the script prints the probabilities the bars show."
    + ("" if example else " Save your photo as your_photo.jpg next to it.")
)
st.code(pytorch_code(loaded.entry, EXAMPLE_PHOTOS[example] if example else None, top_k), language="python")
