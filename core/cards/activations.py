"""The Activation functions page's prediction cards: values and slopes by autograd, where functions
saturate, and softmax with a temperature."""

import math

import torch

from core.basics.activations import activation_curves, entropy, softmax_with_temperature, values_at
from core.cards.card import Card, Numbers

LOGITS = (2.0, 1.0, 0.1, -1.0)  # the page's table: cat, dog, car, tree


def softplus_at_zero() -> Numbers:
    """Softplus with beta 5 at x = 0: f and f′."""
    f, slope = values_at(["Softplus"], {"Softplus": {"beta": 5.0}}, 0.0)["Softplus"]
    return {"f": f, "slope": slope}


def softplus_rule(n: Numbers) -> int:
    """Which of ln 2, ln 2 / 5 and 0 f(0) is."""
    return min(range(3), key=lambda i: abs(n["f"] - (math.log(2), math.log(2) / 5, 0.0)[i]))


def elu_slopes() -> Numbers:
    """ELU with alpha 0.5: f′ just left and just right of 0."""
    params = {"ELU": {"alpha": 0.5}}
    return {
        "left": values_at(["ELU"], params, -0.001)["ELU"][1],
        "right": values_at(["ELU"], params, 0.001)["ELU"][1],
    }


def elu_rule(n: Numbers) -> int:
    """Smooth (0: equal slopes), a kink at α (1: the left slope near 0.5), or ReLU's kink (2: left near 0)."""
    if abs(n["left"] - n["right"]) < 0.01:
        return 0
    return 1 if abs(n["left"] - 0.5) < 0.05 else 2


def saturation() -> Numbers:
    """Where Sigmoid and Tanh start to saturate on the right (|f′| < the page's threshold, on −5..5), and
    their largest slopes."""
    _, curves = activation_curves(["Sigmoid", "Tanh"], {}, -5.0, 5.0)
    numbers: Numbers = {}
    for name, c in curves.items():
        numbers[f"{name.lower()}_from"] = min(start for start, _ in c.saturated if start > 0)
        numbers[f"{name.lower()}_slope"] = float(c.dy.max())
    return numbers


def saturation_rule(n: Numbers) -> int:
    """Tanh first (0), Sigmoid first (1), or both within 0.1 of each other (2)."""
    if abs(n["tanh_from"] - n["sigmoid_from"]) < 0.1:
        return 2
    return 0 if n["tanh_from"] < n["sigmoid_from"] else 1


def gelu_dip() -> Numbers:
    """GELU's lowest value on −5..5, where, and its value at −5."""
    x, curves = activation_curves(["GELU"], {}, -5.0, 5.0)
    y = curves["GELU"].y
    lowest = int(y.argmin())
    return {"low": float(y[lowest]), "at": float(x[lowest]), "left_end": float(y[0])}


def gelu_rule(n: Numbers) -> int:
    """Never negative (0), a dip that comes back to 0 (1), or falling on to the left (2)."""
    if n["low"] > -1e-6:
        return 0
    return 1 if abs(n["left_end"]) < 0.01 else 2


def softmax_at(temperature: float) -> Numbers:
    """The page's four logits' softmax at `temperature`: each p, the entropy and ln 4."""
    p = softmax_with_temperature(torch.tensor(LOGITS, dtype=torch.float64), temperature)
    return {
        "cat": float(p[0]),
        "dog": float(p[1]),
        "car": float(p[2]),
        "tree": float(p[3]),
        "entropy": entropy(p),
        "uniform": math.log(len(LOGITS)),
    }


def softmax_rule(n: Numbers) -> int:
    """One-hot on cat (0), nearly uniform (1: entropy within 1 % of ln 4), or in between (2)."""
    if n["cat"] > 0.99:
        return 0
    return 1 if n["entropy"] > 0.99 * n["uniform"] else 2


SOFTMAX_ANSWERS = ("Nearly one-hot on cat", "Nearly uniform", "Still clearly peaked on cat, not one-hot")

CARDS = (
    Card(
        name="activations-softplus",
        page="activations",
        question="Pick **Softplus**, set beta to **5** and evaluate at x = 0. What is f(0)?",
        answers=("ln 2 ≈ 0.693", "ln 2 / 5 ≈ 0.139", "0, like ReLU"),
        settings={"act_chosen": ["Softplus"], "act_Softplus_beta": 5.0, "act_probe": 0.0},
        run=softplus_at_zero,
        rule=softplus_rule,
        note="f(0) = **{f:.6f}** and f′(0) = {slope:.4f}: Softplus is (1/β)·ln(1 + exp(β·x)), so at 0 it is "
        "ln 2 / β, and its slope σ(β·x) is ½ there for every β. A larger β hugs ReLU more closely.",
        explains=1,
    ),
    Card(
        name="activations-elu",
        page="activations",
        question="Pick **ELU** with alpha **0.5** and evaluate at x = −0.001, then x = 0.001. The slope…",
        answers=("is 1 on both sides: smooth", "jumps from about 0.5 to 1", "jumps from 0 to 1, like ReLU"),
        settings={"act_chosen": ["ELU"], "act_ELU_alpha": 0.5, "act_probe": -0.001},
        run=elu_slopes,
        rule=elu_rule,
        note="f′ is **{left:.4f}** at −0.001 and **{right:g}** at 0.001: left of 0 ELU is α·(eˣ − 1), whose "
        "slope α·eˣ is ≈ α near 0, right of 0 it is x. Only at α = 1 do the two slopes meet: then ELU's "
        "slope is continuous (its curvature still jumps at 0).",
        explains=1,
    ),
    Card(
        name="activations-saturation",
        page="activations",
        question="**Sigmoid** and **Tanh**, shading on (x from −5 to 5). Which saturates at a smaller |x|?",
        answers=("Tanh", "Sigmoid", "Both at the same |x|"),
        settings={"act_chosen": ["Sigmoid", "Tanh"], "act_range": (-5.0, 5.0), "act_shade": True},
        run=saturation,
        rule=saturation_rule,
        note="Tanh's slope is flat beyond |x| = **{tanh_from:.1f}**, Sigmoid's only beyond "
        "**{sigmoid_from:.1f}**; yet Sigmoid's slope never exceeds {sigmoid_slope:.2f} while Tanh's reaches "
        "{tanh_slope:.2f}. tanh(x) = 2σ(2x) − 1: the same curve, squeezed into half the width and twice the "
        "height.",
        explains=0,
    ),
    Card(
        name="activations-gelu",
        page="activations",
        question="Pick **GELU** (x from −5 to 5). Is it ever negative?",
        answers=(
            "No: it is 0 for x < 0, like ReLU",
            "Yes, a dip just left of 0, back near 0 further left",
            "Yes, and it keeps falling as x → −∞",
        ),
        settings={"act_chosen": ["GELU"], "act_range": (-5.0, 5.0), "act_shade": True},
        run=gelu_dip,
        rule=gelu_rule,
        note="Its lowest value is **{low:.2f} at x ≈ {at:.2f}** (the dotted flat point), and at −5 it is "
        "{left_end:.1e}: GELU is x·Φ(x), and Φ(x), the normal distribution's CDF, goes to 0 faster than x "
        "goes to −∞.",
        explains=1,
    ),
    Card(
        name="activations-softmax-cold",
        page="activations",
        section="softmax",
        question="Softmax of the table's logits (2, 1, 0.1, −1) at temperature **T = 0.05**. The "
        "distribution is…",
        answers=SOFTMAX_ANSWERS,
        settings={"act_temperature": 0.05},
        run=lambda: softmax_at(0.05),
        rule=softmax_rule,
        note="p(cat) = **{cat:.4f}**, p(dog) = {dog:.1e}, entropy {entropy:.4f} nats. Dividing by 0.05 "
        "multiplies every gap between logits by 20: cat's lead of 1 becomes 20, and e⁻²⁰ ≈ 2·10⁻⁹.",
        explains=0,
    ),
    Card(
        name="activations-softmax-hot",
        page="activations",
        section="softmax",
        question="The same logits at **T = 10**. The distribution is…",
        answers=SOFTMAX_ANSWERS,
        settings={"act_temperature": 10.0},
        run=lambda: softmax_at(10.0),
        rule=softmax_rule,
        note="p = {cat:.4f}, {dog:.4f}, {car:.4f}, {tree:.4f}; the entropy **{entropy:.4f}** nats is close "
        "to ln 4 = {uniform:.4f}, the uniform distribution's. Dividing by 10 shrinks every gap to a tenth.",
        explains=1,
    ),
)
