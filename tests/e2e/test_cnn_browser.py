"""The CNN page in real Chromium: the explainer, live training on digits, what the shipped CNN learned, and
digits drawn with mouse strokes on the canvas, each read correctly; a screenshot of each step."""

import itertools
import math
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 120_000
Stroke = list[tuple[float, float]]  # points in canvas pixels (280×280)


def ellipse(cx: float, cy: float, rx: float, ry: float, points: int = 40) -> Stroke:
    return [
        (cx + rx * math.sin(2 * math.pi * k / points), cy - ry * math.cos(2 * math.pi * k / points))
        for k in range(points + 2)
    ]


def line(*corners: tuple[float, float], steps: int = 12) -> Stroke:
    path = [corners[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(corners):
        path += [(x0 + (x1 - x0) * t / steps, y0 + (y1 - y0) * t / steps) for t in range(1, steps + 1)]
    return path


DIGITS: dict[str, list[Stroke]] = {
    "0": [ellipse(140, 140, 55, 90)],
    "1": [line((140, 45), (140, 235))],
    "7": [line((75, 55), (205, 55), (125, 235))],
}


def click_confusion_cell(page: Page, true: int, predicted: int) -> None:
    """Click the confusion matrix's cell (true, predicted): its marker is point true*10 + predicted."""
    chart = (
        page.get_by_test_id("stPlotlyChart")
        .filter(has=page.locator(".scatterlayer"))
        .filter(has_text="predicted class")
    )
    expect(chart).to_have_count(1, timeout=TIMEOUT_MS)
    marker = chart.locator(".scatterlayer .point").nth(true * 10 + predicted)
    marker.scroll_into_view_if_needed()  # a mouse click lands only inside the viewport
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # plotly picks on hover
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)


def open_part(page: Page, server: StreamlitServer, part: str) -> None:
    page.goto(f"{server.url}/cnn")
    wait_for_app(page)
    page.get_by_test_id("stButtonGroup").get_by_text(part, exact=True).click()
    wait_for_app(page)


def draw(page: Page, strokes: list[Stroke]) -> None:
    """Drag the mouse along each stroke on the drawing canvas (Fabric.js's upper canvas takes the events)."""
    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_have_count(1, timeout=TIMEOUT_MS)
    box = canvas.bounding_box()
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
        page.mouse.up()


@pytest.mark.parametrize("digit", list(DIGITS))
def test_drawn_digit_is_read_by_the_default_cnn(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path, digit: str
) -> None:
    open_part(page, streamlit_server, "Draw a digit")
    expect(page.get_by_text("Draw a digit on the black square.")).to_have_count(1)
    draw(page, DIGITS[digit])
    expect(page.get_by_text("The CNN reads:")).to_have_count(1, timeout=TIMEOUT_MS)
    wait_for_app(page)
    heading = page.get_by_text("The CNN reads:").inner_text()
    screenshot(page, tmp_path / f"cnn_draw_{digit}.png")
    assert heading.startswith(f"The CNN reads: {digit} ("), heading
    expect(page.get_by_text("28×28 MNIST-style input")).to_have_count(1)


def test_explainer_and_impossible_settings(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    open_part(page, streamlit_server, "Convolution")
    expect(page.get_by_text("Input 28×28 → output 28×28.", exact=False)).to_have_count(1)
    screenshot(page, tmp_path / "cnn_explainer.png")
    page.get_by_test_id("stRadio").get_by_text("Small grid", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Input 6×6 → output", exact=False)).to_have_count(1)


def test_train_digits_live_then_look_inside(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    open_part(page, streamlit_server, "Train a CNN")
    box = page.get_by_test_id("stSelectbox").filter(has_text="Dataset")
    box.click()
    page.get_by_role("option", name="sklearn digits (8×8, instant)").click()
    wait_for_app(page)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_test_id("stMetricValue").filter(has_text="5.00")).to_have_count(1, timeout=TIMEOUT_MS)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Play")).to_have_count(1, timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "cnn_train_digits.png")
    page.get_by_test_id("stButtonGroup").get_by_text("What it learned", exact=True).click()
    wait_for_app(page)
    page.get_by_test_id("stRadio").get_by_text("Shipped CNN (MNIST)", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("First-layer kernels", exact=False)).to_have_count(1)
    click_confusion_cell(page, true=3, predicted=5)
    # case-sensitive: plotly's hover label says "true 3, predicted 5: … images" too
    expect(page.get_by_text(re.compile(r"^True 3, predicted 5$"))).to_have_count(1, timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "cnn_learned.png")
