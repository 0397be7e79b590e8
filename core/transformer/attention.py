"""Self-attention by hand on a short input, every step a tensor of its own: token embedding + positional
encoding -> Q = X W_Q, K = X W_K, V = X W_V -> scores Q Kᵀ / √d_k -> causal mask -> row softmax -> weights × V
-> heads side by side -> W_O. The tests hold it against F.scaled_dot_product_attention and
nn.MultiheadAttention with the same weights."""

import dataclasses
import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from core.transformer.model import POSITIONS, sinusoidal_positions

TOKENIZERS = ("characters", "words")
MAX_TOKENS = 12
MIN_WIDTH, MAX_WIDTH = 4, 16
MAX_HEADS = 4
# float64 throughout: the differences from torch's own attention are then rounding of the 16th digit, not
# float32's 7th, so a difference shows a wrong formula and nothing else.
DTYPE = torch.float64


class AttentionInputError(ValueError):
    """An input the by-hand attention cannot take; the message is one line for the visitor."""


@dataclass(frozen=True)
class AttentionSetup:
    """The input, its size and the seed of every weight."""

    text: str = "the cat sat on the mat"
    tokens: str = "words"  # one of TOKENIZERS
    width: int = 8  # d: every token's vector size
    heads: int = 2  # the width splits into heads of d_k = width / heads
    positions: str = "sinusoidal"  # one of core.transformer.model.POSITIONS
    causal: bool = True  # mask what comes after each token
    seed: int = 0

    def errors(self) -> list[str]:
        """One line per setting the page does not allow."""
        problems = []
        if self.tokens not in TOKENIZERS:
            problems.append(f"Unknown tokens {self.tokens!r}: choose one of {', '.join(TOKENIZERS)}.")
        if self.positions not in POSITIONS:
            problems.append(f"Unknown positions {self.positions!r}: choose one of {', '.join(POSITIONS)}.")
        if not MIN_WIDTH <= self.width <= MAX_WIDTH:
            problems.append(f"The width d must be between {MIN_WIDTH} and {MAX_WIDTH}.")
        if not 1 <= self.heads <= MAX_HEADS:
            problems.append(f"Heads must be between 1 and {MAX_HEADS}.")
        elif self.width % self.heads:
            problems.append(
                f"The width d = {self.width} does not split into {self.heads} heads: choose a multiple of "
                f"{self.heads}."
            )
        return problems


def tokenize(text: str, kind: str) -> list[str]:
    """The tokens of `text`: its characters, or its words (split at white space). Raises
    AttentionInputError when there are none or more than MAX_TOKENS."""
    tokens = list(text) if kind == "characters" else text.split()
    if not tokens:
        raise AttentionInputError("The input is empty: type a few words or characters.")
    if len(tokens) > MAX_TOKENS:
        raise AttentionInputError(
            f"The input has {len(tokens)} {kind}; by hand takes at most {MAX_TOKENS}: shorten it."
        )
    return tokens


@dataclass(frozen=True)
class AttentionWeights:
    """Everything the attention layer is made of, drawn from one seed."""

    vocabulary: list[str]  # the distinct tokens, in order of first appearance: row i of `embedding`
    embedding: torch.Tensor  # (V, d) one vector per distinct token
    positions: torch.Tensor  # (T, d) added to the token vectors; zeros without positions
    w_q: torch.Tensor  # (d, d): Q = X W_Q
    w_k: torch.Tensor  # (d, d)
    w_v: torch.Tensor  # (d, d)
    w_o: torch.Tensor  # (d, d): output = concat(heads) W_O


def draw_weights(setup: AttentionSetup, tokens: list[str]) -> AttentionWeights:
    """Seeded weights for `tokens`: token vectors ~ N(0, 1), matrices ~ N(0, 1/d); learned positions are
    random too (training would change them), sinusoidal ones are the fixed table."""
    gen = torch.Generator().manual_seed(setup.seed)
    vocabulary = list(dict.fromkeys(tokens))
    d, T = setup.width, len(tokens)
    embedding = torch.randn(len(vocabulary), d, generator=gen, dtype=DTYPE)
    w_q, w_k, w_v, w_o = (torch.randn(d, d, generator=gen, dtype=DTYPE) / math.sqrt(d) for _ in range(4))
    learned = torch.randn(T, d, generator=gen, dtype=DTYPE)
    positions = {
        "learned": learned,
        "sinusoidal": sinusoidal_positions(T, d).to(DTYPE),
        "none": torch.zeros(T, d, dtype=DTYPE),
    }[setup.positions]
    return AttentionWeights(vocabulary, embedding, positions, w_q, w_k, w_v, w_o)


@dataclass(frozen=True)
class AttentionTrace:
    """Every intermediate of one attention layer on one input, by hand."""

    tokens: list[str]
    embedded: torch.Tensor  # (T, d) each token's row of the embedding
    x: torch.Tensor  # (T, d) embedded + positions: what the layer reads
    q: torch.Tensor  # (T, d) X W_Q
    k: torch.Tensor  # (T, d)
    v: torch.Tensor  # (T, d)
    scores: torch.Tensor  # (h, T, T) Q_h K_hᵀ / √d_k
    masked: torch.Tensor  # (h, T, T) scores with −∞ above the diagonal (causal), else the scores
    weights: torch.Tensor  # (h, T, T) row softmax of `masked`: each row sums to 1
    heads: torch.Tensor  # (h, T, d_k) weights × V_h
    concat: torch.Tensor  # (T, d) the heads side by side
    output: torch.Tensor  # (T, d) concat W_O

    @property
    def head_size(self) -> int:
        """d_k: the width of one head."""
        return self.heads.shape[-1]


def per_head(m: torch.Tensor, heads: int) -> torch.Tensor:
    """(T, d) -> (h, T, d_k): head j gets columns j·d_k … (j+1)·d_k − 1."""
    T, d = m.shape
    return m.view(T, heads, d // heads).transpose(0, 1)


def row_softmax(scores: torch.Tensor) -> torch.Tensor:
    """softmax along the last axis written out: e^(s − max s) / Σ e^(s − max s); −∞ becomes 0."""
    e = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)


@torch.no_grad()
def attend(tokens: list[str], w: AttentionWeights, heads: int, causal: bool) -> AttentionTrace:
    """Multi-head self-attention on `tokens` with the weights `w`, one named step at a time."""
    index = {t: i for i, t in enumerate(w.vocabulary)}
    embedded = w.embedding[[index[t] for t in tokens]]  # (T, d)
    x = embedded + w.positions  # (T, d)
    q, k, v = x @ w.w_q, x @ w.w_k, x @ w.w_v  # (T, d) each
    qh, kh, vh = per_head(q, heads), per_head(k, heads), per_head(v, heads)  # (h, T, d_k)
    scores = qh @ kh.transpose(1, 2) / math.sqrt(qh.shape[-1])  # (h, T, T)
    T = len(tokens)
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # True above the diagonal
    masked = scores.masked_fill(future, float("-inf")) if causal else scores
    weights = row_softmax(masked)  # (h, T, T)
    out = weights @ vh  # (h, T, d_k)
    concat = out.transpose(0, 1).reshape(T, -1)  # (T, d)
    return AttentionTrace(tokens, embedded, x, q, k, v, scores, masked, weights, out, concat, concat @ w.w_o)


def trace_of(setup: AttentionSetup) -> AttentionTrace:
    """The by-hand attention of `setup`'s input. Raises AttentionInputError for an input it cannot take."""
    problems = setup.errors()
    if problems:
        raise AttentionInputError(problems[0])
    tokens = tokenize(setup.text, setup.tokens)
    return attend(tokens, draw_weights(setup, tokens), setup.heads, setup.causal)


@torch.no_grad()
def torch_differences(setup: AttentionSetup) -> dict[str, float]:
    """The largest |hand − torch| of the head outputs against F.scaled_dot_product_attention, and of the
    layer's output and attention weights against nn.MultiheadAttention holding the same weights."""
    tokens = tokenize(setup.text, setup.tokens)
    w = draw_weights(setup, tokens)
    trace = attend(tokens, w, setup.heads, setup.causal)
    h, d = setup.heads, setup.width
    q, k, v = (per_head(m, h)[None] for m in (trace.q, trace.k, trace.v))  # (1, h, T, d_k)
    sdpa = F.scaled_dot_product_attention(q, k, v, is_causal=setup.causal)[0]  # (h, T, d_k)
    mha = nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=DTYPE)
    # nn.Linear computes x Wᵀ, so each of its weights is the transpose of the matrix used here.
    mha.in_proj_weight.copy_(torch.cat([w.w_q.T, w.w_k.T, w.w_v.T]))
    mha.out_proj.weight.copy_(w.w_o.T)
    T = len(tokens)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1) if setup.causal else None
    out, weights = mha(
        trace.x[None], trace.x[None], trace.x[None], attn_mask=mask, average_attn_weights=False
    )
    return {
        "F.scaled_dot_product_attention": (trace.heads - sdpa).abs().max().item(),
        "nn.MultiheadAttention output": (trace.output - out[0]).abs().max().item(),
        "nn.MultiheadAttention weights": (trace.weights - weights[0]).abs().max().item(),
    }


def row_worked_out(trace: AttentionTrace, head: int, i: int) -> list[dict[str, object]]:
    """Token i's row in one head, term by term: for every token j its score q_i·k_j / √d_k, whether the
    mask hides it, e^(s − max), the softmax weight and the weight's share of v_j."""
    scores, masked, weights = trace.scores[head, i], trace.masked[head, i], trace.weights[head, i]
    top = masked.max()
    rows = []
    for j, token in enumerate(trace.tokens):
        hidden = bool(torch.isinf(masked[j]))
        rows.append(
            {
                "j": j,
                "token j": token,
                "q_i · k_j": float(scores[j] * math.sqrt(trace.head_size)),
                "÷ √d_k": float(scores[j]),
                "masked": "−∞ (future)" if hidden else "",
                "e^(s − max)": 0.0 if hidden else float(torch.exp(masked[j] - top)),
                "weight": float(weights[j]),
            }
        )
    return rows


@torch.no_grad()
def order_test(setup: AttentionSetup) -> dict[str, float]:
    """Does the output depend on the order of the tokens? The input reversed: for each position kind, the
    largest difference between a token's output in the original and in the reversed input. Without
    positions and without the mask, attention treats its input as a set: the difference is rounding."""
    tokens = tokenize(setup.text, setup.tokens)
    result = {}
    for positions in POSITIONS:
        w = draw_weights(dataclasses.replace(setup, positions=positions), tokens)
        forward = attend(tokens, w, setup.heads, setup.causal).output  # (T, d)
        backward = attend(tokens[::-1], w, setup.heads, setup.causal).output.flip(0)  # token i at row i again
        result[positions] = (forward - backward).abs().max().item()
    return result
