"""The Sentiment page's "Try this": experiments with the offline model's answers, checked by a test."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Experiment:
    """Something to type on the page and the label the offline model (minilm-sst2) gives each text."""

    text: str  # Markdown: what to do and what to expect
    labels: dict[str, str]  # text -> its label from the offline model


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "**Negation**: type *bad*, then *not bad*, then *not good*. The model answers NEGATIVE, POSITIVE, "
        "NEGATIVE: it reads the words together, not one by one.",
        {"bad": "NEGATIVE", "not bad": "POSITIVE", "not good": "NEGATIVE"},
    ),
    Experiment(
        "**What if**: in *a truly wonderful film*, replace *wonderful* by *terrible*: P(POSITIVE) falls from "
        "about 100 % to under 1 %, and the highlighted word changes colour.",
        {"a truly wonderful film": "POSITIVE", "a truly terrible film": "NEGATIVE"},
    ),
    Experiment(
        "**Outside the training data**: pick *Ce film est nul ! 😡* ('This film is rubbish!'). The model "
        "says POSITIVE with a high probability: a softmax probability is not a confidence that it is right.",
        {"Ce film est nul ! 😡": "POSITIVE"},
    ),
    Experiment(
        "**No words at all**: choose *Occlusion* for the text *good*. Its one word's score is P(good) minus "
        "P(no words), and the caption shows the model's P(POSITIVE) for [CLS] [SEP] alone: about 80 %, "
        "not 0.5. An empty input is not neutral to this model.",
        {"good": "POSITIVE"},
    ),
)


def try_this_markdown() -> str:
    """The experiments as a Markdown list."""
    return "\n".join(f"- {e.text}" for e in EXPERIMENTS)
