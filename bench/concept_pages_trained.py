"""Median time of a full script run of the training-concept pages after some training (paused), under AppTest.

    .venv/bin/python bench/concept_pages_trained.py [--runs 15] [--steps 20]

bench/pages.py times every page as it opens (nothing trained yet); this times the same pages once each of
their runs has trained `--steps` epochs and is paused, so the histograms, tables and Monte-Carlo maps are
all drawn. Prints a Markdown table (page, median ms, min ms).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PAGES = {"pages/batchnorm_dropout.py": ["bn_step", "do_step"], "pages/lr_schedules.py": ["lrs_step"]}


def time_trained_page(path: str, steps: list[str], epochs: int, runs: int, warmup: int = 2) -> list[float]:
    """Seconds taken by each of `runs` full reruns after pressing each Step button `epochs` times."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.switch_page(path)
    at.run()
    for key in steps:
        for _ in range(epochs):
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
    parser.add_argument("--steps", type=int, default=20, help="epochs each run trains before timing")
    args = parser.parse_args()
    print("| page (trained, paused) | median ms | min ms |\n|---|---:|---:|")
    for path, steps in PAGES.items():
        timings = time_trained_page(path, steps, args.steps, args.runs)
        print(f"| {path} | {1000 * statistics.median(timings):.0f} | {1000 * min(timings):.0f} |", flush=True)


if __name__ == "__main__":
    main()
