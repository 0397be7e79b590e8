"""Widget values <-> configuration: the page's keys describe every field, and read back the same config."""

from core.playground.config import FIELDS, PlaygroundConfig
from pages.playground.form import config_from_widgets, widget_values

CUSTOM = PlaygroundConfig(
    dataset="spiral",
    seed=7,
    features=("x1", "x2", "sinx1"),
    hidden=(8, 6, 3),
    activation="ReLU",
    lr=0.003,
    batch_norm=True,
)


def test_round_trip_of_defaults_and_a_custom_config():
    for config in (PlaygroundConfig(), CUSTOM):
        assert config_from_widgets(widget_values(config)) == config


def test_keys_are_prefixed_and_cover_every_field():
    values = widget_values(CUSTOM)
    assert all(key.startswith("play_") for key in values)
    assert {f"play_{name}" for name in FIELDS} <= set(values)
    assert values["play_features"] == ["x1", "x2", "sinx1"]  # a multiselect's value is a list
    assert values["play_layers"] == 3
    assert [values[f"play_width_{i}"] for i in range(3)] == [8, 6, 3]


def test_widths_beyond_the_layer_count_are_ignored():
    values = widget_values(CUSTOM) | {"play_layers": 1, "play_width_5": 9}
    assert config_from_widgets(values).hidden == (8,)
    assert config_from_widgets(values | {"play_layers": 0}).hidden == ()


def test_widget_values_become_the_config_fields_and_types():
    values = widget_values(PlaygroundConfig()) | {"play_lr": 0.1, "play_features": ["x1"]}
    config = config_from_widgets(values)
    assert config.lr == 0.1 and config.features == ("x1",)
    assert config.errors() == []


def test_another_prefix():
    values = widget_values(CUSTOM, prefix="cli_")
    assert all(key.startswith("cli_") for key in values)
    assert config_from_widgets(values, prefix="cli_") == CUSTOM
