"""Text for the character-level language model: the app's default text, and turning pasted text into
character codes with one clear line for each thing that was changed."""

from collections import Counter
from dataclasses import dataclass

import torch

MAX_CHARS = 100_000  # pasted text beyond this is cut off: a few minutes of training never sees more
MAX_VOCAB = 96  # distinct characters kept; rarer ones become UNKNOWN (the one-hot input grows with it)
UNKNOWN = "\ufffd"  # stands for every character beyond MAX_VOCAB

# Written for this app: short lines, a small alphabet and plenty of repeated words, so that a small model
# learns words and line shapes within a minute or two.
DEFAULT_TEXT = """\
the network reads one letter at a time.
it keeps a hidden state, a small vector of numbers,
and every new letter changes the state a little.
the state is all it remembers of the past.

the network reads the letter t and the state says: a word has begun.
the network reads the letter h and the state says: maybe the, maybe that.
the network reads the letter e and the state says: the word the is done.

a recurrent network uses the same weights at every step.
it adds what it sees to what it remembers, then squashes the sum with tanh.
what it remembers fades a little at every step,
and what it learned long ago fades the most.

the gradient flows back through time, step after step,
and at every step it is multiplied by the same weights.
if the weights are small, the gradient fades away.
if the weights are large, the gradient grows and explodes.
clipping the gradient keeps the explosion small.

the long short-term memory keeps a cell beside the state.
a forget gate decides what the cell keeps,
an input gate decides what the cell takes in,
and an output gate decides what the cell shows.
when the forget gate stays open, the memory stays for a long time,
and the gradient flows back without fading.

the gated recurrent unit has two gates and no cell.
an update gate mixes the old state with the new one,
and a reset gate decides how much of the past to read.

the network reads the text again and again.
at first it writes letters at random.
then it learns that a space comes after a word,
that a line ends with a full stop,
that the letter q is rare and the letter e is everywhere.
then it learns short words: the, a, it, and, of.
then it learns longer words: network, gradient, memory.
at last it writes lines that look like the text,
though they do not always make sense.

the temperature decides how bold the network is when it writes.
a low temperature picks the likely letter every time and repeats itself.
a high temperature picks unlikely letters and writes nonsense.
a temperature of one samples the letters as the network predicts them.

the perplexity says how surprised the network is by the next letter.
a perplexity of thirty means it is as unsure as a choice among thirty letters.
a perplexity of two means it is as unsure as a coin toss.
"""


@dataclass(frozen=True)
class PreparedText:
    """Text ready for the character model: the text itself, its alphabet, and notes on what changed."""

    text: str
    alphabet: str  # the distinct characters, sorted: a character's code is its index here
    notes: tuple[str, ...]  # one line each: truncation, non-ASCII, rare characters replaced

    def encode(self) -> torch.Tensor:
        """The text as character codes, (N,) int64."""
        index = {c: i for i, c in enumerate(self.alphabet)}
        return torch.tensor([index[c] for c in self.text], dtype=torch.long)


class TextError(ValueError):
    """Text a character model cannot learn from; the message is one line for the visitor."""


def prepare_text(text: str, min_chars: int) -> PreparedText:
    """Cut `text` to MAX_CHARS and its alphabet to MAX_VOCAB characters; raise TextError when it is too short
    to give one training window of `min_chars` characters or has fewer than two distinct characters."""
    notes = []
    if len(text) > MAX_CHARS:
        notes.append(f"The text has {len(text):,} characters; only the first {MAX_CHARS:,} are used.")
        text = text[:MAX_CHARS]
    if not text:
        raise TextError("The text is empty: paste some text (or reset it to the default).")
    if len(set(text)) < 2:
        raise TextError(
            f"The text has only one distinct character ({text[0]!r}): there is nothing to predict."
        )
    if len(text) < min_chars:
        raise TextError(
            f"The text has {len(text)} characters; a training window of this sequence length needs at "
            f"least {min_chars}: paste more text or shorten the sequence length."
        )
    non_ascii = sorted({c for c in text if not c.isascii()})
    if non_ascii:
        shown = "".join(non_ascii[:10]) + ("…" if len(non_ascii) > 10 else "")
        notes.append(f"{len(non_ascii)} non-ASCII characters ({shown}) are kept as characters of their own.")
    counts = Counter(text)
    if len(counts) > MAX_VOCAB:
        kept = {c for c, _ in counts.most_common(MAX_VOCAB - 1)}
        notes.append(
            f"The text has {len(counts)} distinct characters; the {len(counts) - len(kept)} rarest become "
            f"{UNKNOWN} so the model keeps {MAX_VOCAB} inputs and outputs."
        )
        text = "".join(c if c in kept else UNKNOWN for c in text)
    return PreparedText(text, "".join(sorted(set(text))), tuple(notes))
