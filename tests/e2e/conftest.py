"""Browser-test fixtures: a real `streamlit run app.py` on a free localhost port, driven by Debian's Chromium.

Playwright's own browser download needs the internet, so the system Chromium is launched instead.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
SERVER_START_TIMEOUT = 90  # seconds; a cold start imports torch on a busy 2-core machine
SCRIPT_TIMEOUT_MS = 120_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run app.py` in a subprocess, stopped when the test is done with it. `module` is what
    `python -m` runs: streamlit itself, or bench.load_server (the same server with a look inside)."""

    def __init__(self, log_dir: Path, port: int | None = None, module: str = "streamlit") -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"streamlit-{self.port}-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                module,
                "run",
                "app.py",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not become healthy:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL, as a crash or an out-of-memory kill would end it: no shutdown code runs."""
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """One server shared by the browser tests that do not need a fresh one."""
    server = StreamlitServer(tmp_path_factory.mktemp("server"))
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Callable[..., StreamlitServer]]:
    """Factory for newly started servers (e.g. to open a deep link as the very first request); `port`
    starts one where an earlier one was (a restart)."""
    servers: list[StreamlitServer] = []

    def start(port: int | None = None) -> StreamlitServer:
        servers.append(StreamlitServer(tmp_path, port))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    yield page
    context.close()


def wait_for_app(page: Page, timeout_ms: int = SCRIPT_TIMEOUT_MS) -> None:
    """Wait until the script run has finished, then fail if Streamlit shows an exception box."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    # A rerun may start right after the first run ends (e.g. a widget default); let it settle too.
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        raise AssertionError(f"Streamlit exception shown: {exceptions.first.inner_text()[:2000]}")


def wait_until_drawn(page: Page, timeout_ms: int = 60_000) -> None:
    """Plotly draws after the script finishes, and lazily loaded elements (tables, sliders) show a grey
    skeleton until their code has arrived: wait until every chart has its SVG and no skeleton is left."""
    page.wait_for_function("!document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout_ms)
    charts = page.locator('[data-testid="stPlotlyChart"]').count()
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= {charts}",
        timeout=timeout_ms,
    )


def screenshot(page: Page, path: Path, wait_for_charts: bool = True) -> Path:
    """Save what the page shows now to `path` (and to $SCREENSHOT_DIR when set, to look at by hand).

    Streamlit scrolls inside its own container, so tests make the viewport tall rather than asking for a
    full-page shot. Plotly draws after the script finishes; by default wait until every chart has drawn.
    """
    if wait_for_charts:
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        page.wait_for_function(
            f"document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= {charts}",
            timeout=30_000,
        )
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, f"{path} looks blank"
    if os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(path, Path(os.environ["SCREENSHOT_DIR"]) / path.name)
    return path
