"""Faults in real Chromium: the server killed mid-training and restarted on the same port; the page comes
back with the configuration its URL holds, and trains again."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

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


def query(page: Page) -> dict[str, str]:
    """The address bar's query parameters."""
    return dict(p.split("=", 1) for p in page.url.split("?", 1)[1].split("&"))


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
    page.get_by_role("combobox", name="Optimizer").click()
    page.get_by_role("option", name="Adam", exact=True).click()  # a change made on the page, not in the link
    wait_for_app(page, TIMEOUT_MS)
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
