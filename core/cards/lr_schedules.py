"""The Learning-rate schedules page's prediction cards: a schedule against its constant-rate twin, trained
live on the page's runner, and ReduceLROnPlateau on the preview's scripted loss."""

import math

from core.cards.card import Card, Live, Numbers, live_run
from core.training.lr_training import ScheduleConfig, ScheduleJob
from core.training.schedules import PLATEAU_PATIENCE, scripted_losses, torch_lrs

EPOCHS = 100  # the page's default


def twin_numbers(job: ScheduleJob) -> Numbers:
    """Both twins' last and tenth-epoch mean losses, the first and last rate, and the first epoch (counting
    from 1) whose rate is under 0.2 × η₀."""
    snap = job.snapshot()
    lrs, loss, constant = snap["lr"], snap["loss"], snap["constant_loss"]
    low = next((t + 1 for t in range(len(lrs)) if lrs[t] < 0.2 * job.config.lr), 0)
    return {
        "scheduled": float(loss[-1]),
        "constant": float(constant[-1]),
        "scheduled_10": float(loss[9]),
        "constant_10": float(constant[9]),
        "first_lr": float(lrs[0]),
        "last_lr": float(lrs[-1]),
        "low_from": low,
    }


TWIN = Live(runner="lrs_runner", measure=twin_numbers)


def lower_rule(n: Numbers) -> int:
    """The scheduled run ends lower by over 10 % (0), the constant one does (1), or about the same (2)."""
    if n["scheduled"] < 0.9 * n["constant"]:
        return 0
    return 1 if n["constant"] < 0.9 * n["scheduled"] else 2


def one_cycle_rule(n: Numbers) -> int:
    """Behind at epoch 10 and ahead at the end (0), ahead at both (1), behind at both (2), else 3."""
    behind_early, ahead_late = n["scheduled_10"] > n["constant_10"], n["scheduled"] < n["constant"]
    return {(True, True): 0, (False, True): 1, (True, False): 2}.get((behind_early, ahead_late), 3)


def settings(config: ScheduleConfig) -> dict[str, object]:
    """The page's widgets for `config` (seed from the sidebar)."""
    return {
        "lrs_schedule": config.schedule,
        "lrs_lr": config.lr,
        "lrs_epochs": config.epochs,
        "global_seed": config.seed,
    }


def plateau() -> Numbers:
    """ReduceLROnPlateau (torch's own) on the preview's scripted loss: its last new best and the first epoch
    with a lower rate (both counted from 0, as the page's table)."""
    losses = scripted_losses(EPOCHS)
    best = [t for t in range(EPOCHS) if losses[t] < min(losses[:t], default=math.inf) * (1 - 1e-4)]
    rates = torch_lrs("ReduceLROnPlateau", 0.1, EPOCHS, losses)
    first_cut = next(t for t in range(EPOCHS) if rates[t] < 0.1)
    last_best = max(t for t in best if t < first_cut)
    return {"best": last_best, "cut": first_cut, "patience": PLATEAU_PATIENCE, "rate": rates[first_cut]}


STEP, STEP_BIG = ScheduleConfig(), ScheduleConfig(lr=0.5)
ONE_CYCLE = ScheduleConfig(schedule="OneCycleLR", lr=0.5)
LOWER = ("The scheduled run", "The constant-rate twin", "About the same")

CARDS = (
    Card(
        name="lr_schedules-step",
        page="lr_schedules",
        question="**StepLR** at η₀ = 0.1 (the defaults), 100 epochs next to its constant-rate twin (seed 0). "
        "Whose loss ends lower?",
        answers=LOWER,
        settings=settings(STEP),
        run=live_run(lambda: ScheduleJob(STEP), TWIN),
        rule=lower_rule,
        note="StepLR **{scheduled:.3f}**, constant **{constant:.3f}**. The rate drops ×10 at epoch "
        "{low_from} (to {last_lr:.3g} by the end): each minibatch then moves the weights a tenth as far, so "
        "they stop bouncing around the minimum and settle into it.",
        explains=0,
        live=TWIN,
    ),
    Card(
        name="lr_schedules-step-big",
        page="lr_schedules",
        question="StepLR at **η₀ = 0.5**, five times the default. Whose loss ends lower now?",
        answers=LOWER,
        settings=settings(STEP_BIG),
        run=live_run(lambda: ScheduleJob(STEP_BIG), TWIN),
        rule=lower_rule,
        note="StepLR **{scheduled:.3f}**, constant **{constant:.3f}**: at 0.5 the twin keeps bouncing; "
        "StepLR gets 0.5's fast start and a small rate ({last_lr:.3g}) for the end.",
        explains=0,
        live=TWIN,
    ),
    Card(
        name="lr_schedules-one-cycle",
        page="lr_schedules",
        question="**OneCycleLR** with max_lr **0.5**, against its twin at a constant 0.5. At epoch 10, and "
        "at the end?",
        answers=(
            "Behind at epoch 10, ahead at the end",
            "Ahead at both",
            "Behind at both",
            "Ahead at epoch 10, behind at the end",
        ),
        settings=settings(ONE_CYCLE),
        run=live_run(lambda: ScheduleJob(ONE_CYCLE), TWIN),
        rule=one_cycle_rule,
        note="At epoch 10: {scheduled_10:.3f} against {constant_10:.3f}; at the end **{scheduled:.3f}** "
        "against **{constant:.3f}**. OneCycleLR starts at max_lr / 25 = {first_lr:.2f}, warms up to 0.5 and "
        "then anneals far below it ({last_lr:.1e} at the end): slow at first, ahead at the end.",
        explains=0,
        live=TWIN,
    ),
    Card(
        name="lr_schedules-plateau",
        page="lr_schedules",
        question="**ReduceLROnPlateau** in the preview (patience 10): the scripted loss stops improving "
        "after epoch 25. In which epoch does the rate first fall?",
        answers=("26, at once", "36, after 10 epochs without a new best", "37, after 11"),
        settings={"lrs_schedule": "ReduceLROnPlateau", "lrs_lr": 0.1, "lrs_epochs": EPOCHS},
        run=plateau,
        rule=lambda n: (26, 36, 37).index(n["cut"]),
        note="The last new best is at epoch {best}, and the rate falls to {rate:g} in epoch **{cut}**: torch "
        "reduces it when the count of bad epochs exceeds patience ({patience}), i.e. at the 11th.",
        explains=2,
    ),
)
