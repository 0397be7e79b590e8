"""The app's shell: page list, navigation and shared sidebar, used by app.py and by every page.

Streamlit runs a script in `pages/` by itself (its legacy multipage mode) when a freshly started server's
first request is a deep link such as /activations: app.py does not run then. Every page therefore calls
`ensure_shell()` first; inside a normal run it does nothing, in that legacy run it runs the app's shell,
which draws the same navigation and sidebar and runs the page inside them.
"""

from contextvars import ContextVar
from dataclasses import dataclass

import streamlit as st
import torch

from core.runtime import device_label

# Set while app.py's navigation is running a page, so the page knows the shell is already drawn. A
# ContextVar rather than a module global: each session's script runs in its own thread and context.
_inside_shell: ContextVar[bool] = ContextVar("inside_shell", default=False)

SEED_KEY = "global_seed"


@dataclass(frozen=True)
class PageEntry:
    """One page of the curriculum: its script, its navigation title, and what a visitor will do there."""

    path: str  # relative to app.py
    title: str
    icon: str
    summary: str  # one line on what you will see and try, shown on Home


CURRICULUM: dict[str, list[PageEntry]] = {
    "Basics": [
        PageEntry("pages/home.py", "Home", ":material/home:", "What this app is and the path through it."),
        PageEntry(
            "pages/neuron.py",
            "Neuron & layers",
            ":material/hub:",
            "One neuron's weighted sum and activation over a 2-D input plane; then stack neurons into "
            "layers, see the network drawn by its weights, its parameter count and its PyTorch code.",
        ),
        PageEntry(
            "pages/activations.py",
            "Activation functions",
            ":material/function:",
            "Thirteen non-linearities and their autograd derivatives, where they saturate, and how "
            "temperature reshapes softmax.",
        ),
        PageEntry(
            "pages/forward_pass.py",
            "Forward pass",
            ":material/arrow_forward:",
            "Push one input through a small network layer by layer, z = W·x + b and a = f(z) with the "
            "real numbers; change any weight and watch every number downstream move.",
        ),
    ],
    "Training": [
        PageEntry(
            "pages/playground.py",
            "Training playground",
            ":material/model_training:",
            "Train a network on 2-D data live; watch every neuron, weight, loss and gradient as it learns.",
        ),
    ],
    "Architectures": [
        PageEntry(
            "pages/cnn.py",
            "Convolutional networks",
            ":material/grid_on:",
            "Convolution and pooling with every number shown; a CNN trained live on real MNIST; its filters, "
            "feature maps, confusions and Grad-CAM; draw a digit and watch it read it.",
        ),
    ],
    "Pretrained models": [
        PageEntry(
            "pages/image_classification.py",
            "Image classification",
            ":material/image_search:",
            "Upload a photo, take one or pick an example: an ImageNet model names it, and Grad-CAM shows "
            "where it looked; compare two models side by side.",
        ),
        PageEntry(
            "pages/sentiment.py",
            "Sentiment",
            ":material/mood:",
            "Type text and a pretrained transformer labels its sentiment; see which words drove it, edit "
            "one, or classify a whole CSV.",
        ),
    ],
}


def page_sections() -> dict[str, list[st.Page]]:
    """The navigation built from the curriculum; the first page is the default."""
    return {
        section: [
            st.Page(e.path, title=e.title, icon=e.icon, default=e.path == "pages/home.py") for e in entries
        ]
        for section, entries in CURRICULUM.items()
    }


def draw_sidebar() -> None:
    """Device, torch version and the global random seed every page uses."""
    with st.sidebar:
        st.caption(f"**Device:** {device_label()}  \n**PyTorch:** {torch.__version__}")
        st.number_input(
            "Random seed",
            min_value=0,
            max_value=2**31 - 1,
            value=0,
            step=1,
            key=SEED_KEY,
            help="Seeds every random choice (initial weights, data, dropout) so runs repeat exactly.",
        )


def run_app() -> None:
    """Page config, sidebar and navigation; then run the page the URL asks for."""
    st.set_page_config(page_title="Neural Playground", page_icon=":material/neurology:", layout="wide")
    page = st.navigation(page_sections())
    draw_sidebar()
    token = _inside_shell.set(True)
    try:
        page.run()
    finally:
        _inside_shell.reset(token)


def ensure_shell() -> None:
    """Run this page inside the app's shell when Streamlit started it without app.py (legacy deep link).

    The page script is then run again, nested, by the shell's own navigation, so its widgets get the same
    identities as in every later run; the outer run stops here. Inside a normal run this does nothing.
    """
    if _inside_shell.get():
        return
    run_app()
    st.stop()


def seed() -> int:
    """The global random seed chosen in the sidebar."""
    return int(st.session_state.get(SEED_KEY, 0))
