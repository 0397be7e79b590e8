"""Home: what the app is, the curriculum, and where to read further."""

import streamlit as st

from ui.cards import progress_view
from ui.shell import CURRICULUM, ensure_shell

ensure_shell()

st.title("Neural Playground")
st.markdown(
    "Learn how neural networks work by **changing them and watching what happens**. Every page runs real "
    "PyTorch on this machine and redraws its plots as you move a slider: nothing is a pre-recorded animation."
)
st.markdown(
    "Each page explains its idea in a few lines, shows the numbers that go in beside the numbers that come "
    "out, proposes experiments under **Try this** (most as questions to answer before the page runs them), "
    "and ends with **PyTorch for these settings**: code written from your current settings that prints the "
    "same numbers when you run it."
)

st.subheader("The curriculum")
for section, entries in CURRICULUM.items():
    st.markdown(f"**{section}**")
    for entry in entries:
        link, summary = st.columns([1, 3], vertical_alignment="center")
        link.page_link(entry.path, label=entry.title, icon=entry.icon)
        summary.markdown(entry.summary)

st.subheader("Predict, then run: your progress")
st.markdown(
    "Every page's **Try this** asks questions about its experiments: pick what you expect, press **Run**, "
    "and the page sets its widgets, runs the experiment and says whether you were right, with the numbers. "
    "Your answers in this session, page by page:"
)
progress_view([(e.path, e.stem, e.title) for entries in CURRICULUM.values() for e in entries])

st.subheader("Further reading")
st.markdown(
    "- Goodfellow, Bengio & Courville, [*Deep Learning*](https://www.deeplearningbook.org/) (2016)\n"
    "- Michael Nielsen, [*Neural Networks and Deep Learning*](http://neuralnetworksanddeeplearning.com/)\n"
    "- Stanford [CS231n: Deep Learning for Computer Vision](https://cs231n.github.io/) course notes\n"
    "- Vaswani et al., [*Attention Is All You Need*](https://arxiv.org/abs/1706.03762) (2017)\n"
    "- The [PyTorch documentation](https://pytorch.org/docs/stable/) and its tutorials"
)
