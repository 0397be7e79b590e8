"""Sweep two knobs at once: up to 10 × 10 runs of the playground, all trained together by one job.

The runs that share a network shape, activation, loss and data train in lockstep in the sweep kernel
(core/playground/sweep_kernel.py), in blocks spread over the CPU's cores on threads (the kernel releases the
GIL). Each run starts from exactly what a single run of its settings starts from (its Engine builds it), and
the kernel repeats the single-run arithmetic, so every cell ends where that run alone would.
"""

import dataclasses
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.playground.codes import ACTIVATION_CODES, HYPER, REGULARIZATION_CODES
from core.playground.config import MAX_LAYERS, PlaygroundConfig, decode
from core.playground.datasets import UPLOAD
from core.playground.engine import METRICS, Engine, train_in_chunks, uses_fast_path
from core.playground.losses import PLAYGROUND_LOSSES
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES
from core.playground.sweep_kernel import train_runs
from core.runtime import THREADS_ENV

MAX_VALUES = 10  # per knob: a grid of at most 10 × 10 runs
MAX_EPOCHS = 5_000
# Settings each run of a block has for itself; everything else is the block's (shape, data, activation, loss).
PER_RUN = (
    "lr",
    "batch_size",
    "optimizer",
    "regularization",
    "reg_rate",
    "init",
    "schedule",
    "schedule_period",
)


def _hidden_depth(config: PlaygroundConfig, depth: int) -> PlaygroundConfig:
    width = config.hidden[0] if config.hidden else 4
    return dataclasses.replace(config, hidden=(width,) * depth)


def _hidden_width(config: PlaygroundConfig, width: int) -> PlaygroundConfig:
    return dataclasses.replace(config, hidden=(width,) * max(1, len(config.hidden)))


@dataclass(frozen=True)
class Knob:
    """A setting a sweep can vary: how to read one value and how to put it into a configuration."""

    name: str  # its id in the page's select box
    label: str
    defaults: str  # the values the page starts with
    read: Callable[[str], object]  # one value from its text; raises ValueError
    apply: Callable[[PlaygroundConfig, object], PlaygroundConfig]


def _field(name: str) -> Callable[[str], object]:
    return lambda text: decode(name, text)


def _set(name: str, **also: object) -> Callable[[PlaygroundConfig, object], PlaygroundConfig]:
    return lambda config, value: dataclasses.replace(config, **{name: value}, **also)


KNOBS: dict[str, Knob] = {
    k.name: k
    for k in (
        Knob("lr", "Learning rate", "0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3", _field("lr"), _set("lr")),
        Knob(
            "l2",
            "L2 rate",
            "0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1",
            _field("reg_rate"),
            _set("reg_rate", regularization="L2"),
        ),
        Knob(
            "l1",
            "L1 rate",
            "0, 0.0001, 0.0003, 0.001, 0.003, 0.01",
            _field("reg_rate"),
            _set("reg_rate", regularization="L1"),
        ),
        Knob("batch_size", "Batch size", "1, 5, 10, 25, 50, 250", _field("batch_size"), _set("batch_size")),
        Knob("optimizer", "Optimizer", ", ".join(OPTIMIZERS), _field("optimizer"), _set("optimizer")),
        Knob(
            "activation",
            "Activation",
            "Tanh, ReLU, Sigmoid, ELU, GELU, Softsign",
            _field("activation"),
            _set("activation"),
        ),
        Knob("init", "Weight init", ", ".join(INITS), _field("init"), _set("init")),
        Knob("depth", "Hidden layers", ", ".join(str(d) for d in range(MAX_LAYERS + 1)), int, _hidden_depth),
        Knob("width", "Neurons per layer", "1, 2, 3, 4, 6, 8, 16, 32", int, _hidden_width),
        Knob("seed", "Seed", "0, 1, 2, 3, 4", _field("seed"), _set("seed")),
        Knob("noise", "Noise", "0, 0.1, 0.2, 0.3, 0.4, 0.5", _field("noise"), _set("noise")),
    )
}


@dataclass(frozen=True)
class Sweep:
    """What a sweep trains: the base settings, two knobs with their values (x across, y down), the epochs."""

    base: PlaygroundConfig
    x: str
    x_values: tuple
    y: str
    y_values: tuple
    epochs: int

    def configs(self) -> list[PlaygroundConfig]:
        """Every run's configuration, row by row: run k is y_values[k // nx], x_values[k % nx]."""
        x, y = KNOBS[self.x], KNOBS[self.y]
        return [x.apply(y.apply(self.base, vy), vx) for vy in self.y_values for vx in self.x_values]


def parse_values(knob: str, text: str) -> tuple[tuple, str | None]:
    """A knob's comma-separated values and the problem with them (None when they are fine)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    label = KNOBS[knob].label
    if not parts:
        return (), f"{label}: give at least one value, separated by commas"
    if len(parts) > MAX_VALUES:
        return (
            (),
            f"{label}: at most {MAX_VALUES} values (a grid of {MAX_VALUES} × {MAX_VALUES}); got {len(parts)}",
        )
    values = []
    for part in parts:
        try:
            values.append(KNOBS[knob].read(part))
        except ValueError:
            return (), f"{label}: cannot read {part!r} in {text!r}; write values separated by commas"
    if len(set(values)) < len(values):
        return (), f"{label}: each value once; {text!r} repeats one"
    return tuple(values), None


def make_sweep(
    base: PlaygroundConfig, x: str, x_text: str, y: str, y_text: str, epochs: int
) -> tuple[Sweep | None, list[str]]:
    """The sweep the page's inputs describe, or None and one line per problem."""
    if x == y:
        return None, [f"choose two different knobs (both are {KNOBS[x].label})"]
    if base.dataset == UPLOAD:
        return None, [
            "the sweep trains on the built-in datasets: choose one (your CSV trains as a single run)"
        ]
    if not 1 <= epochs <= MAX_EPOCHS:
        return None, [f"epochs must be between 1 and {MAX_EPOCHS:,} (got {epochs})"]
    (x_values, x_problem), (y_values, y_problem) = parse_values(x, x_text), parse_values(y, y_text)
    if x_problem or y_problem:
        return None, [p for p in (x_problem, y_problem) if p]
    sweep = Sweep(base, x, x_values, y, y_values, epochs)
    for config in sweep.configs():
        if config.errors():
            return None, [f"{_cell_name(sweep, config)}: {config.errors()[0]}"]
        if not uses_fast_path(config):
            return None, [
                "the sweep trains on the fast kernel, which has no dropout or batch norm: turn them off"
            ]
    return sweep, []


def _cell_name(sweep: Sweep, config: PlaygroundConfig) -> str:
    k = sweep.configs().index(config)
    nx = len(sweep.x_values)
    x, y = KNOBS[sweep.x], KNOBS[sweep.y]
    return f"{x.label} {sweep.x_values[k % nx]}, {y.label} {sweep.y_values[k // nx]}"


class Block:
    """Runs trained in lockstep by one kernel call: one shape, activation, loss and data set."""

    def __init__(self, engines: list[Engine], runs: list[int]) -> None:
        first = engines[0]
        c = first.config
        self.runs = np.array(runs)  # the runs' indices in the sweep
        self.configs = [e.config for e in engines]
        self.params = np.stack([e.flat.numpy() for e in engines], axis=1)  # (P, R)
        self.grads, self.state1, self.state2 = (np.zeros_like(self.params) for _ in range(3))
        self.steps = np.zeros(len(engines), np.int64)
        self.sizes = first.sizes
        self.data = (first.x_train.numpy(), first.t_train.numpy(), first.x_test.numpy(), first.t_test.numpy())
        self.codes = (
            ACTIVATION_CODES[c.activation],
            ACTIVATION_CODES[first.output_activation],
            PLAYGROUND_LOSSES[c.loss].kernel,
        )
        self.optimizers = np.array([OPTIMIZERS[e.config.optimizer].kernel for e in engines], np.int64)
        self.penalties = np.array([REGULARIZATION_CODES[e.config.regularization] for e in engines], np.int64)
        self.rates = np.array([e.config.reg_rate for e in engines])
        self.batches = np.array([e.config.batch_size for e in engines], np.int64)
        self.alive = np.ones(len(engines), np.bool_)
        self.target_mid = first._target_mid()
        self.generator = torch.Generator().manual_seed(c.seed)  # the same order as each run's own
        self.cost = len(engines) * len(self.params) * (len(first.x_train) + len(first.x_test))

    def learning_rates(self, first_epoch: int, epochs: int) -> np.ndarray:
        """Each run's learning rate per epoch (epochs, R), its schedule applied as Engine.learning_rate."""
        return np.array(
            [
                [c.lr * SCHEDULES[c.schedule].factor(e, c.schedule_period) for c in self.configs]
                for e in range(first_epoch, first_epoch + epochs)
            ]
        )

    def train(self, first_epoch: int, epochs: int) -> np.ndarray:
        """Train `epochs` epochs; the metrics (epochs, 4, R)."""
        n = len(self.data[0])
        perms = torch.stack([torch.randperm(n, generator=self.generator) for _ in range(epochs)]).numpy()
        metrics = np.empty((epochs, len(METRICS), len(self.runs)))
        net = (self.params, self.grads, self.state1, self.state2, self.steps, self.sizes)
        runs = (self.optimizers, self.penalties, self.rates, self.batches, self.alive)
        lrs = self.learning_rates(first_epoch, epochs)
        train_runs(net, self.data, self.codes, runs, perms, lrs, HYPER, self.target_mid, metrics)
        return metrics


def make_blocks(engines: list[Engine], threads: int) -> list[Block]:
    """The runs grouped by what they must share, each group cut into blocks of at most a thread's share."""
    groups: dict[PlaygroundConfig, list[int]] = {}
    defaults = PlaygroundConfig()
    for k, engine in enumerate(engines):
        key = dataclasses.replace(engine.config, **{f: getattr(defaults, f) for f in PER_RUN})
        groups.setdefault(key, []).append(k)
    share = -(-len(engines) // threads)
    blocks = []
    for members in groups.values():
        for start in range(0, len(members), share):
            part = members[start : start + share]
            blocks.append(Block([engines[k] for k in part], part))
    return blocks


def balance(blocks: list[Block], threads: int) -> list[list[Block]]:
    """Blocks dealt to threads, the costliest first to the least loaded: about equal work per thread."""
    bins: list[list[Block]] = [[] for _ in range(threads)]
    loads = [0] * threads
    for block in sorted(blocks, key=lambda b: -b.cost):
        k = loads.index(min(loads))
        bins[k].append(block)
        loads[k] += block.cost
    return [b for b in bins if b]


def default_threads() -> int:
    """Threads a sweep trains on: one per computation, as torch's (core/runtime.py; NEURAL_PLAYGROUND_THREADS
    sets more). On a busy shared machine a second thread mostly waits for the first at each slice's end:
    bench/sweep.py measures both."""
    return max(1, int(os.environ.get(THREADS_ENV, "1")))


@dataclass(frozen=True)
class SweepSnapshot:
    """A sweep's state for the page: every run's metrics so far, and which diverged when."""

    sweep: Sweep
    configs: list[PlaygroundConfig]
    epoch: int
    history: np.ndarray  # (runs, epoch, 4), NaN after a run diverged
    diverged_at: np.ndarray  # (runs,) epochs a run trained before its loss was not finite; 0 if it did not

    def grid(self, metric: str = "test_loss") -> np.ndarray:
        """The metric of each run at its last epoch (ny, nx), NaN for a run that diverged."""
        if self.epoch == 0:
            return np.full((len(self.sweep.y_values), len(self.sweep.x_values)), np.nan)
        last = self.history[:, -1, METRICS.index(metric)]
        return np.where(self.diverged_at > 0, np.nan, last).reshape(len(self.sweep.y_values), -1)

    @property
    def all_diverged(self) -> bool:
        """Whether every run diverged."""
        return bool((self.diverged_at > 0).all())


class SweepJob:
    """A runner's job that trains every run of a sweep, `sweep.epochs` epochs each."""

    def __init__(self, sweep: Sweep, threads: int | None = None) -> None:
        self.sweep = sweep
        engines = [Engine(config) for config in sweep.configs()]  # each run's data, weights and order
        self.configs = [e.config for e in engines]
        self.threads = threads or default_threads()
        self.blocks = balance(make_blocks(engines, self.threads), self.threads)
        self.epoch = 0
        self.history = np.full((len(engines), sweep.epochs, len(METRICS)), np.nan)
        self.diverged_at = np.zeros(len(engines), np.int64)

    @property
    def done(self) -> bool:
        """Every run has its epochs, or diverged."""
        return self.epoch >= self.sweep.epochs or bool((self.diverged_at > 0).all())

    def train(self, epochs: int) -> int:
        """Train every run `epochs` more epochs (fewer at the end of the budget); returns epochs run."""
        epochs = min(epochs, self.sweep.epochs - self.epoch)
        if self.done or epochs <= 0:
            return 0
        threads = [
            threading.Thread(target=self._train_blocks, args=(part, epochs), name="np-sweep")
            for part in self.blocks[1:]
        ]
        for thread in threads:
            thread.start()
        self._train_blocks(self.blocks[0], epochs)
        for thread in threads:
            thread.join()
        self.epoch += epochs
        return epochs

    def _train_blocks(self, blocks: list[Block], epochs: int) -> None:
        for block in blocks:
            metrics = block.train(self.epoch, epochs)  # (epochs, 4, R)
            for column, run in enumerate(block.runs):
                if self.diverged_at[run]:
                    continue
                rows = metrics[:, :, column]
                bad = ~np.isfinite(rows[:, :2]).all(axis=1)
                if bad.any():  # it stops after the first epoch whose loss is not finite, as a single run
                    stop = int(bad.argmax()) + 1
                    self.history[run, self.epoch : self.epoch + stop] = rows[:stop]
                    self.diverged_at[run] = self.epoch + stop
                    block.alive[column] = False
                else:
                    self.history[run, self.epoch : self.epoch + epochs] = rows

    def train_for(self, seconds: float) -> int:
        """The runner's slice: every run, in growing chunks of epochs, for about `seconds`."""
        return train_in_chunks(self.train, lambda: self.done, seconds)

    def step(self) -> None:
        """One epoch of every run."""
        self.train(1)

    def snapshot(self) -> SweepSnapshot:
        """The metrics so far, copied (call it between two slices)."""
        return SweepSnapshot(
            self.sweep,
            self.configs,
            self.epoch,
            self.history[:, : self.epoch].copy(),
            self.diverged_at.copy(),
        )
