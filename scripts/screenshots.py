"""Screenshots of every page, each opened by deep link as the first request to a freshly started server.

For looking at the pages by hand (before and after a change, at a desktop's and a phone's size): each page
gets a new `streamlit run app.py`, is opened at its URL in headless Chromium, and is shot once the script has
finished and its charts have drawn, at every --sizes, first the first screen (what a visitor sees without
scrolling), then, with --full, the whole page.

    .venv/bin/python scripts/screenshots.py OUT_DIR                      # every page, 1400x1000 and 390x844
    .venv/bin/python scripts/screenshots.py OUT_DIR --pages cnn rnn --full
    .venv/bin/python scripts/screenshots.py OUT_DIR --shared-server      # one server for all pages (quicker)

Writes OUT_DIR/<page>-<width>x<height>.png (and <page>-full-<width>.png with --full).
"""

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    StreamlitServer,
    wait_for_app,
    wait_until_drawn,
)
from ui.shell import CURRICULUM  # noqa: E402

FULL_HEIGHT = 4000  # Streamlit scrolls inside its own container: a tall viewport captures the whole page


def page_stems() -> list[str]:
    """Every page's file stem, in navigation order."""
    return [Path(e.path).stem for entries in CURRICULUM.values() for e in entries]


def url_path(stem: str) -> str:
    """The URL a page is served under: its stem, or '' for Home."""
    return "" if stem == "home" else stem


def shoot(server: StreamlitServer, browser, stem: str, sizes: list[tuple[int, int]], out: Path, full: bool):
    for width, height in sizes:
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{server.url}/{url_path(stem)}")
        wait_for_app(page)
        wait_until_drawn(page)
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / f"{stem}-{width}x{height}.png"))
        if full:
            page.set_viewport_size({"width": width, "height": FULL_HEIGHT})
            page.wait_for_timeout(1000)
            wait_until_drawn(page)
            page.screenshot(path=str(out / f"{stem}-full-{width}.png"))
        context.close()
        print(f"{stem} {width}x{height}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", nargs="*", default=None, help="page stems (default: every page)")
    parser.add_argument("--sizes", nargs="*", default=["1400x1000", "390x844"])
    parser.add_argument("--full", action="store_true", help="also the whole page at each width")
    parser.add_argument("--shared-server", action="store_true", help="one server for every page")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes]
    logs = Path(tempfile.mkdtemp(prefix="shots-"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        shared = StreamlitServer(logs) if args.shared_server else None
        for stem in args.pages or page_stems():
            server = shared or StreamlitServer(logs)
            try:
                shoot(server, browser, stem, sizes, args.out, args.full)
            finally:
                if shared is None:
                    server.stop()
        if shared is not None:
            shared.stop()
        browser.close()


if __name__ == "__main__":
    main()
