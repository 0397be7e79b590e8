"""CNN page timings with the default CNNConfig: seconds per epoch on MNIST and on sklearn digits, training
examples/s, and the time to extract every conv layer's feature maps for one image (the shipped model).

    .venv/bin/python bench/cnn.py [--threads 1 2] [--mnist-epochs 1] [--digits-epochs 10]

Prints a Markdown table and the load average (`uptime`) before and after; paste both into the README.
The ≥ 99.0% MNIST figure and its CPU time come from the full training run,
`python -m core cnn train --threads 1 --save core/cnn/weights/mnist_default.safetensors`.
"""

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402

from core.cnn.data import load_dataset  # noqa: E402
from core.cnn.inspect import feature_maps  # noqa: E402
from core.cnn.model import CNNConfig  # noqa: E402
from core.cnn.train import CNNJob  # noqa: E402
from core.cnn.weights import load  # noqa: E402


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def time_training(dataset: str, epochs: int) -> tuple[float, float, float]:
    """(wall seconds per epoch, CPU seconds per epoch, examples/s) training the default config."""
    data = load_dataset(dataset)
    job = CNNJob(replace(CNNConfig(), dataset=dataset, epochs=epochs), data)
    cpu, wall = time.process_time(), time.perf_counter()
    job.run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return wall / epochs, cpu / epochs, job.examples / job.train_seconds


def time_feature_maps(runs: int = 50) -> float:
    """Median milliseconds to extract all conv layers' feature maps of one MNIST test digit."""
    model, image = load().model, load_dataset("mnist").test_x[0]
    feature_maps(model, image)  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        feature_maps(model, image)
        timings.append(time.perf_counter() - start)
    return 1000 * statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--mnist-epochs", type=int, default=1)
    parser.add_argument("--digits-epochs", type=int, default=10)
    args = parser.parse_args()
    print(f"before: {uptime()}")
    print("| torch threads | data | s/epoch (wall) | CPU s/epoch | examples/s | feature maps of one image |")
    print("|---:|---|---:|---:|---:|---:|")
    for threads in args.threads:
        torch.set_num_threads(threads)
        maps_ms = time_feature_maps()
        for dataset, epochs in [("digits", args.digits_epochs), ("mnist", args.mnist_epochs)]:
            wall, cpu, rate = time_training(dataset, epochs)
            print(
                f"| {threads} | {dataset} | {wall:.2f} | {cpu:.2f} | {rate:,.0f} | {maps_ms:.2f} ms |",
                flush=True,
            )
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
