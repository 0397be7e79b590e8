"""The Transformers page's Try-this experiments give the results the page states."""

from core.transformer import experiments
from core.transformer.config import TransformerConfig

# A one-layer, one-head model: it finds the look-ahead within a few hundred steps, in seconds.
TINY = TransformerConfig(layers=1, heads=1, width=32, context=16, lr=0.01, steps=300)


def test_without_the_causal_mask_the_training_loss_collapses_but_writing_gets_worse():
    runs = experiments.causal_mask(TINY)
    masked, unmasked = runs["with the mask"], runs["without the mask"]
    assert masked.steps == unmasked.steps == 300
    # Every position sees its own target: the loss falls far below what predicting can reach.
    assert unmasked.train_loss < 0.5 * masked.train_loss, (unmasked, masked)
    assert unmasked.val_loss < 0.5 * masked.val_loss  # held-out text is no help: it sees the answer there too
    # The last position has no future to copy: there, the model without the mask is the worse predictor.
    assert unmasked.last_position_loss > masked.last_position_loss + 0.2, (unmasked, masked)


def test_temperature_counts_words():
    job = experiments.train(TransformerConfig(layers=1, heads=2, width=32, context=32, steps=150, lr=0.01))
    writing = experiments.temperature(job, (0.2, 1.5))
    assert set(writing) == {0.2, 1.5}
    for w in writing.values():
        assert len(w.text) == experiments.SAMPLE_LENGTH
        assert 0 <= w.known_words <= 1 and 0 < w.distinct_words <= 1
    assert experiments.words("To be, or NOT to be: 'tis") == ["to", "be", "or", "not", "to", "be", "'tis"]
