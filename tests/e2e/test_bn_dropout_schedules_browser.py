"""Batch norm & dropout and learning-rate schedules in real Chromium: Play trains live, Pause stops it,
controls change what is drawn. Screenshots go to $SCREENSHOT_DIR when set."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 60_000


def metric(page: Page, label: str) -> str:
    """The value of the first metric whose label starts with `label`."""
    found = page.get_by_test_id("stMetric").filter(has_text=label).first
    return found.get_by_test_id("stMetricValue").inner_text()


def play_then_pause(page: Page, label: str, index: int = 0) -> int:
    """Press the `index`-th Play, wait until the `label` metric shows a first trained epoch, press Pause at
    once (mid-run: a run takes seconds), and check the count then stays put; returns it."""
    play = page.get_by_role("button", name="Play", exact=True).nth(index)
    expect(play).to_be_visible(timeout=TIMEOUT_MS)
    play.click()
    value = page.get_by_test_id("stMetric").filter(has_text=label).nth(index).get_by_test_id("stMetricValue")
    expect(value).not_to_have_text(re.compile(r"^0 /"), timeout=TIMEOUT_MS)
    # The page redraws while it trains (and grows as charts appear), so Playwright's scroll-and-wait before a
    # click may never settle: send the click event to the button itself, as a user's click arrives.
    page.get_by_role("button", name="Pause", exact=True).first.dispatch_event("click", timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Pause", exact=True)).to_have_count(0, timeout=TIMEOUT_MS)
    wait_for_app(page)
    reached = int(value.inner_text().split("/")[0])
    page.wait_for_timeout(1000)
    assert int(value.inner_text().split("/")[0]) == reached  # paused means paused
    return reached


def test_lr_schedules_page_trains_live(streamlit_server: StreamlitServer, page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.goto(f"{streamlit_server.url}/lr_schedules")
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3, timeout=TIMEOUT_MS)
    assert play_then_pause(page, "Epoch") > 0
    assert metric(page, "Loss with StepLR") != "–"
    screenshot(page, tmp_path / "lr_schedules.png")


def test_batchnorm_dropout_page_trains_live(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 5200})
    page.goto(f"{streamlit_server.url}/batchnorm_dropout")
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(6, timeout=TIMEOUT_MS)
    assert play_then_pause(page, "Epoch") > 0  # the batch-norm run (the first Play button)
    assert metric(page, "Loss with batch norm") != "–"
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(7, timeout=TIMEOUT_MS)  # + histograms
    assert play_then_pause(page, "Epoch", index=1) > 0  # the dropout run
    assert metric(page, "dropout 0.5: test loss") != "–"
    screenshot(page, tmp_path / "batchnorm_dropout.png")
