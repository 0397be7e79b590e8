"""AppTests for the Training concept pages: Backpropagation, Loss functions, Optimizers."""

import time
from pathlib import Path

import pytest

from tests.app.helpers import open_page
from tests.generated import run_generated


def metric(at, label_start: str) -> str:
    """The value of the first metric whose label starts with `label_start`."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def table(at, column: str):
    """The first dataframe shown that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_backprop_numbers_follow_the_example_and_the_learning_rate(tmp_path: Path):
    at = open_page("pages/backprop.py")
    assert float(metric(at, "max |hand − autograd|")) < 1e-6
    assert float(metric(at, "max |hand − finite difference|")) < 1e-6
    gradients = table(at, "gradient (by hand)")
    assert len(gradients) == 13
    before, after = metric(at, "loss before"), metric(at, "loss after")
    assert float(after) < float(before)

    at.number_input(key="bp_x1").set_value(0.0).run()
    moved = table(at, "gradient (by hand)")
    assert not moved["gradient (by hand)"].equals(gradients["gradient (by hand)"])
    w1_x1 = moved[moved["parameter"].str.match(r"W1\[\d,0\]")]
    assert (w1_x1["gradient (by hand)"].astype(float) == 0).all()  # x1 = 0 teaches W1[j,0] nothing

    at.select_slider(key="bp_lr").set_value(2.0).run()
    assert float(metric(at, "loss after")) > float(metric(at, "loss before"))  # overshoot
    at.slider(key="bp_shown").set_value(2).run()
    assert len(table(at, "computed as")) == 2

    code = at.code[-1].value
    out = run_generated(code, tmp_path)
    assert f"loss before: {metric(at, 'loss before')}" in out
    assert f"loss after one step: {metric(at, 'loss after')}" in out
    for _, row in table(at, "gradient (by hand)").iterrows():
        assert f"dL/d{row['parameter']} = {row['gradient (by hand)']}" in out


def test_backprop_training_loop_steps_and_plays():
    at = open_page("pages/backprop.py")
    assert metric(at, "Epoch").startswith("0 /")
    at.button(key="bp_step").click().run()
    assert metric(at, "Epoch").startswith("1 /")
    at.number_input(key="bp_epochs").set_value(2500).run()  # a new budget is a new run
    assert metric(at, "Epoch") == "0 / 2500"
    at.button(key="bp_play").click().run()
    runner = at.session_state["bp_runner"]
    deadline = time.monotonic() + 60
    while not runner.read(lambda job: job.done) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.05)
    at.run()
    assert metric(at, "Epoch") == "2500 / 2500"
    assert float(metric(at, "Loss")) < 0.01  # XOR learnt (answering 0.5 everywhere gives 0.25)
    runner.close()


def test_losses_page_shows_the_slide_numbers_and_follows_its_controls(tmp_path: Path):
    at = open_page("pages/losses.py")
    values = dict(zip(table(at, "PyTorch")["loss"], table(at, "PyTorch")["value"], strict=True))
    assert values["MSE"] == "0.015625" and round(float(values["BCE"]), 4) == 0.1213
    assert any("**0.015625**" in m.value for m in at.markdown)

    chart = at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="loss_name").set_value("Huber").run()
    assert at.get("plotly_chart")[0].proto.spec != chart
    at.slider(key="loss_delta").set_value(0.1).run()
    values = dict(zip(table(at, "PyTorch")["loss"], table(at, "PyTorch")["value"], strict=True))
    assert float(values["Huber"]) == pytest.approx(
        (0.005 + 0.005 + 0.015 + 0.00125) / 4, abs=1e-6
    )  # 0.2 > δ: linear

    at.text_input(key="loss_y_pred").set_value("0.9, 0.1, 0.8, 0.05").run()
    values = dict(zip(table(at, "PyTorch")["loss"], table(at, "PyTorch")["value"], strict=True))
    assert float(values["BCE"]) == pytest.approx(0.857, abs=1e-3)
    at.text_input(key="loss_y_pred").set_value("0.9, oops").run()
    assert "not a number: 'oops'" in at.error[0].value
    at.text_input(key="loss_y_pred").set_value("0.9, 0.1, 0.8, 0.95").run()

    fits = table(at, "slope")
    at.slider(key="loss_outlier").set_value(20.0).run()
    assert not table(at, "slope").equals(fits)
    saturated = table(at, "BCELoss(sigmoid(z))")
    at.radio(key="loss_sat_target").set_value(1.0).run()
    assert not table(at, "BCELoss(sigmoid(z))").equals(saturated)

    out = run_generated(at.code[-1].value, tmp_path)
    for name, value in zip(table(at, "PyTorch")["loss"], table(at, "PyTorch")["value"], strict=True):
        assert f"{name} = {value}" in out
    for _, row in table(at, "slope").iterrows():
        if row["loss"] != "true line":
            assert f"{row['loss']} line: y = {row['slope']} x + {row['intercept']}" in out


def test_optimizers_race_follows_function_settings_and_step(tmp_path: Path):
    at = open_page("pages/optimizers.py")
    race = table(at, "end x")
    assert list(race["optimizer"]) == [
        "SGD",
        "SGD+momentum",
        "Nesterov",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
    ]
    reached = dict(zip(race["optimizer"], race["steps to within 0.001"], strict=True))
    assert (
        reached["SGD"] == "—" and reached["SGD+momentum"] == "—"
    )  # Rosenbrock, 1000 steps: nobody there yet

    at.select_slider(key="opt_steps").set_value(2000).run()
    reached = dict(
        zip(table(at, "end x")["optimizer"], table(at, "end x")["steps to within 0.001"], strict=True)
    )
    assert int(reached["SGD+momentum"]) < 2000

    at.number_input(key="opt_Adam_lr").set_value(0.05).run()
    adam = table(at, "end x").set_index("optimizer").loc["Adam"]
    assert adam["steps to within 0.001"] != "—"  # Try this: Adam at lr 0.05 reaches (1, 1)

    contour = at.get("plotly_chart")[0].proto.spec
    at.slider(key="opt_show").set_value(10).run()
    assert at.get("plotly_chart")[0].proto.spec != contour

    at.selectbox(key="opt_function").set_value("Ill-conditioned quadratic").run()
    at.number_input(key="opt_SGD_lr").set_value(0.041).run()
    race = table(at, "end x").set_index("optimizer")
    assert race.loc["SGD", "diverged"] == "yes"

    at.multiselect(key="opt_chosen").set_value(["SGD", "Adam"]).run()
    assert list(table(at, "end x")["optimizer"]) == ["SGD", "Adam"]
    at.button(key="opt_reset_settings").click().run()
    assert at.number_input(key="opt_SGD_lr").value == 0.001

    at.number_input(key="opt_net_epochs").set_value(1).run()
    at.select_slider(key="opt_net_hidden").set_value(8).run()
    at.select_slider(key="opt_net_batch").set_value(128).run()
    out = run_generated(at.code[-1].value, tmp_path, timeout=300)
    for _, row in table(at, "end x").iterrows():
        assert f"{row['optimizer']}: ends at ({row['end x']}, {row['end y']}), f = {row['f']}" in out

    at.button(key="opt_net_step").click().run()
    net = table(at, "test accuracy")
    assert list(net["optimizer"]) == ["SGD", "Adam"] and net["last minibatch loss"].iloc[0] != "—"
    at.button(key="opt_net_play").click().run()
    runner = at.session_state["opt_runner"]
    deadline = time.monotonic() + 120
    while not runner.read(lambda job: job.done) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.05)
    at.run()
    net = table(at, "test accuracy").set_index("optimizer")
    for name in ("SGD", "Adam"):
        assert f"{name}: test accuracy {net.loc[name, 'test accuracy']}" in out
    runner.close()
