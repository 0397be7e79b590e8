"""The Neuron & layers page's prediction cards: one neuron's boundary, then parameter counts of an MLP."""

import torch

from core.basics.mlp import (
    MLPConfig,
    NeuronConfig,
    build_mlp,
    decision_boundary,
    linear_layers,
    neuron_forward,
    parameter_counts,
)
from core.cards.card import Card, Numbers

DEFAULT = NeuronConfig()
MLP = MLPConfig(3, (4, 4), 2, "ReLU")  # the page's defaults: input 3, two hidden layers of 4, output 2
COUNTS = (6, 8, 12, 46)
MORE_COUNTS = (50, 62, 66, 70)


def vertical_boundary() -> Numbers:
    """The boundary z = 0 with w2 = 0: its two end points across the plane."""
    line = decision_boundary(NeuronConfig(weights=(DEFAULT.weights[0], 0.0)))
    if line is None:
        return {"exists": 0}
    (x_low, x_high), (y_low, y_high) = line
    return {"exists": 1, "x_low": x_low, "x_high": x_high, "y_low": y_low, "y_high": y_high}


def vertical_rule(n: Numbers) -> int:
    """A vertical line left of 0 (0) or right of it (1), another line (2), or none (3)."""
    if not n["exists"]:
        return 3
    if n["x_low"] != n["x_high"]:
        return 2
    return 0 if n["x_low"] < 0 else 1


def doubled() -> Numbers:
    """The line z = 0 and the output at the input, at the defaults and with w1, w2 and b doubled."""
    twice = NeuronConfig(DEFAULT.inputs, tuple(2 * w for w in DEFAULT.weights), 2 * DEFAULT.bias)
    (_, ys), (_, ys_twice) = decision_boundary(DEFAULT), decision_boundary(twice)
    (z, a), (z_twice, a_twice) = neuron_forward(DEFAULT), neuron_forward(twice)
    shift = max(abs(u - v) for u, v in zip(ys, ys_twice, strict=True))
    return {"shift": shift, "z": z, "a": a, "z_twice": z_twice, "a_twice": a_twice}


def doubled_rule(n: Numbers) -> int:
    """The line stays and a moves away from 0.5 (0), the line moves (1), or both stay (2)."""
    if n["shift"] > 1e-9:
        return 1
    return 0 if abs(n["a_twice"] - 0.5) > abs(n["a"] - 0.5) + 1e-6 else 2


def total_parameters(config: MLPConfig) -> int:
    """Every weight and bias of the page's MLP for `config`."""
    return sum(int(row["total"]) for row in parameter_counts(build_mlp(config)))


def no_hidden() -> Numbers:
    """The parameter count with the hidden layers set to 0."""
    return {"total": total_parameters(MLPConfig(3, (), 2, "ReLU"))}


def third_layer() -> Numbers:
    """The defaults' count and the count with a third hidden layer of width 4."""
    return {"before": total_parameters(MLP), "total": total_parameters(MLPConfig(3, (4, 4, 4), 2, "ReLU"))}


def identity_depth() -> Numbers:
    """How far the 3 → 4 → 4 → 2 network with Identity activations is from the one affine map W·x + b made
    by multiplying its layers out (seed 0), on 100 random inputs."""
    model = build_mlp(MLPConfig(3, (4, 4), 2, "Identity"), seed=0).double()
    weight, bias = torch.eye(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    for layer in linear_layers(model):  # W·(Vx + c) + b = (WV)x + (Wc + b)
        weight, bias = layer.weight.double() @ weight, layer.weight.double() @ bias + layer.bias.double()
    x = torch.randn(100, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        gap = (model(x) - (x @ weight.T + bias)).abs().max().item()
    return {"gap": gap, "scale": model(x).abs().max().item()}


CARDS = (
    Card(
        name="neuron-w2-zero",
        page="neuron",
        question="Set **w2 = 0** (w1 = 0.8, b = 0.2). The boundary z = 0 becomes…",
        answers=(
            "a vertical line left of x1 = 0",
            "a vertical line right of x1 = 0",
            "another line",
            "no line",
        ),
        settings={"neuron_w1": 0.8, "neuron_w2": 0.0, "neuron_b": 0.2},
        run=vertical_boundary,
        rule=vertical_rule,
        note="The line is **x1 = {x_low:g}** from x2 = {y_low:g} to {y_high:g}. With w2 = 0, z = w1·x1 + b "
        "no longer depends on x2, so z = 0 wherever x1 = −b/w1 = −0.2/0.8.",
        explains=0,
    ),
    Card(
        name="neuron-doubled",
        page="neuron",
        question="From the defaults, **double w1, w2 and b** (1.6, −2.4, 0.4). What happens?",
        answers=(
            "The line stays; at your input a moves further from 0.5",
            "The line moves",
            "Nothing changes",
        ),
        settings={
            "neuron_x1": 1.0,
            "neuron_x2": -0.5,
            "neuron_w1": 1.6,
            "neuron_w2": -2.4,
            "neuron_b": 0.4,
            "neuron_activation": "Sigmoid",
        },
        run=doubled,
        rule=doubled_rule,
        note="The line moved by {shift:g}. At your input z doubles from {z:.1f} to **{z_twice:.1f}** and a "
        "rises from {a:.4f} to **{a_twice:.4f}**: 2z = 0 exactly where z = 0, so the boundary stays, but the "
        "Sigmoid's transition across it gets twice as sharp.",
        explains=0,
    ),
    Card(
        name="neuron-no-hidden",
        page="neuron",
        section="layers",
        question="In the MLP (input 3, output 2), set **Hidden layers to 0**. How many parameters are left?",
        answers=tuple(str(n) for n in COUNTS),
        settings={"mlp_input": 3, "mlp_depth": 0, "mlp_output": 2},
        run=no_hidden,
        rule=lambda n: COUNTS.index(n["total"]),
        note="**{total}**: one `Linear(3, 2)` is left, a 2 × 3 weight matrix (6 weights) and 2 biases.",
        explains=1,
    ),
    Card(
        name="neuron-third-layer",
        page="neuron",
        section="layers",
        question="The default 3 → 4 → 4 → 2 has 46 parameters. Add a **third hidden layer of width 4**. How "
        "many now?",
        answers=tuple(str(n) for n in MORE_COUNTS),
        settings={
            "mlp_input": 3,
            "mlp_depth": 3,
            "mlp_output": 2,
            "mlp_width_0": 4,
            "mlp_width_1": 4,
            "mlp_width_2": 4,
        },
        run=third_layer,
        rule=lambda n: MORE_COUNTS.index(n["total"]),
        note="From {before} to **{total}**: the new `Linear(4, 4)` has 4·4 weights and 4 biases; the output "
        "layer still reads 4 numbers, so nothing else changes.",
        explains=2,
    ),
    Card(
        name="neuron-identity",
        page="neuron",
        section="layers",
        question="Choose **Identity** as the hidden activation (3 → 4 → 4 → 2). Could one `Linear(3, 2)` "
        "compute exactly what the whole network computes?",
        answers=("Yes", "No: the extra layers add power anyway"),
        settings={
            "mlp_input": 3,
            "mlp_depth": 2,
            "mlp_output": 2,
            "mlp_width_0": 4,
            "mlp_width_1": 4,
            "mlp_activation": "Identity",
        },
        run=identity_depth,
        rule=lambda n: 0 if n["gap"] < 1e-9 * max(n["scale"], 1.0) else 1,
        note="Multiplying the three layers out gives one W (2 × 3) and b; on 100 random inputs the network "
        "and W·x + b differ by at most **{gap:.1e}** (rounding; outputs up to {scale:.2f}). A composition "
        "of affine maps is affine: without a non-linearity, depth adds parameters but no power.",
        explains=0,
    ),
)
