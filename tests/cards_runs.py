"""Each prediction card's run, once per test process: the unit test that checks a card's answer and the page
tests that compare a page's verdict with it share the run (every card is seeded, so one run is the answer)."""

from functools import cache

from core.cards import CARDS
from core.cards.card import Numbers


@cache
def card_numbers(name: str) -> Numbers:
    """What CARDS[name].run() returns (a copy, so that no test changes another's)."""
    return CARDS[name].run()


def card_text(name: str) -> str:
    """The card's explanation with its run's numbers, as its page shows it after the run."""
    return CARDS[name].explain(dict(card_numbers(name)))
