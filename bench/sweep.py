"""Sweep benchmark: a 10 × 10 sweep (learning rate × L2 rate) of reference setup A for 500 epochs, beside the
same 100 runs trained one after another by the single-run engine in the same process.

    .venv/bin/python bench/sweep.py [--epochs 500] [--repeats 3] [--json]

The sweep is timed in one call and in the live runner's 10 ms slices (what the page does), each on one thread
(the default, as torch's) and on both cores (its blocks on two threads). Every cell's final test
loss is compared with its sequential run. Prints a Markdown table for the README with the load average.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import core  # noqa: F401  (sets torch's thread count)
from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.sweep import SweepJob, make_sweep
from core.runner import SLICE

LRS = "0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3"
L2S = "0, 0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1"


def timed(work) -> tuple[float, float, object]:
    """Wall seconds, this process's CPU seconds, and what `work()` returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def sweep_final(sweep, threads: int, slices: bool) -> np.ndarray:
    """Train the sweep to its end; every run's final test loss (runs,)."""
    job = SweepJob(sweep, threads)
    while not job.done:
        if slices:
            job.train_for(SLICE)
        else:
            job.train(sweep.epochs)
    return job.snapshot().history[:, -1, 1]


def sequential_final(sweep) -> np.ndarray:
    """The same runs, one Engine after another: each final test loss (runs,)."""
    finals = []
    for config in sweep.configs():
        engine = Engine(config)
        engine.train(sweep.epochs)
        finals.append(engine.history.column("test_loss")[-1])
    return np.array(finals)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sweep, problems = make_sweep(PlaygroundConfig(), "lr", LRS, "l2", L2S, args.epochs)
    assert sweep is not None, problems
    small, _ = make_sweep(PlaygroundConfig(), "lr", "0.01, 0.1", "l2", "0, 0.001", 3)
    sweep_final(small, 2, False)  # load the compiled kernels before timing
    sequential_final(small)
    load_before = os.getloadavg()
    rows: dict[str, list[tuple[float, float]]] = {}
    finals = {}
    for _ in range(args.repeats):
        for name, work in (
            ("sweep, 2 threads, one call", lambda: sweep_final(sweep, 2, False)),
            ("sweep, 1 thread, one call", lambda: sweep_final(sweep, 1, False)),
            ("sweep, 2 threads, 10 ms runner slices", lambda: sweep_final(sweep, 2, True)),
            (
                "sweep, 1 thread, 10 ms runner slices (the page's default)",
                lambda: sweep_final(sweep, 1, True),
            ),
            ("100 sequential engine runs", lambda: sequential_final(sweep)),
        ):
            wall, cpu, final = timed(work)
            rows.setdefault(name, []).append((wall, cpu))
            finals[name] = final
    load_after = os.getloadavg()
    reference = finals["100 sequential engine runs"]
    worst = max(float(np.max(np.abs(final - reference))) for final in finals.values())
    best = {name: (min(w for w, _ in times), min(c for _, c in times)) for name, times in rows.items()}
    sequential_wall = best["100 sequential engine runs"][0]
    result = {
        "epochs": args.epochs,
        "runs": len(reference),
        "load_before": load_before,
        "load_after": load_after,
        "best_seconds": {name: {"wall": w, "cpu": c} for name, (w, c) in best.items()},
        "max_abs_final_test_loss_difference": worst,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"10 × 10 sweep of setup A (lr × L2), {args.epochs} epochs, best of {args.repeats}")
    print(
        f"load average before {load_before[0]:.2f}, {load_before[1]:.2f}, {load_before[2]:.2f}; after ",
        end="",
    )
    print(f"{load_after[0]:.2f}, {load_after[1]:.2f}, {load_after[2]:.2f}\n")
    print("| how | wall s | CPU s | × sequential (wall) |")
    print("|---|---:|---:|---:|")
    for name, (wall, cpu) in best.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {sequential_wall / wall:.1f} |")
    print(f"\nlargest |final test loss − sequential run's| over the 100 cells: {worst:.1e}")


if __name__ == "__main__":
    main()
