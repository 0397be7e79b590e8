"""Fork and race: one run split into A and B at an epoch, B with other settings, both trained on side by side.

A fork is a checkpoint (core/playground/checkpoint.py) and two engines resumed from it: with nothing
changed they stay bit-identical, since both hold the same weights, optimizer state, generator states and
history, and run the same code. Changing a run's settings resumes it from the fork point again with the new
settings, so the race always starts at the fork point and the link (the first run's settings, the fork epoch
and the second run's settings) reproduces it.
"""

import dataclasses
from collections.abc import Mapping

import numpy as np

from core.playground.checkpoint import Checkpoint
from core.playground.config import PlaygroundConfig, decode, encode
from core.playground.datasets import Split
from core.playground.engine import LIVE_FIELDS, Engine, run_identity, train_in_chunks

# Settings the second run may change at the fork: any that keep the network's shape and the data.
FORK_FIELDS = ("lr", "optimizer", "batch_size", "regularization", "reg_rate", "dropout", "activation")
FORK_PARAM = "fork"  # URL parameter: the fork epoch; B's settings are b_<field>
B_PREFIX = "b_"
MAX_LINK_EPOCHS = 20_000  # a link may ask for a fork this late at most: opening it trains A that far first


def fork_identity(config: PlaygroundConfig) -> PlaygroundConfig:
    """`config` without what a forked run may change: two runs with the same identity can race."""
    return dataclasses.replace(
        run_identity(config), **{f: getattr(PlaygroundConfig(), f) for f in FORK_FIELDS}
    )


def branch_config(a: PlaygroundConfig, b: PlaygroundConfig) -> PlaygroundConfig:
    """The second run's configuration: the first's, with B's forkable settings."""
    return dataclasses.replace(a, **{f: getattr(b, f) for f in FORK_FIELDS})


def resume(checkpoint: Checkpoint, config: PlaygroundConfig, data: Split) -> Engine:
    """A new engine with `config`'s settings that goes on from `checkpoint`: a fresh run of those settings
    started from the checkpoint's weights, generators and (for the same optimizer) optimizer state."""
    engine = Engine(config, data)
    engine.restore(checkpoint)
    return engine


def fork_error(engine: Engine) -> str | None:
    """Why `engine`'s run cannot be forked, in one sentence; None when it can."""
    if engine.diverged:
        return (
            f"This run diverged at epoch {engine.epoch} (its loss is NaN or infinite): there is nothing to "
            "fork. Lower the learning rate and press Reset first."
        )
    return None


class ForkJob:
    """A runner's job of two runs raced from one checkpoint: each slice trains them the same epochs."""

    def __init__(self, a: Engine, b_config: PlaygroundConfig) -> None:
        if (problem := fork_error(a)) is not None:
            raise ValueError(problem)
        self.point = a.checkpoint()
        self.data = a.data
        self.a = a
        self.b = resume(self.point, self._checked(branch_config(a.config, b_config)), a.data)

    @property
    def fork_epoch(self) -> int:
        """The epoch at which the two runs split."""
        return self.point.epoch

    @property
    def config(self) -> PlaygroundConfig:
        """The first run's configuration (the page's main controls)."""
        return self.a.config

    def _checked(self, config: PlaygroundConfig) -> PlaygroundConfig:
        if config.errors():
            raise ValueError("; ".join(config.errors()))
        return config

    def set_config(self, run: str, config: PlaygroundConfig) -> None:
        """Give run "A" or "B" new settings (forkable or live ones; the shape and data stay the fork
        point's): it goes on from the fork point with them. Nothing happens when they are its settings."""
        engine = self.a if run == "A" else self.b
        new = self._checked(config)
        if fork_identity(new) != fork_identity(self.point.config):
            raise ValueError("a forked run can change only " + ", ".join(FORK_FIELDS + LIVE_FIELDS))
        if new != engine.config:
            setattr(self, run.lower(), resume(self.point, new, self.data))

    def update_live(self, config: PlaygroundConfig) -> None:
        """The page's controls (run A's) changed: A takes them, B the ones it does not set itself."""
        self.set_config("A", config)
        self.set_config("B", branch_config(config, self.b.config))

    def train(self, epochs: int) -> int:
        """Train the run that is behind up to the other, else both by `epochs` (a diverged run stays where
        it stopped). Returns the epochs the leading run advanced, or those the laggard caught up."""
        live = [e for e in (self.a, self.b) if not e.diverged]
        if not live:
            return 0
        low, high = min(e.epoch for e in live), max(e.epoch for e in live)
        if low < high:
            return max(e.train(min(epochs, high - low)) for e in live if e.epoch == low)
        return max(e.train(epochs) for e in live)

    def train_for(self, seconds: float) -> int:
        """The runner's slice: both runs, in growing chunks of epochs, for about `seconds`."""
        return train_in_chunks(self.train, lambda: self.done, seconds)

    def step(self) -> None:
        """One epoch of both runs (or of the one behind)."""
        self.train(1)

    @property
    def done(self) -> bool:
        """Both runs diverged."""
        return self.a.diverged and self.b.diverged

    def keep(self, run: str) -> Engine:
        """Unfork: the engine of run "A" or "B", to go on alone."""
        return self.a if run == "A" else self.b


def difference_map(a_output: np.ndarray, b_output: np.ndarray) -> np.ndarray:
    """B − A over the plane (R, R), on the outputs' shared −1..1 (or value) scale; 0 where either is NaN."""
    return np.nan_to_num(b_output - a_output, nan=0.0, posinf=0.0, neginf=0.0)


def fork_query(fork_epoch: int, b_config: PlaygroundConfig) -> dict[str, str]:
    """The fork as URL parameters, beside the first run's: the epoch and B's forkable settings."""
    return {FORK_PARAM: str(fork_epoch)} | {
        B_PREFIX + f: encode(f, getattr(b_config, f)) for f in FORK_FIELDS
    }


def fork_from_query(
    params: Mapping[str, str], a_config: PlaygroundConfig
) -> tuple[int | None, PlaygroundConfig, list[str]]:
    """The fork a link describes: (fork epoch or None for no fork, B's configuration, problems). B's missing
    or bad settings are A's; each bad one, and a bad epoch, is reported in one line."""
    problems: list[str] = []
    if FORK_PARAM not in params:
        return None, a_config, problems
    text = str(params[FORK_PARAM])
    epoch = int(text) if text.isdigit() else None
    if epoch is None or epoch > MAX_LINK_EPOCHS:
        problems.append(f"fork: the fork epoch must be a whole number 0–{MAX_LINK_EPOCHS:,} (got {text!r})")
        return None, a_config, problems
    values = {}
    for f in FORK_FIELDS:
        if B_PREFIX + f in params:
            try:
                values[f] = decode(f, str(params[B_PREFIX + f]))
            except ValueError as error:
                problems.append(f"run B's {error}")
    while values and (blamed := dataclasses.replace(a_config, **values).field_errors()):
        problems += [f"run B: {problem}" for _, problem in blamed]
        kept = {name: value for name, value in values.items() if name not in dict(blamed)}
        values = kept if len(kept) < len(values) else {}
    return epoch, dataclasses.replace(a_config, **values), problems
