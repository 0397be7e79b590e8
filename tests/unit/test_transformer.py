"""The Transformers page's GPT: the model against its definition, the corpus and the learner's text, the
training job, what the page reads from a paused model, and the figures."""

import dataclasses
import io
import math
import time

import numpy as np
import pytest
import torch
from PIL import Image
from torch.nn import functional as F

from core.rnn.text import MAX_CHARS, MAX_VOCAB, UNKNOWN, TextError
from core.runner import Runner
from core.transformer.config import MAX_CONTEXT, MAX_LAYERS, MAX_WIDTH, MIN_CONTEXT, TransformerConfig
from core.transformer.data import CORPUS_FILE, corpus_text, prepare
from core.transformer.figures import attention_maps_figure, generation_figure, loss_figure, loss_picture
from core.transformer.inside import generate, prompt_maps, sample, usable_prompt
from core.transformer.job import EVAL_EVERY, TransformerJob
from core.transformer.model import GPT, GPTConfig

SMALL = TransformerConfig(layers=2, heads=2, width=32, context=32, batch=8)


def small_model(**changes) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=20, context=16, layers=2, heads=2, width=16, **changes)).eval()


def test_attention_weights_are_what_the_block_uses():
    model = small_model()
    attn = model.blocks[0].attn
    x = torch.randn(3, 10, 16)
    weights = attn.weights(x)  # (B, h, T, T)
    _, _, v = attn.split_heads(x)
    by_hand = (weights @ v).transpose(1, 2).reshape(3, 10, 16)  # heads side by side
    assert torch.allclose(attn(x), attn.c_proj(by_hand), atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(3, 2, 10), atol=1e-6)
    assert (weights.triu(1) == 0).all()
    idx = torch.randint(0, 20, (2, 12))
    logits, maps = model.attention_maps(idx)
    assert torch.allclose(logits, model(idx)[0], atol=1e-6) and maps.shape == (2, 2, 2, 12, 12)


def test_the_causal_mask_hides_the_future_and_without_it_the_future_leaks():
    idx = torch.randint(0, 20, (1, 12))
    changed = idx.clone()
    changed[0, -1] = (idx[0, -1] + 1) % 20  # only the last character differs
    for causal in (True, False):
        model = small_model(causal=causal)
        before, after = model(idx)[0], model(changed)[0]
        earlier_moved = (before[0, :-1] - after[0, :-1]).abs().max().item()
        assert (earlier_moved < 1e-6) == causal, (causal, earlier_moved)


def test_the_loss_is_the_cross_entropy_and_the_head_shares_the_embedding():
    model = small_model()
    idx, targets = torch.randint(0, 20, (4, 16)), torch.randint(0, 20, (4, 16))
    logits, loss = model(idx, targets)
    assert loss.item() == pytest.approx(F.cross_entropy(logits.reshape(-1, 20), targets.reshape(-1)).item())
    assert model.lm_head.weight is model.wte.weight
    C, L, V, T = 16, 2, 20, 16  # 12C² + 2C per block, one C for the last LayerNorm, V·C tied, T·C positions
    assert sum(p.numel() for p in model.parameters()) == L * (12 * C * C + 2 * C) + C + V * C + T * C
    assert loss.item() == pytest.approx(math.log(V), abs=0.05)  # small initial weights: a uniform guess


def test_positions_none_and_sinusoidal_have_no_position_parameters():
    learned, sinusoidal, none = (small_model(positions=p) for p in ("learned", "sinusoidal", "none"))
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(learned) - count(sinusoidal) == 16 * 16 and count(sinusoidal) == count(none)
    idx = torch.randint(0, 20, (1, 8))
    assert not torch.allclose(sinusoidal(idx)[0], none(idx)[0])


def test_the_corpus_is_a_megabyte_of_shakespeare_with_its_notice():
    text = corpus_text()
    assert 1_000_000 <= len(text) <= 1_100_000 and text.isascii()
    assert "To be, or not to be" in text and "Exeunt" in text
    assert "Gutenberg" not in text  # the package removed the Gutenberg header and licence
    prepared = prepare("shakespeare", "", 64)
    assert len(prepared.text) == len(text) and len(prepared.alphabet) == 76 and not prepared.notes
    notice = (CORPUS_FILE.parent / "NOTICE.md").read_text()
    assert (
        "public domain" in notice
        and "Open Shakespeare" in notice
        and "shakespeare 0.6" in notice.replace("`", "")
    )


def test_the_learners_text_gets_the_rnn_pages_limits_one_line_each():
    for text, message in (("", "empty"), ("aaaa", "one distinct character"), ("ab" * 10, "context of 64")):
        with pytest.raises(TextError, match=message) as caught:
            prepare("yours", text, 64)
        assert "\n" not in str(caught.value)
    long = prepare("yours", "to be or not " * 20_000, 64)
    assert len(long.text) == MAX_CHARS and any("only the first" in n for n in long.notes)
    emoji = prepare("yours", "I 🙂 Shakespeare 👍🏽, the end. " * 10, 64)
    assert any("non-ASCII" in n for n in emoji.notes) and "🙂" in emoji.alphabet
    many = "".join(chr(0x4E00 + i) for i in range(300)) * 2
    odd = prepare("yours", many, 8)
    assert len(odd.alphabet) == MAX_VOCAB and UNKNOWN in odd.alphabet


def test_config_errors_name_the_setting():
    assert TransformerConfig().errors() == []
    cases = {
        "does not split into 5 heads": {"heads": 5, "width": 96},
        "Layers": {"layers": MAX_LAYERS + 1},
        "Width": {"width": MAX_WIDTH + 8},
        "Context": {"context": MIN_CONTEXT - 1},
        "Dropout": {"dropout": 0.9},
        "Unknown positions": {"positions": "rope"},
        "Unknown text": {"source": "web"},
        "Learning rate": {"lr": 0.0},
    }
    for words, bad in cases.items():
        problems = dataclasses.replace(TransformerConfig(), **bad).errors()
        assert len(problems) == 1 and words in problems[0], (bad, problems)


def test_the_job_learns_and_measures_on_held_out_text():
    job = TransformerJob(dataclasses.replace(SMALL, steps=60, lr=0.003))
    assert job.held_out and len(job.val_codes) > 0.19 * len(job.text)
    assert job.val_losses[0] == pytest.approx(math.log(len(job.alphabet)), abs=0.1)
    while not job.done:
        job.train_for(1.0)
    snap = job.snapshot()
    assert snap.step == 60 and list(snap.eval_steps) == [0, 25, 50, 60]
    assert snap.val_losses[-1] < snap.val_losses[0] - 0.8  # well below the uniform guess
    assert np.mean(snap.losses[-10:]) < np.mean(snap.losses[:10])


def test_a_seeded_run_repeats_exactly_with_dropout_whatever_else_draws():
    config = dataclasses.replace(SMALL, steps=6, dropout=0.2, source="yours", text="to be or not to be " * 40)
    runs = []
    for _ in range(2):
        job = TransformerJob(config)
        for _ in range(6):
            torch.rand(100)  # another session drawing from the global generator between steps
            job.step()
        runs.append(job.losses)
    assert runs[0] == runs[1]
    assert not job.held_out  # 760 characters: too short to hold out blocks of 256, validated on the text


def test_live_learning_rate_and_a_non_finite_loss():
    job = TransformerJob(dataclasses.replace(SMALL, steps=3))
    job.set_lr(0.01)
    job.step()
    assert job.snapshot().live_changed and job.snapshot().lr == 0.01
    with torch.no_grad():
        job.model.ln_f.weight.fill_(float("nan"))
    job.step()
    assert job.diverged and job.done and job.train_for(1.0) == 0


@pytest.mark.parametrize(
    "changes", [{"context": MAX_CONTEXT, "layers": 1}, {"context": MIN_CONTEXT, "heads": 8}]
)
def test_jobs_run_at_the_widget_limits(changes):
    job = TransformerJob(dataclasses.replace(SMALL, **changes, width=64, batch=2))
    job.step()
    assert np.isfinite(job.snapshot().losses).all()


def test_job_trains_through_the_runner():
    runner = Runner(TransformerJob(dataclasses.replace(SMALL, steps=100_000)))
    try:
        runner.play()
        deadline = time.monotonic() + 60
        while runner.read(lambda job: job.steps) < 10 and time.monotonic() < deadline:
            runner.heartbeat()
            time.sleep(0.05)
        runner.pause()
        steps = runner.read(lambda job: job.steps)
        assert steps >= 10 and not runner.playing
        time.sleep(0.2)
        assert runner.read(lambda job: job.steps) == steps
        runner.step()
        assert runner.read(lambda job: job.snapshot().step) == steps + 1
    finally:
        runner.close()


def test_generation_keeps_what_each_character_attended_to():
    job = TransformerJob(dataclasses.replace(SMALL, steps=EVAL_EVERY))
    made = generate(job.model, job.alphabet, "Ham.\nTo be", 40, 1.0, 0)
    assert made.written == sample(job.model, job.alphabet, "Ham.\nTo be", 40, 1.0, 0)
    assert made.prompt == "Ham.\nTo be" and len(made.written) == 40 and len(made.reads) == 40
    for k, (context, reads) in enumerate(zip(made.contexts, made.reads, strict=True)):
        assert (
            context == (made.prompt + made.written)[max(0, len(made.prompt) + k - 32) : len(made.prompt) + k]
        )
        assert reads.shape == (2, 2, len(context)) and np.allclose(reads.sum(-1), 1.0, atol=1e-5)
    assert all(0 < p <= 1 for p in made.probabilities)
    cold = sample(job.model, job.alphabet, "Ham.", 30, 0.01, 1)
    assert cold == sample(job.model, job.alphabet, "Ham.", 30, 0.01, 2)  # greedy: the seed no longer matters
    read, maps = prompt_maps(job.model, job.alphabet, "€" + "x" * 40)
    assert read == "x" * 32 and maps.shape == (2, 2, 32, 32)
    assert usable_prompt("€€", job.alphabet, 32) == job.alphabet[0]


def test_figures_draw_every_map_and_the_loss():
    maps = np.random.default_rng(0).dirichlet(np.ones(5), size=(2, 3, 5))  # (L, h, T, T) rows sum to 1
    fig = attention_maps_figure(maps, list("ab ab"))
    assert len(fig.data) == 6 and fig.data[0].x == ("0 a", "1 b", "2 ␣", "3 a", "4 b")
    assert "attends to" in fig.data[0].hovertemplate and fig.layout.annotations[5].text == "layer 2, head 3"
    fig = generation_figure(list("abc"), maps[:, :, 0, :3], "d")
    assert fig.data[0].z.shape == (6, 3)
    losses = np.linspace(4.3, 2.0, 200)
    fig = loss_figure(losses, np.array([0, 100, 200]), np.array([4.3, 2.5, 2.1]), math.log(76))
    assert [t.name for t in fig.data][1:] == ["validation loss", "uniform guess: ln V"]
    assert fig.data[2].y == (math.log(76), math.log(76))
    png = loss_picture(losses, np.array([0, 100, 200]), np.array([4.3, 2.5, 2.1]), math.log(76), 320, 200)
    picture = np.asarray(Image.open(io.BytesIO(png)))
    assert picture.shape == (200, 320, 3) and picture.std() > 10
    empty = loss_picture(np.array([]), np.array([0]), np.array([4.3]), math.log(76), 320, 200)
    assert Image.open(io.BytesIO(empty)).size == (320, 200)
