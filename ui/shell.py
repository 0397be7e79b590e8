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
from ui.cards import take_link

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

    @property
    def stem(self) -> str:
        """The script's name, which is also its URL path: "pages/cnn.py" -> "cnn"."""
        return self.path.removeprefix("pages/").removesuffix(".py")


CURRICULUM: dict[str, list[PageEntry]] = {
    "Basics": [
        PageEntry("pages/home.py", "Home", ":material/home:", "What this app is and the path through it."),
        PageEntry(
            "pages/neuron.py",
            "Neuron & layers",
            ":material/hub:",
            "One neuron's weighted sum and activation over a 2-D input plane, with its decision boundary; "
            "then stack neurons into layers, see the network drawn by its weights, its parameter count "
            "and the PyTorch code that rebuilds exactly those weights.",
        ),
        PageEntry(
            "pages/activations.py",
            "Activation functions",
            ":material/function:",
            "Eleven non-linearities from torch.nn, the perceptron's step and the identity for comparison: "
            "their autograd derivatives, where they saturate, and how temperature reshapes softmax.",
        ),
        PageEntry(
            "pages/forward_pass.py",
            "Forward pass",
            ":material/arrow_forward:",
            "Push one input through a small network layer by layer, z = W·x + b and a = f(z) (none on "
            "the output layer) with the real numbers; change any weight and watch every number "
            "downstream move.",
        ),
    ],
    "Training": [
        PageEntry(
            "pages/playground.py",
            "Training playground",
            ":material/model_training:",
            "Train a network on 2-D data live; watch every neuron, weight, loss and gradient as it learns.",
        ),
        PageEntry(
            "pages/backprop.py",
            "Backpropagation",
            ":material/undo:",
            "A 2-3-1 network's forward pass node by node and every gradient as a chain-rule product, checked "
            "against autograd and finite differences; one SGD step; then the training loop on XOR.",
        ),
        PageEntry(
            "pages/losses.py",
            "Loss functions",
            ":material/functions:",
            "MSE, MAE, Huber, BCE, cross-entropy, hinge and KL divergence from torch.nn: each against the "
            "prediction with its gradient, the slide's example term by term, BCE's saturation, outliers.",
        ),
        PageEntry(
            "pages/optimizers.py",
            "Optimizers",
            ":material/speed:",
            "SGD, momentum, Nesterov, Adam, AdamW, RMSprop and Adagrad race on Rosenbrock, Beale, a saddle "
            "and an ill-conditioned bowl from one start, then on a real network with the same minibatches.",
        ),
        PageEntry(
            "pages/batchnorm_dropout.py",
            "Batch norm & dropout",
            ":material/equalizer:",
            "A deep MLP with and without batch norm, layer by layer; batch vs running statistics; dropout "
            "against overfitting, its sampled masks and Monte-Carlo uncertainty over the plane.",
        ),
        PageEntry(
            "pages/lr_schedules.py",
            "Learning-rate schedules",
            ":material/trending_down:",
            "8 of the 15 torch.optim.lr_scheduler schedules epoch by epoch; train under one next to a "
            "constant-rate twin with the rate over the loss; the LR range test suggests a starting rate.",
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
        PageEntry(
            "pages/rnn.py",
            "Recurrent networks",
            ":material/replay:",
            "The seed slide's SimpleRNN step by step; then train an RNN, LSTM or GRU live on the adding "
            "problem, a noisy signal or your own text, and watch hidden states, gates and gradients "
            "through time.",
        ),
        PageEntry(
            "pages/transformer.py",
            "Transformers",
            ":material/view_timeline:",
            "Self-attention worked out by hand, every number checked against torch; then a small GPT "
            "trained live on Shakespeare or your text, its attention maps, and what each character it "
            "writes attends to.",
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
        PageEntry(
            "pages/transfer_learning.py",
            "Transfer learning",
            ":material/school:",
            "Teach a pretrained network your own classes in seconds (a new head on frozen features), then "
            "see what freezing does: from scratch vs frozen vs fine-tuned on the same pictures.",
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
    # Expanded: past twelve pages Streamlit would otherwise hide all but ten behind "View more".
    page = st.navigation(page_sections(), expanded=True)
    draw_sidebar()
    take_link(page.url_path)  # a link's prediction-card progress, or the card it points at
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
