"""Faults in real Chromium: the server killed mid-training and restarted on the same port comes back with
the configuration the URL holds, and trains again; two sessions on one server each see only their own
settings, URL and results."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app

TIMEOUT_MS = 120_000
# Not the defaults (circle, Tanh, 4,2 hidden, SGD, lr 0.03, seed 0); the optimizer is changed on the page.
LINK = "dataset=xor&activation=ReLU&hidden=6&lr=0.1&seed=7"
EXPECTED = {**dict(p.split("=") for p in LINK.split("&")), "optimizer": "Adam"}
EPOCH_ABOVE = """start => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.innerText.startsWith('Epoch'));
  const value = m && m.querySelector('[data-testid="stMetricValue"]').innerText;
  return value && parseInt(value.replace(/,/g, '')) > start; }"""


def epoch(page: Page) -> int:
    box = page.get_by_test_id("stMetric").filter(has_text="Epoch").first
    return int(box.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def play_until_it_counts(page: Page) -> None:
    """Press Play and wait until the epoch counter moves."""
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function(EPOCH_ABOVE, arg=epoch(page), timeout=TIMEOUT_MS)


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the select box `label`, as a visitor does, and wait for the rerun."""
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page, TIMEOUT_MS)


def query(page: Page) -> dict[str, str]:
    """The address bar's query parameters."""
    return dict(p.split("=", 1) for p in page.url.split("?", 1)[1].split("&"))


def expect_epoch(page: Page, value: int) -> None:
    box = page.get_by_test_id("stMetric").filter(has_text="Epoch").first
    expect(box.get_by_test_id("stMetricValue")).to_have_text(f"{value:,}", timeout=TIMEOUT_MS)


def expect_configuration(page: Page) -> None:
    """The controls show the linked configuration, and the address bar still holds it."""
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("xor", timeout=TIMEOUT_MS)
    expect(page.get_by_role("combobox", name="Activation")).to_have_value("ReLU")
    expect(page.get_by_role("combobox", name="Optimizer")).to_have_value("Adam")
    expect(page.get_by_role("spinbutton", name="Neurons in layer 1")).to_have_value("6")
    expect(page.get_by_role("spinbutton", name="Seed", exact=True)).to_have_value("7")
    expect(page.get_by_test_id("stMetric").filter(has_text="Learning rate")).to_contain_text("0.1")
    assert EXPECTED.items() <= query(page).items(), page.url


def test_killed_server_comes_back_with_the_linked_setup(
    fresh_server: Callable[..., StreamlitServer], page: Page, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})
    server = fresh_server()
    page.goto(f"{server.url}/playground?{LINK}")
    wait_for_app(page, TIMEOUT_MS)
    choose(page, "Optimizer", "Adam")  # a change made on the page, not in the link
    expect_configuration(page)
    play_until_it_counts(page)
    screenshot(page, tmp_path / "faults_1_training.png", wait_for_charts=False)

    server.kill()
    gone = page.get_by_role("dialog", name="Connection error")
    expect(gone).to_be_visible(timeout=TIMEOUT_MS)
    screenshot(page, tmp_path / "faults_2_server_gone.png", wait_for_charts=False)
    fresh_server(port=server.port)

    # Streamlit's client keeps retrying, reconnects by itself and reruns the page in a new session.
    expect(gone).to_be_hidden(timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(page, TIMEOUT_MS)
    expect_configuration(page)
    assert epoch(page) == 0  # a new run: the old process and its training are gone
    play_until_it_counts(page)
    screenshot(page, tmp_path / "faults_3_reconnected.png", wait_for_charts=False)

    # A reload of the same address (what a visitor does after a restart) gives the same setup.
    page.reload()
    wait_for_app(page, TIMEOUT_MS)
    expect_configuration(page)
    play_until_it_counts(page)


def test_two_sessions_see_only_their_own_settings_and_results(
    streamlit_server: StreamlitServer, browser: Browser, tmp_path: Path
) -> None:
    server = streamlit_server
    links = {"xor": "dataset=xor&lr=0.1&hidden=6", "spiral": "dataset=spiral&lr=0.003&hidden=8,8"}
    pages = {}
    for name, link in links.items():
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        pages[name] = context.new_page()
        pages[name].goto(f"{server.url}/playground?{link}")
        wait_for_app(pages[name], TIMEOUT_MS)
    xor, spiral = pages["xor"], pages["spiral"]
    choose(xor, "Optimizer", "Adam")  # a change in one session only
    for page in pages.values():
        play_until_it_counts(page)
    xor.get_by_role("button", name="Pause", exact=True).click()
    expect(xor.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app(xor, TIMEOUT_MS)
    stopped = epoch(xor)
    spiral.wait_for_function(EPOCH_ABOVE, arg=epoch(spiral) + 50, timeout=TIMEOUT_MS)  # trains on
    expect_epoch(xor, stopped)  # and this one's result is its own
    expect(spiral.get_by_role("button", name="Pause", exact=True)).to_be_visible()

    for name, lr, optimizer, widths in (
        ("xor", "0.1", "Adam", ["6"]),
        ("spiral", "0.003", "SGD", ["8", "8"]),
    ):
        page = pages[name]
        expect(page.get_by_role("combobox", name="Dataset")).to_have_value(name)
        expect(page.get_by_role("combobox", name="Optimizer")).to_have_value(optimizer)
        for i, width in enumerate(widths):
            expect(page.get_by_role("spinbutton", name=f"Neurons in layer {i + 1}")).to_have_value(width)
        expect(page.get_by_test_id("stMetric").filter(has_text="Learning rate")).to_contain_text(lr)
        assert (
            query(page)["dataset"] == name
            and query(page)["lr"] == lr
            and query(page)["optimizer"] == optimizer
        )
        screenshot(page, tmp_path / f"sessions_playground_{name}.png", wait_for_charts=False)

    # A page whose results come from a cache shared by the process: each session sees its own text's.
    texts = {
        "xor": ("a warm, funny and moving film", "POSITIVE"),
        "spiral": ("a dull and tedious mess", "NEGATIVE"),
    }
    for name, page in pages.items():
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Sentiment").click()
        wait_for_app(page, TIMEOUT_MS)
        box = page.get_by_label("Text", exact=True)
        box.fill(texts[name][0])
        box.press("Control+Enter")
        wait_for_app(page, TIMEOUT_MS)
    for name, page in pages.items():
        text, label = texts[name]
        expect(page.get_by_label("Text", exact=True)).to_have_value(text)
        expect(page.get_by_test_id("stMetricValue").first).to_have_text(label)
        expect(page.get_by_test_id("stHtml").first).to_contain_text(text)
        screenshot(page, tmp_path / f"sessions_sentiment_{name}.png", wait_for_charts=False)
    for page in pages.values():
        page.context.close()
