"""The Sentiment page in real Chromium: one text with its attributions, a script tag shown as text, a what-if
edit, a CSV file classified in batch and downloaded, a binary file refused. Screenshots go to SCREENSHOT_DIR
when it is set."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, wait_for_app

CSV = (
    "id,text,stars\n1,a moving and beautifully acted film,5\n"
    '2,"dull, predictable and far too long",1\n3,😀 fun,4\n'
)


def test_sentiment_single_what_if_and_batch(streamlit_server, page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 2600})  # tall enough for the whole page in a screenshot
    page.goto(f"{streamlit_server.url}/sentiment")
    wait_for_app(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("POSITIVE")
    highlighted = page.get_by_test_id("stHtml").first
    expect(highlighted.locator("span[title]").first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.get_by_text("Attention weights are not an explanation", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stCode")).to_have_count(2)  # the slide's pipeline call, the offline script
    screenshot(page, tmp_path / "sentiment_single.png")

    text = page.get_by_label("Text", exact=True)
    text.fill('<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> a dreadful mess')
    text.press("Control+Enter")
    wait_for_app(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("NEGATIVE")
    expect(page.get_by_test_id("stHtml").first).to_contain_text("<script>window.__xss = 1</script>")
    assert page.evaluate("window.__xss") is None
    screenshot(page, tmp_path / "sentiment_xss.png")

    view = page.get_by_role("radiogroup", name="View")  # "What if" is also a heading of Try this
    view.get_by_text("What if", exact=True).click()
    wait_for_app(page)
    replacement = page.get_by_label("Replace it with (empty deletes it)")
    word = page.get_by_test_id("stSelectbox").filter(has_text="Word to change")
    word.click()
    page.keyboard.type("dreadful")
    page.keyboard.press("Enter")
    wait_for_app(page)
    replacement.fill("delightful")
    replacement.press("Enter")
    wait_for_app(page)
    highlights = page.locator('[data-testid="stHtml"]:not(:has(span[id^="card-"]))')  # not the cards' anchors
    expect(highlights).to_have_count(2)
    expect(highlights.nth(1)).to_contain_text("delightful")
    expect(page.get_by_test_id("stMetricDelta")).to_contain_text("+")
    screenshot(page, tmp_path / "sentiment_what_if.png")

    view.get_by_text("Batch", exact=True).click()
    wait_for_app(page)
    page.get_by_text("CSV or TXT file", exact=True).click()
    wait_for_app(page)
    upload = tmp_path / "reviews.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(str(upload))
    wait_for_app(page)
    page.get_by_role("button", name="Classify 3 texts").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    expect(page.get_by_test_id("stDownloadButton")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("stDownloadButton").locator("button").click()
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("text,label,score") and len(rows) == 4 and ",POSITIVE," in rows[1]
    screenshot(page, tmp_path / "sentiment_batch.png")

    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page.locator('input[type="file"]').set_input_files(str(binary))
    wait_for_app(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="binary")).to_be_visible()
    expect(page.get_by_role("button", name="Classify 0 texts")).to_be_disabled()
