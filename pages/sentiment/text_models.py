"""Streamlit glue for the Sentiment page: cached model loading, cached explanations, and the model picker.

Loaded models are cached with st.cache_resource (one copy shared by every session, never mutated);
predictions and explanations with st.cache_data, keyed by model name and text, so switching views or
moving a slider does not recompute Integrated Gradients.
"""

import numpy as np
import streamlit as st

from core.text import registry
from core.text.attributions import Attribution, attention_maps, integrated_gradients, occlusion
from core.text.classifier import SentimentClassifier, SentimentPrediction

METHODS = ("Integrated Gradients", "Occlusion (delete each word)")


@st.cache_resource(show_spinner="Loading the sentiment model…", max_entries=2)
def classifier(name: str) -> SentimentClassifier:
    """The registry model `name`, loaded once per server process."""
    return registry.load_model(registry.get_model(name))


@st.cache_data(show_spinner=False, max_entries=256)
def predict(name: str, text: str) -> SentimentPrediction:
    """One text's prediction."""
    return classifier(name).predict([text])[0]


@st.cache_data(show_spinner=False, max_entries=256)
def logits(name: str, text: str) -> tuple[float, float]:
    """One text's two logits (NEGATIVE, POSITIVE)."""
    return classifier(name).logits(text)


def model_path(name: str) -> str | None:
    """Where the registry model's files are on this machine (for the generated code), None if unknown."""
    path = registry.get_model(name).availability().path
    return str(path) if path else None


@st.cache_data(show_spinner="Computing attributions…", max_entries=64)
def explain(name: str, text: str, method: str) -> Attribution:
    """Per-word attributions by the chosen method."""
    if method == METHODS[0]:
        return integrated_gradients(classifier(name), text)
    return occlusion(classifier(name), text)


@st.cache_data(show_spinner=False, max_entries=32)
def attention(name: str, text: str) -> tuple[list[str], np.ndarray]:
    """Tokens and attention maps (L, H, T, T)."""
    return attention_maps(classifier(name), text)


def model_picker(key: str) -> str | None:
    """A select box of the models available now, a plain sentence on which one is used and why, and the card.

    Returns the chosen model's registry name, or None (after showing an error) when none can load.
    """
    found = registry.availability()
    default, why = registry.default_model(found)
    if default is None:
        st.error(why)
        return None
    names = [n for n in registry.PREFERENCE if found[n].available]
    name = st.selectbox(
        "Model", names, index=names.index(default), key=key, format_func=lambda n: registry.MODELS[n].title
    )
    entry = registry.MODELS[name]
    try:
        classifier(name)
    except registry.ModelUnavailable as error:  # its files are there but do not load
        st.error(f"{entry.title}: {error}." + (" Choose another model above." if len(names) > 1 else ""))
        return None
    if name == default:
        st.caption(f"**In use:** {why}")
    else:
        st.caption(f"**In use: {entry.title}**, chosen above ({found[name].reason}).")
    with st.expander("Model card"):
        st.markdown("\n".join(f"- **{field}:** {value}" for field, value in entry.card().items()))
        unavailable = [
            f"- {registry.MODELS[n].title}: {a.reason}" for n, a in found.items() if not a.available
        ]
        if unavailable:
            st.markdown("Not available here:\n" + "\n".join(unavailable))
    return name
