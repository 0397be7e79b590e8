"""Self-attention by hand equals torch's own attention with the same weights, step by step."""

import dataclasses
import math

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from core.transformer.attention import (
    MAX_TOKENS,
    AttentionInputError,
    AttentionSetup,
    draw_weights,
    order_test,
    per_head,
    row_worked_out,
    tokenize,
    torch_differences,
    trace_of,
)
from core.transformer.model import sinusoidal_positions

SETUPS = [
    AttentionSetup(),
    AttentionSetup(causal=False),
    AttentionSetup(text="hello world!", tokens="characters", width=16, heads=4, positions="learned", seed=3),
    AttentionSetup(text="attention", tokens="characters", width=4, heads=1, positions="none", causal=False),
    AttentionSetup(text="a b a b a b", width=12, heads=3, seed=7),
]


@pytest.mark.parametrize(
    "setup", SETUPS, ids=lambda s: f"{s.tokens}-d{s.width}-h{s.heads}-{s.positions}-{s.causal}"
)
def test_hand_attention_equals_torch_with_the_same_weights(setup):
    trace = trace_of(setup)
    w = draw_weights(setup, trace.tokens)
    h, d = setup.heads, setup.width
    x = trace.x[None]  # (1, T, d)
    q, k, v = (per_head(m, h)[None] for m in (x[0] @ w.w_q, x[0] @ w.w_k, x[0] @ w.w_v))
    sdpa = F.scaled_dot_product_attention(q, k, v, is_causal=setup.causal)[0]  # (h, T, d_k)
    assert (trace.heads - sdpa).abs().max() <= 1e-6

    mha = nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([w.w_q.T, w.w_k.T, w.w_v.T]))
        mha.out_proj.weight.copy_(w.w_o.T)
    T = len(trace.tokens)
    mask = nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.float64) if setup.causal else None
    out, weights = mha(x, x, x, attn_mask=mask, average_attn_weights=False)
    assert (trace.output - out[0]).abs().max() <= 1e-6
    assert (trace.weights - weights[0]).abs().max() <= 1e-6
    assert max(torch_differences(setup).values()) <= 1e-6  # what the page shows


def test_every_step_has_its_shape_and_meaning():
    setup = AttentionSetup(text="the cat sat on the mat", width=8, heads=2)
    trace = trace_of(setup)
    T = 6
    assert trace.tokens == ["the", "cat", "sat", "on", "the", "mat"]
    assert trace.embedded.shape == trace.x.shape == trace.q.shape == (T, 8)
    assert trace.scores.shape == trace.weights.shape == (2, T, T)
    assert trace.heads.shape == (2, T, 4) and trace.head_size == 4
    assert torch.equal(trace.embedded[0], trace.embedded[4])  # "the" twice: one token vector
    assert not torch.equal(trace.x[0], trace.x[4])  # but two positions
    assert torch.allclose(trace.x - trace.embedded, sinusoidal_positions(T, 8).double())
    assert torch.allclose(trace.weights.sum(-1), torch.ones(2, T, dtype=torch.float64))
    assert (trace.weights.triu(1) == 0).all()  # the causal mask: nothing from the future
    assert torch.isinf(trace.masked.triu(1)).sum() == 2 * T * (T - 1) / 2
    assert torch.allclose(trace.concat[:, 4:], trace.heads[1])
    w = draw_weights(setup, trace.tokens)
    assert torch.allclose(trace.output, trace.concat @ w.w_o)


def test_a_row_worked_out_is_the_row_of_the_matrices():
    trace = trace_of(AttentionSetup(text="one two three four", width=8, heads=2))
    head, i = 1, 2
    rows = row_worked_out(trace, head, i)
    q, k = per_head(trace.q, 2)[head], per_head(trace.k, 2)[head]
    for j, row in enumerate(rows):
        assert row["q_i · k_j"] == pytest.approx(float(q[i] @ k[j]))
        assert row["÷ √d_k"] == pytest.approx(float(q[i] @ k[j]) / math.sqrt(4))
        assert row["weight"] == pytest.approx(float(trace.weights[head, i, j]))
        assert (row["masked"] != "") == (j > i)
    exps = [r["e^(s − max)"] for r in rows]
    assert max(exps) == pytest.approx(1.0)
    assert [e / sum(exps) for e in exps] == pytest.approx([r["weight"] for r in rows])


def test_sinusoidal_positions_follow_the_paper():
    table = sinusoidal_positions(10, 6)
    for p in range(10):
        for i in range(3):
            angle = p / 10000 ** (2 * i / 6)
            assert table[p, 2 * i] == pytest.approx(math.sin(angle), abs=1e-6)
            assert table[p, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-6)


def test_without_positions_or_mask_attention_ignores_order():
    unmasked = order_test(AttentionSetup(causal=False))
    assert unmasked["none"] <= 1e-12  # a set: reversing the input only reverses the outputs
    assert unmasked["learned"] > 1e-2 and unmasked["sinusoidal"] > 1e-2
    masked = order_test(AttentionSetup(causal=True))
    assert masked["none"] > 1e-2  # the mask itself depends on order


def test_bad_inputs_get_one_line_each():
    with pytest.raises(AttentionInputError, match="empty"):
        tokenize("   ", "words")
    with pytest.raises(AttentionInputError, match=f"at most {MAX_TOKENS}"):
        tokenize("a b c d e f g h i j k l m", "words")
    assert len(tokenize("🙂 emoji 👍🏽", "characters")) == 10  # code points, the skin tone its own
    assert trace_of(AttentionSetup(text="🙂 ok 👍🏽", tokens="words")).tokens == ["🙂", "ok", "👍🏽"]
    with pytest.raises(AttentionInputError, match="does not split into 3 heads"):
        trace_of(AttentionSetup(width=8, heads=3))
    for bad in ({"width": 2}, {"heads": 5, "width": 10}, {"positions": "rope"}, {"tokens": "bytes"}):
        problems = dataclasses.replace(AttentionSetup(), **bad).errors()
        assert len(problems) == 1, problems
