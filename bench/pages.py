"""Median time of a full script run of each page under AppTest, after warm-up.

    .venv/bin/python bench/pages.py [--runs 15] [--pages neuron activations] [--trained 20]

Pages are timed as they open, with nothing trained yet. With `--trained N`, the pages that have Step buttons
(STEP_BUTTONS) first press each one N times, so the run is timed once it has trained and is paused, with its
histograms, tables and maps all drawn. Prints a Markdown table (page, median ms, min ms) for the README.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ui.shell import CURRICULUM  # noqa: E402

# The Step buttons `--trained` presses, by page.
STEP_BUTTONS = {
    "pages/batchnorm_dropout.py": ["bn_step", "do_step"],
    "pages/lr_schedules.py": ["lrs_step"],
    "pages/transformer.py": ["tf_step"],
}


def time_page(path: str, runs: int, warmup: int = 2, trained: int = 0) -> list[float]:
    """Seconds taken by each of `runs` full reruns of one page, after `warmup` untimed ones.

    With `trained`, each of the page's Step buttons is pressed that many times first.
    """
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.switch_page(path)
    at.run()
    for key in STEP_BUTTONS.get(path, []) if trained else []:
        for _ in range(trained):
            at.button(key=key).click().run()
    for _ in range(warmup):
        at.run()
    if at.exception:
        raise RuntimeError(f"{path}: {at.exception[0].value}")
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pages", nargs="*", help="page file stems to time (default: every page)")
    parser.add_argument(
        "--trained", type=int, default=0, help="press each Step button this many times first (pages with one)"
    )
    args = parser.parse_args()
    paths = [e.path for entries in CURRICULUM.values() for e in entries]
    if args.pages:
        paths = [p for p in paths if Path(p).stem in args.pages]
    if args.trained:
        paths = [p for p in paths if p in STEP_BUTTONS]
    print("| page | median ms | min ms |\n|---|---:|---:|")
    for path in paths:
        timings = time_page(path, args.runs, trained=args.trained)
        print(f"| {path} | {1000 * statistics.median(timings):.0f} | {1000 * min(timings):.0f} |", flush=True)


if __name__ == "__main__":
    main()
