"""Prediction cards on their pages (AppTest): Run and Show me set the page's own widgets to the card's
settings and show the run's answer, numbers and explanation; a live card trains on the page's runner and
shows the numbers of the card's own run; Home counts the outcomes, and a link carries them."""

import time
from urllib.parse import urlencode

import pytest

from core.cards import CARDS, page_cards
from core.cards.card import Card
from tests.app.helpers import open_page
from tests.cards_runs import card_text
from ui.cards import decode_progress, encode_progress

LIVE_TIMEOUT = 300  # seconds a live card's run may take on a busy machine


def page_widgets(at) -> dict[str, object]:
    """Every widget's value on the page, by key (buttons, charts and tables left out)."""

    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    return {
        w.key: w.value
        for root in (at.main, at.sidebar)
        for w in walk(root)
        if getattr(w, "key", None)
        and w.type not in ("button", "plotly_chart", "arrow_data_frame")
        and hasattr(w, "value")
    }


def shows(at, text: str) -> bool:
    """Whether some Markdown on the page contains `text`."""
    return any(text in m.value for m in at.markdown)


def progress_table(at):
    """Home's table of the session's predictions."""
    return next(t.value for t in at.table if "answered" in t.value.columns)


# State a page keeps without a widget, which a card may set: the forward pass's edits, for its network.
KEPT_STATE = {"fwd_edits", "fwd_signature"}


def assert_settings_on_widgets(at, card: Card) -> None:
    """Each of the card's settings is a widget of its page that now shows that value (or state the page
    keeps, which now holds it)."""
    widgets = page_widgets(at)
    for key, value in card.settings.items():
        assert key in widgets or key in KEPT_STATE, f"{card.name}: no widget {key!r} on {card.page}"
        shown = widgets[key] if key in widgets else at.session_state[key]
        if isinstance(value, float):
            assert shown == pytest.approx(value), (card.name, key)
        else:
            assert shown == value, (card.name, key)
    if card.settings.get("fwd_edits"):  # the page applied them to its network
        assert any(c.value.startswith("Edited: ") for c in at.caption), card.name


def finish_live_run(at, card: Card) -> None:
    """Keep the page's runner for the card alive (as a viewer's redraws would) until it ends, then redraw."""
    runner = at.session_state[card.live.runner]
    deadline = time.monotonic() + LIVE_TIMEOUT
    while not runner.read(lambda job: job.done) and time.monotonic() < deadline:
        runner.heartbeat()
        time.sleep(0.05)
    at.run()


# Widgets that choose which part of a page is shown: a card in another part is reached through them.
PAGE_PARTS = {"cnn_part"}


def show(at, card: Card, finish: bool = True) -> None:
    """Press the card's Show me (after opening its part of the page); for a live card, train its run to
    the end first when `finish`."""
    if PAGE_PARTS & set(card.settings):  # the part with the card, already at the card's settings
        for key, value in card.settings.items():
            at.session_state[key] = value
        at.run()
    at.button(key=f"card_show_{card.name}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert_settings_on_widgets(at, card)
    if card.live is not None:
        runner = at.session_state[card.live.runner]
        started = runner.playing or (runner.steps > 0 and runner.read(lambda job: job.done))  # or done
        assert started, f"{card.name}: Run did not start the page's runner"
    if card.live is not None and finish:
        finish_live_run(at, card)
        assert not at.exception, [e.value for e in at.exception]
        runner = at.session_state[card.live.runner]
        at.run()  # the view after the verdict: the run stays where the card's run ended
        assert not runner.playing, f"{card.name}: the run went on after the card's verdict"


# Pages whose live runs take many seconds each: there only the first live card is trained to its verdict on
# the page (each card's own run is checked by tests/unit/test_cards.py); the others must start the run.
FIRST_LIVE_ONLY = {"rnn", "transfer_learning"}


@pytest.mark.parametrize("page", list(dict.fromkeys(card.page for card in CARDS.values())))
def test_show_me_sets_the_widgets_and_shows_the_runs_answer_and_numbers(page: str) -> None:
    at = open_page(f"pages/{page}.py")
    live = [card for card in page_cards(page) if card.live is not None]
    for card in page_cards(page):
        finish = card.live is None or page not in FIRST_LIVE_ONLY or card is live[0]
        show(at, card, finish)
        if finish:
            assert shows(at, card_text(card.name)), f"{card.name}: the explanation with the run's numbers"
            assert any(card.answers[card.explains] in i.value for i in at.info), card.name
        else:
            assert any("The card's run is training live" in i.value for i in at.info), card.name
    finished = [c for c in page_cards(page) if c.live is None or page not in FIRST_LIVE_ONLY or c is live[0]]
    assert at.session_state["cards_progress"] == {card.name: "shown" for card in finished}
    for card in live:  # a run still training stops with its test (its viewer leaves)
        if card.live.runner in at.session_state:
            at.session_state[card.live.runner].close()


def test_a_wrong_and_a_right_answer_are_counted_on_home() -> None:
    at = open_page("pages/losses.py")
    wrong, right = CARDS["losses-bce-z17"], CARDS["losses-outlier"]
    at.radio(key=f"card_pick_{wrong.name}").set_value(wrong.answers[0]).run()
    at.button(key=f"card_run_{wrong.name}").click().run()
    assert any("Not quite" in e.value and wrong.answers[wrong.explains] in e.value for e in at.error)
    at.radio(key=f"card_pick_{right.name}").set_value(right.answers[right.explains]).run()
    at.button(key=f"card_run_{right.name}").click().run()
    assert any("Right" in s.value for s in at.success)
    at.radio(key=f"card_pick_{wrong.name}").set_value(wrong.answers[wrong.explains]).run()
    at.button(key=f"card_run_{wrong.name}").click().run()  # a second try shows right, the first one counts
    assert at.session_state["cards_progress"] == {wrong.name: "wrong", right.name: "right"}

    at.switch_page("pages/home.py").run()
    table = progress_table(at)
    row = table[table["page"] == "Loss functions"].iloc[0]
    assert (row["cards"], row["answered"], row["right"], row["left"]) == (4, 2, 1, "1, 2")
    link = urlencode({"progress": encode_progress(at.session_state["cards_progress"])})
    assert any(link in c.value for c in at.code)


def test_a_progress_link_restores_the_outcomes_and_a_card_link_points_at_its_card() -> None:
    progress = {"losses-bce-z17": "wrong", "backprop-relu": "right", "losses-outlier": "shown"}
    assert decode_progress(encode_progress(progress)) == (progress, [])
    at = open_page("pages/home.py")
    at.query_params["progress"] = encode_progress(progress) + ",no-such-card:r"
    at.run()
    assert at.session_state["cards_progress"] == progress
    assert any("no-such-card" in w.value for w in at.warning)  # one line, the rest kept
    table = progress_table(at)
    assert table[table["page"] == "Backpropagation"].iloc[0]["right"] == 1

    at = open_page("pages/home.py")
    at.query_params["card"] = "losses-huber-far"
    at.switch_page("pages/losses.py").run()
    assert any(CARDS["losses-huber-far"].question in i.value for i in at.info)
