"""The Training concept pages in real Chromium: Backpropagation trains XOR live, Loss functions recomputes the
slide's example, Optimizers races on a chosen function; a screenshot of each to look at."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 120_000


def metric_value(page: Page, label: str) -> str:
    """The value of the metric labelled exactly `label`."""
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_backprop_page_trains_xor_live(streamlit_server: StreamlitServer, page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{streamlit_server.url}/backprop")
    wait_for_app(page)
    expect(page.get_by_text("max |hand − autograd|")).to_have_count(1)
    assert float(metric_value(page, "max |hand − autograd|")) < 1e-6
    before = metric_value(page, "loss before")
    assert float(before) > 0
    x1 = page.get_by_label("x1")
    x1.fill("2")
    x1.press("Enter")
    expect(page.get_by_test_id("stMetric").filter(has_text="loss before").first).not_to_contain_text(
        before, timeout=TIMEOUT_MS
    )
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_test_id("stMetric").filter(has_text="Epoch").first).to_contain_text(
        "2000 / 2000", timeout=TIMEOUT_MS
    )
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page)
    assert float(metric_value(page, "Loss")) < 0.01
    screenshot(page, tmp_path / "backprop.png")


def test_losses_page_recomputes_the_slides_example(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 3600})
    page.goto(f"{streamlit_server.url}/losses")
    wait_for_app(page)
    expect(page.get_by_text("mean = 0.062500 / 4 = 0.015625")).to_have_count(1)
    expect(page.get_by_text("mean = 0.485158 / 4 = 0.121289")).to_have_count(1)
    y_pred = page.get_by_label("y_pred")
    y_pred.fill("0.9, 0.1, 0.8, 0.05")
    y_pred.press("Enter")
    expect(page.get_by_text("mean = 0.962500 / 4 = 0.240625")).to_have_count(1, timeout=TIMEOUT_MS)
    wait_for_app(page)
    screenshot(page, tmp_path / "losses.png")


def test_optimizers_page_races_and_trains(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.goto(f"{streamlit_server.url}/optimizers")
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2, timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("step 1 / 450")).to_have_count(1, timeout=TIMEOUT_MS)
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(3, timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "optimizers.png")
