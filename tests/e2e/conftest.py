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
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
WARM_STREAMLIT = "tests.e2e.warm_streamlit"  # `python -m streamlit`, big libraries imported before it serves
# How long an `expect` waits for its condition (Playwright's default is 5 s). The script state flips to
# "notRunning" before the browser has drawn what the run sent; on a machine whose other core runs another
# test, drawing a page's first element took longer than 5 s. A wait, not a bound on speed.
EXPECT_TIMEOUT_MS = 30_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run app.py` in a subprocess, stopped when the test is done with it. `module` is what
    `python -m` runs: streamlit itself, or bench.load_server (the same server with a look inside). `cpus`
    pins it to those CPUs (taskset's list, e.g. "0"); `env` adds environment variables. With `wait=False`
    it is started but not waited for (`wait_healthy` later): a spare started ahead."""

    def __init__(
        self,
        log_dir: Path,
        port: int | None = None,
        module: str = "streamlit",
        cpus: str | None = None,
        env: dict[str, str] | None = None,
        wait: bool = True,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"streamlit-{self.port}-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                *(["taskset", "-c", cpus] if cpus else []),
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
            env={**os.environ, **(env or {})},
        )
        if wait:
            self.wait_healthy()

    def wait_healthy(self) -> None:
        """Wait until the server answers its health check (which is no page request)."""
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
    server.kill()  # nothing is checked at shutdown; Streamlit's own takes seconds


def environment_now() -> dict[str, str]:
    """The variables a server started now would inherit, less pytest's note of the current test."""
    return {name: value for name, value in os.environ.items() if name != "PYTEST_CURRENT_TEST"}


class SpareServers:
    """Fresh servers started one ahead: while a test uses one, the next one starts in the background, so
    its start-up overlaps that test's browser work. A spare has answered nothing but health checks, so
    the test's first page request is still the server's first. Spares import torch, torchvision, plotly and
    pandas before they serve (tests/e2e/warm_streamlit.py), so those imports are part of the head start. A
    test that changed the environment (the server inherits it) gets one started for it instead."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.environment = environment_now()
        self.spare: StreamlitServer | None = None

    def take(self) -> StreamlitServer:
        """A newly started, healthy server; starts the next spare."""
        if environment_now() != self.environment:
            return StreamlitServer(self.log_dir, module=WARM_STREAMLIT)
        server, self.spare = (
            self.spare or StreamlitServer(self.log_dir, module=WARM_STREAMLIT, wait=False),
            None,
        )
        server.wait_healthy()
        self.spare = StreamlitServer(self.log_dir, module=WARM_STREAMLIT, wait=False)
        return server

    def close(self) -> None:
        if self.spare is not None:
            self.spare.kill()


@pytest.fixture(scope="session")
def spare_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpareServers]:
    spares = SpareServers(tmp_path_factory.mktemp("spare-servers"))
    yield spares
    spares.close()


@pytest.fixture
def fresh_server(tmp_path: Path, spare_servers: SpareServers) -> Iterator[Callable[..., StreamlitServer]]:
    """Factory for newly started servers (e.g. to open a deep link as the very first request); `port`
    starts one where an earlier one was (a restart)."""
    servers: list[StreamlitServer] = []

    def start(port: int | None = None) -> StreamlitServer:
        restart = port is not None
        servers.append(StreamlitServer(tmp_path, port, WARM_STREAMLIT) if restart else spare_servers.take())
        return servers[-1]

    yield start
    for server in servers:
        server.kill()  # nothing is checked at shutdown; Streamlit's own takes seconds


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
