"""Loss-landscape benchmark: a 41 × 41 slice of setup C and of the widget-limit network, on one thread.

    .venv/bin/python bench/landscape.py [--repeats 5] [--json]

Setup C: spiral, all 7 inputs, 6 hidden layers of 8 (500 points, 250 to train). Widget limit: spiral, all 7
inputs, 6 hidden layers of 32, 2,000 points (1,000 to train, or 1,800 at the widest train share). Times
the whole slice as the page computes it (directions, 1,681 weight sets, the path's projection) for the
train surface, and beside it the plain batched version the issue measured: torch.func.vmap over
functional_call of the nn.Module, float64, in blocks of 41.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch
from torch.func import functional_call, vmap

import core  # noqa: F401  (sets torch's thread count)
from core.playground.config import PlaygroundConfig
from core.playground.engine import Engine
from core.playground.landscape import RESOLUTION, compute_slice, random_directions, take_source
from core.playground.losses import PLAYGROUND_LOSSES

ALL_FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
SETUPS = {
    "C: spiral, 7 inputs, 6 × 8, 250 train points": PlaygroundConfig(
        dataset="spiral", features=ALL_FEATURES, hidden=(8,) * 6
    ),
    "widget limit: 7 inputs, 6 × 32, 1,000 of 2,000 points": PlaygroundConfig(
        dataset="spiral", features=ALL_FEATURES, hidden=(32,) * 6, points=2000
    ),
    "widget limit, train share 0.9: 1,800 of 2,000 points": PlaygroundConfig(
        dataset="spiral", features=ALL_FEATURES, hidden=(32,) * 6, points=2000, train_fraction=0.9
    ),
}


def vmap_slice(engine: Engine, d1: np.ndarray, d2: np.ndarray, resolution: int) -> np.ndarray:
    """The plain version: every weight set as a parameter dict, vmap(functional_call), float64."""
    model = engine.model.eval()
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    theta = torch.from_numpy(engine.parameter_vector())
    u, v = torch.from_numpy(d1), torch.from_numpy(d2)
    axis = torch.linspace(-1, 1, resolution, dtype=torch.float64)
    a, b = (g.reshape(-1) for g in torch.meshgrid(axis, axis, indexing="xy"))
    loss_fn = PLAYGROUND_LOSSES[engine.config.loss].fn

    def loss_at(vector: torch.Tensor) -> torch.Tensor:
        params, offset = {}, 0
        for name, shape in zip(names, shapes, strict=True):
            n = shape.numel()
            params[name] = vector[offset : offset + n].view(shape)
            offset += n
        return loss_fn(functional_call(model, params, (engine.x_train,))[:, 0], engine.t_train)

    values = []
    with torch.no_grad():
        for start in range(0, len(a), resolution):
            sets = theta + a[start : start + resolution, None] * u + b[start : start + resolution, None] * v
            values.append(vmap(loss_at)(sets))
    return torch.cat(values).numpy()


def timings(work, repeats: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of `work()`. On one thread, CPU seconds are what a quiet machine's
    wall time would be; on a busy one the wall time includes waiting for a core."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = {}
    for name, config in SETUPS.items():
        engine = Engine(config)
        engine.train(20)
        source = take_source(engine)
        compute_slice(source)  # warm
        page = timings(lambda source=source: compute_slice(source), args.repeats)
        d1, d2 = random_directions(source.layout, source.theta, source.seed)
        plain = timings(
            lambda e=engine, d1=d1, d2=d2: vmap_slice(e, d1, d2, RESOLUTION), max(1, args.repeats // 2)
        )
        check = compute_slice(source).losses.reshape(-1)
        difference = float(np.max(np.abs(check - vmap_slice(engine, d1, d2, RESOLUTION)) / np.abs(check)))
        rows[name] = {"page": page, "vmap": plain, "max_relative_difference": difference}
    load_after = os.getloadavg()
    if args.json:
        print(json.dumps({"load_before": load_before, "load_after": load_after, "rows": rows}, indent=2))
        return
    before, after = (", ".join(f"{x:.2f}" for x in load) for load in (load_before, load_after))
    threads = torch.get_num_threads()
    print(f"41 × 41 slice, train surface, {threads} torch thread; load average {before} → {after}\n")
    print("| network | slice s, wall (CPU) | plain vmap(functional_call) s, wall (CPU) | max rel. diff. |")
    print("|---|---:|---:|---:|")
    for name, row in rows.items():
        (pm, pb), (vm, vb) = row["page"], row["vmap"]
        print(
            f"| {name} | {pm:.3f} ({pb:.3f}) | {vm:.2f} ({vb:.2f}) | {row['max_relative_difference']:.1e} |"
        )


if __name__ == "__main__":
    main()
