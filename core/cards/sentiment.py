"""The Sentiment page's prediction cards: the offline model (MiniLM fine-tuned on SST-2) on a few texts."""

from functools import cache

from core.cards.card import Card, Numbers
from core.text import registry
from core.text.attributions import edit_word, empty_text_probability, occlusion
from core.text.classifier import SentimentClassifier

OFFLINE = "minilm-sst2"  # the model that ships with the app
FRENCH = "Ce film est nul ! 😡"


@cache
def model() -> SentimentClassifier:
    """The offline model, loaded once per process."""
    return registry.load_model(registry.get_model(OFFLINE))


def settings(text: str, view: str = "Single text", **more: object) -> dict[str, object]:
    """The page's widgets for `text` in `view`, on the offline model."""
    return {"sent_model": OFFLINE, "sent_view": view, "sent_text": text, **more}


def negation() -> Numbers:
    """The labels of *bad*, *not bad* and *not good*, and P(POSITIVE) of *not bad*."""
    bad, not_bad, not_good = model().predict(["bad", "not bad", "not good"])
    return {
        "bad": bad.label,
        "not_bad": not_bad.label,
        "not_good": not_good.label,
        "p": 100 * not_bad.positive,
    }


def negation_rule(n: Numbers) -> int:
    """'not bad' NEGATIVE (0), POSITIVE while 'bad' and 'not good' are NEGATIVE (1), anything else (2)."""
    if n["not_bad"] == "NEGATIVE":
        return 0
    return 1 if n["bad"] == n["not_good"] == "NEGATIVE" else 2


WONDERFUL = "a truly wonderful film"


def what_if() -> Numbers:
    """P(POSITIVE) before and after *wonderful* becomes *terrible* (word 3 of 4)."""
    before, after = model().predict([WONDERFUL, edit_word(WONDERFUL, 2, "terrible")])
    return {"before": 100 * before.positive, "after": 100 * after.positive, "label": after.label}


def what_if_rule(n: Numbers) -> int:
    """Under 1 % (0), from 1 to 90 % (1), above 90 % (2)."""
    return 0 if n["after"] < 1 else 1 if n["after"] <= 90 else 2


def french() -> Numbers:
    """The label and its probability for the French insult."""
    (result,) = model().predict([FRENCH])
    return {"label": result.label, "p": 100 * result.score}


def french_rule(n: Numbers) -> int:
    """NEGATIVE (0), POSITIVE above 75 % (1), or a label below 75 % (2)."""
    if n["p"] < 75:
        return 2
    return 0 if n["label"] == "NEGATIVE" else 1


def empty() -> Numbers:
    """P(POSITIVE) of no words at all ([CLS] [SEP]), and occlusion's score of *good*."""
    result = occlusion(model(), "good")
    return {
        "empty": 100 * empty_text_probability(model()),
        "good": 100 * result.positive,
        "score": result.word_scores[0],
    }


def empty_rule(n: Numbers) -> int:
    """Near 50 % (0: 40–60), well above (1: over 60), well below (2: under 40)."""
    return 0 if 40 <= n["empty"] <= 60 else 1 if n["empty"] > 60 else 2


CARDS = (
    Card(
        name="sentiment-negation",
        page="sentiment",
        question="*bad* is NEGATIVE. What does the model say to ***not bad***?",
        answers=("NEGATIVE: it sees the word bad", "POSITIVE: it reads the words together", "Neither, 50/50"),
        settings=settings("not bad"),
        run=negation,
        rule=negation_rule,
        note="*not bad* is **{not_bad}** (P(POSITIVE) = {p:.0f} %), while *bad* is {bad} and *not good* "
        "{not_good}: self-attention lets every token's representation depend on its neighbours, so *not* "
        "changes what *bad* means here.",
        explains=1,
    ),
    Card(
        name="sentiment-what-if",
        page="sentiment",
        question="**What if**: in *a truly wonderful film*, replace *wonderful* by ***terrible***. "
        "P(POSITIVE) becomes…",
        answers=("under 1 %", "somewhere between 1 % and 90 %", "still above 90 %: it is one word of four"),
        settings=settings(WONDERFUL, "What if", sent_word=2, sent_replacement="terrible"),
        run=what_if,
        rule=what_if_rule,
        note="From **{before:.2f} %** to **{after:.2f} %** ({label}): one word carries the sentiment of this "
        "sentence, and the highlighted word changes colour.",
        explains=0,
    ),
    Card(
        name="sentiment-french",
        page="sentiment",
        question=f"*{FRENCH}* is French for 'This film is rubbish!'. The model, trained on English reviews, "
        "says…",
        answers=("NEGATIVE", "POSITIVE, with a high probability", "Either, at about 50 %: it cannot read it"),
        settings=settings(FRENCH),
        run=french,
        rule=french_rule,
        note="**{label} at {p:.0f} %**. The text is far from its training data (French words split into "
        "pieces or read as English ones, the emoji an unknown token), and softmax still gives one class "
        "most of the mass: a high probability is not a sign that the model is right.",
        explains=1,
    ),
    Card(
        name="sentiment-empty",
        page="sentiment",
        question="Choose **Occlusion** for the text *good*: its one word's score is P(good) minus P(no words "
        "at all). What P(POSITIVE) does the model give **no words** ([CLS] [SEP] alone)?",
        answers=("About 50 %: neutral", "Well above 50 %", "Well below 50 %"),
        settings=settings("good", sent_method="Occlusion (delete each word)"),
        run=empty,
        rule=empty_rule,
        note="**{empty:.1f} %**, not 50 %; *good* itself gets {good:.2f} %, so the word's occlusion score is "
        "only {score:+.3f}. An empty input is not neutral to this model: attributions measured against it "
        "inherit its lean.",
        explains=1,
    ),
)
