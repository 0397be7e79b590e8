"""The RNN page's claims and speed: the adding problem at T = 50 per cell, and training steps per second.

    nice -n 10 .venv/bin/python bench/rnn.py [--seed 0] [--speed-steps 200]

1. Adding problem, T = 50, the page's default settings (RNNConfig()), seeded: each cell trains until its test
   MSE (measured every 25 steps on 1000 held-out sequences) is below 0.01 or its 3000-step budget is spent.
   The claim checked: the LSTM gets below 0.01, the vanilla RNN stays above 0.1.
2. Training steps per second of each cell on each task at the default sizes (one torch thread).

Prints Markdown tables and the load average (`os.getloadavg`) before and after.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import core  # noqa: F401  (one torch thread)
from core.rnn.config import TASKS, RNNConfig
from core.rnn.job import RNNJob
from core.rnn.model import CELLS

TARGET = 0.01


def load() -> str:
    """The 1, 5 and 15 minute load averages."""
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def adding_run(cell: str, seed: int) -> dict[str, float]:
    """Train `cell` on the default adding problem until it beats TARGET or spends its budget."""
    job = RNNJob(RNNConfig(cell=cell, seed=seed))
    start = time.perf_counter()
    while not job.done and job.metrics[-1] >= TARGET:
        job.step()
    return {
        "steps": job.eval_steps[-1],
        "seconds": time.perf_counter() - start,
        "mse": job.metrics[-1],
        "reached": job.metrics[-1] < TARGET,
    }


def steps_per_second(task: str, cell: str, steps: int) -> float:
    """Training steps per second at the default sizes, after a few warm-up steps."""
    job = RNNJob(RNNConfig(task=task, cell=cell, steps=steps + 10))
    for _ in range(10):
        job.step()
    start = time.perf_counter()
    for _ in range(steps):
        job.step()
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-steps", type=int, default=200)
    args = parser.parse_args()
    defaults = RNNConfig()
    print(f"Before: {load()}\n")
    print(
        f"Adding problem, T = {defaults.seq_len}, hidden {defaults.hidden}, {defaults.layers} layer, Adam lr "
        f"{defaults.lr}, clip {defaults.clip}, batch {defaults.batch}, seed {args.seed}, budget "
        f"{defaults.steps} steps\n"
    )
    print(f"| cell | steps | seconds | test MSE | below {TARGET} |\n|---|---:|---:|---:|---|")
    results = {}
    for cell in ("LSTM", "GRU", "RNN"):
        r = results[cell] = adding_run(cell, args.seed)
        print(f"| {cell} | {r['steps']} | {r['seconds']:.1f} | {r['mse']:.4f} | {r['reached']} |", flush=True)
    claim = results["LSTM"]["mse"] < TARGET and results["RNN"]["mse"] > 0.1
    print(f"\nClaim (LSTM < {TARGET}, RNN > 0.1): {'holds' if claim else 'FAILS'}  ({load()})\n")
    print(f"Training steps per second ({args.speed_steps} timed steps, batch {defaults.batch})\n")
    print("| task | " + " | ".join(CELLS) + " |\n|---|" + "---:|" * len(CELLS))
    for task, title in TASKS.items():
        rates = [steps_per_second(task, cell, args.speed_steps) for cell in CELLS]
        print(f"| {title} | " + " | ".join(f"{r:.0f}" for r in rates) + " |", flush=True)
    print(f"\nAfter: {load()}")
    sys.exit(0 if claim else 1)


if __name__ == "__main__":
    main()
