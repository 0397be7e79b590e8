"""Live training in real Chromium: Pause stops the run for good, a live setting applies to the same run,
pictures never go missing or move, two sessions train side by side, and a closed tab or a page left behind
leaves no training worker running on the server.

Nothing here times anything: how fast Pause lands and how soon a new learning rate shows is measured by
bench/live.py. The tests share one server (`streamlit_server`); each one that counts the server's workers
first waits until the workers of earlier tests' closed sessions have ended.
"""

import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from core.runner import WORKER_NAME
from tests.e2e.conftest import StreamlitServer, screenshot, wait_for_app
from tests.e2e.live_probe import SAMPLER, SHOT, blank_boxes

TIMEOUT_MS = 120_000
TIMEOUT_S = 120  # for the waits on the server's worker threads: generous, the condition must come true
SETUP_C = "dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=8,8,8,8,8,8"
EPOCH_ABOVE = """start => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.innerText.startsWith('Epoch'));
  const value = m && m.querySelector('[data-testid="stMetricValue"]').innerText;
  return value && parseInt(value.replace(/,/g, '')) > start; }"""


# On the next key press: the epoch shown then, and the epoch shown with the first "Learning rate 0.1".
LR_WATCH = """() => { window.__keyEpoch = null; window.__lrEpoch = null;
  const shown = label => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith(label));
    return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null; };
  document.addEventListener('keydown', () => {
    window.__keyEpoch = parseInt(shown('Epoch').replace(/,/g, '')); }, {capture: true, once: true});
  const timer = setInterval(() => {
    if (window.__keyEpoch !== null && shown('Learning rate') === '0.1') {
      window.__lrEpoch = parseInt(shown('Epoch').replace(/,/g, '')); clearInterval(timer); } }, 5); }"""


def metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def epoch(page: Page) -> int:
    return int(metric(page, "Epoch").replace(",", ""))


def open_playground(page: Page, server: StreamlitServer, query: str = "") -> None:
    page.goto(f"{server.url}/playground" + (f"?{query}" if query else ""))
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)


def play(page: Page) -> None:
    """Press Play and wait until the playing view is up and the counter moves."""
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    start = epoch(page)
    page.wait_for_function(EPOCH_ABOVE, arg=start, timeout=TIMEOUT_MS)


def worker_cpu_seconds(server: StreamlitServer) -> dict[int, float]:
    """The server's live-training worker threads (named by core.runner in the OS), each with the CPU time
    it has used so far (user + system, from /proc)."""
    workers = {}
    for task in Path(f"/proc/{server.process.pid}/task").iterdir():
        try:
            if (task / "comm").read_text().strip() != WORKER_NAME:
                continue
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended while being read
            continue
        workers[int(task.name)] = (int(fields[11]) + int(fields[12])) / 100  # utime, stime in 1/100 s
    return workers


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds; fail, saying `what` never happened, after a generous TIMEOUT_S."""
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.1)


def wait_for_no_worker(server: StreamlitServer) -> None:
    wait_until(lambda: not worker_cpu_seconds(server), "every training worker on the server ended")


def wait_for_training(server: StreamlitServer) -> None:
    """Wait until one worker thread runs and its CPU time grows: the server trains."""
    first = worker_cpu_seconds(server)
    wait_until(
        lambda: (
            len(now := worker_cpu_seconds(server)) == 1 and any(now[tid] > first.get(tid, 0.0) for tid in now)
        ),
        "one training worker running on the server",
    )


def test_pause_always_stops_the_run_for_good(streamlit_server: StreamlitServer, page: Page) -> None:
    """Pause at random moments of a run (bench/live.py --pause-tries times it at 20): each time the worker
    ends and the counter never moves again."""
    wait_for_no_worker(streamlit_server)
    open_playground(page, streamlit_server)
    rng = random.Random(0)
    for _ in range(5):
        play(page)
        page.wait_for_timeout(rng.uniform(0.2, 2.0) * 1000)  # a random moment of the run
        page.get_by_role("button", name="Pause", exact=True).click()
        expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        wait_for_app(page, TIMEOUT_MS)
        wait_for_no_worker(streamlit_server)  # paused: nothing trains on the server
        stopped = epoch(page)
        page.wait_for_timeout(1000)  # long enough for a counter that did not stop to move again
        assert epoch(page) == stopped > 0


def test_a_learning_rate_change_applies_to_the_running_run(
    streamlit_server: StreamlitServer, page: Page
) -> None:
    """While it plays, the new rate reaches the same run (the counter carries on from where it was), the
    view shows it and it stays. That the next epoch trains at it is tests/app/test_playground_page.py's
    check; how soon it shows, bench/live.py's."""
    open_playground(page, streamlit_server)
    play(page)
    assert metric(page, "Learning rate") == "0.03"
    slider = page.get_by_test_id("stSlider").filter(has_text="Learning rate").get_by_role("slider")
    slider.focus()
    page.evaluate(LR_WATCH)
    slider.press("ArrowRight")  # 0.03 -> 0.1
    page.wait_for_function("() => window.__lrEpoch !== null", timeout=TIMEOUT_MS)
    key_epoch, lr_epoch = page.evaluate("[window.__keyEpoch, window.__lrEpoch]")
    print(f"\nepoch {key_epoch:,} at the key press, {lr_epoch:,} when learning rate 0.1 first showed")
    assert lr_epoch >= key_epoch > 0  # the same run: the counter carried on
    page.wait_for_function(EPOCH_ABOVE, arg=lr_epoch, timeout=TIMEOUT_MS)  # and trains on at the new rate
    assert metric(page, "Learning rate") == "0.1"
    assert page.get_by_role("button", name="Pause", exact=True).is_visible()  # still playing
    expect(page).to_have_url(re.compile(r"lr=0\.1(&|$)"), timeout=TIMEOUT_MS)  # a copied link keeps it
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible(timeout=TIMEOUT_MS)


def test_pictures_never_go_missing_blank_or_move_while_training(
    streamlit_server: StreamlitServer, page: Page, tmp_path: Path
) -> None:
    open_playground(page, streamlit_server, SETUP_C)
    play(page)
    page.evaluate(SAMPLER)
    shots = []
    for i in range(8):
        page.wait_for_timeout(700)
        info = page.evaluate(SHOT)
        path = tmp_path / f"playground_c_running_{i}.png"
        page.screenshot(path=str(path))
        info["blank"] = blank_boxes(path, info.pop("boxes"))
        shots.append(info)
    samples = page.evaluate("clearInterval(window.__timer), window.__samples")
    screenshot(page, tmp_path / "playground_c_running.png", wait_for_charts=False)
    assert all(s["pictures"] == 5 and s["charts"] == 0 for s in shots), shots  # planes, network, curves
    assert not any(s["broken"] or s["blank"] for s in shots), shots
    assert len({tuple(s["tops"]) for s in shots}) == 1, shots  # nothing moved
    assert len({s[2] for s in samples}) > 5  # and the pictures did change


def test_two_sessions_train_at_once(streamlit_server: StreamlitServer, browser: Browser) -> None:
    server = streamlit_server
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pages.append(context.new_page())
        open_playground(pages[-1], server)
    for page in pages:
        play(page)
    before = [epoch(page) for page in pages]
    pages[0].wait_for_timeout(3000)
    after = [epoch(page) for page in pages]
    print("\nepochs in 3 s, two sessions:", [b - a for a, b in zip(before, after, strict=True)])
    assert all(b > a for a, b in zip(before, after, strict=True))
    for page in pages:
        page.context.close()


def test_closing_the_tab_or_leaving_the_page_stops_the_worker(
    streamlit_server: StreamlitServer, browser: Browser
) -> None:
    server = streamlit_server
    wait_for_no_worker(server)  # what follows is this session's worker only
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    open_playground(page, server)
    play(page)
    wait_for_training(server)
    nav = page.get_by_test_id("stSidebarNavItems")
    nav.get_by_role("link", name="Home").click()  # leave the page: the view stops redrawing
    wait_for_app(page, TIMEOUT_MS)
    wait_for_no_worker(server)
    nav.get_by_role("link", name="Training playground").click()  # back: the run carries on
    wait_for_app(page, TIMEOUT_MS)
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_training(server)
    context.close()  # close the tab
    wait_for_no_worker(server)
