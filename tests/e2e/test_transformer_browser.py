"""The Transformers page in real Chromium, opened by deep link on a fresh server: Play trains the GPT with
pictures that are never blank or broken, Pause shows the attention maps with no exception, and closing the
tab leaves no training worker on the server. Screenshots (training and paused, desktop and phone sizes) go
to $SCREENSHOT_DIR when set."""

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from core.runner import WORKER_NAME
from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app
from tests.e2e.live_probe import SHOT, blank_boxes

TIMEOUT_MS = 180_000
STEP_ABOVE = """n => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
  m.innerText.startsWith('Step') && parseInt(m.querySelector('[data-testid="stMetricValue"]')
  .innerText.replace(/,/g, '')) > n)"""


def workers(server: StreamlitServer) -> int:
    """Training worker threads alive in the server process (named by core.runner)."""
    names = []
    for comm in Path(f"/proc/{server.process.pid}/task").glob("*/comm"):
        with contextlib.suppress(OSError):  # the thread ended while being listed
            names.append(comm.read_text().strip())
    return names.count(WORKER_NAME)


def step_count(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Step").first
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def test_transformer_page_trains_pauses_and_lets_the_worker_go(
    fresh_server: Callable[[], StreamlitServer], browser: Browser, tmp_path: Path
) -> None:
    server = fresh_server()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/transformer")
    wait_for_app(page, TIMEOUT_MS)
    expect(page.locator("h1", has_text="Transformers")).to_have_count(1)
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    assert workers(server) == 0

    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(STEP_ABOVE, arg=5, timeout=TIMEOUT_MS)
    assert workers(server) == 1
    shots = []
    for i in range(5):
        page.wait_for_timeout(800)
        info = page.evaluate(SHOT)
        path = tmp_path / f"transformer_training_{i}.png"
        page.screenshot(path=str(path))
        info["blank"] = blank_boxes(path, info.pop("boxes"))
        shots.append(info)
    assert all(s["pictures"] >= 1 for s in shots), shots  # the loss curve is a picture while it trains
    assert not any(s["broken"] or s["blank"] for s in shots), shots
    screenshot(page, tmp_path / "transformer_training_1400x1000.png", wait_for_charts=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1500)
    screenshot(page, tmp_path / "transformer_training_390x844.png", wait_for_charts=False)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_function(STEP_ABOVE, arg=30, timeout=TIMEOUT_MS)

    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    steps = step_count(page)
    expect(page.get_by_text("Attention maps of the prompt")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Writing, one character at a time.")).to_be_visible()
    page.wait_for_timeout(1500)
    assert step_count(page) == steps  # paused for good
    screenshot(page, tmp_path / "transformer_paused_1400x1000.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1500)
    screenshot(page, tmp_path / "transformer_paused_390x844.png")
    page.set_viewport_size({"width": 1400, "height": 6000})
    page.wait_for_timeout(1500)
    screenshot(page, tmp_path / "transformer_paused_full.png")

    page.get_by_role("button", name="Play", exact=True).click()  # training again, then the tab closes
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(STEP_ABOVE, arg=steps + 2, timeout=TIMEOUT_MS)
    assert workers(server) == 1
    context.close()
    deadline = time.monotonic() + 30  # the worker stops 1.5 s after the last redraw's heartbeat
    while workers(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers(server) == 0
