"""The Training playground in real Chromium: live training pace, pause, URL state, CSV upload, screenshots.

The pace (epochs per second and redraws per second while training reference setup A) is measured in the
page itself and printed (`pytest -s`); speed is reported, never asserted.
"""

import itertools
import json
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 60_000
# Sampled in the page every 10 ms: the epoch counter and the src of the two live pictures (boundary, neurons).
SAMPLER = """() => { window.__samples = []; window.__sampler = setInterval(() => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith('Epoch'));
  const value = metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText : null;
  const pictures = [...document.querySelectorAll('[data-testid="stImage"] img')]
    .map(i => i.getAttribute('src'));
  window.__samples.push([performance.now(), value, pictures[0] ?? null, pictures[1] ?? null]); }, 10); }"""


def epoch(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Epoch").first
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def measure_pace(page: Page, seconds: float) -> dict[str, float]:
    """Epochs per second and redraws per second of each live picture, seen by the browser."""
    page.evaluate(SAMPLER)
    page.wait_for_timeout(seconds * 1000)
    samples = page.evaluate("clearInterval(window.__sampler), window.__samples")
    span = (samples[-1][0] - samples[0][0]) / 1000
    epochs = [int(s[1].replace(",", "")) for s in samples if s[1]]
    changes = [sum(1 for a, b in itertools.pairwise(samples) if b[k] and a[k] != b[k]) for k in (2, 3)]
    return {
        "seconds": round(span, 2),
        "epochs_per_second": round((epochs[-1] - epochs[0]) / span),
        "boundary_redraws_per_second": round(changes[0] / span, 1),
        "neuron_redraws_per_second": round(changes[1] / span, 1),
    }


def test_live_training_pause_url_and_upload(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1500, "height": 2000})
    page.goto(f"{streamlit_server.url}/playground")
    wait_for_app(page)
    # While the page reruns the old and the new button can both be present: find them by their label.
    play = page.get_by_role("button", name="Play", exact=True)
    pause = page.get_by_role("button", name="Pause", exact=True)
    expect(play).to_be_visible(timeout=TIMEOUT_MS)
    assert "dataset=circle" in page.url and "lr=0.03" in page.url  # the configuration lives in the URL
    screenshot(page, tmp_path / "playground_1_ready.png", wait_for_charts=False)

    # Live training of reference setup A (the page's defaults): pictures redraw while the counter runs.
    play.click()
    expect(pause).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)
    pace = measure_pace(page, 3)  # long enough for both pictures to redraw; bench/live.py measures the pace
    print("\nvisible pace, reference A:", json.dumps(pace))
    assert pace["epochs_per_second"] > 0 and pace["boundary_redraws_per_second"] > 0
    assert pace["neuron_redraws_per_second"] > 0
    screenshot(page, tmp_path / "playground_2_running.png", wait_for_charts=False)

    # Pause takes effect at once and the counter stops.
    started = time.perf_counter()
    pause.click()
    expect(play).to_be_visible(timeout=TIMEOUT_MS)
    print(f"pause shown after {time.perf_counter() - started:.2f} s")
    wait_for_app(page)
    stopped = epoch(page)
    page.wait_for_timeout(1000)
    assert epoch(page) == stopped > 0
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(5)  # paused: interactive charts
    screenshot(page, tmp_path / "playground_3_paused.png", wait_for_charts=False)

    # A copied link reproduces the configuration in a new session.
    link = page.url.replace("dataset=circle", "dataset=spiral").replace("hidden=4%2C2", "hidden=8%2C8%2C8")
    page.goto(link)
    wait_for_app(page)
    dataset = page.get_by_test_id("stSelectbox").filter(has_text="Dataset").locator("input")
    expect(dataset).to_have_value("spiral")
    expect(page.get_by_test_id("stNumberInput").filter(has_text="Neurons in layer 3")).to_be_visible()
    assert epoch(page) == 0

    # Own data: a bad CSV is refused with one clear line, a good one trains.
    dataset.click()
    page.get_by_role("option", name="your CSV…").click()
    wait_for_app(page)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    one_class = "x1,x2,label\n" + "\n".join(f"{i % 5},{i % 3},1" for i in range(20))
    uploader.set_input_files({"name": "one.csv", "mimeType": "text/csv", "buffer": one_class.encode()})
    wait_for_app(page)
    expect(
        page.get_by_test_id("stAlert").filter(has_text="one.csv: classification needs at least two classes")
    ).to_be_visible(timeout=TIMEOUT_MS)
    good = "x1,x2,label\n" + "\n".join(f"{(i % 9) - 4},{(i % 7) - 3},{int(i % 9 > 4)}" for i in range(80))
    uploader.set_input_files({"name": "good.csv", "mimeType": "text/csv", "buffer": good.encode()})
    wait_for_app(page)
    expect(page.get_by_text("80 points, classification")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_app(page)
    assert epoch(page) == 1
    screenshot(page, tmp_path / "playground_4_upload.png", wait_for_charts=False)
