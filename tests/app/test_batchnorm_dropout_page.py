"""AppTests for the batch norm & dropout page: controls change the runs, and the generated scripts print
the numbers the page shows."""

import re
from pathlib import Path

from tests.app.helpers import open_page
from tests.generated import run_generated

PAGE = "pages/batchnorm_dropout.py"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def frame(at, column: str):
    """The page's dataframe that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_batch_norm_controls_and_steps() -> None:
    at = open_page(PAGE)
    assert metric(at, "Epoch") == "0 / 60"
    assert at.info  # before the first epoch: a hint instead of empty histograms
    at.button(key="bn_step").click().run()
    plain, normed = metric(at, "Loss without batch norm"), metric(at, "Loss with batch norm")
    assert plain != "–" and float(normed) < float(plain)
    stds = frame(at, "layer 1")
    assert list(stds.columns) == [f"layer {i}" for i in range(1, 7)]
    assert abs(float(stds.loc["batch norm", "layer 3"]) - 1) < 0.05
    at.slider(key="bn_depth").set_value(3).run()
    assert metric(at, "Epoch") == "0 / 60"  # a new architecture is a new run
    assert at.expander and "BatchNorm1d" in at.code[1].value
    assert at.code[0].value.count("Linear(") == 4 and "BatchNorm1d" not in at.code[0].value
    before = metric(at, "Largest |train − eval| probability on this batch")
    at.button(key="bn_step").click().run()
    assert metric(at, "Largest |train − eval| probability on this batch") != before
    slow = metric(at, "Loss with batch norm")
    at.select_slider(key="bn_lr").set_value(0.2).run()
    at.slider(key="bn_epochs").set_value(20).run()
    assert metric(at, "Epoch") == "0 / 20"
    at.button(key="bn_step").click().run()
    assert metric(at, "Loss with batch norm") != slow  # same start and batches, another learning rate


def test_dropout_controls_mask_and_monte_carlo() -> None:
    at = open_page(PAGE)
    caption = next(c.value for c in at.caption if "units kept" in c.value)
    assert "× 1/(1 − p) = 2.0000" in caption
    at.button(key="do_resample").click().run()
    assert at.number_input(key="do_mask_seed").value == 1
    assert next(c.value for c in at.caption if "units kept" in c.value) != caption
    spread = metric(at, "Largest std over the plane")
    at.slider(key="do_p").set_value(0.8).run()
    assert "× 1/(1 − p) = 5.0000" in next(c.value for c in at.caption if "units kept" in c.value)
    assert metric(at, "Largest std over the plane") != spread
    at.button(key="do_step").click().run()
    assert metric(at, "dropout 0.8: train loss") != "–"
    std = metric(at, "Largest std over the plane")
    at.slider(key="do_samples").set_value(60).run()
    assert metric(at, "Largest std over the plane") != std


def test_generated_scripts_print_what_the_page_shows(tmp_path: Path) -> None:
    at = open_page(PAGE)
    at.slider(key="bn_depth").set_value(4).run()
    at.slider(key="do_p").set_value(0.3).run()
    for _ in range(2):
        at.button(key="bn_step").click().run()
        at.button(key="do_step").click().run()

    out = run_generated(at.code[-2].value, tmp_path)
    last = re.findall(r"epoch (\d+): plain (\S+), batch norm (\S+)", out)[-1]
    assert last == ("2", metric(at, "Loss without batch norm"), metric(at, "Loss with batch norm"))
    stats = frame(at, "batch mean")
    for column in ("batch mean", "running mean", "batch var", "running var"):
        assert re.search(rf"{column} +(.*)", out).group(1).split() == list(stats[column])
    modes = frame(at, 0)  # rows model.train() / model.eval(), one column per probe point
    assert re.search(r"train mode (.*)", out).group(1).split() == list(modes.loc["model.train()"])
    assert re.search(r"eval mode +(.*)", out).group(1).split() == list(modes.loc["model.eval()"])

    out = run_generated(at.code[-1].value, tmp_path)
    last = re.findall(r"epoch (\d+): no dropout train (\S+) test (\S+), dropout train (\S+) test (\S+)", out)[
        -1
    ]
    shown = [
        metric(at, f"{name}: {part} loss")
        for name in ("no dropout", "dropout 0.3")
        for part in ("train", "test")
    ]
    assert list(last) == ["2", *shown]
    caption = next(c.value for c in at.caption if "units kept" in c.value)
    kept = re.findall(r"(\d+) of (\d+) units kept", caption)
    assert re.findall(r"mask: (\d+) of (\d+) kept, kept units scaled by 1.4286", out) == kept
    assert (
        f"max {metric(at, 'Largest std over the plane')}, mean {metric(at, 'Mean std over the plane')}" in out
    )
