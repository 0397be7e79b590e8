"""Every page opened by its URL as the very first request to a freshly started server (Streamlit's legacy
`pages/` mode) renders with the app's navigation and sidebar, and without an exception; its main result is
in the first screen at 1400×1000 and nothing of it runs off a phone's screen at 390×844
(tests/e2e/first_screen.py); the Basics pages show their experiments and code. One page load serves all
these checks."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app, wait_until_drawn
from tests.e2e.first_screen import (
    DESKTOP,
    MAIN_RESULT,
    PHONE,
    assert_main_result_in_the_first_screen,
    assert_nothing_off_a_phone,
    overflow,
)
from ui.shell import CURRICULUM

ENTRIES = [entry for entries in CURRICULUM.values() for entry in entries]
STEMS = [Path(e.path).stem for e in ENTRIES]
BASICS = {"neuron", "activations", "forward_pass"}  # their experiments and code are open on the page


def url_path(page_path: str) -> str:
    """The URL Streamlit serves a pages/ script under: its file stem, or '' for the default page."""
    return "" if page_path == "pages/home.py" else Path(page_path).stem


def test_every_page_names_its_main_result() -> None:
    assert sorted(MAIN_RESULT) == sorted(STEMS)


@pytest.mark.parametrize("entry", ENTRIES, ids=STEMS)
def test_deep_link_on_fresh_server(entry, fresh_server, page: Page, tmp_path: Path) -> None:
    stem = Path(entry.path).stem
    server = fresh_server()
    page.goto(f"{server.url}/{url_path(entry.path)}")
    wait_for_app(page)

    # Elements can arrive after the script state flips: wait for each (expect retries), never count at once.
    nav = page.locator('[data-testid="stSidebarNav"]')
    for other in ENTRIES:
        expect(nav.get_by_text(other.title, exact=True), f"{other.title} in navigation").to_have_count(1)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("Device:")
    expect(sidebar.get_by_role("spinbutton", name="Random seed")).to_have_count(1)
    expect(page.locator("h1").first).to_be_visible()
    if stem in BASICS:
        main = page.locator('[data-testid="stMain"]')
        expect(main.get_by_role("heading", name="PyTorch for these settings").first).to_be_visible()
        expect(main.get_by_role("heading", name="Try this").first).to_be_visible()
        expect(main.locator('[data-testid="stCode"]', has_text="import torch").first).to_be_visible()

    wait_until_drawn(page)
    assert_main_result_in_the_first_screen(page, stem)
    # Streamlit scrolls inside its own container, so a tall viewport is what captures the whole page.
    page.set_viewport_size({"width": DESKTOP["width"], "height": 2600})
    screenshot(page, tmp_path / f"{stem}.png")
    assert_nothing_off_a_phone(page, stem)


def test_the_overflow_check_sees_an_element_wider_than_a_phone(
    streamlit_server: StreamlitServer, browser: Browser
) -> None:
    """The phone check is not blind: a 600 px wide row put into the page is reported."""
    phone = browser.new_context(viewport=PHONE).new_page()
    try:
        phone.goto(streamlit_server.url)
        wait_for_app(phone)
        wait_until_drawn(phone)
        assert overflow(phone) == []
        phone.evaluate(
            """() => {
                const wide = document.createElement("div");
                wide.id = "too-wide";
                wide.style.cssText = "width: 600px; height: 20px";
                const main = document.querySelector('[data-testid="stMain"]');
                main.querySelector('[data-testid="stMarkdownContainer"]').appendChild(wide);
            }"""
        )
        assert any(line.startswith("too-wide: ") for line in overflow(phone)), overflow(phone)
    finally:
        phone.context.close()


def test_first_change_after_a_deep_link_is_kept(fresh_server, page: Page) -> None:
    """Widgets drawn in the legacy first run keep their identity, so the first edit is not lost on rerun."""
    server = fresh_server()
    page.goto(f"{server.url}/forward_pass")
    wait_for_app(page)
    x0, x1 = page.get_by_label("x0"), page.get_by_label("x1")
    x0.fill("2.5")
    x0.press("Enter")
    expect(x0).to_have_value("2.50")
    wait_for_app(page)
    x1.fill("-1")
    x1.press("Enter")
    expect(x1).to_have_value("-1.00")
    wait_for_app(page)
    expect(x0).to_have_value("2.50")
    expect(x1).to_have_value("-1.00")
