"""One config for URL, CLI and export: round trips, defaults, and clear errors."""

import argparse
import dataclasses

import pytest

from core.playground.config import FIELDS, PlaygroundConfig, add_arguments, from_args, from_query, to_query

CUSTOM = PlaygroundConfig(
    dataset="spiral",
    points=300,
    noise=0.25,
    train_fraction=0.7,
    seed=42,
    features=("x1", "x2", "sinx1"),
    hidden=(8, 6, 3),
    activation="ReLU",
    init="Kaiming",
    loss="BCE",
    optimizer="AdamW",
    lr=0.003,
    batch_size=32,
    schedule="cosine",
    schedule_period=50,
    regularization="L1",
    reg_rate=0.001,
    dropout=0.2,
    batch_norm=True,
)


def test_url_round_trips_every_field():
    query = to_query(CUSTOM)
    assert set(query) == set(FIELDS)
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == (CUSTOM, [])


def test_every_field_differs_from_default_in_the_round_trip_fixture():
    default = PlaygroundConfig()
    assert all(getattr(CUSTOM, f) != getattr(default, f) for f in FIELDS)


def test_missing_url_params_take_defaults_and_bad_ones_are_reported():
    assert from_query({}) == (PlaygroundConfig(), [])
    config, problems = from_query({"hidden": "8,x", "lr": "fast"})
    assert config == PlaygroundConfig()
    assert any("hidden" in p for p in problems) and any("lr" in p for p in problems)
    config, problems = from_query({"hidden": "64"})
    assert problems and "hidden layers" in problems[0]


def test_zero_hidden_layers_round_trip():
    config = dataclasses.replace(CUSTOM, hidden=())
    assert from_query(to_query(config))[0].hidden == ()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser()
    add_arguments(p)
    return p


def test_cli_flag_defaults_are_the_page_defaults():
    assert from_args(parser().parse_args([])) == PlaygroundConfig()


def test_cli_flags_cover_every_field_and_accept_any_case():
    args = parser().parse_args([f"--{k.replace('_', '-')}={v}" for k, v in to_query(CUSTOM).items()])
    assert from_args(args) == CUSTOM
    assert from_args(parser().parse_args(["--activation", "tanh", "--optimizer", "adam"])).optimizer == "Adam"


def test_invalid_combinations_raise_clear_errors():
    with pytest.raises(ValueError, match="does not suit regression"):
        from_args(parser().parse_args(["--dataset", "plane", "--loss", "BCE"]))
    assert PlaygroundConfig(dataset="nope").errors() == [
        "unknown dataset 'nope'; choose from circle, xor, gauss, spiral, moons, plane, multi_gauss, upload"
    ]
    assert PlaygroundConfig(features=()).errors() == ["choose at least one input feature"]
