"""Convolutional networks: convolution with real numbers, a CNN trained live on real MNIST, draw a digit."""

import streamlit as st

from pages.cnn.sections import conv_section, draw_section, learned_section, train_section
from ui.shell import ensure_shell

ensure_shell()

PARTS = {
    "Convolution": conv_section,
    "Train a CNN": train_section,
    "What it learned": learned_section,
    "Draw a digit": draw_section,
}

st.title("Convolutional networks")
st.markdown(
    "A CNN reads an image with small kernels that slide over it, so the same few weights look for the same "
    "pattern everywhere. Work through the four parts: one convolution by hand, a CNN trained live on real "
    "MNIST, a look inside the trained network, and your own handwriting."
)
part = st.segmented_control(
    "Part", list(PARTS), default="Convolution", key="cnn_part", label_visibility="collapsed"
)
PARTS[part or "Convolution"]()
