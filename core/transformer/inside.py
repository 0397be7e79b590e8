"""Looking inside a trained GPT: the attention maps of every layer and head for a prompt, and writing text
one character at a time while keeping what the model read to write each one."""

from dataclasses import dataclass

import numpy as np
import torch

from core.transformer.model import GPT


def encode(text: str, alphabet: str) -> list[int]:
    """`text` as codes of `alphabet`; characters the model never saw are left out."""
    index = {c: i for i, c in enumerate(alphabet)}
    return [index[c] for c in text if c in index]


def usable_prompt(prompt: str, alphabet: str, context: int) -> str:
    """What the model can read of `prompt`: its known characters, the last `context` of them, or the
    alphabet's first character when none is left."""
    known = "".join(c for c in prompt if c in alphabet)
    return known[-context:] or alphabet[0]


@torch.no_grad()
def prompt_maps(model: GPT, alphabet: str, prompt: str) -> tuple[str, np.ndarray]:
    """The prompt as read and the attention weights of every layer and head on it: (L, h, T, T)."""
    model.eval()
    text = usable_prompt(prompt, alphabet, model.config.context)
    _, maps = model.attention_maps(torch.tensor([encode(text, alphabet)]))  # (L, 1, h, T, T)
    return text, maps[:, 0].numpy()


@dataclass(frozen=True)
class Generation:
    """Text written after a prompt, and for each new character what the model read to write it."""

    prompt: str
    written: str
    contexts: list[str]  # the characters the model saw when it wrote character k (at most `context`)
    reads: list[np.ndarray]  # (L, h, len(contexts[k])): the last position's attention weights
    probabilities: list[float]  # the probability the model gave the character it wrote


@torch.no_grad()
def generate(
    model: GPT, alphabet: str, prompt: str, length: int, temperature: float, seed: int
) -> Generation:
    """`length` characters after `prompt`, each drawn from softmax(logits / temperature) of the last
    position (like GPT.generate with a generator seeded by `seed`), keeping that position's attention over
    the context in every layer and head: what the new character was written from."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    start = usable_prompt(prompt, alphabet, model.config.context)
    idx = torch.tensor([encode(start, alphabet)])  # (1, T)
    contexts, reads, probabilities = [], [], []
    for _ in range(length):
        window = idx[:, -model.config.context :]  # (1, T')
        logits, maps = model.attention_maps(window)  # (1, T', V), (L, 1, h, T', T')
        probs = torch.softmax(logits[0, -1] / temperature, dim=-1)  # (V,)
        code = torch.multinomial(probs, 1, generator=gen)  # (1,)
        contexts.append("".join(alphabet[c] for c in window[0].tolist()))
        reads.append(maps[:, 0, :, -1].numpy())  # (L, h, T')
        probabilities.append(float(probs[code]))
        idx = torch.cat([idx, code[None]], dim=1)
    written = "".join(alphabet[c] for c in idx[0, len(start) :].tolist())
    return Generation(start, written, contexts, reads, probabilities)


@torch.no_grad()
def sample(model: GPT, alphabet: str, prompt: str, length: int, temperature: float, seed: int) -> str:
    """`length` characters written after `prompt` at `temperature` (GPT.generate, seeded)."""
    model.eval()
    start = usable_prompt(prompt, alphabet, model.config.context)
    idx = torch.tensor([encode(start, alphabet)])
    out = model.generate(idx, length, temperature, torch.Generator().manual_seed(seed))
    return "".join(alphabet[c] for c in out[0, len(start) :].tolist())
