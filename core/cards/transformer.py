"""The Transformers page's prediction cards: attention by hand (does order matter?), and a tiny GPT trained
live on the page's runner with and without the causal mask."""

import dataclasses
import math

from core.cards.card import Card, Live, Numbers, live_run
from core.transformer.attention import AttentionSetup, order_test
from core.transformer.config import TransformerConfig
from core.transformer.experiments import outcome
from core.transformer.job import TransformerJob

# One layer and one head: it finds the look-ahead within a few hundred steps, in seconds.
TINY = TransformerConfig(layers=1, heads=1, width=32, context=16, lr=0.01, steps=300)
UNMASKED = dataclasses.replace(TINY, causal=False)


def order(causal: bool) -> Numbers:
    """The largest change of any token's output when the page's example input is reversed (the same
    weights, seed 0), with no positions and with sinusoidal ones."""
    changes = order_test(AttentionSetup(causal=causal))
    return {"none": changes["none"], "sinusoidal": changes["sinusoidal"]}


def order_rule(n: Numbers) -> int:
    """Without positions, the outputs do not change (0: rounding, under 1e-9) or they do (1)."""
    return 0 if n["none"] < 1e-9 else 1


def hand_settings(causal: bool) -> dict[str, object]:
    """The attention-by-hand widgets at the page's example, no positions, the mask on or off."""
    setup = AttentionSetup()
    return {
        "tf_attn_text": setup.text,
        "tf_attn_tokens": setup.tokens,
        "tf_attn_width": setup.width,
        "tf_attn_heads": setup.heads,
        "tf_attn_positions": "none",
        "tf_attn_causal": causal,
        "global_seed": 0,
    }


def run_numbers(job: TransformerJob) -> Numbers:
    """The run's last training and validation loss, and the validation loss of each window's last position
    (nothing comes after it: the loss the model has when it writes)."""
    done = outcome(job)
    return {
        "train": done.train_loss,
        "val": done.val_loss,
        "last": done.last_position_loss,
        "steps": done.steps,
        "characters": len(job.alphabet),
        "uniform": math.log(len(job.alphabet)),
    }


def run_settings(config: TransformerConfig) -> dict[str, object]:
    """The training widgets for `config` on the built-in text (seed from the sidebar)."""
    return {
        "tf_source": config.source,
        "tf_layers": config.layers,
        "tf_heads": config.heads,
        "tf_width": config.width,
        "tf_context": config.context,
        "tf_lr": config.lr,
        "tf_batch": config.batch,
        "tf_positions": config.positions,
        "tf_causal": config.causal,
        "tf_dropout": config.dropout,
        "tf_steps": config.steps,
        "global_seed": config.seed,
    }


def loss_rule(n: Numbers) -> int:
    """The training loss below 1 nat (0), from 1.5 to 3.5 (1), above 3.5 (2), from 1 to 1.5 (3): the bands of
    LOSSES, which cover every loss. The unmasked run ends at 0.27–0.40 over seeds 0–5, far from 1."""
    if n["train"] < 1:
        return 0
    return 1 if 1.5 <= n["train"] <= 3.5 else 2 if n["train"] > 3.5 else 3


RUN = Live(runner="tf_runner", measure=run_numbers)
LOSSES = (
    "Below 1 nat per character",
    "Between 1.5 and 3.5 nats",
    "Above 3.5 nats: close to a uniform guess",
    "Between 1 and 1.5 nats",
)
TINY_TEXT = "a tiny model (1 layer, 1 head, width 32, context 16, learning rate 0.01), 300 steps, seed 0"

CARDS = (
    Card(
        name="transformer-order-no-mask",
        page="transformer",
        question="**Attention by hand**, *the cat sat on the mat*, **no positions and no causal mask**. "
        "Reverse the input (the same weights): does any token's output change?",
        answers=("No: attention alone treats its input as a set", "Yes: the order changes the outputs"),
        settings=hand_settings(False),
        run=lambda: order(False),
        rule=order_rule,
        note="The largest change is **{none:.1e}**, rounding; with sinusoidal positions it is "
        "{sinusoidal:.2f}. Each output is a weighted sum over all tokens with weights from their vectors "
        "alone: without positions, nothing in it depends on where a token stands.",
        explains=0,
    ),
    Card(
        name="transformer-order-mask",
        page="transformer",
        question="The same, still **no positions**, but with the **causal mask on**. Reverse the input: does "
        "any token's output change?",
        answers=("No: attention alone treats its input as a set", "Yes: the order changes the outputs"),
        settings=hand_settings(True),
        run=lambda: order(True),
        rule=order_rule,
        note="Yes: by up to **{none:.2f}**. With the mask each token averages only itself and the tokens "
        "before it, and reversed, those are other tokens: the mask alone gives the model a sense of order "
        "(which is why a GPT without positions still learns some).",
        explains=1,
    ),
    Card(
        name="transformer-mask-off",
        page="transformer",
        question=f"**Causal mask off**: every position also sees the characters after it. Train {TINY_TEXT}. "
        "Its training loss at the end?",
        answers=LOSSES,
        settings=run_settings(UNMASKED),
        run=live_run(lambda: TransformerJob(UNMASKED), RUN),
        rule=loss_rule,
        note="Training loss **{train:.2f}** and validation {val:.2f} after {steps} steps: it reads the next "
        "character instead of predicting it. But the last position of each window, which has nothing after "
        "it to copy, costs **{last:.2f}**: what it writes is far worse than its loss says.",
        explains=0,
        live=RUN,
    ),
    Card(
        name="transformer-mask-on",
        page="transformer",
        question=f"The same with the **causal mask on**: {TINY_TEXT}. Its training loss at the end?",
        answers=LOSSES,
        settings=run_settings(TINY),
        run=live_run(lambda: TransformerJob(TINY), RUN),
        rule=loss_rule,
        note="Training loss **{train:.2f}**, validation {val:.2f}, the last position {last:.2f}: with the "
        "mask every position predicts from what came before it only, so the loss is what writing costs. "
        "(ln {characters} ≈ {uniform:.2f} is a uniform guess over the text's characters.)",
        explains=1,
        live=RUN,
    ),
)
