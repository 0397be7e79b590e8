"""The playground's one configuration: the page, the URL, the CLI flags and the export derive from it."""

import argparse
import dataclasses
import typing
from dataclasses import dataclass, field

from core.basics.activations import ACTIVATIONS
from core.playground.datasets import DATASETS, UPLOAD, train_size
from core.playground.features import FEATURES
from core.playground.losses import PLAYGROUND_LOSSES, losses_for
from core.playground.optim import INITS, OPTIMIZERS, SCHEDULES

MAX_LAYERS, MAX_WIDTH = 6, 32
MAX_SEED = 2**31 - 1  # the page's seed box allows 0 to this; numpy and torch refuse negative seeds
REGULARIZATIONS = ("none", "L1", "L2")
# Renamed registry entries, whose old names old links and scripts still use: (field, old) -> (new, why).
RENAMED = {("loss", "MSE"): ("MSE/2", "it is ½·(o − t)², half of nn.MSELoss")}


def _doc(text: str, note: str = "") -> dict[str, str]:
    """A field's metadata: its one-line CLI help, and for some a longer note the page shows as help."""
    return {"help": text, "note": note}


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything that decides a playground run. Defaults are TensorFlow Playground's (reference setup A)
    except the initialisation: it draws weights from U(−0.5, 0.5) and sets biases to 0.1; here Xavier-uniform
    weights and zero biases."""

    dataset: str = field(default="circle", metadata=_doc("dataset: " + ", ".join(DATASETS)))
    points: int = field(default=500, metadata=_doc("number of points, 20–2000"))
    noise: float = field(default=0.0, metadata=_doc("noise level, 0–0.5"))
    train_fraction: float = field(default=0.5, metadata=_doc("share of points used for training, 0.1–0.9"))
    seed: int = field(
        default=0, metadata=_doc("seed for the data, the initial weights and the minibatch order")
    )
    features: tuple[str, ...] = field(default=("x1", "x2"), metadata=_doc("inputs: " + ",".join(FEATURES)))
    hidden: tuple[int, ...] = field(
        default=(4, 2),
        metadata=_doc(
            f"hidden layer widths, e.g. 8,8 (0–{MAX_LAYERS} layers of 1–{MAX_WIDTH}; empty for none)"
        ),
    )
    activation: str = field(default="Tanh", metadata=_doc("hidden activation: " + ", ".join(ACTIVATIONS)))
    init: str = field(default="Xavier", metadata=_doc("weight init: " + ", ".join(INITS)))
    loss: str = field(default="MSE/2", metadata=_doc("loss: " + ", ".join(PLAYGROUND_LOSSES)))
    optimizer: str = field(default="SGD", metadata=_doc("optimizer: " + ", ".join(OPTIMIZERS)))
    lr: float = field(default=0.03, metadata=_doc("learning rate"))
    batch_size: int = field(default=10, metadata=_doc("minibatch size"))
    schedule: str = field(default="none", metadata=_doc("learning-rate schedule: " + ", ".join(SCHEDULES)))
    schedule_period: int = field(default=100, metadata=_doc("the schedule's period in epochs"))
    regularization: str = field(default="none", metadata=_doc("weight penalty: none, L1, L2"))
    reg_rate: float = field(default=0.0, metadata=_doc("regularization rate"))
    dropout: float = field(
        default=0.0,
        metadata=_doc(
            "dropout rate after each hidden layer, 0–0.9",
            "While training, each hidden neuron's output is set to 0 with probability p and the others are "
            "scaled by 1/(1 − p) (nn.Dropout), a new random choice every minibatch, so the network cannot "
            "rely on any one neuron. The test loss and the pictures use every neuron, unscaled (eval mode).",
        ),
    )
    batch_norm: bool = field(
        default=False,
        metadata=_doc(
            "batch norm after each hidden linear layer",
            "After each hidden Linear layer, every neuron's value is normalised over the minibatch to mean 0 "
            "and variance 1, then scaled and shifted by two learned numbers γ, β (nn.BatchNorm1d). The test "
            "loss and the pictures use running averages of the minibatch statistics instead (eval mode). It "
            "makes training less sensitive to the learning rate and the init; minibatches need 2+ points.",
        ),
    )

    def errors(self) -> list[str]:
        """Why this configuration cannot run, one clear sentence each; empty when it is valid."""
        return [problem for _, problem in self.field_errors()]

    def field_errors(self) -> list[tuple[str, str]]:
        """Each problem with the field to blame for it: (field name, sentence); empty when it is valid."""
        task = DATASETS[self.dataset].task if self.dataset in DATASETS else None
        problems = [
            (name, _unknown(name, value, options))
            for name, value, options in (
                ("dataset", self.dataset, [*DATASETS, UPLOAD]),
                ("activation", self.activation, ACTIVATIONS),
                ("init", self.init, INITS),
                ("loss", self.loss, PLAYGROUND_LOSSES),
                ("optimizer", self.optimizer, OPTIMIZERS),
                ("schedule", self.schedule, SCHEDULES),
                ("regularization", self.regularization, REGULARIZATIONS),
            )
            if value not in options
        ]
        problems += [
            ("features", f"unknown feature {f!r}; choose from {', '.join(FEATURES)}")
            for f in self.features
            if f not in FEATURES
        ]
        if not self.features:
            problems.append(("features", "choose at least one input feature"))
        if repeated := sorted({f for f in self.features if self.features.count(f) > 1}):
            problems.append(
                ("features", f"each input feature may be chosen once; repeated: {', '.join(repeated)}")
            )
        if len(self.hidden) > MAX_LAYERS or any(not 1 <= w <= MAX_WIDTH for w in self.hidden):
            problems.append(("hidden", f"hidden layers: at most {MAX_LAYERS}, each 1–{MAX_WIDTH} neurons"))
        if task and self.loss in PLAYGROUND_LOSSES and task not in PLAYGROUND_LOSSES[self.loss].tasks:
            problems.append(
                (
                    "loss",
                    f"the {self.loss} loss does not suit {task}; use one of {', '.join(losses_for(task))}",
                )
            )
        for name, value, low, high in (
            ("seed", self.seed, 0, MAX_SEED),
            ("points", self.points, 20, 2000),
            ("noise", self.noise, 0, 0.5),
            ("train_fraction", self.train_fraction, 0.1, 0.9),
            ("dropout", self.dropout, 0, 0.9),
            ("batch_size", self.batch_size, 1, 2000),
            ("schedule_period", self.schedule_period, 1, 100_000),
            ("lr", self.lr, 1e-6, 10),
            ("reg_rate", self.reg_rate, 0, 10),
        ):
            if not low <= value <= high:
                span = f"{_number(low)} and {_number(high)} (got {_number(value)})"
                problems.append((name, f"{name} must be between {span}"))
        if self.batch_norm and task and not problems:
            # nn.BatchNorm1d cannot normalise one point: no minibatch, the last included, may have just one.
            n_train = train_size(self.points, self.train_fraction)
            if self.batch_size == 1 or n_train % self.batch_size == 1:
                problems.append(
                    (
                        "batch_size",
                        f"batch norm needs minibatches of 2 or more points; with {n_train} training points a "
                        f"batch size of {self.batch_size} leaves one alone",
                    )
                )
        return problems


def _number(value: float) -> str:
    """A bound or value as a user typed it: 0.03 as 0.03, and a seed in full digits, not as 2.14748e+09."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _unknown(name: str, value: str, options: typing.Iterable[str]) -> str:
    """The message for a name that is not in its registry, saying so when it is an old name of an entry."""
    message = f"unknown {name} {value!r}; choose from {', '.join(options)}"
    if (name, value) in RENAMED:
        message += " ({} is now called {}: {})".format(value, *RENAMED[name, value])
    return message


FIELDS = {f.name: f for f in dataclasses.fields(PlaygroundConfig)}
NOTES = {name: f.metadata["note"] for name, f in FIELDS.items() if f.metadata["note"]}  # help for the page
_TYPES = typing.get_type_hints(PlaygroundConfig)
# Names the user may type in any case (the CLI's `--activation tanh`), mapped to the registry's spelling.
_CANONICAL = {
    "dataset": [*DATASETS, UPLOAD],
    "activation": ACTIVATIONS,
    "init": INITS,
    "loss": PLAYGROUND_LOSSES,
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "regularization": REGULARIZATIONS,
}


def encode(name: str, value: object) -> str:
    """One field as URL/CLI text: tuples comma-joined, booleans as 1/0."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def decode(name: str, text: str) -> object:
    """Parse one field from URL/CLI text; raises ValueError with a clear message on bad text."""
    kind = _TYPES[name]
    try:
        if kind == tuple[int, ...]:
            return tuple(int(v) for v in text.split(",") if v.strip())
        if kind == tuple[str, ...]:
            return tuple(v.strip() for v in text.split(",") if v.strip())
        if kind is bool:
            if text.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError
            return text.lower() in ("1", "true", "yes", "on")
        if kind is str:
            return next((c for c in _CANONICAL.get(name, ()) if c.lower() == text.lower()), text)
        return kind(text)
    except ValueError:
        raise ValueError(f"{name}: cannot read {text!r} as {getattr(kind, '__name__', str(kind))}") from None


def to_query(config: PlaygroundConfig) -> dict[str, str]:
    """The configuration as URL query parameters (all fields: a link must not depend on today's defaults)."""
    return {name: encode(name, getattr(config, name)) for name in FIELDS}


def from_query(params: typing.Mapping[str, str]) -> tuple[PlaygroundConfig, list[str]]:
    """A configuration from URL parameters, defaults for missing ones; each bad or invalid value is reported
    and replaced by its default alone, so a mangled link still opens a working page with the rest of it.

    Old names of renamed registry entries are read as the new name, with a line saying so."""
    values: dict[str, object] = {}
    problems: list[str] = []
    for name in FIELDS:
        if name not in params:
            continue
        text = str(params[name])
        if (name, text) in RENAMED:
            new, why = RENAMED[name, text]
            problems.append(f"{name} {text} is now called {new}: {why}; the link's run is unchanged")
            text = new
        try:
            values[name] = decode(name, text)
        except ValueError as error:
            problems.append(str(error))
    # A default can clash with a kept value (the default dataset with a regression loss, say): repeat until
    # nothing is to blame. Each round drops a value; should a default itself be to blame, all go.
    while blamed := PlaygroundConfig(**values).field_errors():
        problems += [problem for _, problem in blamed]
        kept = {name: value for name, value in values.items() if name not in dict(blamed)}
        values = kept if len(kept) < len(values) else {}
    return PlaygroundConfig(**values), problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One `--flag` per field, defaulting to the page's default."""
    for name, f in FIELDS.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(
            flag,
            dest=name,
            default=encode(name, f.default),
            help=f"{f.metadata['help']} (default: {encode(name, f.default) or 'none'})",
        )


def from_args(args: argparse.Namespace) -> PlaygroundConfig:
    """The configuration the CLI flags describe; raises ValueError listing every problem."""
    config = PlaygroundConfig(**{name: decode(name, getattr(args, name)) for name in FIELDS})
    if config.errors():
        raise ValueError("; ".join(config.errors()))
    return config
