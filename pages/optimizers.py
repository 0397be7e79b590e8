"""Optimizers: SGD, momentum, Nesterov, Adam, AdamW, RMSprop and Adagrad race on 2-D test functions from the
same start, then on a real network with the same initial weights and the same minibatches."""

import pandas as pd
import streamlit as st

from core.training.optim_race import (
    FUNCTIONS,
    KNOBS,
    TOLERANCE,
    NetworkRace,
    NetworkRaceConfig,
    constructor_code,
    default_settings,
    pytorch_code,
    race,
    results,
)
from core.training.optimizer_figures import contour_figure, network_race_figure, race_loss_figure
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import ensure_shell, seed

ensure_shell()

NAMES = list(KNOBS)
KNOB_LABELS = {
    "lr": "learning rate",
    "momentum": "momentum",
    "beta1": "β1 (betas[0])",
    "beta2": "β2 (betas[1])",
    "weight_decay": "weight decay",
    "alpha": "α (squared-gradient average)",
    "lr_decay": "lr decay",
}


@st.cache_data(max_entries=256, show_spinner=False)
def cached_run(function: str, start: tuple[float, float], name: str, knobs: tuple, steps: int):
    """One optimizer's 2-D run, cached per optimizer: changing one optimizer's settings reruns only it."""
    return race(function, start, {name: dict(knobs)}, steps)[name]


def knob_values(name: str) -> dict[str, float]:
    """One optimizer's hyperparameters as its widgets hold them."""
    return {knob: float(st.session_state[f"opt_{name}_{knob}"]) for knob in KNOBS[name]}


def reset_settings() -> None:
    """Every knob back to the registry's settings with torch's default learning rate."""
    for name in NAMES:
        for knob, value in default_settings(name).items():
            st.session_state[f"opt_{name}_{knob}"] = value


st.title("Optimizers")
st.markdown(
    "An optimizer turns gradients into steps. **SGD** steps by −lr × gradient; **momentum** keeps an "
    "exponentially decaying sum of past gradients (velocity v ← μ·v + g) and steps along it; **Nesterov** "
    "(`SGD(nesterov=True)`) takes the gradient g at the current weights, updates v, then steps along "
    "g + μ·v (a cheap way to look one velocity step ahead); **Adagrad** divides each coordinate's step by "
    "the root of the sum of all its past squared gradients, **RMSprop** by the root of a decaying average of "
    "them; **Adam** combines a momentum average with RMSprop's scaling, both bias-corrected; **AdamW** is "
    "Adam with weight decay applied to the weights directly instead of added to the gradient. Every step "
    "here is `torch.optim`'s own."
)

if "opt_SGD_lr" not in st.session_state:  # a session's first visit: start from torch's defaults
    reset_settings()
with st.expander("Hyperparameters of each optimizer (torch's defaults to start)", expanded=False):
    st.button("Reset to torch's defaults", key="opt_reset_settings", on_click=reset_settings)
    tabs = st.tabs(NAMES)
    for tab, name in zip(tabs, NAMES, strict=True):
        for knob in KNOBS[name]:
            tab.number_input(
                KNOB_LABELS[knob],
                min_value=0.0,
                max_value=10.0 if knob == "lr" else (0.9999 if knob != "weight_decay" else 1.0),
                step=0.0001 if knob == "lr" else 0.01,
                format="%.5g",
                key=f"opt_{name}_{knob}",
            )
        tab.code(constructor_code(name, knob_values(name), "model.parameters()"), language="python")
chosen = st.multiselect("Optimizers in the race", NAMES, default=NAMES, key="opt_chosen")
settings = {name: knob_values(name) for name in chosen}

st.subheader("1. The race on a 2-D function")
c1, c2, c3, c4 = st.columns(4)
function = c1.selectbox("Function", list(FUNCTIONS), key="opt_function")
test = FUNCTIONS[function]
start = (
    float(c2.number_input("start x", *test.x_range, test.start[0], 0.1, key=f"opt_start_x_{function}")),
    float(c3.number_input("start y", *test.y_range, test.start[1], 0.1, key=f"opt_start_y_{function}")),
)
steps = int(c4.select_slider("Steps", [100, 200, 500, 1000, 2000, 5000], 1000, key="opt_steps"))
formula_col, note_col = st.columns(2, vertical_alignment="center")
formula_col.latex(f"f(x, y) = {test.formula}")
note_col.caption(f"{test.note} Minimum at {test.minimum}, f = {test.lowest:g}.")
if not chosen:
    st.info("Choose at least one optimizer.")
    st.stop()

frozen = tuple((name, tuple(knobs.items())) for name, knobs in settings.items())
progress = st.progress(0.0)
runs = {}
for i, (name, knobs) in enumerate(frozen):
    progress.progress(i / len(frozen), text=f"{name}: {steps} steps…")
    runs[name] = cached_run(function, start, name, knobs, steps)
progress.empty()
race_charts = st.container()  # the race first, its step slider under it like a player's scrub bar
shown = st.slider("Show step", 0, steps, steps, key="opt_show")
left, right = race_charts.columns([3, 2])
left.plotly_chart(contour_figure(function, runs, shown, NAMES), key="opt_contour")
right.plotly_chart(race_loss_figure(function, runs, shown, NAMES), key="opt_race_loss")
table = results(function, runs)
st.dataframe(
    pd.DataFrame(
        [
            {
                "optimizer": r.name,
                "end x": f"{r.end[0]:.6f}",
                "end y": f"{r.end[1]:.6f}",
                "f": f"{r.value:.6g}",
                f"steps to within {TOLERANCE:g}": str(r.reached) if r.reached is not None else "—",
                "diverged": "yes" if r.diverged else "",
            }
            for r in table
        ]
    ),
    hide_index=True,
    width="stretch",
    key="opt_race_table",
)

st.subheader("2. The same race on a real network")
st.markdown(
    "A 64 → hidden → 10 MLP (ReLU) on sklearn's 1,797 handwritten 8×8 digits (80% train, 20% test), "
    "`nn.CrossEntropyLoss`. Every optimizer trains its own copy of **the same initial weights** on **the "
    "same minibatches in the same order**, with the hyperparameters above; each step gives every optimizer "
    "one minibatch. Seed from the sidebar."
)
n1, n2, n3 = st.columns(3)
hidden = int(n1.select_slider("Hidden units", [8, 16, 32, 64, 128], 32, key="opt_net_hidden"))
batch_size = int(n2.select_slider("Batch size", [8, 16, 32, 64, 128], 32, key="opt_net_batch"))
epochs = int(n3.number_input("Epochs", 1, 50, 10, key="opt_net_epochs"))
network = NetworkRaceConfig(hidden, batch_size, epochs, seed(), frozen)
runner = session_runner("opt_runner", lambda: NetworkRace(network), identity=network)


def draw(runner, playing: bool) -> None:
    """Progress, the loss curves and each optimizer's test accuracy after the last finished epoch."""
    snap = runner.read(lambda job: job.snapshot())
    st.progress(snap.step / snap.total_steps, text=f"step {snap.step} / {snap.total_steps}")
    if snap.step:
        st.plotly_chart(network_race_figure(snap, NAMES), key="opt_net_losses")
    else:
        st.caption("Press Play to train every optimizer, or Step for one minibatch each.")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "optimizer": name,
                    "last minibatch loss": f"{losses[-1]:.4f}" if losses else "—",
                    "epochs done": len(snap.test_accuracy[name]),
                    "test accuracy": f"{snap.test_accuracy[name][-1]:.4f}"
                    if snap.test_accuracy[name]
                    else "—",
                }
                for name, losses in snap.losses.items()
            ]
        ),
        hide_index=True,
        key="opt_net_table",
    )


start_pending("opt_runner", runner)
live_view(
    runner,
    draw,
    "opt_net",
    fps=2,
    step_help="One minibatch for every optimizer",
    on_reset=lambda: drop_runner("opt_runner"),
)

st.subheader("Try this")
cards_section("optimizers")
st.caption(
    "Why the 2-D race is computed at once rather than live: all its steps take about a second for seven "
    "2-D points, and the step slider lets you scrub back and forth through them, which a live run cannot. "
    "The network race is live (Play, Pause, Step, Reset): it takes longer and you watch the curves separate."
)

with st.expander("PyTorch for these settings"):
    st.code(pytorch_code(function, start, steps, network), language="python")
