"""The playground's experiment lab in real Chromium: a race and a sweep train and pause, their pictures are
never blank or broken, the landscape draws in both views, a sweep cell links to its run, and closing the tab
leaves no training worker on the server. Screenshots of each part, training and paused: $SCREENSHOT_DIR."""

import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from core.runner import WORKER_NAME
from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app
from tests.e2e.live_probe import SHOT, blank_boxes

TIMEOUT_MS = 120_000


def workers(server: StreamlitServer) -> int:
    """Training workers alive in the server process: threads named WORKER_NAME."""
    tasks = Path(f"/proc/{server.process.pid}/task")
    return sum((task / "comm").read_text().strip() == WORKER_NAME for task in tasks.iterdir())


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def check_pictures(page: Page, path: Path) -> None:
    """A screenshot in which no picture is broken and no picture or chart box is blank."""
    exceptions = page.get_by_test_id("stException")
    assert not exceptions.count(), exceptions.first.inner_text()[:2000]
    shot = page.evaluate(SHOT)
    screenshot(page, path, wait_for_charts=shot["charts"] > 0)
    assert shot["broken"] == 0, shot
    assert blank_boxes(path, shot["boxes"]) == 0


def still(page: Page, label: str, seconds: float = 1.5) -> bool:
    """Whether the metric `label` keeps its value for `seconds`."""
    first = metric(page, label)
    time.sleep(seconds)
    return metric(page, label) == first


def test_a_race_trains_pauses_and_shows_its_landscape(
    fresh_server: Callable[[], StreamlitServer], browser: Browser, tmp_path: Path
) -> None:
    server = fresh_server()
    context = browser.new_context(viewport={"width": 1400, "height": 3400})
    page = context.new_page()
    page.goto(f"{server.url}/playground?fork=60&b_optimizer=SGD%2Bmomentum")
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_role("button", name="Keep B")).to_be_visible(timeout=TIMEOUT_MS)
    assert metric(page, "A epoch") == metric(page, "B epoch") == "60"
    page.get_by_text("Loss landscape", exact=True).click()
    wait_for_app(page, TIMEOUT_MS)
    page.get_by_role("radiogroup", name="Directions").get_by_text("PCA").click()
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_text("run B's path on A's slice")).to_be_visible(timeout=TIMEOUT_MS)
    check_pictures(page, tmp_path / "lab_race_paused.png")

    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
          .some(m => m.innerText.startsWith('B epoch')
                     && parseInt(m.innerText.split('\\n').pop().replace(/,/g, '')) > 200)""",
        timeout=TIMEOUT_MS,
    )
    expect(page.get_by_text("redrawn every 3 s")).to_be_visible(timeout=TIMEOUT_MS)  # the live landscape
    assert workers(server) == 1  # one job, two engines
    check_pictures(page, tmp_path / "lab_race_training.png")

    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    assert still(page, "A epoch") and still(page, "B epoch", 0.1)  # Pause stops both runs
    assert metric(page, "A epoch") == metric(page, "B epoch")
    context.close()
    deadline = time.monotonic() + 10
    while workers(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers(server) == 0


def test_a_sweep_fills_its_heatmap_pauses_and_links_a_cell(
    fresh_server: Callable[[], StreamlitServer], browser: Browser, tmp_path: Path
) -> None:
    server = fresh_server()
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.goto(f"{server.url}/playground?dataset=plane")
    wait_for_app(page, TIMEOUT_MS)
    page.get_by_text("Sweep two knobs", exact=True).click()
    wait_for_app(page, TIMEOUT_MS)
    page.get_by_label("Values across (commas)").fill("0.01, 0.03, 0.1, 0.3, 1, 3")
    page.get_by_label("Values across (commas)").press("Enter")
    wait_for_app(page, TIMEOUT_MS)
    page.get_by_role("spinbutton", name="Epochs", exact=True).fill("3000")
    page.get_by_role("spinbutton", name="Epochs", exact=True).press("Enter")
    wait_for_app(page, TIMEOUT_MS)
    page.get_by_role("button", name="Start sweep").click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
          .some(m => m.innerText.startsWith('Diverged') && m.innerText.trim().endsWith('8'))""",
        timeout=TIMEOUT_MS,
    )  # learning rate 3 diverges at every one of the 8 L2 rates
    assert workers(server) == 1
    check_pictures(page, tmp_path / "lab_sweep_training.png")

    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    assert still(page, "Sweep epoch")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.locator(".main-svg").first).to_be_attached(timeout=TIMEOUT_MS)
    box = chart.locator(".nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.9)  # a bottom-left cell
    wait_for_app(page, TIMEOUT_MS)
    link = page.get_by_role("link", name="Open this run in the playground")
    expect(link).to_be_visible(timeout=TIMEOUT_MS)
    href = link.get_attribute("href")
    assert "lr=" in href and "regularization=L2" in href and "dataset=plane" in href
    check_pictures(page, tmp_path / "lab_sweep_paused.png")
    context.close()
    deadline = time.monotonic() + 10
    while workers(server) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers(server) == 0
