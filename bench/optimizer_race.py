"""The optimizer race on Rosenbrock from (−1.5, 2): steps each optimizer needs, at its default settings, to
get within 1e-3 of the minimum (1, 1), or how far it still is after the last step.

    .venv/bin/python bench/optimizer_race.py [--function Rosenbrock] [--start -1.5 2] [--steps 10000]

Default settings: the playground registry's optimizers (core.playground.optim.OPTIMIZERS: momentum 0.9 for
SGD+momentum and Nesterov) with torch's default learning rate of each class. Prints a Markdown table.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.training.optim_race import (
    FUNCTIONS,
    KNOBS,
    TOLERANCE,
    constructor_code,
    default_settings,
    distance,
    race,
    steps_to_reach,
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--function", default="Rosenbrock", choices=list(FUNCTIONS))
    parser.add_argument("--start", type=float, nargs=2, default=(-1.5, 2.0))
    parser.add_argument("--steps", type=int, default=10_000)
    args = parser.parse_args()
    settings = {name: default_settings(name) for name in KNOBS}
    began = time.perf_counter()
    runs = race(args.function, tuple(args.start), settings, args.steps)
    minimum = FUNCTIONS[args.function].minimum
    print(f"| optimizer | torch.optim call | lr | steps to within {TOLERANCE:g} of {minimum} |")
    print("|---|---|---:|---|")
    for name, run in runs.items():
        reached = steps_to_reach(run, minimum, TOLERANCE)
        if reached is not None:
            outcome = f"{reached:,}"
        elif run.diverged:
            outcome = f"diverged after {len(run.points) - 1:,} steps"
        else:
            outcome = f"not within {args.steps:,} (distance {distance(run, minimum):.3g} at the end)"
        call = constructor_code(name, settings[name], "params")
        print(f"| {name} | `{call}` | {settings[name]['lr']:g} | {outcome} |")
    print(f"\n{len(runs)} × {args.steps:,} steps in {time.perf_counter() - began:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
