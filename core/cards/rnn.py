"""The Recurrent networks page's prediction cards: the seed slide's SimpleRNN, and the adding problem at
T = 50 trained live on the page's runner (each card's run stops after STEPS steps)."""

import dataclasses

import torch

from core.cards.card import Card, Live, Numbers, live_run
from core.rnn.config import RNNConfig
from core.rnn.job import RNNJob
from core.rnn.simple import build_seed_model, hand_recurrence

STEPS = 700  # the LSTM solves the adding problem in about 600 (seed 0); the page's budget is 3000
SOLVED = 0.01  # test MSE below this: the marked numbers' sum is known to about ±0.1
SHAPES = ("(1, 5, 20)", "(1, 20)", "(5, 10)", "(1, 5, 5)")


def seed_model() -> Numbers:
    """The seed model's output sequence shape, and how far the hand recurrence is from nn.RNN (seed 0)."""
    model, x = build_seed_model(0)
    with torch.no_grad():
        out, _ = model.rnn(x)  # (1, 5, 20)
        gap = (hand_recurrence(model.rnn, x) - out[0]).abs().max().item()
    batch, steps, units = out.shape
    return {"batch": batch, "steps": steps, "units": units, "gap": gap}


def adding_numbers(job: RNNJob) -> Numbers:
    """The last test MSE and the median of the last three (a solved run's test MSE still spikes now and then),
    the first measured step below SOLVED (0: never), the share of clipped steps."""
    below = [step for step, mse in zip(job.eval_steps, job.metrics, strict=True) if mse < SOLVED]
    clipped = [norm > job.clip for norm in job.grad_norms] if job.clip else [False]
    return {
        "mse": job.metrics[-1],
        "recent": sorted(job.metrics[-3:])[1],
        "solved_at": below[0] if below else 0,
        "steps": job.steps,
        "clipped": 100 * sum(clipped) / len(clipped),
        "lowest": min(job.metrics[1:]),
    }


RUN = Live(runner="rnn_runner", measure=adding_numbers, stop_at=STEPS)


def settings(config: RNNConfig) -> dict[str, object]:
    """The page's widgets for an adding-problem run of `config` (seed from the sidebar)."""
    return {
        "rnn_task": config.task,
        "rnn_cell": config.cell,
        "rnn_hidden": config.hidden,
        "rnn_layers": config.layers,
        "rnn_seq_len": config.seq_len,
        "rnn_lr": config.lr,
        "rnn_clip": config.clip,
        "global_seed": config.seed,
    }


def solved_rule(n: Numbers) -> int:
    """Solved (0: below SOLVED at the end), stuck near 1/6, the MSE of always answering 1 (1: above 0.15),
    or in between (2); judged on the median of the last three measurements, which one spike cannot move."""
    return 0 if n["recent"] < SOLVED else 1 if n["recent"] > 0.15 else 2


def adding_card(name: str, config: RNNConfig, **fields: object) -> Card:
    """A card that trains `config` on the adding problem live for STEPS steps."""
    return Card(
        name=name,
        page="rnn",
        settings=settings(config),
        run=live_run(lambda: RNNJob(config), RUN),
        rule=solved_rule,
        live=RUN,
        **fields,
    )


ADDING = ("It solves it: test MSE below 0.01", "It stays near 1/6 ≈ 0.17", "In between")
LSTM = RNNConfig()
VANILLA = dataclasses.replace(LSTM, cell="RNN")
CLIPPED = dataclasses.replace(LSTM, clip=0.1)

CARDS = (
    Card(
        name="rnn-seed-shapes",
        page="rnn",
        question="The seed's `nn.RNN(10, 20, batch_first=True)` reads a (1, 5, 10) input: 1 sequence of 5 "
        "steps of 10 numbers. The shape of its output sequence `out`?",
        answers=SHAPES,
        settings={"global_seed": 0},
        run=seed_model,
        rule=lambda n: SHAPES.index(f"({n['batch']}, {n['steps']}, {n['units']})"),
        note="**({batch}, {steps}, {units})**: one hidden state of {units} units per step, for each of the "
        "{steps} steps; the same W_ih and W_hh at every step. The page's hand recurrence h_t = tanh(W_ih x_t "
        "+ b_ih + W_hh h_(t−1) + b_hh) matches it to {gap:.1e}. The final fc reads only the last step.",
        explains=0,
    ),
    adding_card(
        "rnn-lstm-adding",
        LSTM,
        question=f"**Adding problem, T = 50**, the default **LSTM** (32 units, Adam 0.01), {STEPS} steps "
        "(seed 0). Its test MSE at the end?",
        answers=ADDING,
        note="Test MSE **{mse:.4f}** after {steps} steps, first below 0.01 at step **{solved_at}**: the "
        "cell state carries the two marked numbers across up to 49 steps, and its gates learn when to "
        "write and when to keep.",
        explains=0,
    ),
    adding_card(
        "rnn-vanilla-adding",
        VANILLA,
        question=f"The same task with a **vanilla RNN** (nn.RNN, tanh), {STEPS} steps. Its test MSE?",
        answers=ADDING,
        note="**{mse:.3f}** after {steps} steps (lowest {lowest:.3f}): about 1/6, the MSE of always "
        "answering 1.0, the mean of the sum. The gradient from the answer back to the first marked number "
        "passes through up to 49 tanh steps and all but vanishes, so it never learns which numbers count.",
        explains=1,
    ),
    adding_card(
        "rnn-clipping",
        CLIPPED,
        question=f"The LSTM with **gradient clipping at 0.1**, a tenth of the default: most steps get "
        f"clipped. After {STEPS} steps…",
        answers=ADDING,
        note="**{clipped:.0f} %** of the steps were clipped, yet test MSE is **{mse:.4f}**, first below 0.01 "
        "at step {solved_at}: Adam divides each step by a running average of the gradient's size, so scaling "
        "the gradient down changes far less than it would with plain SGD.",
        explains=0,
    ),
)
