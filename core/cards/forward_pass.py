"""The Forward pass page's prediction cards: the page's network (3 → 4 → 3 → 2, seed 0) traced layer by
layer with the page's own function, before and after an edit."""

import numpy as np

from core.basics.forward import Edits, trace_forward, with_edits
from core.basics.mlp import MLPConfig, build_mlp
from core.cards.card import Card, Numbers

X = np.array([1.0, 0.5, 0.0])  # the page's default input
SHAPES = ("4×3, then 2×4", "3×4, then 4×2", "4×3, 3×4, then 2×3")


def config(activation: str = "Tanh", h2: int = 3) -> MLPConfig:
    """The page's network for its widgets (inputs 3, hidden 4 and h2, outputs 2)."""
    return MLPConfig(3, (4, h2) if h2 else (4,), 2, activation)


def edit_settings(activation: str, edits: Edits, x: np.ndarray = X) -> dict[str, object]:
    """Widgets and the page's kept edits for `edits` on the default network with `activation`, seed 0, and
    the input `x`.

    The page keeps its edits for one network, named by `fwd_signature` (its config and seed); the card sets
    both, so that the page applies the card's edits to this very network."""
    return {
        "fwd_inputs": 3,
        "fwd_h1": 4,
        "fwd_h2": 3,
        "fwd_outputs": 2,
        "fwd_activation": activation,
        "global_seed": 0,
        **{f"fwd_x{i}": float(v) for i, v in enumerate(x)},
        "fwd_signature": (config(activation), 0),
        "fwd_edits": edits,
    }


def outputs(activation: str, edits: Edits, x: np.ndarray = X) -> tuple[list, np.ndarray]:
    """The page's traces of `x` through the seed-0 network with `edits`, and the output."""
    traces = trace_forward(with_edits(build_mlp(config(activation), seed=0), edits), x)
    return traces, traces[-1].a


def zero_input() -> Numbers:
    """Linear 1's z against its bias when every input is 0."""
    (first, *_), _ = outputs("Tanh", {}, np.zeros(3))
    return {"gap": float(np.abs(first.z - first.bias).max()), "bias": float(np.abs(first.bias).max())}


def zero_rule(n: Numbers) -> int:
    """z is the bias (0), all zeros (1), or something else (2)."""
    if n["gap"] < 1e-12:
        return 1 if n["bias"] == 0 else 0
    return 2


def nudge(activation: str, bias: float) -> Numbers:
    """Unit 0 of Linear 1 with its bias set to `bias`: its z and a, and how far the output moves when its
    weight from input 0 then rises by 1, against the same nudge without the bias edit."""
    base = {(0, 0, None): bias}
    traces, out = outputs(activation, base)
    _, nudged = outputs(activation, base | {(0, 0, 0): float(traces[0].weight[0, 0]) + 1})
    _, plain = outputs(activation, {})
    plain_weight = float(trace_forward(build_mlp(config(activation), seed=0), X)[0].weight[0, 0])
    _, plain_nudged = outputs(activation, {(0, 0, 0): plain_weight + 1})
    return {
        "z": float(traces[0].z[0]),
        "a": float(traces[0].a[0]),
        "moved": float(np.abs(nudged - out).max()),
        "moved_unedited": float(np.abs(plain_nudged - plain).max()),
    }


def dead_unit() -> Numbers:
    """ReLU, unit 0's bias at −10: its a, and how far the output moves when Linear 2's weight from that
    unit goes to 5."""
    dead = {(0, 0, None): -10.0}
    traces, out = outputs("ReLU", dead)
    _, changed = outputs("ReLU", dead | {(1, 0, 0): 5.0})
    return {"a": float(traces[0].a[0]), "moved": float(np.abs(changed - out).max())}


def move_rule(n: Numbers) -> int:
    """The output does not move (0: by under 1e-12), barely (1: under 0.01), or visibly (2)."""
    return 0 if n["moved"] < 1e-12 else 1 if n["moved"] < 0.01 else 2


def shapes() -> Numbers:
    """The weight matrices' shapes with Hidden layer 2 set to 0."""
    traces = trace_forward(build_mlp(config(h2=0), seed=0), X)
    numbers: Numbers = {"layers": len(traces)}
    for k, t in enumerate(traces):
        numbers[f"rows{k}"], numbers[f"cols{k}"] = t.weight.shape
    return numbers


def shapes_rule(n: Numbers) -> int:
    """Which answer lists the shapes."""
    text = ", ".join(f"{n[f'rows{k}']}×{n[f'cols{k}']}" for k in range(int(n["layers"])))
    return [s.replace(", then", ",") for s in SHAPES].index(text)


MOVES = ("Not at all", "Barely (by under 0.01)", "Visibly")

CARDS = (
    Card(
        name="forward_pass-zero-input",
        page="forward_pass",
        question="Set **every input to 0**. Linear 1's z is then…",
        answers=("exactly its bias b", "all zeros", "something that depends on the weights"),
        settings=edit_settings("Tanh", {}, np.zeros(3)),
        run=zero_input,
        rule=zero_rule,
        note="z − b is at most **{gap:g}** (the biases are up to {bias:.4f}): W·0 = 0, so z = W·0 + b = b "
        "exactly. With Tanh (tanh 0 = 0) only the biases let a network answer something other than 0 to an "
        "all-zero input.",
        explains=0,
    ),
    Card(
        name="forward_pass-saturated",
        page="forward_pass",
        question="With **Tanh**, set Linear 1, unit 0, **bias to 10**. Now raise that unit's weight from "
        "input 0 by 1: how much does the output move?",
        answers=MOVES,
        settings=edit_settings("Tanh", {(0, 0, None): 10.0}),
        run=lambda: nudge("Tanh", 10.0),
        rule=move_rule,
        note="Its z is **{z:.2f}** and a = tanh(z) = **{a:.4f}**: saturated. The nudge moves the output by "
        "{moved:.1e}, against {moved_unedited:.2f} without the bias edit: tanh′(z) = 1 − a² ≈ 0 there, so "
        "the change of z hardly changes a.",
        explains=1,
    ),
    Card(
        name="forward_pass-dead-unit",
        page="forward_pass",
        question="With **ReLU**, set Linear 1, unit 0, **bias to −10**, then set **Linear 2**'s weight from "
        "input 0 to **5**. The output moves…",
        answers=MOVES,
        settings=edit_settings("ReLU", {(0, 0, None): -10.0, (1, 0, 0): 5.0}),
        run=dead_unit,
        rule=move_rule,
        note="Unit 0's a is **{a:g}** (ReLU of a negative z), so every weight reading it multiplies 0: the "
        "output moves by **{moved:g}**. A dead unit passes nothing on, and (its ReLU′ being 0) learns "
        "nothing either.",
        explains=0,
    ),
    Card(
        name="forward_pass-shapes",
        page="forward_pass",
        question="Set **Hidden layer 2 to 0** (3 inputs, 4 hidden, 2 outputs). The weight matrices W are…",
        answers=SHAPES,
        settings={"fwd_inputs": 3, "fwd_h1": 4, "fwd_h2": 0, "fwd_outputs": 2},
        run=shapes,
        rule=shapes_rule,
        note="{layers} Linear layers remain, W of **{rows0}×{cols0}** then **{rows1}×{cols1}**: "
        "`nn.Linear(n_in, n_out)` stores W as n_out × n_in, so that z = W·x maps n_in numbers to n_out.",
        explains=0,
    ),
)
