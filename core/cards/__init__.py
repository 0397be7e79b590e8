"""Prediction cards: each page's experiments asked as questions the learner answers before the app runs them
(issue 25, "Predict, then run"). The shape is core.cards.card.Card; each page's cards are in the module named
after the page, and their runs call the topic packages' own functions. The Streamlit part is ui/cards.py."""

from core.cards import (
    activations,
    backprop,
    batchnorm_dropout,
    cnn,
    forward_pass,
    image_classification,
    losses,
    lr_schedules,
    neuron,
    optimizers,
    playground,
    rnn,
    sentiment,
    transfer_learning,
    transformer,
)
from core.cards.card import Card

CARDS: dict[str, Card] = {
    card.name: card
    for page in (
        neuron,
        activations,
        forward_pass,
        playground,
        backprop,
        losses,
        optimizers,
        batchnorm_dropout,
        lr_schedules,
        cnn,
        rnn,
        transformer,
        image_classification,
        sentiment,
        transfer_learning,
    )
    for card in page.CARDS
}


def page_cards(page: str) -> list[Card]:
    """The cards of one page (its file stem), in the order the page shows them."""
    return [card for card in CARDS.values() if card.page == page]
