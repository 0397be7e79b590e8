"""AppTests for the Basics pages: each renders, changing a widget changes what it shows, each page teaches
(Try this, PyTorch for these settings), and the generated code prints the numbers the page shows."""

import json
import re
from pathlib import Path

import pytest

from tests.app.helpers import open_page
from tests.generated import run_generated
from ui.shell import CURRICULUM

BASICS = ["pages/neuron.py", "pages/activations.py", "pages/forward_pass.py"]


def code_block(at, marker: str) -> str:
    """The one st.code block on the page that contains `marker`."""
    blocks = [c.value for c in at.code if marker in c.value]
    assert len(blocks) == 1, f"{len(blocks)} code blocks contain {marker!r}"
    return blocks[0]


def table(at, column: str):
    """The one dataframe on the page that has `column`."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, f"{len(frames)} tables have a column {column!r}"
    return frames[0]


def chart(at, index: int) -> dict:
    """The plotly figure of the page's index-th chart, as a dict."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_home_links_every_page_in_the_curriculum():
    at = open_page("pages/home.py")
    labels = [link.label for link in at.get("page_link")]
    text = " ".join(m.value for m in at.markdown)
    for entries in CURRICULUM.values():
        for entry in entries:
            assert entry.title in labels
            assert entry.summary in text
    assert "Deep Learning" in text and "Attention Is All You Need" in text
    assert "Thirteen" not in text and "Eleven non-linearities from torch.nn" in text
    assert "Try this" in text and "PyTorch for these settings" in text


@pytest.mark.parametrize("path", BASICS)
def test_every_basics_page_explains_proposes_experiments_and_shows_its_code(path):
    at = open_page(path)
    headings = [s.value for s in at.subheader]
    assert headings.count("Try this") >= 1 and "PyTorch for these settings" in headings
    cards = [r for r in at.radio if r.key and r.key.startswith("card_pick_")]  # Try this asks, ui/cards.py
    assert len(cards) >= 3 and all(2 <= len(r.options) <= 4 for r in cards)
    experiments = [m.value for m in at.markdown if m.value.startswith("- ")]  # plain items, if listed
    assert all(2 <= v.count("\n- ") + 1 <= 4 for v in experiments)
    assert any("import torch" in c.value for c in at.code)


def test_neuron_formula_follows_the_sliders_and_folds_negative_signs():
    at = open_page("pages/neuron.py")
    before = at.metric[0].value
    at.slider(key="neuron_w1").set_value(-2.0).run()
    at.slider(key="neuron_b").set_value(-0.5).run()
    assert at.metric[0].value != before
    z_line = at.get("latex")[0].value
    assert r"z = -2 \cdot 1 - 1.2 \cdot (-0.5) - 0.5 = -1.9000" in z_line
    assert "+ -" not in z_line
    assert at.metric[0].label == "Output a = Sigmoid(-1.9000)"


def test_neuron_with_w2_zero_draws_the_vertical_boundary_x1_equals_minus_b_over_w1():
    at = open_page("pages/neuron.py")
    at.slider(key="neuron_w2").set_value(0.0).run()
    boundary = [t for t in chart(at, 0)["data"] if t.get("mode") == "lines"]
    assert len(boundary) == 1 and boundary[0]["x"] == pytest.approx([-0.25, -0.25])


def test_neuron_code_prints_the_page_numbers(tmp_path: Path):
    at = open_page("pages/neuron.py")
    at.slider(key="neuron_x2").set_value(1.5).run()
    at.slider(key="neuron_w1").set_value(-2.3).run()
    at.slider(key="neuron_b").set_value(-0.7).run()
    at.selectbox(key="neuron_activation").set_value("Tanh").run()
    page_z = re.search(r"= (-?\d+\.\d{4})$", at.get("latex")[0].value.strip().strip("$").strip()).group(1)
    printed = run_generated(code_block(at, "nn.Linear(2, 1)"), tmp_path).splitlines()
    assert printed == [f"z = {page_z}", f"a = {at.metric[0].value}"]


def test_mlp_parameter_count_follows_the_architecture():
    at = open_page("pages/neuron.py")
    total = next(m for m in at.metric if m.label == "Total parameters")
    assert total.value == str(3 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2)
    at.number_input(key="mlp_depth").set_value(3).run()
    total = next(m for m in at.metric if m.label == "Total parameters")
    assert total.value == str(3 * 4 + 4 + 2 * (4 * 4 + 4) + 4 * 2 + 2) == "66"
    assert "Linear(in_features=4, out_features=4" in code_block(at, "Sequential(\n  (0)")
    at.number_input(key="mlp_depth").set_value(0).run()
    assert next(m for m in at.metric if m.label == "Total parameters").value == "8"


def test_mlp_code_rebuilds_exactly_the_drawn_network(tmp_path: Path):
    at = open_page("pages/neuron.py")
    at.number_input(key="global_seed").set_value(3).run()
    at.number_input(key="mlp_depth").set_value(1).run()
    at.number_input(key="mlp_width_0").set_value(5).run()
    at.selectbox(key="mlp_activation").set_value("Step").run()
    code = code_block(at, "torch.manual_seed(3)")
    printed = run_generated(code, tmp_path).splitlines()
    page_output = next(m.value for m in at.markdown if m.value.startswith("**model(x)**")).split(": ")[1]
    assert printed[-1] == "model(x) = " + page_output
    assert printed[-2] == next(m for m in at.metric if m.label == "Total parameters").value + " parameters"
    assert "\n".join(printed[:-2]) == code_block(at, "Sequential(\n  (0)")


def test_activation_plot_follows_the_selection_and_softmax_the_temperature():
    at = open_page("pages/activations.py")
    traces_before = len(at.get("plotly_chart")[0].proto.spec)
    at.multiselect(key="act_chosen").set_value(["GELU"]).run()
    assert not at.exception
    assert any("GELU" in m.value and "x·Φ(x)" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")[0].proto.spec) != traces_before
    # GELU's minimum is a flat point (dotted line), its far left a shaded saturated region
    shapes = chart(at, 0)["layout"]["shapes"]
    assert {s["type"] for s in shapes} == {"line", "rect"}
    caption = at.main.caption[-2].value
    at.slider(key="act_temperature").set_value(5.0).run()
    assert at.main.caption[-2].value != caption


def test_activations_try_this_numbers_are_what_the_page_shows():
    at = open_page("pages/activations.py")
    at.multiselect(key="act_chosen").set_value(["Softplus", "Step"]).run()
    at.slider(key="act_Softplus_beta").set_value(5.0).run()
    values = table(at, "f(x)")
    assert values["f(x)"].tolist() == ["0.138629", "0.500000"]  # ln 2 / 5, and Step is 0.5 at 0
    at.slider(key="act_temperature").set_value(0.05).run()
    assert table(at, "z / T")["p"].tolist()[0] == "1.0000"
    at.slider(key="act_temperature").set_value(10.0).run()
    assert table(at, "z / T")["p"].tolist() == ["0.2880", "0.2606", "0.2381", "0.2133"]
    assert "1.3802 nats" in at.main.caption[-2].value and "ln 4 = 1.3863" in at.main.caption[-2].value


def test_activations_code_prints_the_page_tables(tmp_path: Path):
    at = open_page("pages/activations.py")
    at.multiselect(key="act_chosen").set_value(["ELU", "Softplus", "Step"]).run()
    at.slider(key="act_ELU_alpha").set_value(0.5).run()
    at.slider(key="act_Softplus_beta").set_value(2.5).run()
    at.number_input(key="act_probe").set_value(-0.25).run()
    at.slider(key="act_temperature").set_value(0.4).run()
    printed = run_generated(code_block(at, "torch.softmax"), tmp_path).splitlines()
    expected = [
        f"{row['function']}: f({row['x']}) = {row['f(x)']}   f'({row['x']}) = {row['f′(x) (autograd)']}"
        for _, row in table(at, "f(x)").iterrows()
    ]
    expected += [
        f"{row['class']}: logit {row['logit z']} -> z/T {row['z / T']} -> p {row['p']}"
        for _, row in table(at, "z / T").iterrows()
    ]
    entropy = re.search(r"= (\d\.\d{4}) nats", at.main.caption[-2].value).group(1)
    assert printed[:-1] == expected
    assert printed[-1].startswith(f"entropy {entropy} nats")


def test_empty_selection_and_empty_range_get_messages():
    at = open_page("pages/activations.py")
    at.multiselect(key="act_chosen").set_value([]).run()
    assert at.info and "at least one" in at.info[0].value
    at.multiselect(key="act_chosen").set_value(["ReLU"]).run()
    at.slider(key="act_range").set_value((2.0, 2.0)).run()
    assert at.error and "range is empty" in at.error[0].value


def test_forward_pass_follows_input_and_weight_edits():
    at = open_page("pages/forward_pass.py")
    table = at.dataframe[0].value
    at.number_input(key="fwd_x0").set_value(-3.0).run()
    moved = at.dataframe[0].value
    assert not moved["original network"].equals(table["original network"])
    at.selectbox(key="fwd_edit_layer").set_value(0).run()
    at.selectbox(key="fwd_edit_source").set_value(0).run()
    at.number_input(key="fwd_edit_value").set_value(-4.0).run()
    at.button(key="fwd_apply").click().run()
    edited = at.dataframe[0].value
    assert (edited["change"].abs() > 0).any()
    assert "W[0,0] = -4" in at.main.caption[0].value
    assert "model[0].weight[0, 0] = -4.0" in code_block(at, "torch.manual_seed")
    at.button(key="fwd_reset").click().run()
    assert (at.dataframe[0].value["change"] == 0).all()
    assert float(next(m for m in at.metric if "NumPy" in m.label).value) < 1e-9


def test_forward_pass_says_the_output_layer_has_no_activation():
    at = open_page("pages/forward_pass.py")
    layers = [m.value for m in at.markdown if m.value.startswith("**Linear")]
    assert layers == [
        "**Linear 1** (3 → 4), then Tanh",
        "**Linear 2** (4 → 3), then Tanh",
        "**Linear 3** (3 → 2), the output layer: no activation, a = z",
    ]


def test_forward_pass_code_prints_every_number_the_page_shows(tmp_path: Path):
    at = open_page("pages/forward_pass.py")
    at.number_input(key="global_seed").set_value(2).run()
    at.selectbox(key="fwd_activation").set_value("ELU").run()
    at.number_input(key="fwd_x1").set_value(-1.5).run()
    at.selectbox(key="fwd_edit_layer").set_value(1).run()
    at.selectbox(key="fwd_edit_source").set_value("bias").run()
    at.number_input(key="fwd_edit_value").set_value(2.5).run()
    at.button(key="fwd_apply").click().run()
    printed = run_generated(code_block(at, "torch.manual_seed(2)"), tmp_path).splitlines()
    shown = [c.value for c in at.main.caption if c.value.startswith("z = ")]
    expected = []
    for k, line in enumerate(shown):
        z, _, a = line.partition("  →  a = ELU(z) = ")
        expected.append(f"Linear {k + 1}: {z}")
        if a:
            expected.append(f"  ELU: a = {a}")
    expected.append("model(x) = " + next(m for m in at.metric if m.label == "PyTorch model(x)").value)
    assert len(shown) == 3 and printed == expected


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sidebar_seed_changes_the_initial_weights(seed):
    at = open_page("pages/forward_pass.py")
    before = at.dataframe[0].value["original network"].tolist()
    at.number_input(key="global_seed").set_value(seed).run()
    assert at.dataframe[0].value["original network"].tolist() != before
