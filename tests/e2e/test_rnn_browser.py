"""The RNN page in real Chromium: train the adding problem live, pause and look inside, forecast a signal,
and learn characters from text (bad text first). Screenshots of each part go to $SCREENSHOT_DIR when set."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, wait_for_app

TIMEOUT_MS = 60_000


def step_count(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Step").first
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def choose_task(page: Page, title: str) -> None:
    page.get_by_label("Task").first.click()
    page.get_by_role("option", name=title).click()
    wait_for_app(page)


def play_until(page: Page, steps: int) -> None:
    """Press Play, wait until the run has taken `steps` steps, press Pause and wait for the page to settle."""
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(
        """n => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
             m.innerText.startsWith('Step') && parseInt(m.querySelector('[data-testid="stMetricValue"]')
             .innerText.replace(/,/g, '')) >= n)""",
        arg=steps,
        timeout=TIMEOUT_MS,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page)


def test_rnn_page_trains_and_shows_the_inside(fresh_server, page: Page, tmp_path: Path) -> None:
    server = fresh_server()
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.goto(f"{server.url}/rnn")
    wait_for_app(page)
    expect(page.locator("h2", has_text="SimpleRNN(10, 20, 5)")).to_have_count(1)

    play_until(page, 100)
    assert step_count(page) >= 100
    expect(page.get_by_text("Gradients through time.")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("LSTM gates")).to_be_visible()
    expect(page.get_by_text("What clipping does.")).to_be_visible()
    screenshot(page, tmp_path / "rnn_1_adding.png")

    choose_task(page, "Forecast a noisy signal")
    assert step_count(page) == 0  # a new task is a new run
    play_until(page, 100)
    expect(page.get_by_text("Roll-out over 50 steps")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "rnn_2_forecast.png")

    choose_task(page, "Character language model")
    text = page.get_by_label("Text to learn")
    text.fill("")
    text.press("Control+Enter")
    wait_for_app(page)
    expect(page.get_by_text("The text is empty")).to_have_count(1, timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "rnn_3_empty_text.png", wait_for_charts=False)
    page.get_by_role("button", name="Default text", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("The text is empty")).to_have_count(0, timeout=TIMEOUT_MS)
    play_until(page, 150)
    expect(page.get_by_text("Sample at temperature 1 (seed 0)")).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "rnn_4_characters.png")
