"""The Try-this experiments of the Transformers page, each a seeded run that returns the numbers the page
quotes: the causal mask removed, positions removed, one head against four, a short context against a long
one, and a cold against a hot sampling temperature. bench/transformer.py prints them; the tests run the
mask experiment."""

import dataclasses
import re
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from core.transformer.config import TransformerConfig
from core.transformer.data import corpus_text
from core.transformer.inside import sample
from core.transformer.job import EVAL_EVERY, TransformerJob

SAMPLE_LENGTH = 300  # characters written for a sample's word counts


@dataclass(frozen=True)
class Outcome:
    """One trained run of an experiment."""

    train_loss: float  # mean training loss of the last EVAL_EVERY batches, nats per character
    val_loss: float  # validation loss at the end, every position of every window
    last_position_loss: float  # validation loss of each window's last position only (it has no future)
    steps: int
    seconds: float
    parameters: int


def train(config: TransformerConfig) -> TransformerJob:
    """A run of `config` trained for its whole budget."""
    job = TransformerJob(config)
    while not job.done:
        job.step()
    return job


@torch.no_grad()
def last_position_loss(job: TransformerJob) -> float:
    """Cross-entropy of the next character at the last position of each validation window only. There
    the model has nothing after it to look at, mask or no mask: the loss it would have when writing."""
    job.model.eval()
    x, y = job.val
    logits = job.model(x)[0][:, -1]  # (B, V)
    return F.cross_entropy(logits, y[:, -1]).item()


def outcome(job: TransformerJob) -> Outcome:
    """The numbers of a finished run."""
    return Outcome(
        train_loss=float(np.mean(job.losses[-EVAL_EVERY:])),
        val_loss=job.val_losses[-1],
        last_position_loss=last_position_loss(job),
        steps=job.steps,
        seconds=job.seconds,
        parameters=job.parameters,
    )


def compare(config: TransformerConfig, variants: dict[str, dict[str, object]]) -> dict[str, Outcome]:
    """`config` trained once per variant (a name and the settings it changes), same seed and budget."""
    return {
        name: outcome(train(dataclasses.replace(config, **changes))) for name, changes in variants.items()
    }


def causal_mask(config: TransformerConfig) -> dict[str, Outcome]:
    """With and without the causal mask. Without it every position also sees the characters after it, its
    own target among them: the training loss falls far lower, but the last position, which has no future
    to copy, is predicted worse: the model learned to look ahead, not to predict."""
    return compare(config, {"with the mask": {"causal": True}, "without the mask": {"causal": False}})


def positions(config: TransformerConfig) -> dict[str, Outcome]:
    """Learned, sinusoidal and no positions: without them attention sees a set of characters, though the
    causal mask still lets a position count how many came before it."""
    return compare(config, {kind: {"positions": kind} for kind in ("learned", "sinusoidal", "none")})


def heads(config: TransformerConfig) -> dict[str, Outcome]:
    """One head of the full width against four heads of a quarter of it each (same parameters)."""
    return compare(config, {"1 head": {"heads": 1}, "4 heads": {"heads": 4}})


def context(config: TransformerConfig) -> dict[str, Outcome]:
    """A context of 8 characters against 64: how far back the model can look."""
    return compare(config, {"context 8": {"context": 8}, "context 64": {"context": 64}})


@dataclass(frozen=True)
class Writing:
    """What a sample at one temperature looks like, counted."""

    text: str
    known_words: float  # share of its words (letters only, lower case) that occur in the corpus
    distinct_words: float  # distinct words / words: low when it repeats itself


def words(text: str) -> list[str]:
    """The words of `text`: runs of letters and apostrophes, lower case."""
    return re.findall(r"[a-z']+", text.lower())


def temperature(job: TransformerJob, temperatures: tuple[float, ...], seed: int = 0) -> dict[float, Writing]:
    """Samples of a trained run at each temperature from the same prompt and seed, with their word counts:
    cold samples repeat the likeliest words, hot ones make words up."""
    vocabulary = set(words(corpus_text()))
    result = {}
    for t in temperatures:
        text = sample(job.model, job.alphabet, "\n", SAMPLE_LENGTH, t, seed)
        found = words(text)
        result[t] = Writing(
            text=text,
            known_words=sum(w in vocabulary for w in found) / max(len(found), 1),
            distinct_words=len(set(found)) / max(len(found), 1),
        )
    return result
