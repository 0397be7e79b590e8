"""Sentiment model speed on this machine: load time, latency per sentence (batch 1), throughput (batch 64),
the time of one Integrated Gradients explanation, and a 10,000-row batch file's time and memory growth.

    .venv/bin/python bench/sentiment.py [--model minilm-sst2] [--sentences 872]

Uses SST-2 dev sentences when ../shared/data/sst2 is present (typical review length), otherwise repeats a few
built-in sentences. Prints a Markdown table for the README and the machine's load average at the end.
"""

import argparse
import csv
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DEV = REPO.parent / "shared" / "data" / "sst2" / "dev.tsv"
FALLBACK = [
    "I've been waiting for a HuggingFace course my whole life.",
    "I hate this so much!",
    "The acting was wooden, but the soundtrack almost saved it.",
    "a charming and often affecting journey",
]


def sentences(count: int) -> list[str]:
    """`count` benchmark sentences."""
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as handle:
            rows = [row[0] for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)][1:]
    else:
        rows = FALLBACK
    return [rows[i % len(rows)] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="minilm-sst2")
    parser.add_argument("--sentences", type=int, default=872)
    parser.add_argument("--single", type=int, default=100, help="sentences timed one at a time")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the batch-file run (0 skips it)")
    args = parser.parse_args()

    start = time.perf_counter()
    import transformers  # noqa: F401  (imported here so the load figure below excludes it)

    import core  # noqa: F401  (sets torch threads the way the app does)
    from core.runtime import device_label
    from core.text import registry
    from core.text.attributions import integrated_gradients

    imported = time.perf_counter()
    classifier = registry.load_model(registry.get_model(args.model))
    loaded = time.perf_counter()
    texts = sentences(args.sentences)
    classifier.predict(texts[:8])  # warm-up

    single = []
    for text in texts[: args.single]:
        t = time.perf_counter()
        classifier.predict([text], batch_size=1)
        single.append(time.perf_counter() - t)
    t = time.perf_counter()
    classifier.predict(texts, batch_size=64)
    throughput = len(texts) / (time.perf_counter() - t)
    ig = []
    for text in texts[:10]:
        t = time.perf_counter()
        integrated_gradients(classifier, text, steps=32)
        ig.append(time.perf_counter() - t)

    rows_seconds, rss_growth = 0.0, 0.0
    if args.rows:
        # The page's batch path, 64 texts at a time; peak resident memory before vs after shows it is bounded.
        from core.text.batch import classify_batches

        many = sentences(args.rows)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t = time.perf_counter()
        done = sum(len(chunk) for _, chunk in classify_batches(classifier, many))
        rows_seconds = time.perf_counter() - t
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
        assert done == len(many)

    tokens = statistics.mean(classifier.token_counts(texts))
    print(f"model {args.model} on {device_label()}; {len(texts)} sentences, mean {tokens:.1f} tokens\n")
    print("| measure | value |\n|---|---|")
    print(f"| imports (torch, transformers, app core) | {imported - start:.1f} s |")
    print(f"| model load (after imports; includes transformers' lazy imports) | {loaded - imported:.1f} s |")
    print(f"| from the start of the script to a loaded model | {loaded - start:.1f} s |")
    print(f"| latency, batch 1 (median of {len(single)}) | {1000 * statistics.median(single):.1f} ms |")
    print(f"| throughput, batch 64 | {throughput:.0f} sentences/s |")
    print(f"| Integrated Gradients, 32 steps (median of {len(ig)}) | {1000 * statistics.median(ig):.0f} ms |")
    if args.rows:
        print(
            f"| {args.rows:,} rows in batches of 64 (page's batch path) | {rows_seconds:.0f} s, "
            f"peak memory +{rss_growth:.0f} MB |"
        )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average (1, 5, 15 min): {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
