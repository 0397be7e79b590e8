"""The classroom load test's protocol client (bench/classroom) sees what a browser sees: one session takes
the tour through the protocol, one through Chromium, on the same server, and they reach the same results
(the photo's top class, the review's label, epochs moving after Play, the counter holding after Pause)."""

import re
import time

from playwright.sync_api import Page, expect

from bench.classroom.tour import Tour
from tests.e2e.conftest import SCRIPT_TIMEOUT_MS, StreamlitServer, wait_for_app

HOLD_S = 1.0  # the counter must not move for this long after Pause
EPOCH = """() => {
  const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith('Epoch'));
  return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null; }"""
EXAMPLES = """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')].map(c => c.innerText)
  .find(t => t.includes('training examples seen')) || null"""


def plain(markdown: str) -> str:
    """A headline as the browser shows its text: no heading marks, no bold marks."""
    return re.sub(r"^#+\s*", "", markdown).replace("**", "").strip()


def browser_play_pause(page: Page, progress: str, train_s: float) -> tuple[bool, bool]:
    """Play; whether `progress` (a script returning what the page shows of it) moved again within `train_s`
    of its first change; Pause; whether the epoch counter then held."""
    play = page.get_by_role("button", name="Play", exact=True)
    pause = page.get_by_role("button", name="Pause", exact=True)
    before = page.evaluate(progress)
    play.click()
    page.wait_for_function(
        f"(b) => {{ const v = ({progress})(); return v !== null && v !== b; }}", arg=before
    )
    started = page.evaluate(progress)
    time.sleep(train_s)
    moved = page.evaluate(progress) != started
    pause.click()
    expect(play).to_be_visible(timeout=SCRIPT_TIMEOUT_MS)
    wait_for_app(page)
    stopped = page.evaluate(EPOCH)
    time.sleep(HOLD_S)
    return moved, page.evaluate(EPOCH) == stopped


def browser_tour(page: Page, url: str, review: str) -> dict[str, object]:
    """The tour's results as Chromium shows them."""
    seen: dict[str, object] = {}
    page.goto(f"{url}/playground")
    wait_for_app(page)
    seen["playground_epochs_moved"], seen["playground_held"] = browser_play_pause(page, EPOCH, 3.0)

    page.goto(f"{url}/image_classification")
    wait_for_app(page)
    headline = page.locator('[data-testid="stMarkdownContainer"] h4').first
    before = headline.inner_text()
    page.get_by_test_id("stSelectbox").filter(has_text="Photo").click()
    page.keyboard.type("Cup of coffee")
    page.get_by_role("option", name="Cup of coffee", exact=True).click()
    expect(headline).not_to_have_text(before, timeout=SCRIPT_TIMEOUT_MS)
    wait_for_app(page)
    seen["image_top_class"] = headline.inner_text().strip()

    page.goto(f"{url}/sentiment")
    wait_for_app(page)
    text = page.get_by_label("Text", exact=True)
    text.fill(review)
    text.press("Control+Enter")
    label = page.get_by_test_id("stMetricValue").first
    expect(label).to_have_text("NEGATIVE", timeout=SCRIPT_TIMEOUT_MS)
    seen["sentiment_label"] = label.inner_text()

    page.goto(f"{url}/cnn")
    wait_for_app(page)
    page.get_by_test_id("stButtonGroup").get_by_text("Train a CNN", exact=True).click()
    wait_for_app(page)
    seen["cnn_epochs_moved"], seen["cnn_held"] = browser_play_pause(page, EXAMPLES, 2.0)
    return seen


def test_the_protocol_tour_sees_what_chromium_sees(streamlit_server: StreamlitServer, page: Page) -> None:
    tour = Tour(streamlit_server.url, index=0, train_secs=3.0)
    result = tour.run()
    assert result.error is None, result.error
    protocol = {
        "playground_epochs_moved": result.seen["playground_epochs_moved"] == "True",
        "playground_held": result.paused_held["playground"],
        "image_top_class": plain(result.seen["image_top_class"]),
        "sentiment_label": result.seen["sentiment_label"],
        "cnn_epochs_moved": result.seen["cnn_epochs_moved"] == "True",
        "cnn_held": result.paused_held["cnn"],
    }
    browser = browser_tour(page, streamlit_server.url, tour.review)
    assert protocol == browser
    assert protocol["sentiment_label"] == "NEGATIVE"
    assert all(
        protocol[k] for k in ("playground_epochs_moved", "playground_held", "cnn_epochs_moved", "cnn_held")
    )
    assert set(result.clicks) == {
        "playground_play",
        "playground_pause",
        "image_classify",
        "sentiment_run",
        "cnn_play",
        "cnn_pause",
    }
