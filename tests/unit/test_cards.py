"""Prediction cards (issue 25): every page but Home asks at least three, each card is of the registry's
shape, and each card's seeded experiment still gives the answer its explanation argues for. A card whose
experiment no longer gives its answer fails here."""

import math
import string
from pathlib import Path

import pytest

from core.cards import CARDS, page_cards
from tests.cards_runs import card_numbers
from ui.shell import CURRICULUM

PAGES = [Path(e.path).stem for entries in CURRICULUM.values() for e in entries if e.path != "pages/home.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_but_home_asks_at_least_three_cards(page: str) -> None:
    assert len(page_cards(page)) >= 3


def test_home_has_no_cards_and_every_card_is_on_a_page() -> None:
    assert page_cards("home") == []
    assert {card.page for card in CARDS.values()} <= set(PAGES)


@pytest.mark.parametrize("name", list(CARDS))
def test_a_card_has_the_registry_shape(name: str) -> None:
    card = CARDS[name]
    assert card.name.startswith(f"{card.page}-")
    assert 2 <= len(card.answers) <= 4 and len(set(card.answers)) == len(card.answers)
    assert 0 <= card.explains < len(card.answers)
    assert card.question and card.settings
    fields = {field for _, field, _, _ in string.Formatter().parse(card.note) if field}
    assert fields, "an explanation quotes the run's numbers"
    if card.live is not None:
        assert card.live.runner and callable(card.live.measure)


@pytest.mark.parametrize("name", list(CARDS))
def test_the_run_gives_the_answer_the_explanation_argues_for(name: str) -> None:
    card = CARDS[name]
    numbers = dict(card_numbers(name))
    assert all(isinstance(v, int | float | str) for v in numbers.values())
    assert card.rule(numbers) == card.explains, (card.answers[card.rule(numbers)], numbers)
    text = card.explain(numbers)  # every number it quotes is in the run's numbers
    assert text and "{" not in text
    assert not any(isinstance(v, float) and math.isnan(v) for v in numbers.values())


def test_the_readmes_page_table_lists_every_pages_cards() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {
        line.split(" | ")[1]: line for line in readme.splitlines() if line.startswith("| ") and " | " in line
    }
    for entries in CURRICULUM.values():
        for entry in entries:
            cards = page_cards(Path(entry.path).stem)
            if cards:
                assert f"| {len(cards)} cards" in rows[entry.title], entry.title
