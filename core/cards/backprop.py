"""The Backpropagation page's prediction cards: the one example by hand, and the training loop on XOR, which
its page trains live."""

import math

from core.cards.card import Card, Live, Numbers, live_run
from core.training.backprop import BackpropConfig, XorLoop, build_network, sgd_step, trace

RUNNER = "bp_runner"  # the page's session key of its XOR loop's runner


def gradients(config: BackpropConfig) -> dict[str, float]:
    """Every parameter's gradient on the page's example, by name (W1[j,k], b1[j], w2[j], b2)."""
    return {g.parameter: g.gradient for g in trace(build_network(config), config).gradients}


def zero_input() -> Numbers:
    """The largest gradient of a weight from x1 and from x2 once x1 = 0 (seed 0, Sigmoid)."""
    grads = gradients(BackpropConfig(x1=0.0))
    return {
        "from_x1": max(abs(grads[f"W1[{j},0]"]) for j in range(3)),
        "from_x2": max(abs(grads[f"W1[{j},1]"]) for j in range(3)),
    }


def zero_input_rule(n: Numbers) -> int:
    """Exactly 0 (0), still as large as the others (1), or larger (2)."""
    if n["from_x1"] == 0:
        return 0
    return 2 if n["from_x1"] > n["from_x2"] else 1


def relu_units() -> Numbers:
    """How many hidden units get a gradient on the example with ReLU (seed 0), and their z."""
    config = BackpropConfig(activation="ReLU")
    grads = gradients(config)
    z = [node.value for node in trace(build_network(config), config).nodes[:3]]
    learning = sum(any(grads[p] != 0 for p in (f"W1[{j},0]", f"W1[{j},1]", f"b1[{j}]")) for j in range(3))
    return {"learning": learning, "z0": z[0], "z1": z[1], "z2": z[2]}


def relu_units_rule(n: Numbers) -> int:
    """3, 2, 1 or 0 units learning, as the answers list them."""
    return 3 - int(n["learning"])


def big_step() -> Numbers:
    """The example's loss before and after one SGD step at learning rate 2 (Sigmoid, seed 0)."""
    config = BackpropConfig(lr=2.0)
    before, after = sgd_step(build_network(config), config)
    return {"before": before, "after": after}


def big_step_rule(n: Numbers) -> int:
    """The loss falls (0), rises (1) or stays within 1 % (2)."""
    if abs(n["after"] - n["before"]) <= 0.01 * n["before"]:
        return 2
    return 0 if n["after"] < n["before"] else 1


def loop_numbers(job: XorLoop) -> Numbers:
    """The XOR loop's lowest loss and its epoch, the first epoch after it with a loss above 1, the mean
    growth per epoch from there to the last finite loss, the epochs run and the last loss."""
    losses = job.losses
    finite = [e for e in range(len(losses)) if math.isfinite(losses[e])]
    best = min(finite, key=losses.__getitem__)
    above_1 = next((e for e in finite if e > best and losses[e] > 1), None)
    growth = 1.0
    if above_1 is not None and finite[-1] > above_1:
        growth = math.exp(math.log(losses[finite[-1]] / losses[above_1]) / (finite[-1] - above_1))
    return {
        "best": losses[best],
        "best_epoch": best + 1,
        "above_1": 0 if above_1 is None else above_1 + 1,
        "growth": growth,
        "epochs": len(losses),
        "last": losses[-1],
    }


def blew_up_rule(n: Numbers) -> int:
    """Learnt and kept (0: the last loss below 0.01), learnt then blew up (1: a loss below 0.05, then the
    last one not finite), or neither (2)."""
    if math.isfinite(n["last"]):
        return 0 if n["last"] < 0.01 else 2
    return 1 if n["best"] < 0.05 else 2


TANH_LIVE = Live(runner=RUNNER, measure=loop_numbers)

CARDS = (
    Card(
        name="backprop-x1-zero",
        page="backprop",
        question="Set **x1 = 0**. What are the gradients of the three weights W1[j,0] that multiply x1?",
        answers=("Exactly 0", "About as large as the others", "Larger than the others"),
        settings={"bp_x1": 0.0, "bp_x2": -0.5, "bp_y": 1.0, "bp_activation": "Sigmoid", "global_seed": 0},
        run=zero_input,
        rule=zero_input_rule,
        note="The largest |∂L/∂W1[j,0]| is **{from_x1:g}**, against {from_x2:.4f} for the weights from x2. "
        "The chain ends in ∂z_j/∂W1[j,0] = x1 = 0, so the product is 0 whatever comes before: an input "
        "that is 0 teaches its weights nothing.",
        explains=0,
    ),
    Card(
        name="backprop-relu",
        page="backprop",
        question="Choose **ReLU** (seed 0, x1 = 1, x2 = −0.5, y = 1). How many of the 3 hidden units get a "
        "non-zero gradient from this example?",
        answers=("All 3", "2", "1", "None"),
        settings={"bp_x1": 1.0, "bp_x2": -0.5, "bp_y": 1.0, "bp_activation": "ReLU", "global_seed": 0},
        run=relu_units,
        rule=relu_units_rule,
        note="**{learning}** learns. z0 = {z0:.4f}, z1 = {z1:.4f}, z2 = {z2:.4f}: ReLU′(z) = 0 wherever "
        "z < 0, so every chain through a unit with a negative z is multiplied by 0 and its weights and bias "
        "get gradient 0 (a unit that is off for this input).",
        explains=2,
    ),
    Card(
        name="backprop-lr-2",
        page="backprop",
        question="Sigmoid, seed 0, raise the learning rate to **2**. After one SGD step the example's loss…",
        answers=("falls", "rises", "stays about the same"),
        settings={
            "bp_x1": 1.0,
            "bp_x2": -0.5,
            "bp_y": 1.0,
            "bp_activation": "Sigmoid",
            "bp_lr": 2.0,
            "global_seed": 0,
        },
        run=big_step,
        rule=big_step_rule,
        note="It goes from **{before:.2f}** to **{after:.1f}**. The gradient says which way is down only "
        "close by: a step of 2 × the gradient lands far past the minimum, where the loss is higher than "
        "where it started (an overshoot).",
        explains=1,
    ),
    Card(
        name="backprop-tanh-xor",
        page="backprop",
        question="The training loop on XOR with **Tanh** at learning rate **0.5** for 2000 epochs (seed 0). "
        "What does the loss do?",
        answers=(
            "Falls towards 0 and stays there",
            "Falls, then blows up to infinity",
            "Never gets below 0.05",
        ),
        settings={"bp_activation": "Tanh", "bp_lr": 0.5, "bp_epochs": 2000, "global_seed": 0},
        run=live_run(lambda: XorLoop(BackpropConfig(activation="Tanh", lr=0.5), 2000), TANH_LIVE),
        rule=blew_up_rule,
        note="The loss falls to about **{best:.3f} by epoch {best_epoch}**, then a step overshoots; it is "
        "above 1 at epoch {above_1} and grows about {growth:.0f}-fold every epoch until it overflows to "
        "{last:g} at **epoch {epochs}, where training stops**. Near the minimum the same rate is too "
        "large: each step lands further out than the last.",
        explains=1,
        live=TANH_LIVE,
    ),
    Card(
        name="backprop-tanh-slow",
        page="backprop",
        question="The same loop with **Tanh** at the smaller learning rate **0.1**, for 5000 epochs "
        "(seed 0). What does the loss do now?",
        answers=(
            "Falls towards 0 and stays there",
            "Falls, then blows up to infinity",
            "Never gets below 0.01",
        ),
        settings={"bp_activation": "Tanh", "bp_lr": 0.1, "bp_epochs": 5000, "global_seed": 0},
        run=live_run(lambda: XorLoop(BackpropConfig(activation="Tanh", lr=0.1), 5000), TANH_LIVE),
        rule=blew_up_rule,
        note="After {epochs} epochs the loss is **{last:.1e}**, float64 rounding error (lowest {best:.1e}, "
        "at epoch {best_epoch}): at a fifth of the rate the steps near the minimum stay small enough to "
        "land closer, not further out.",
        explains=0,
        live=TANH_LIVE,
    ),
)
