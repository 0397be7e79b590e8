"""Learning-rate schedules: every torch scheduler's curve, a live run under one, the LR range test."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from core.runner import Runner
from core.training.lr_training import (
    RANGE_END,
    RANGE_START,
    RANGE_STEPS,
    RangeTest,
    ScheduleConfig,
    ScheduleJob,
    lr_range_test,
    pytorch_script,
)
from core.training.schedule_figures import loss_and_lr_figure, range_test_figure, schedules_figure
from core.training.schedules import MIN_EPOCHS, SCHEDULES, schedule_code, schedule_lrs, scripted_losses
from ui.cards import cards_section, start_pending
from ui.live import drop_runner, live_view, session_runner
from ui.shell import ensure_shell, seed

ensure_shell()

# Building a plotly figure costs far more than drawing it: build each once per distinct input and share it
# (st.plotly_chart only reads a figure), so a rerun that changes nothing rebuilds nothing.
shared = st.cache_resource(max_entries=8, show_spinner=False)
schedules_chart, loss_and_lr_chart, range_test_chart = map(
    shared, (schedules_figure, loss_and_lr_figure, range_test_figure)
)


@st.cache_data(max_entries=64)
def all_curves(lr: float, epochs: int) -> dict[str, list[float]]:
    """Every schedule's rate per epoch (ReduceLROnPlateau driven by the scripted loss curve)."""
    return {name: schedule_lrs(name, lr, epochs, scripted_losses(epochs)) for name in SCHEDULES}


@st.cache_data(max_entries=16)
def range_test(config: ScheduleConfig) -> RangeTest:
    """The LR range test for this model and data (pure: cached per config)."""
    return lr_range_test(config)


def table_epochs(lrs: list[float], most: int = 12) -> list[int]:
    """Epochs worth a row: the start, quarters and end, and both sides of every jump (a change over 20%)."""
    last = len(lrs) - 1
    jumps = [t for t in range(1, len(lrs)) if abs(lrs[t] - lrs[t - 1]) > 0.2 * max(lrs[t], lrs[t - 1])]
    epochs = {0, last // 4, last // 2, 3 * last // 4, last} | {e for t in jumps for e in (t - 1, t)}
    return sorted(epochs)[:most]


def use_suggestion(value: float) -> None:
    """Set the base learning rate to the range test's suggestion, rounded to two digits."""
    st.session_state["lrs_lr"] = float(f"{value:.2g}")


st.title("Learning-rate schedules")
st.markdown(
    "The learning rate η scales every optimizer step. A large rate makes fast progress but bounces "
    "around the minimum (each minibatch pulls the weights its own way); a small one settles but crawls. "
    "A **schedule** changes η as training goes: `scheduler.step()` once per epoch (here) sets the rate for "
    "the next one. Below: what 8 of the 15 schedulers in `torch.optim.lr_scheduler` do (LinearLR also "
    "appears, inside the warm-up; not shown: LambdaLR, MultiplicativeLR, ConstantLR, ChainedScheduler, "
    "CyclicLR, PolynomialLR), a live run under the one you pick next to a twin at a constant rate, and the "
    "**LR range test** that helps choose η₀."
)

st.header("1. Every schedule, epoch by epoch")
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
name = c1.selectbox("Schedule", list(SCHEDULES), key="lrs_schedule")
lr = c2.number_input(
    "Base learning rate η₀", 1e-4, 10.0, 0.1, 0.01, format="%.4g", key="lrs_lr", help="OneCycleLR's max_lr."
)
epochs = c3.slider("Epochs T", MIN_EPOCHS, 200, 100, 1, key="lrs_epochs")
log_y = c4.toggle("Log scale", key="lrs_log")
schedule = SCHEDULES[name]
curves = all_curves(float(lr), int(epochs))
st.plotly_chart(schedules_chart(curves, name, log_y), key="lrs_preview")
left, right = st.columns([3, 2])
with left:
    st.latex(schedule.formula)
    st.markdown(schedule.note)
    st.code(f"scheduler = {schedule_code(name, float(lr), int(epochs))}", language="python", wrap_lines=True)
    if schedule.needs_loss:
        st.caption(
            "ReduceLROnPlateau reacts to the loss passed to `scheduler.step(loss)`; the preview feeds it a "
            "made-up curve that falls for 25 epochs and then wobbles on a plateau."
        )
with right:
    marks = table_epochs(curves[name])
    st.dataframe(
        pd.DataFrame({"epoch t": marks, "lr (η_t)": [f"{curves[name][t]:.6g}" for t in marks]}),
        hide_index=True,
        key="lrs_table",
    )
    st.caption("Epochs count from 0: η_t is the rate used during epoch t, `get_last_lr()` before its step.")

st.header("2. Train with it")
st.markdown(
    "An MLP 2 → 32 → 32 → 1 (ReLU) learns the playground's noisy *moons* (400 points, 80% for training) "
    "with SGD (momentum 0.9, batch 32), the scheduler stepped after each epoch. Its twin starts from the "
    f"same weights, sees the same minibatches, and keeps η₀ = {lr:g} throughout."
)
config = ScheduleConfig(schedule=name, lr=float(lr), epochs=int(epochs), seed=seed())
runner = session_runner("lrs_runner", lambda: ScheduleJob(config), identity=config)


def draw(runner: Runner, playing: bool) -> None:
    """The run's epoch, current rate and both losses (cheap: redrawn often while it plays)."""
    snap = runner.read(lambda job: job.snapshot())
    done = snap["epoch"]
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Epoch", f"{done} / {config.epochs}")
    m2.metric("Learning rate (last epoch)", f"{snap['lr'][-1]:.4g}" if done else "–")
    m3.metric(f"Loss with {name}", f"{snap['loss'][-1]:.4f}" if done else "–")
    m4.metric("Loss at constant rate", f"{snap['constant_loss'][-1]:.4f}" if done else "–")


def draw_charts(runner: Runner, playing: bool) -> None:
    """The loss/lr chart; paused, also test accuracy and the last epochs' numbers."""
    snap = runner.read(lambda job: job.snapshot())
    done = snap["epoch"]
    st.plotly_chart(loss_and_lr_chart(snap, config.epochs, name), key="lrs_loss")
    if done and not playing:
        scheduled_acc, constant_acc = runner.read(lambda job: job.test_accuracy())
        st.caption(
            f"Test accuracy: {scheduled_acc:.1%} with {name}, {constant_acc:.1%} at the constant rate."
        )
        last = range(max(0, done - 5), done)
        st.dataframe(
            pd.DataFrame(
                {
                    "epoch": [t + 1 for t in last],
                    "lr": [f"{snap['lr'][t]:.4g}" for t in last],
                    "loss": [f"{snap['loss'][t]:.4f}" for t in last],
                }
            ),
            hide_index=True,
            key="lrs_epochs_table",
        )


start_pending("lrs_runner", runner)
live_view(
    runner,
    draw,
    "lrs",
    fps=4,
    step_help="Train one epoch",
    on_reset=lambda: drop_runner("lrs_runner"),
    draw_slow=draw_charts,
)

st.header("3. LR range test: which η₀?")
st.markdown(
    f"Train a fresh copy (same weights and data) for up to {RANGE_STEPS} minibatches while the rate grows "
    f"exponentially from {RANGE_START:g} to {RANGE_END:g}; stop when the smoothed loss passes 4× its lowest. "
    "Too small a rate leaves the loss flat, too large a one makes it explode; a good η₀ lies where it falls "
    "fastest. Two common read-outs: the **steepest descent** point (most negative slope of the smoothed loss "
    "against log lr) and the **learning rate at the lowest smoothed loss, divided by 10** (one order of "
    "magnitude below the rate where the loss bottoms out, just before it blows up)."
)
test = range_test(replace(config, schedule="StepLR", lr=0.1, epochs=100))
marks = {"steepest descent": test.steepest, "lr at min loss ÷ 10": test.min_over_10}
st.plotly_chart(range_test_chart(test.lrs, test.losses, test.smoothed, marks), key="lrs_range")
r1, r2, r3 = st.columns(3)
r1.metric("Steepest descent at", f"{test.steepest:.3g}")
r2.metric("LR at the lowest smoothed loss ÷ 10", f"{test.min_over_10:.3g}")
r3.button(
    f"Use {float(f'{test.steepest:.2g}'):g} as η₀",
    key="lrs_use_suggestion",
    on_click=use_suggestion,
    args=(test.steepest,),
    help="The suggestion follows the steepest-descent rule; it sets the base learning rate above.",
)
st.caption(
    f"The suggestion is the steepest-descent point, rounded to two digits. The test ran {len(test.lrs)} of "
    f"{RANGE_STEPS} steps (loss smoothed with an exponential moving average, β = 0.9, bias-corrected)."
)

st.header("Try this")
cards_section("lr_schedules")

st.header("PyTorch for these settings")
epochs_done = runner.read(lambda job: job.epoch)
st.caption(
    f"Prints the range test's two read-outs and, for each of the {epochs_done} epochs trained so far, the "
    "rate and mean loss shown above (same seed, data, initial weights and minibatch order)."
)
st.code(pytorch_script(config, epochs_done), language="python")
