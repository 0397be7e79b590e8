"""Every page opened by its URL as the very first request to a freshly started server (Streamlit's legacy
`pages/` mode) renders with the app's navigation and sidebar, and without an exception."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

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

    nav = page.locator('[data-testid="stSidebarNav"]')
    for other in ENTRIES:
        assert nav.get_by_text(other.title, exact=True).count() == 1, f"{other.title} missing from navigation"
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Device:" in sidebar.inner_text()
    assert sidebar.get_by_role("spinbutton", name="Random seed").count() == 1
    assert page.locator("h1").first.is_visible()

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
    page.wait_for_timeout(1000)
    wait_for_app(page)
    x1.fill("-1")
    x1.press("Enter")
    page.wait_for_timeout(1000)
    wait_for_app(page)
    assert (x0.input_value(), x1.input_value()) == ("2.50", "-1.00")
