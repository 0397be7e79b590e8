"""AppTests for the learning-rate schedules page: the preview, the live run, the range test and the code."""

import math
import re
from pathlib import Path

from tests.app.helpers import open_page
from tests.generated import run_generated

PAGE = "pages/lr_schedules.py"


def table(at, column: str):
    """The page's dataframe that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def lr_table(at) -> dict[int, float]:
    frame = table(at, "epoch t")
    return dict(zip(frame["epoch t"], frame["lr (η_t)"].astype(float), strict=True))


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_preview_follows_schedule_rate_and_epochs() -> None:
    at = open_page(PAGE)
    rates = lr_table(at)
    assert rates[29] == 0.1 and rates[30] == 0.01  # the slide's StepLR(step_size=30, gamma=0.1)
    assert rates[59] == 0.01 and rates[60] == 0.001  # both sides of every jump are listed
    at.selectbox(key="lrs_schedule").set_value("ExponentialLR").run()
    assert lr_table(at)[24] == float(f"{0.1 * 0.95**24:.6g}")  # a quarter of the way: epoch 99 // 4
    assert "ExponentialLR(optimizer, gamma=0.95)" in at.code[0].value
    at.number_input(key="lrs_lr").set_value(0.5).run()
    assert lr_table(at)[24] == float(f"{0.5 * 0.95**24:.6g}")
    at.selectbox(key="lrs_schedule").set_value("ReduceLROnPlateau").run()
    plateau = lr_table(at)
    assert plateau[36] == 0.5 and plateau[37] == 0.05  # the scripted plateau: ×0.1 after 11 bad epochs
    at.selectbox(key="lrs_schedule").set_value("CosineAnnealingLR").run()
    at.slider(key="lrs_epochs").set_value(40).run()
    assert not at.exception
    assert lr_table(at)[19] == float(f"{0.5 * 0.5 * (1 + math.cos(math.pi * 19 / 40)):.6g}")  # 39 // 2
    assert "T_max=40" in at.code[0].value


def test_step_trains_and_the_suggestion_sets_the_rate() -> None:
    at = open_page(PAGE)
    assert metric(at, "Epoch") == "0 / 100"
    at.button(key="lrs_step").click().run()
    at.button(key="lrs_step").click().run()
    assert metric(at, "Epoch") == "2 / 100"
    assert metric(at, "Learning rate (last epoch)") == "0.1"
    loss = metric(at, "Loss with StepLR")
    assert float(loss) < 0.75
    steepest = float(metric(at, "Steepest descent at"))
    at.button(key="lrs_use_suggestion").click().run()
    assert at.number_input(key="lrs_lr").value == float(f"{steepest:.2g}")
    assert metric(at, "Epoch") == "0 / 100"  # a new rate is a new run


def test_generated_code_prints_what_the_page_shows(tmp_path: Path) -> None:
    at = open_page(PAGE)
    at.selectbox(key="lrs_schedule").set_value("OneCycleLR").run()
    for _ in range(3):
        at.button(key="lrs_step").click().run()
    out = run_generated(at.code[-1].value, tmp_path)
    epochs = re.findall(r"epoch (\d+): lr (\S+), loss (\S+)", out)
    shown = table(at, "loss")
    assert [int(e) for e, _, _ in epochs] == list(shown["epoch"]) == [1, 2, 3]
    assert [lr for _, lr, _ in epochs] == list(shown["lr"])
    assert [loss for _, _, loss in epochs] == list(shown["loss"])
    assert epochs[-1][2] == metric(at, "Loss with OneCycleLR")
    steepest, min_over_10 = re.search(r"range test: steepest (\S+), min/10 (\S+)", out).groups()
    assert f"{float(steepest):.3g}" == metric(at, "Steepest descent at")
    assert f"{float(min_over_10):.3g}" == metric(at, "LR at the lowest smoothed loss ÷ 10")
