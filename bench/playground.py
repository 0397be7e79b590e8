"""Training-playground benchmark: engine epochs/s on the three reference setups, against TensorFlow
Playground's engine and a naive PyTorch loop measured in the same run; per-shape compile wait; heatmap pass.

    .venv/bin/python bench/playground.py [--seconds 2] [--repeats 3] [--json]

Prints Markdown tables to paste into the README. Speed depends on the machine's load: the load average is
printed with the figures.
"""

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from torch import nn  # noqa: E402

import core  # noqa: E402, F401  (sets torch's thread count)
from core.playground.config import PlaygroundConfig  # noqa: E402
from core.playground.engine import Engine  # noqa: E402

ALL_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
SETUPS = {  # TensorFlow Playground's defaults (A) and larger networks; the page's defaults are setup A
    "A": PlaygroundConfig(),
    "B": PlaygroundConfig(dataset="spiral", hidden=(8, 8, 8)),
    "C": PlaygroundConfig(dataset="spiral", features=ALL_FEATURES, hidden=(8,) * 6),
}
TFP_ENGINE = {"A": 8954, "B": 1950, "C": 793}  # TensorFlow Playground's JavaScript engine, epochs/s (issue 3)


def engine_rate(config: PlaygroundConfig, seconds: float, fast: bool = True) -> float:
    """Epochs per second of the playground engine (training plus per-epoch train/test loss and accuracy)."""
    engine = Engine(config, fast=fast)
    engine.train(5)  # warm: kernel loaded, buffers allocated
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        epochs += engine.train(20 if fast else 2)
    return epochs / (time.perf_counter() - start)


def naive_rate(config: PlaygroundConfig, seconds: float) -> float:
    """Epochs per second of the textbook loop: nn.Sequential + torch.optim.SGD, one minibatch per step."""
    engine = Engine(config)  # only for its data: features and ±1 targets
    x, t = engine.x_train.float(), engine.t_train.float()[:, None]
    sizes = [x.shape[1], *config.hidden, 1]
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), nn.Tanh()]
    model = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    start, epochs = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        for rows in torch.randperm(len(x)).split(config.batch_size):
            optimizer.zero_grad()
            loss = 0.5 * ((model(x[rows]) - t[rows]) ** 2).mean()
            loss.backward()
            optimizer.step()
        epochs += 1
    return epochs / (time.perf_counter() - start)


def new_shape_wait() -> tuple[float, float]:
    """Seconds to first trained epoch for a network shape not seen before: in this process (kernel loaded),
    and in a fresh process that loads the kernel from its on-disk cache."""
    start = time.perf_counter()
    Engine(PlaygroundConfig(hidden=(7, 3, 5), activation="ReLU", optimizer="Adam")).train(1)
    in_process = time.perf_counter() - start
    code = (
        "import time; t = time.perf_counter(); import core; from core.playground.engine import Engine; "
        "from core.playground.config import PlaygroundConfig; "
        "Engine(PlaygroundConfig(hidden=(9, 2))).train(1); print(time.perf_counter() - t)"
    )
    fresh = float(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
        ).stdout
    )
    return in_process, fresh


def cold_compile() -> float:
    """Seconds for a fresh process to compile the kernel with an empty cache (once per installation)."""
    code = (
        "import time; import core; from core.playground.engine import Engine; "
        "from core.playground.config import PlaygroundConfig; e = Engine(PlaygroundConfig()); "
        "t = time.perf_counter(); e.train(1); print(time.perf_counter() - t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"NUMBA_CACHE_DIR": cache}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True
        )
    return float(out.stdout)


def heatmap_ms(config: PlaygroundConfig, calls: int = 200) -> tuple[float, float]:
    """Median and best milliseconds of one batched pass: the 100×100 output map and every neuron's map."""
    engine = Engine(config)
    engine.train(2)
    engine.grid(100)
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        engine.grid(100)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="timing window per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per figure (the median is kept)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, float]] = {}
    for name, config in SETUPS.items():
        fast = statistics.median(engine_rate(config, args.seconds) for _ in range(args.repeats))
        autograd = engine_rate(config, args.seconds / 2, fast=False)
        naive = statistics.median(naive_rate(config, args.seconds) for _ in range(args.repeats))
        results[name] = {"engine": fast, "autograd_path": autograd, "naive": naive}
    heat_median, heat_best = heatmap_ms(SETUPS["C"])
    in_process, fresh = new_shape_wait()
    compile_once = cold_compile()
    load_after = os.getloadavg()[0]

    print(
        f"torch threads: {torch.get_num_threads()}, load average (1 min): {load_before:.2f} before, "
        f"{load_after:.2f} after, on {os.cpu_count()} cores\n"
    )
    print(
        "| setup | engine epochs/s | × TF Playground engine | × naive PyTorch loop | naive loop epochs/s | "
        "autograd path epochs/s |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['engine']:,.0f} | {r['engine'] / TFP_ENGINE[name]:.2f} ({TFP_ENGINE[name]:,}) | "
            f"{r['engine'] / r['naive']:.1f} | {r['naive']:,.0f} | {r['autograd_path']:,.0f} |"
        )
    print(
        f"\nHeatmaps on C (100×100 output + 48 neuron maps, one pass): median {heat_median:.2f} ms, "
        f"best {heat_best:.2f} ms"
    )
    print(
        f"New network shape, first epoch: {in_process * 1000:.0f} ms in a running process; "
        f"{fresh:.2f} s in a fresh process (imports included, kernel from the disk cache); "
        f"one-time kernel compile with an empty cache: {compile_once:.1f} s"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "setups": results,
                    "heatmap_ms": [heat_median, heat_best],
                    "new_shape_s": [in_process, fresh],
                    "cold_compile_s": compile_once,
                    "load": [load_before, load_after],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
