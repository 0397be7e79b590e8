"""A live prediction card's settings are its experiment: set on the page's widgets, they build the very run
the card's own `run` trains (the page's verdict then shows the card's numbers)."""

import pytest

from core.cards import CARDS, page_cards, transfer_learning
from core.cards.card import trained
from core.cards.playground import EPOCHS, run_numbers, widget_settings
from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from pages.playground.form import config_from_widgets, widget_values
from pages.playground.lab import SINGLE
from tests.cards_runs import card_numbers


def test_the_playground_cards_settings_are_the_pages_widget_values() -> None:
    for config in (PlaygroundConfig(), PlaygroundConfig(hidden=(), features=("x1", "x1x2"), lr=3.0)):
        shown = {key: value for key, value in widget_values(config).items() if key != "play_hidden"}
        assert widget_settings(config) == shown
        assert config_from_widgets(widget_settings(config)) == config


@pytest.mark.parametrize("card", page_cards("playground"), ids=lambda c: c.name)
def test_a_playground_cards_widgets_train_the_cards_run(card) -> None:
    assert card.settings["play_lab"] == SINGLE  # a single run, not a fork's race or a sweep
    config = config_from_widgets(card.settings)
    assert run_numbers(trained(Engine(config), EPOCHS)) == card_numbers(card.name)


def test_the_frozen_blocks_card_moves_the_slider_to_the_shipped_backbones_end() -> None:
    blocks = len(transfer_learning.backbone().block_names)
    assert CARDS["transfer_learning-frozen-count"].settings["tl_frozen"] == transfer_learning.BLOCKS == blocks
