"""AppTests for the Basics pages: each renders, and changing a widget changes what it shows."""

import pytest

from tests.app.helpers import open_page
from ui.shell import CURRICULUM


def test_home_links_every_page_in_the_curriculum():
    at = open_page("pages/home.py")
    labels = [link.label for link in at.get("page_link")]
    text = " ".join(m.value for m in at.markdown)
    for entries in CURRICULUM.values():
        for entry in entries:
            assert entry.title in labels
            assert entry.summary in text
    assert "Deep Learning" in text and "Attention Is All You Need" in text


def test_neuron_output_follows_the_weight_slider():
    at = open_page("pages/neuron.py")
    before = at.metric[0].value
    at.slider(key="neuron_w1").set_value(-2.0).run()
    assert at.metric[0].value != before
    z_line = at.get("latex")[0].value if at.get("latex") else ""
    assert "-2.0" in z_line


def test_mlp_parameter_count_follows_the_architecture():
    at = open_page("pages/neuron.py")
    total = next(m for m in at.metric if m.label == "Total parameters")
    assert total.value == str(3 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2)
    at.number_input(key="mlp_depth").set_value(3).run()
    total = next(m for m in at.metric if m.label == "Total parameters")
    assert total.value == str(3 * 4 + 4 + 2 * (4 * 4 + 4) + 4 * 2 + 2)
    assert "Linear(in_features=4, out_features=4" in at.code[0].value


def test_activation_plot_follows_the_selection_and_softmax_the_temperature():
    at = open_page("pages/activations.py")
    traces_before = len(at.get("plotly_chart")[0].proto.spec)
    at.multiselect(key="act_chosen").set_value(["GELU"]).run()
    assert not at.exception
    assert any("GELU" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")[0].proto.spec) != traces_before
    caption = at.main.caption[-1].value
    at.slider(key="act_temperature").set_value(5.0).run()
    assert at.main.caption[-1].value != caption


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
    at.button(key="fwd_reset").click().run()
    assert (at.dataframe[0].value["change"] == 0).all()
    assert float(next(m for m in at.metric if "NumPy" in m.label).value) < 1e-9


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sidebar_seed_changes_the_initial_weights(seed):
    at = open_page("pages/forward_pass.py")
    before = at.dataframe[0].value["original network"].tolist()
    at.number_input(key="global_seed").set_value(seed).run()
    assert at.dataframe[0].value["original network"].tolist() != before
