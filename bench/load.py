"""Load test: N browser sessions at once take the same tour of the app on one `streamlit run app.py` server.

For each N: a fresh server on a free localhost port (run through bench/load_server.py, which is
`python -m streamlit` plus a look inside), one headless Chromium, and N browser contexts (N separate Streamlit
sessions) started 0.2 s apart, each taking this tour and then closing its tab:

  1. /playground: press Play, train for --train-secs (epochs/s and picture redraws/s sampled in the page
     every 10 ms), press Pause;
  2. /image_classification: pick the example photo "Cup of coffee" (the page classifies it with two models);
  3. /sentiment: type a negative review, different in each session, and run it (Ctrl+Enter);
  4. /cnn, part "Train a CNN": press Play, let it train 2 s, press Pause; press Play again and close the
     tab while it trains (its worker must stop by itself: nobody watches).

Timed, in the benchmark process, from each click (or Enter) to the page showing its result: the epoch counter
moves (Play), the Play button is back (Pause), the new photo's top class, NEGATIVE. Also timed: opening each
page until it is usable, and the playground's Pause as bench/live.py times it (click to the counter's last
change, in page time; not one of the click times). Any timeout or Streamlit exception box ends that
session's tour as an error.
Meanwhile the server's resident memory (VmRSS) and its live training workers (OS threads named np-trainer,
/proc/<pid>/task/*/comm) are sampled every 0.5 s. After the last tab closed: workers left after 5 s (must
be 0), a census of live Runner objects and sessions (Streamlit keeps a closed tab's session for
server.disconnectedSessionTTL to let it reconnect), then again after that TTL, when one more visit has let
Streamlit drop the expired sessions.

    .venv/bin/python bench/load.py --sessions 1 5 10 20
    .venv/bin/python bench/load.py --sessions 10 --profile   # + the server's stacks sampled every 20 ms

Prints one JSON line per N (also saved to --out/load_<N>.json), then a Markdown table. The browsers run on
the same machine as the server: on 2 cores, N Chromium tabs take CPU from the server they measure.
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, async_playwright, expect

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.live import epoch_of  # noqa: E402
from core.runner import IDLE_TIMEOUT, WORKER_NAME  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402
from tests.e2e.live_probe import COUNTER, SAMPLER  # noqa: E402

TIMEOUT_MS = 120_000  # for any one step: a page load on a loaded 2-core machine included
STAGGER = 0.2  # seconds between two sessions' starts
NEGATIVE_TEXT = "A dull, lifeless film: the plot is predictable and the acting is dreadful."
EPOCH = """() => {
  const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.innerText.startsWith('Epoch'));
  return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null; }"""
EPOCH_CHANGED = f"(before) => {{ const value = ({EPOCH})(); return value !== null && value !== before; }}"
STEPS = ("playground_play", "playground_pause", "image_classify", "sentiment_run", "cnn_play", "cnn_pause")
PAGES = ("/playground", "/image_classification", "/sentiment", "/cnn")
COLUMNS = [
    "N",
    "errors",
    "click median s",
    "click p95 s",
    "page open p95 s",
    "playground epochs/s per session",
    "redraws/s per session",
    "RSS idle MB",
    "RSS peak MB",
    "RSS after tour MB",
    "RSS after TTL MB",
    "workers max",
    "workers 5 s after close",
    "runners after TTL",
    "load 1/5/15 min before → after",
]
HEADLINE_CHANGED = """(before) => {
  const h = document.querySelector('[data-testid="stMarkdownContainer"] h4');
  return h !== null && h.innerText !== before; }"""


def disconnected_session_ttl() -> int:
    """How long Streamlit keeps a closed tab's session (.streamlit/config.toml, else Streamlit's 120 s)."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    return config.get("server", {}).get("disconnectedSessionTTL", 120)


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now (VmRSS) and its peak so far (VmHWM), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM")}


def workers(pid: int) -> int:
    """Training worker threads alive in the process (core.runner names their OS threads)."""
    names = []
    for comm in Path(f"/proc/{pid}/task").glob("*/comm"):
        with contextlib.suppress(OSError):  # the thread ended while we looked
            names.append(comm.read_text().strip())
    return names.count(WORKER_NAME)


def census(path: Path) -> dict:
    """Ask the server for a census (bench/load_server.py) and return it."""
    request = path.with_name(path.name + ".request")
    request.touch()
    deadline = time.monotonic() + 60
    while request.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not answer the census request")
        time.sleep(0.2)
    return json.loads(path.read_text())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Tour:
    """One browser session's tour: its timings, its playground pace, the error that ended it, if any."""

    def __init__(self, browser: Browser, url: str, train_secs: float, index: int) -> None:
        self.browser, self.url, self.train_secs = browser, url, train_secs
        # Each session its own text: the page caches results per text, and a class types different reviews.
        self.review = f"{NEGATIVE_TEXT} Seen by viewer {index}."
        self.clicks: dict[str, float] = {}  # step -> seconds from click to result
        self.opens: dict[str, float] = {}  # page -> seconds from navigation to usable
        self.pace: dict[str, float] = {}
        self.counter_stop: float | None = None  # playground Pause: click to the counter's last change, s
        self.error: str | None = None
        self.stage = "start"

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            await self.playground(page)
            await self.image(page)
            await self.sentiment(page)
            await self.cnn(page)
        except Exception as error:  # any failure ends this tour and is reported with its step
            self.error = f"{self.stage}: {type(error).__name__}: {str(error).strip().splitlines()[0][:200]}"
        finally:
            await context.close()

    async def open(self, page: Page, path: str, ready) -> None:
        self.stage = f"open {path}"
        started = time.perf_counter()
        await page.goto(self.url + path)
        await expect(ready).to_be_visible(timeout=TIMEOUT_MS)
        await settled(page)
        self.opens[path] = time.perf_counter() - started

    async def play(self, page: Page, play: Locator, pause: Locator, step: str) -> None:
        """Press Play, timed until the epoch counter moves; then wait for the Pause button."""
        before = await page.evaluate(EPOCH)
        started = time.perf_counter()
        await play.click()
        await page.wait_for_function(EPOCH_CHANGED, arg=before, timeout=TIMEOUT_MS)
        self.clicks[step] = time.perf_counter() - started
        await expect(pause).to_be_visible(timeout=TIMEOUT_MS)

    async def playground(self, page: Page) -> None:
        play = page.get_by_role("button", name="Play", exact=True)
        pause = page.get_by_role("button", name="Pause", exact=True)
        await self.open(page, "/playground", play)
        self.stage = "playground Play"
        await self.play(page, play, pause, "playground_play")
        await page.evaluate(SAMPLER)
        await asyncio.sleep(self.train_secs)
        samples = await page.evaluate("clearInterval(window.__timer), window.__samples")
        span = (samples[-1][0] - samples[0][0]) / 1000 if samples else 0.0
        epochs = [e for e in (epoch_of(s[1]) for s in samples) if e is not None]
        redraws = sum(a[2] != b[2] for a, b in itertools.pairwise(samples))
        # A page starved of CPU may sample only once or never in the window (it ran 1 s at N = 10 on a
        # loaded machine): then it has no pace to report rather than a division by zero.
        if span > 0 and len(epochs) > 1:
            self.pace = {"epochs_per_s": (epochs[-1] - epochs[0]) / span, "redraws_per_s": redraws / span}
        self.stage = "playground Pause"
        await page.evaluate(COUNTER)
        started = time.perf_counter()
        await pause.click()
        await expect(play).to_be_visible(timeout=TIMEOUT_MS)
        self.clicks["playground_pause"] = time.perf_counter() - started
        await settled(page)
        # Also as bench/live.py times Pause: from the click to the epoch counter's last change (in page time).
        clicked, changes = await page.evaluate(
            "clearInterval(window.__counter), [window.__clicked, window.__changes]"
        )
        self.counter_stop = max(changes[-1][0] - clicked, 0) / 1000 if changes and clicked else None

    async def image(self, page: Page) -> None:
        headline = page.locator('[data-testid="stMarkdownContainer"] h4').first
        await self.open(page, "/image_classification", headline)
        self.stage = "image example"
        before = await headline.inner_text()
        await page.get_by_test_id("stSelectbox").filter(has_text="Photo").click()
        await page.keyboard.type("Cup of coffee")
        await page.get_by_role("option", name="Cup of coffee", exact=True).wait_for()
        started = time.perf_counter()
        await page.keyboard.press("Enter")
        await page.wait_for_function(HEADLINE_CHANGED, arg=before, timeout=TIMEOUT_MS)
        self.clicks["image_classify"] = time.perf_counter() - started
        await settled(page)

    async def sentiment(self, page: Page) -> None:
        label = page.get_by_test_id("stMetricValue").first
        await self.open(page, "/sentiment", label)
        self.stage = "sentiment run"
        text = page.get_by_label("Text", exact=True)
        await text.fill(self.review)
        started = time.perf_counter()
        await text.press("Control+Enter")
        await expect(label).to_have_text("NEGATIVE", timeout=TIMEOUT_MS)
        self.clicks["sentiment_run"] = time.perf_counter() - started
        await settled(page)

    async def cnn(self, page: Page) -> None:
        await self.open(page, "/cnn", page.get_by_test_id("stButtonGroup"))
        play = page.get_by_role("button", name="Play", exact=True)
        pause = page.get_by_role("button", name="Pause", exact=True)
        self.stage = "cnn open Train a CNN"
        await page.get_by_test_id("stButtonGroup").get_by_text("Train a CNN", exact=True).click()
        await expect(play).to_be_visible(timeout=TIMEOUT_MS)
        await settled(page)
        self.stage = "cnn Play"
        await self.play(page, play, pause, "cnn_play")
        await asyncio.sleep(2)
        self.stage = "cnn Pause"
        started = time.perf_counter()
        await pause.click()
        await expect(play).to_be_visible(timeout=TIMEOUT_MS)
        self.clicks["cnn_pause"] = time.perf_counter() - started
        await settled(page)
        self.stage = "cnn Play again, to close the tab while it trains"
        await play.click()
        await expect(pause).to_be_visible(timeout=TIMEOUT_MS)
        self.stage = "done"


async def settled(page: Page) -> None:
    """Wait until the script run has finished (twice: a rerun may follow); fail on an exception box."""
    running = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    await page.wait_for_selector(running, timeout=TIMEOUT_MS)
    await page.wait_for_timeout(300)
    await page.wait_for_selector(running, timeout=TIMEOUT_MS)
    exceptions = page.locator('[data-testid="stException"]')
    if await exceptions.count():
        raise AssertionError(f"Streamlit exception shown: {(await exceptions.first.inner_text())[:300]}")


async def watch(pid: int, seen: dict, stop: asyncio.Event) -> None:
    """Every 0.5 s until `stop`: the most training workers alive at once, and resident memory."""
    while not stop.is_set():
        seen["workers_max"] = max(seen.get("workers_max", 0), workers(pid))
        seen["rss_max_sampled"] = max(seen.get("rss_max_sampled", 0.0), memory_mb(pid)["VmRSS"])
        await asyncio.sleep(0.5)


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile (nearest rank) of `values`, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


async def drive(
    server: StreamlitServer, sessions: int, train_secs: float, ttl: int, census_path: Path
) -> dict:
    """The N tours at once, then the after-close and after-TTL looks (see the module docstring)."""
    pid = server.process.pid
    result: dict = {"sessions": sessions, "rss_idle_mb": round(memory_mb(pid)["VmRSS"])}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        seen: dict = {}
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(pid, seen, stop))
        tours = [Tour(browser, server.url, train_secs, i) for i in range(sessions)]
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        await asyncio.gather(*(tour.run(i * STAGGER) for i, tour in enumerate(tours)))
        result["tour_s"] = round(time.perf_counter() - started, 1)
        result["server_cpu_cores_in_tour"] = round((cpu_seconds(pid) - cpu) / result["tour_s"], 2)
        result["load_after_tour"] = load_average()
        stop.set()
        await watcher
        memory = memory_mb(pid)
        result["rss_after_tour_mb"] = round(memory["VmRSS"])
        await asyncio.sleep(IDLE_TIMEOUT + 3.5)
        result["workers_5s_after_close"] = workers(pid)
        result["census_after_close"] = census(census_path)
        await asyncio.sleep(ttl + 2)
        # Streamlit drops expired sessions only when it stores another: one more visit, then its tab closes.
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(server.url)
        await settled(page)
        await context.close()
        await asyncio.sleep(3)
        result["census_after_ttl"] = census(census_path)
        result["rss_after_ttl_mb"] = round(memory_mb(pid)["VmRSS"])
        result["workers_after_ttl"] = workers(pid)
        await browser.close()
    clicks = [s for tour in tours for s in tour.clicks.values()]
    errors = [tour.error for tour in tours if tour.error]
    result |= {
        "errors": len(errors),
        "first_errors": errors[:3],
        "clicks": len(clicks),
        "click_median_s": quantile(clicks, 0.5),
        "click_p95_s": quantile(clicks, 0.95),
        "click_max_s": quantile(clicks, 1.0),
        "open_p95_s": quantile([s for tour in tours for s in tour.opens.values()], 0.95),
        "click_p95_s_by_step": {
            step: quantile([t.clicks[step] for t in tours if step in t.clicks], 0.95) for step in STEPS
        },
        "open_p95_s_by_page": {
            path: quantile([t.opens[path] for t in tours if path in t.opens], 0.95) for path in PAGES
        },
        "playground_pause_counter_stop_p95_s": quantile(
            [t.counter_stop for t in tours if t.counter_stop is not None], 0.95
        ),
        "epochs_per_s_median": quantile([t.pace["epochs_per_s"] for t in tours if t.pace], 0.5),
        "redraws_per_s_median": quantile([t.pace["redraws_per_s"] for t in tours if t.pace], 0.5),
        "workers_max": seen["workers_max"],
        "rss_peak_mb": round(memory["VmHWM"]),
    }
    return result


def measure(sessions: int, train_secs: float, out: Path, profile: bool) -> dict:
    """One N on a fresh server (so that its memory starts from the same point)."""
    census_path = out / f"census_{sessions}.json"
    os.environ["LOAD_CENSUS"] = str(census_path)  # read by bench/load_server.py in the server process
    if profile:
        os.environ["LOAD_PROFILE"] = "1"
    load_before = load_average()
    server = StreamlitServer(out, module="bench.load_server")
    try:
        result = asyncio.run(drive(server, sessions, train_secs, disconnected_session_ttl(), census_path))
    finally:
        server.stop()
    result["load_before"] = load_before
    result["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return result


def table_row(r: dict) -> str:
    """One Markdown table row for the README."""
    cells = [
        *(r[k] for k in ("sessions", "errors", "click_median_s", "click_p95_s", "open_p95_s")),
        r["epochs_per_s_median"],
        *(r[k] for k in ("redraws_per_s_median", "rss_idle_mb", "rss_peak_mb", "rss_after_tour_mb")),
        *(r[k] for k in ("rss_after_ttl_mb", "workers_max", "workers_5s_after_close")),
        r["census_after_ttl"]["runners"],
        f"{' '.join(map(str, r['load_before']))} → {' '.join(map(str, r['load_after_tour']))}",
    ]
    return "| " + " | ".join(map(str, cells)) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20], help="values of N")
    parser.add_argument("--train-secs", type=float, default=10.0, help="playground training per session")
    parser.add_argument("--profile", action="store_true", help="sample the server's stacks (costs a little)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "load")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for sessions in args.sessions:
        result = measure(sessions, args.train_secs, args.out, args.profile)
        (args.out / f"load_{sessions}.json").write_text(json.dumps(result, indent=1))
        print(json.dumps(result), flush=True)
        rows.append(table_row(result))
    print("\n| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
