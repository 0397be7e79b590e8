"""The Optimizers page's prediction cards: the 2-D race (the page's own `race`), and the race on a network,
which the page trains live."""

from core.cards.card import Card, Live, Numbers, live_run
from core.training.optim_race import (
    FUNCTIONS,
    KNOBS,
    NetworkRace,
    NetworkRaceConfig,
    default_settings,
    race,
    results,
)

RUNNER = "opt_runner"  # the page's session key of its network race
NAMES = tuple(KNOBS)


def knobs(changes: dict[str, dict[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """Every optimizer's settings at torch's defaults, with `changes` written over them."""
    changes = changes or {}
    return {name: default_settings(name) | changes.get(name, {}) for name in NAMES}


def race_settings(
    function: str, steps: int, chosen: tuple[str, ...] = NAMES, changes: dict | None = None
) -> dict[str, object]:
    """The page's widgets for a race: every knob, the optimizers chosen, the function, its start, steps."""
    test = FUNCTIONS[function]
    values: dict[str, object] = {
        f"opt_{name}_{knob}": value
        for name, settings in knobs(changes).items()
        for knob, value in settings.items()
    }
    return values | {
        "opt_chosen": list(chosen),
        "opt_function": function,
        f"opt_start_x_{function}": test.start[0],
        f"opt_start_y_{function}": test.start[1],
        "opt_steps": steps,
    }


def reached(function: str, steps: int, chosen: tuple[str, ...], changes: dict | None = None) -> Numbers:
    """Per optimizer, the steps it needed to get within the page's tolerance of the minimum (0: never),
    and whether it diverged."""
    settings = {name: value for name, value in knobs(changes).items() if name in chosen}
    table = results(function, race(function, FUNCTIONS[function].start, settings, steps))
    numbers: Numbers = {}
    for r in table:
        key = r.name.replace("+", "_").lower()
        numbers[key] = r.reached or 0
        numbers[f"{key}_diverged"] = float(r.diverged)
    return numbers


def rosenbrock_rule(n: Numbers) -> int:
    """Exactly momentum and Nesterov (0), Adam among those that arrive (1), all (2), none (3)."""
    arrived = {name.replace("+", "_").lower() for name in NAMES if n[name.replace("+", "_").lower()]}
    if "adam" in arrived and len(arrived) < len(NAMES):
        return 1
    if len(arrived) == len(NAMES):
        return 2
    return 3 if not arrived else 0 if arrived == {"sgd_momentum", "nesterov"} else 1


def network_numbers(job: NetworkRace) -> Numbers:
    """Each optimizer's test accuracy after the last epoch, in %."""
    return {
        name.replace("+", "_").lower(): 100 * accuracies[-1] for name, accuracies in job.test_accuracy.items()
    }


def network_config(chosen: tuple[str, ...], changes: dict | None = None) -> NetworkRaceConfig:
    """The page's network race for its defaults (32 hidden units, batch 32, 10 epochs, seed 0)."""
    settings = knobs(changes)
    return NetworkRaceConfig(settings=tuple((name, tuple(settings[name].items())) for name in chosen))


def network_settings(chosen: tuple[str, ...], changes: dict | None = None) -> dict[str, object]:
    """The page's widgets for the network race (the 2-D race's widgets as they are at the defaults)."""
    return race_settings("Rosenbrock", 1000, chosen, changes) | {
        "opt_net_hidden": 32,
        "opt_net_batch": 32,
        "opt_net_epochs": 10,
        "global_seed": 0,
    }


NETWORK = Live(runner=RUNNER, measure=network_numbers)
SGD_ADAM = ("SGD", "Adam")
SGD_FAST = {"SGD": {"lr": 0.1}}

CARDS = (
    Card(
        name="optimizers-rosenbrock",
        page="optimizers",
        question="**Rosenbrock**, every optimizer at torch's defaults, **2000 steps**. Which reach the "
        "minimum (1, 1)?",
        answers=(
            "Only momentum and Nesterov",
            "Adam among them: it adapts its steps",
            "All of them",
            "None of them",
        ),
        settings=race_settings("Rosenbrock", 2000),
        run=lambda: reached("Rosenbrock", 2000, NAMES),
        rule=rosenbrock_rule,
        note="Momentum gets there in **{sgd_momentum:,}** steps and Nesterov in {nesterov:,}; SGD, Adam, "
        "AdamW, RMSprop and Adagrad do not (0 = never). Along the curved valley the gradient is tiny, and at "
        "torch's default rates (SGD 0.001, Adam 0.001, Adagrad 0.01) only the velocity that momentum builds "
        "up over many steps carries a point along it.",
        explains=0,
    ),
    Card(
        name="optimizers-adam-fast",
        page="optimizers",
        question="Rosenbrock, 2000 steps, **Adam at learning rate 0.05** (the others at their defaults). "
        "Adam…",
        answers=(
            "reaches (1, 1) within the 2000 steps",
            "is still on the far side of the valley",
            "diverges",
        ),
        settings=race_settings("Rosenbrock", 2000, changes={"Adam": {"lr": 0.05}}),
        run=lambda: reached("Rosenbrock", 2000, ("Adam",), {"Adam": {"lr": 0.05}}),
        rule=lambda n: 2 if n["adam_diverged"] else 0 if n["adam"] else 1,
        note="It arrives after **{adam:,}** steps: Adam's step is about lr per coordinate whatever the "
        "gradient's size, so at 0.001 it needs thousands of steps just to travel the distance; 0.05 covers "
        "it.",
        explains=0,
    ),
    Card(
        name="optimizers-quadratic",
        page="optimizers",
        question="**Ill-conditioned quadratic** (curvature 50 along y), plain **SGD at learning rate "
        "0.041**, just over 2/50. What happens?",
        answers=("It arrives, zig-zagging", "It diverges", "It creeps and never arrives"),
        settings=race_settings("Ill-conditioned quadratic", 1000, ("SGD",), {"SGD": {"lr": 0.041}}),
        run=lambda: (
            reached("Ill-conditioned quadratic", 1000, ("SGD",), {"SGD": {"lr": 0.041}})
            | {"slower": reached("Ill-conditioned quadratic", 1000, ("SGD",), {"SGD": {"lr": 0.039}})["sgd"]}
        ),
        rule=lambda n: 1 if n["sgd_diverged"] else 0 if n["sgd"] else 2,
        note="It diverges. Along y each step multiplies the distance by (1 − lr·50): at 0.041 that is −1.05, "
        "a flip that grows; at 0.039 it is −0.95, a flip that shrinks, and SGD arrives in **{slower:,}** "
        "steps.",
        explains=1,
    ),
    Card(
        name="optimizers-saddle",
        page="optimizers",
        question="**Saddle**, 2000 steps: plain SGD and SGD + momentum at torch's defaults. Who escapes to "
        "the minimum?",
        answers=("Momentum only", "Both", "Neither"),
        settings=race_settings("Saddle", 2000, ("SGD", "SGD+momentum")),
        run=lambda: reached("Saddle", 2000, ("SGD", "SGD+momentum")),
        rule=lambda n: (0 if not n["sgd"] else 1) if n["sgd_momentum"] else 2,
        note="Momentum arrives after **{sgd_momentum:,}** steps; SGD never does (0): near the ridge y ≈ 0 "
        "the gradient across it is tiny, and SGD's steps stay tiny with it, while momentum's velocity keeps "
        "adding them up.",
        explains=0,
    ),
    Card(
        name="optimizers-network-defaults",
        page="optimizers",
        question="The **network** race with **SGD and Adam** at torch's defaults, 10 epochs (seed 0). SGD's "
        "test accuracy?",
        answers=("Above 90 %, like Adam's", "Between 50 % and 90 %", "Near chance (10 %)"),
        settings=network_settings(SGD_ADAM),
        run=live_run(lambda: NetworkRace(network_config(SGD_ADAM)), NETWORK),
        rule=lambda n: 0 if n["sgd"] > 90 else 1 if n["sgd"] > 50 else 2,
        note="SGD ends at **{sgd:.1f} %**, Adam at **{adam:.1f} %**. SGD's default rate 0.001 moves the "
        "weights by a thousandth of the gradient per minibatch: 450 minibatches barely leave the random "
        "start. Adam's steps are about lr in size per weight, however small the gradient.",
        explains=2,
        live=NETWORK,
    ),
    Card(
        name="optimizers-network-sgd-fast",
        page="optimizers",
        question="The same network with **SGD alone at learning rate 0.1**, 10 epochs. Its test accuracy?",
        answers=("Above 90 %", "Between 50 % and 90 %", "Near chance (10 %)"),
        settings=network_settings(("SGD",), SGD_FAST),
        run=live_run(lambda: NetworkRace(network_config(("SGD",), SGD_FAST)), NETWORK),
        rule=lambda n: 0 if n["sgd"] > 90 else 1 if n["sgd"] > 50 else 2,
        note="**{sgd:.1f} %**: a hundred times the default rate, and plain SGD catches up with Adam. Torch's "
        "defaults are a starting point, not a tuned rate.",
        explains=0,
        live=NETWORK,
    ),
)
