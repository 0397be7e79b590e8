"""Prediction cards in real Chromium: on two pages, one answered wrong and one right (the live one trains on
the page's own runner); each verdict shows with its run's numbers, and Home counts them. Screenshots of a card
before and after Run, to look at."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from core.cards import CARDS
from tests.cards_runs import card_text
from tests.e2e.conftest import StreamlitServer, wait_for_app

TIMEOUT_MS = 180_000


def card_box(page: Page, name: str) -> Locator:
    """The bordered box of one card."""
    return page.locator(f".st-key-card_{name}")


def keep(box: Locator, path: Path) -> None:
    """A screenshot of the card (also copied to $SCREENSHOT_DIR when set, to look at by hand)."""
    box.scroll_into_view_if_needed()
    box.page.mouse.move(0, 0)  # no button's tooltip over the card
    box.page.wait_for_timeout(500)
    box.screenshot(path=str(path))
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(path, Path(os.environ["SCREENSHOT_DIR"]) / path.name)


def answer(page: Page, name: str, right: bool, shots: Path | None = None) -> Locator:
    """Pick the card's right (or a wrong) answer, press Run, wait for the verdict with the run's numbers."""
    card = CARDS[name]
    box = card_box(page, name)
    box.scroll_into_view_if_needed()
    pick = card.explains if right else (card.explains + 1) % len(card.answers)
    box.get_by_text(card.answers[pick], exact=True).click()
    wait_for_app(page)
    if shots is not None:
        keep(box, shots / f"card_{name}_before.png")
    box.get_by_role("button", name="Run").click()
    verdict = "Right" if right else "Not quite"
    expect(box.get_by_text(verdict, exact=False).first).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page)
    shown = " ".join(box.inner_text().split())
    assert " ".join(card_text(name).replace("**", "").replace("`", "").split()) in shown, shown
    assert card.answers[card.explains] in shown
    if shots is not None:
        keep(box, shots / f"card_{name}_after.png")
    return box


def open_from_sidebar(page: Page, title: str) -> None:
    """Navigate inside the session (a new URL would start a new session, without its progress)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    wait_for_app(page)


def test_cards_answered_on_two_pages_show_verdicts_numbers_and_progress(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{streamlit_server.url}/losses")
    wait_for_app(page)
    answer(page, "losses-bce-z17", right=False, shots=tmp_path)
    answer(page, "losses-outlier", right=True)
    outlier = page.get_by_role("slider", name="Outlier: how far the last point moves up")
    expect(outlier).to_have_attribute("aria-valuetext", "20.00")  # the card set the page's widget

    open_from_sidebar(page, "Backpropagation")
    answer(page, "backprop-relu", right=False)
    box = answer(page, "backprop-tanh-xor", right=True, shots=tmp_path)  # trains live on the page's runner
    expect(box).to_contain_text("epoch 448")
    expect(page.get_by_test_id("stMetric").filter(has_text="Epoch").first).to_contain_text("448 / 2000")

    open_from_sidebar(page, "Home")
    table = page.get_by_test_id("stTable").filter(has_text="answered")
    expect(table).to_be_visible()
    rows = {
        "Backpropagation": (len([c for c in CARDS.values() if c.page == "backprop"]), 2, 1),
        "Loss functions": (len([c for c in CARDS.values() if c.page == "losses"]), 2, 1),
    }
    for title, (cards, answered, right) in rows.items():
        row = table.get_by_role("row").filter(has_text=title)
        cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
        assert cells[:5] == [title, str(cards), str(answered), str(right), "0"], cells
    expect(page.get_by_text("4 of", exact=False).first).to_be_visible()
