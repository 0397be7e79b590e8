"""Streamlit glue for the Image classification page: cached model loading and cached image decoding.

A loaded model is cached with st.cache_resource: one copy per server process, shared by every session and
never mutated (LoadedModel's lock serialises inference and Grad-CAM). Decoded pictures are pure data
(st.cache_data), so moving a slider does not decode a 12-Mpixel upload again. So are an example photo's
classification and Grad-CAM maps: a class that picks the same example waits for one forward pass, not one
per learner (each holds the model's lock, so they would queue).
"""

import numpy as np
import streamlit as st

from core.vision.examples import example_image
from core.vision.gradcam import grad_cam
from core.vision.images import LoadedImage, load_image
from core.vision.inference import Classification, classify
from core.vision.registry import LoadedModel, get_model, load_model


@st.cache_resource(show_spinner="Loading the model…", max_entries=4)
def cached_model(name: str) -> LoadedModel:
    """The registry model `name`, loaded lazily once per server process, in eval mode on CUDA when present."""
    return load_model(get_model(name))


@st.cache_data(show_spinner=False, max_entries=16)
def cached_example(name: str) -> LoadedImage:
    """An example photo from an installed package, as RGB."""
    return example_image(name)


@st.cache_data(show_spinner="Decoding the image…", max_entries=8)
def decode_upload(data: bytes) -> LoadedImage:
    """An uploaded or photographed file, decoded and checked (ImageError with one line if it is unusable)."""
    max_mb = st.get_option("server.maxUploadSize")  # the server refuses larger uploads; the camera path too
    return load_image(data, max_bytes=max_mb * 1_000_000)


@st.cache_data(show_spinner=False, max_entries=64)
def classified_example(model: str, example: str, top_k: int) -> Classification:
    """An example photo's top-k classes by the registry model `model`, computed once per server."""
    return classify(cached_model(model), cached_example(example).image, top_k)


@st.cache_data(show_spinner=False, max_entries=128)
def example_grad_cam(model: str, example: str, target: int) -> np.ndarray:
    """An example photo's Grad-CAM map for class `target` by `model`, computed once per server."""
    crop = classified_example(model, example, 1).model_input
    return grad_cam(cached_model(model), crop, target)
