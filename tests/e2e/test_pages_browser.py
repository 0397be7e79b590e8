"""Every page opened by its URL as the very first request to a freshly started server (Streamlit's legacy
`pages/` mode) renders with the app's navigation and sidebar, and without an exception."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, wait_for_app
from ui.shell import CURRICULUM

ENTRIES = [entry for entries in CURRICULUM.values() for entry in entries]


def url_path(page_path: str) -> str:
    """The URL Streamlit serves a pages/ script under: its file stem, or '' for the default page."""
    return "" if page_path == "pages/home.py" else Path(page_path).stem


@pytest.mark.parametrize("entry", ENTRIES, ids=[Path(e.path).stem for e in ENTRIES])
def test_deep_link_on_fresh_server(entry, fresh_server, page: Page, tmp_path: Path) -> None:
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

    # Streamlit scrolls inside its own container, so a tall viewport is what captures the whole page.
    page.set_viewport_size({"width": 1400, "height": 2600})
    screenshot(page, tmp_path / f"{Path(entry.path).stem}.png")


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


BASICS_PATHS = {"pages/neuron.py", "pages/activations.py", "pages/forward_pass.py"}
BASICS = [e for e in ENTRIES if e.path in BASICS_PATHS]


@pytest.mark.parametrize("entry", BASICS, ids=[Path(e.path).stem for e in BASICS])
def test_basics_pages_show_experiments_and_their_code(entry, streamlit_server, page: Page) -> None:
    page.goto(f"{streamlit_server.url}/{url_path(entry.path)}")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="PyTorch for these settings").first).to_be_visible()
    expect(main.get_by_role("heading", name="Try this").first).to_be_visible()
    expect(main.locator('[data-testid="stCode"]', has_text="import torch").first).to_be_visible()
