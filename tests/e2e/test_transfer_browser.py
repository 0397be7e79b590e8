"""The Transfer learning page in real Chromium: own classes from uploads, train, predict; then the freezing
comparison on the textures task, with a screenshot of each step."""

import io
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 300_000


def png(colour: tuple[int, int, int], seed: int) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 25, (96, 96, 3)), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return {"name": f"p{seed}.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_transfer_page_in_chromium(streamlit_server: StreamlitServer, page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.goto(f"{streamlit_server.url}/transfer_learning", timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_text("Train a new head")).to_be_visible(timeout=TIMEOUT_MS)

    # Step (which reruns only the live view) still brings the rest of the page up to date: predictions open.
    page.get_by_role("button", name="Step").first.click()
    expect(page.get_by_text("A picture from the test part")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("Train the head first")).to_have_count(0)
    wait_for_app(page, TIMEOUT_MS)

    # Your own classes: name two, upload several pictures into each at once.
    page.locator('[data-testid="stRadio"]').get_by_text("Your own classes", exact=True).click()
    wait_for_app(page, TIMEOUT_MS)
    names = page.get_by_label("Class names, separated by commas (2 to 10)")
    names.fill("red, blue")
    names.press("Enter")
    wait_for_app(page, TIMEOUT_MS)
    uploaders = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(uploaders).to_have_count(2, timeout=TIMEOUT_MS)
    uploaders.nth(0).set_input_files([png((220, 40, 40), i) for i in range(6)])
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_text("6 pictures in 'red'")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="blue").click()
    uploaders.nth(1).set_input_files([png((40, 40, 220), 10 + i) for i in range(6)])
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_text("6 pictures in 'blue'")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.locator(".gtitle").filter(has_text="Pictures per class")).to_have_count(1, timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "transfer_1_classes.png")

    # Train the head to the end.
    page.get_by_role("button", name="Play").first.click()
    result = page.locator('[data-testid="stAlert"]').filter(has_text="train loss (last epoch)")
    expect(result).to_have_count(1, timeout=TIMEOUT_MS)
    expect(result).to_contain_text("validation accuracy 1.0000")
    wait_for_app(page, TIMEOUT_MS)
    page.locator(".gtitle").filter(has_text="Head training").scroll_into_view_if_needed()
    screenshot(page, tmp_path / "transfer_2_trained.png")

    # Predict a new picture.
    page.locator('[data-testid="stRadio"]').filter(has_text="Picture").get_by_text(
        "Upload", exact=True
    ).click()
    wait_for_app(page, TIMEOUT_MS)
    uploaders.nth(2).set_input_files(png((200, 60, 50), 99))
    wait_for_app(page, TIMEOUT_MS)
    probabilities = page.locator(".gtitle").filter(has_text="The head's probabilities")
    expect(probabilities).to_have_count(1, timeout=TIMEOUT_MS)
    probabilities.scroll_into_view_if_needed()
    screenshot(page, tmp_path / "transfer_3_predict.png")

    # The freezing comparison on the textures task: one epoch of each variant, twice.
    page.locator('[data-testid="stRadio"]').get_by_text("Textures: brick, grass, gravel", exact=True).click()
    wait_for_app(page, TIMEOUT_MS)
    steps = page.get_by_role("button", name="Step")
    for _ in range(2):
        steps.nth(1).click()
        wait_for_app(page, TIMEOUT_MS)
    curves = page.locator(".gtitle").filter(has_text="From scratch vs frozen vs fine-tuned")
    expect(curves).to_have_count(1, timeout=TIMEOUT_MS)
    expect(page.locator(".gtitle").filter(has_text="Fine-tuned features, PCA")).to_have_count(1)
    curves.scroll_into_view_if_needed()
    screenshot(page, tmp_path / "transfer_4_freezing.png")
    assert page.locator('[data-testid="stException"]').count() == 0
