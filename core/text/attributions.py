"""Why the model said what it said: per-word attributions (Integrated Gradients, occlusion), attention maps,
and the word edits of the what-if view.

Everything is attributed to P(POSITIVE), so red always pushes towards positive and blue towards negative,
whatever the predicted label. Integrated Gradients runs captum on a plain function of the input embeddings
rather than hooking the model's embedding layer: the loaded model is shared by every user of the server and
must never be modified, not even for the duration of one explanation.
"""

import re
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import IntegratedGradients

from core.text.classifier import SentimentClassifier, text_problem

WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Word:
    """A whitespace-separated word and its character span in the original text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Attribution:
    """Per-token and per-word contributions to P(POSITIVE) for one text."""

    method: str
    tokens: list[str]  # the model's tokens, [CLS] and [SEP] included
    token_scores: np.ndarray  # (T,) one contribution per token; empty for occlusion
    words: list[Word]  # the words the model saw (those after a truncation are left out)
    word_scores: np.ndarray  # (W,) contribution of each word
    positive: float  # P(POSITIVE) for the text
    reference: float  # P(POSITIVE) for the baseline: IG's all-[PAD] input; occlusion's text with no words
    delta: float  # IG completeness error: sum(token_scores) - (positive - reference); 0 for occlusion
    truncated: bool


def words_of(text: str) -> list[Word]:
    """The text's words, split on whitespace, with their spans."""
    return [Word(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]


def edit_word(text: str, index: int, replacement: str) -> str:
    """The text with word `index` replaced; an empty replacement deletes the word and one adjacent space."""
    words = words_of(text)
    if not 0 <= index < len(words):
        raise IndexError(f"word {index} does not exist; the text has {len(words)} words")
    word = words[index]
    start, end = word.start, word.end
    if not replacement.strip():
        if end < len(text) and text[end].isspace():
            end += 1
        elif start > 0 and text[start - 1].isspace():
            start -= 1
        replacement = ""
    return text[:start] + replacement.strip() + text[end:]


def _token_words(offsets: list[tuple[int, int]], words: list[Word]) -> list[int | None]:
    """For each token, the index of the word containing it (None for [CLS], [SEP] and padding)."""
    starts = np.array([w.start for w in words])
    owners: list[int | None] = []
    for start, end in offsets:
        if end <= start or not len(words):
            owners.append(None)
            continue
        owners.append(int(np.searchsorted(starts, start, side="right") - 1))
    return owners


def integrated_gradients(classifier: SentimentClassifier, text: str, steps: int = 32) -> Attribution:
    """Integrated Gradients from an all-[PAD] baseline (special tokens kept) to the text's token embeddings.

    A token's score is its embedding-dimension sum of IG; the scores add up to P(POSITIVE | text) minus
    P(POSITIVE | baseline), up to `delta`, the integration error of `steps` Riemann steps.
    """
    if problem := text_problem(text):
        raise ValueError(problem)
    tok = classifier.tokenizer
    enc = tok(
        text,
        truncation=True,
        max_length=classifier.max_tokens,
        return_offsets_mapping=True,
        return_tensors="pt",
    )
    ids, mask = enc["input_ids"].to(classifier.device), enc["attention_mask"].to(classifier.device)  # (1, T)
    special = torch.tensor(
        tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True),
        dtype=torch.bool,
        device=classifier.device,
    )
    baseline_ids = torch.where(special, ids[0], tok.pad_token_id).unsqueeze(0)
    embed = classifier.word_embeddings
    with torch.no_grad():
        inputs, baseline = embed(ids), embed(baseline_ids)  # (1, T, C)

    def forward(embeddings: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch_mask = attention_mask.expand(embeddings.shape[0], -1)
        return classifier.positive_probability(None, batch_mask, embeddings)

    ig = IntegratedGradients(forward)
    scores, delta = ig.attribute(
        inputs,
        baselines=baseline,
        additional_forward_args=(mask,),
        n_steps=steps,
        internal_batch_size=steps,
        return_convergence_delta=True,
    )
    token_scores = scores.sum(dim=-1)[0].detach().cpu().numpy()  # (T,)
    with torch.no_grad():
        positive = float(forward(inputs, mask)[0])
        reference = float(forward(baseline, mask)[0])
    offsets = [tuple(o) for o in enc["offset_mapping"][0].tolist()]
    all_words = words_of(text)
    owners = _token_words(offsets, all_words)
    seen = max((o for o in owners if o is not None), default=-1) + 1
    word_scores = np.zeros(seen)
    for owner, score in zip(owners, token_scores, strict=True):
        if owner is not None:
            word_scores[owner] += score
    truncated = len(tok(text, verbose=False)["input_ids"]) > classifier.max_tokens
    return Attribution(
        "Integrated Gradients",
        tok.convert_ids_to_tokens(ids[0].tolist()),
        token_scores,
        all_words[:seen],
        word_scores,
        positive,
        reference,
        float(delta[0]),
        truncated,
    )


def visible_part(classifier: SentimentClassifier, text: str) -> str:
    """The beginning of the text that fits in the model's token limit (all of it when it fits)."""
    enc = classifier.tokenizer(
        text, truncation=True, max_length=classifier.max_tokens, return_offsets_mapping=True
    )
    return text[: max(end for _, end in enc["offset_mapping"])]


def empty_text_probability(classifier: SentimentClassifier) -> float:
    """P(POSITIVE) the model gives a text with no words: only its special tokens, e.g. [CLS] [SEP]."""
    with torch.inference_mode():
        return float(classifier.positive_probability(**classifier.encode([""]))[0])


def occlusion(classifier: SentimentClassifier, text: str, max_words: int = 200) -> Attribution:
    """Each word's score is P(POSITIVE | text) minus P(POSITIVE | text without that word).

    Only the part of the text the model reads is occluded: deleting a word beyond the token limit changes
    nothing, and 100,000-character variants would only make the explanation slow.
    """
    if problem := text_problem(text):
        raise ValueError(problem)
    seen = visible_part(classifier, text)
    words = words_of(seen)[:max_words]
    variants = [seen] + [edit_word(seen, i, "") for i in range(len(words))]
    # A one-word text becomes empty when occluded; predict() refuses empty text, so that variant gets the
    # model's own output for no words at all ([CLS] [SEP]), not an assumed 0.5.
    predictions = classifier.predict(variants)
    no_words = empty_text_probability(classifier)
    probabilities = np.array([p.positive if p.positive is not None else no_words for p in predictions])
    positive = float(probabilities[0])
    truncated = len(seen) < len(text.rstrip()) or len(words_of(seen)) > max_words
    return Attribution(
        "Occlusion (delete each word)",
        [],
        np.zeros(0),
        words,
        positive - probabilities[1:],
        positive,
        no_words,
        0.0,
        truncated,
    )


def attention_maps(classifier: SentimentClassifier, text: str) -> tuple[list[str], np.ndarray]:
    """The tokens and every layer's attention probabilities for the text, (L, H, T, T)."""
    if problem := text_problem(text):
        raise ValueError(problem)
    enc = classifier.encode([text])
    with torch.inference_mode():
        maps = classifier.model.attentions(enc["input_ids"], enc["attention_mask"])  # (L, 1, H, T, T)
    return classifier.tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist()), maps[:, 0].cpu().numpy()
