"""Example texts for the Sentiment page, each with what a reader should know about it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExampleText:
    """A text to classify and a note on where it stands relative to the training data (empty: nothing)."""

    text: str
    note: str = ""


OUTSIDE_TRAINING = (
    "Outside the training data: every model here was fine-tuned on SST-2, English movie-review phrases. "
)

EXAMPLE_TEXTS: tuple[ExampleText, ...] = (
    ExampleText(
        "I've been waiting for a HuggingFace course my whole life.",
        'The Hugging Face course\'s first `pipeline("sentiment-analysis")` example.',
    ),
    ExampleText("I hate this so much!", "The course's second example."),
    ExampleText(
        "We are very happy to show you the 🤗 Transformers library.",
        "The 🤗 emoji is not in the uncased English vocabulary: the model reads it as [UNK].",
    ),
    ExampleText("The acting was wooden, but the soundtrack almost saved it."),
    ExampleText(
        "it 's a charming and often affecting journey .",
        "The first sentence of the SST-2 dev set, tokenised as SST-2 writes it: in-distribution text.",
    ),
    ExampleText(
        "Ce film est magnifique ! 😍",
        OUTSIDE_TRAINING + "French words are split into English word pieces (mag ##ni ##fi ##que) and 😍 "
        "becomes [UNK], so the label is not a meaningful judgement.",
    ),
    ExampleText(
        "Ce film est nul ! 😡",
        OUTSIDE_TRAINING + "'nul' means 'rubbish', yet the model says POSITIVE: it was never taught French.",
    ),
    ExampleText(
        "<script>alert('hi')</script> was not as scary as I hoped",
        "Shown as text, never run: the page escapes everything you type.",
    ),
)


def example_note(text: str) -> str:
    """The note of the example whose text is `text`; empty for any other text."""
    return next((e.note for e in EXAMPLE_TEXTS if e.text == text), "")
