"""One config for URL, CLI and export: round trips, defaults, and clear errors."""

import argparse
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_a_link_with_one_bad_value_keeps_the_others():
    config, problems = from_query({"points": "5000", "hidden": "8,8", "lr": "0.1"})
    assert (config.hidden, config.lr, config.points) == ((8, 8), 0.1, PlaygroundConfig().points)
    assert problems == ["points must be between 20 and 2000 (got 5000)"]
    config, problems = from_query({**to_query(CUSTOM), "optimizer": "lion", "noise": "loud"})
    assert config == dataclasses.replace(CUSTOM, optimizer="SGD", noise=0.0)
    assert problems[0] == "noise: cannot read 'loud' as float"
    assert len(problems) == 2 and problems[1].startswith("unknown optimizer 'lion'; choose from SGD,")


def test_a_default_that_clashes_with_a_kept_value_is_reported_too():
    config, problems = from_query({"dataset": "plane", "loss": "BCE"})  # BCE is for classes
    assert (config.dataset, config.loss) == ("plane", PlaygroundConfig().loss)
    assert problems == ["the BCE loss does not suit regression; use one of MSE/2, Huber"]
    config, problems = from_query({"dataset": "nope", "loss": "Huber"})  # the default dataset has classes
    assert config == PlaygroundConfig() and len(problems) == 2
    assert "unknown dataset" in problems[0] and "Huber loss does not suit classification" in problems[1]


def test_old_links_with_loss_mse_open_the_same_run_and_say_the_new_name():
    config, problems = from_query({**to_query(CUSTOM), "loss": "MSE"})
    assert config == dataclasses.replace(CUSTOM, loss="MSE/2")
    assert problems == [
        "loss MSE is now called MSE/2: it is ½·(o − t)², half of nn.MSELoss; the link's run is unchanged"
    ]
    with pytest.raises(ValueError, match=r"unknown loss 'MSE'.*now called MSE/2: it is ½·\(o − t\)²"):
        from_args(parser().parse_args(["--loss", "MSE"]))


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(FIELDS)),
        st.one_of(
            st.text(max_size=12), st.sampled_from(["MSE", "BCE", "plane", "0", "1e9", "-1", "8,64", "nan"])
        ),
    )
)
def test_any_link_opens_a_valid_configuration(params):
    config, problems = from_query(params)
    assert config.errors() == []
    assert all(isinstance(p, str) and "\n" not in p for p in problems)


def test_a_link_cannot_carry_a_seed_numpy_and_torch_refuse_or_a_feature_twice():
    # Found by the fuzz test: seed=-1 made Engine fail with numpy's "expected non-negative integer" (the page
    # silently showed seed 0), and features=x1,x1 crashed the page with a torch shape mismatch.
    config, problems = from_query({"seed": "-1", "features": "x1,x1", "lr": "0.1"})
    assert (config.seed, config.features, config.lr) == (0, ("x1", "x2"), 0.1)
    assert problems == [
        "each input feature may be chosen once; repeated: x1",
        "seed must be between 0 and 2147483647 (got -1)",
    ]
    assert from_query({"seed": str(2**31)})[1] == ["seed must be between 0 and 2147483647 (got 2147483648)"]
