"""The Training playground's prediction cards: each trains the page's own Engine, live on the page's runner,
for a fixed number of epochs."""

import dataclasses
import math

from core.cards.card import Card, Live, Numbers, live_run
from core.playground.config import FIELDS, PlaygroundConfig
from core.playground.engine import Engine
from core.playground.features import FEATURES

RUNNER = "play_runner"  # the page's session key of its run
EPOCHS = 300


def widget_settings(config: PlaygroundConfig) -> dict[str, object]:
    """The playground's widget values for `config`, by widget key: a key per field but the hidden layers,
    which are a layer count and a width per layer (what pages/playground/form.py's widget_values gives, less
    its `play_hidden`, which no widget shows; tests/unit/test_cards_settings.py holds the two equal)."""
    values: dict[str, object] = {f"play_{name}": getattr(config, name) for name in FIELDS if name != "hidden"}
    values["play_features"] = list(config.features)
    values["play_layers"] = len(config.hidden)
    values |= {f"play_width_{i}": width for i, width in enumerate(config.hidden)}
    return values


def card_settings(config: PlaygroundConfig) -> dict[str, object]:
    """The widgets of a card's run: the lab's one-run mode and `config`."""
    return {"play_lab": "One run"} | widget_settings(config)


def run_numbers(engine: Engine) -> Numbers:
    """The run's epochs, whether it diverged, and its last test loss and (classifying) test accuracy."""
    history = engine.history
    numbers: Numbers = {
        "epochs": engine.epoch,
        "diverged": float(engine.diverged),
        "test_loss": float(history.column("test_loss")[-1]),
    }
    if engine.task == "classification":
        numbers["accuracy"] = 100 * float(history.column("test_accuracy")[-1])
    if engine.diverged:
        numbers["test_loss"] = math.inf  # NaN or inf: the run stopped; inf compares and prints
    first = engine.model.linears[0].weight.detach()  # (width, features)
    numbers["distinct_neurons"] = len({tuple(row.tolist()) for row in first})
    return numbers


LIVE = Live(runner=RUNNER, measure=run_numbers, stop_at=EPOCHS)


def accuracy_band(n: Numbers) -> int:
    """Test accuracy near 100 % (0: at least 95 %), in between (1: 60–95 %) or near chance (2: under 60 %)."""
    return 0 if n["accuracy"] >= 95 else 1 if n["accuracy"] >= 60 else 2


def card(name: str, config: PlaygroundConfig, **fields: object) -> Card:
    """A playground card that trains `config` live for EPOCHS epochs (at most)."""
    return Card(
        name=name,
        page="playground",
        settings=card_settings(config),
        run=live_run(lambda: Engine(config), LIVE),
        live=LIVE,
        **fields,
    )


XOR_FLAT = PlaygroundConfig(dataset="xor", hidden=())
XOR_PRODUCT = dataclasses.replace(XOR_FLAT, features=("x1", "x2", "x1x2"))
ZEROS = PlaygroundConfig(init="Zeros")
SPIRAL = PlaygroundConfig(dataset="spiral", hidden=(8, 8))
SPIRAL_ALL = dataclasses.replace(SPIRAL, features=tuple(FEATURES))
PLANE_FAST = PlaygroundConfig(dataset="plane", lr=3.0)

ACCURACY = ("About 100 %", "Between 60 % and 95 %", "About 50 %, chance")

CARDS = (
    card(
        "playground-xor-flat",
        XOR_FLAT,
        question=f"**XOR with no hidden layer** (Hidden layers 0, inputs x₁ and x₂), {EPOCHS} epochs. Its "
        "test accuracy?",
        answers=ACCURACY,
        rule=accuracy_band,
        note="**{accuracy:.1f} %** after {epochs} epochs. With no hidden layer the output is tanh(w·x + b): "
        "its boundary is one straight line, and no line puts the two diagonal quadrants on one side and the "
        "other two on the other. The best a line can do leaves a quadrant or so wrong.",
        explains=1,
    ),
    card(
        "playground-xor-product",
        XOR_PRODUCT,
        question="Still **no hidden layer**, but add the input **x₁·x₂**. Test accuracy after "
        f"{EPOCHS} epochs?",
        answers=ACCURACY,
        rule=accuracy_band,
        note="**{accuracy:.1f} %**. XOR is exactly the sign of x₁·x₂: given that product as an input, one "
        "neuron needs only a weight on it. A hidden layer's job is to build such features itself.",
        explains=0,
    ),
    card(
        "playground-zeros",
        ZEROS,
        question=f"The defaults (circle, 4 and 2 neurons) with **Weight init Zeros**, {EPOCHS} epochs. What "
        "happens?",
        answers=(
            "It learns the circle, only more slowly",
            "It stays at chance: every neuron stays the same",
            "The loss blows up",
        ),
        rule=lambda n: 2 if n["diverged"] else 0 if n["accuracy"] >= 90 else 1,
        note="Test accuracy **{accuracy:.1f} %**, and the first layer's {distinct_neurons} distinct "
        "neuron(s): all weights 0 give every neuron of a layer the same output and the same gradient (here "
        "0), so nothing ever makes them differ. Random initial weights break that symmetry.",
        explains=1,
    ),
    card(
        "playground-spiral",
        SPIRAL,
        question=f"**Spiral**, two hidden layers of **8 and 8** neurons on x₁ and x₂, {EPOCHS} epochs. Its "
        "test accuracy?",
        answers=ACCURACY,
        rule=accuracy_band,
        note="**{accuracy:.1f} %** after {epochs} epochs: the two arms wind around each other, and 300 "
        "epochs of SGD at 0.03 give a small network on raw coordinates only a rough boundary.",
        explains=1,
    ),
    card(
        "playground-spiral-features",
        SPIRAL_ALL,
        question=f"The same spiral network with **all seven inputs** (x₁², x₂², x₁·x₂, sin x₁, sin x₂ too), "
        f"{EPOCHS} epochs. Its test accuracy?",
        answers=ACCURACY,
        rule=accuracy_band,
        note="**{accuracy:.1f} %**: with curved inputs such as sin x₁ and x₁² to combine, the network needs "
        "to bend its raw coordinates far less to wind a boundary between the arms.",
        explains=0,
    ),
    card(
        "playground-plane-lr-3",
        PLANE_FAST,
        question="**Plane** (regression) at **learning rate 3**. What happens?",
        answers=(
            "It fits the plane faster than at 0.03",
            "The loss becomes NaN or infinite and training stops",
            "It trains as at 0.03, only noisier",
        ),
        rule=lambda n: 1 if n["diverged"] else 0 if n["test_loss"] < 0.01 else 2,
        note="Training stopped at epoch **{epochs}**: the loss was no longer a number. Each step overshoots "
        "the minimum by more than the last, so the weights grow without bound.",
        explains=1,
    ),
)
