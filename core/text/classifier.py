"""One interface over every sentiment model the app can load: predict, and the pieces explanations need.

A model is a torch module mapping (input_ids, attention_mask) or inputs_embeds to two logits, plus its
tokenizer. Hugging Face sequence-classification models (the hub DistilBERT, a local directory) are used
through transformers' `pipeline("sentiment-analysis")`, as on the course slide; the offline MiniLM model is
called directly.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:  # transformers takes seconds to import; `python -m core info` never needs it
    from transformers import PreTrainedTokenizerBase

LABELS = ("NEGATIVE", "POSITIVE")
EMPTY_TEXT = "empty text: type a sentence to classify"
NOT_UNICODE = (
    "the text holds characters that are not valid Unicode (lone surrogates), e.g. from non-UTF-8 bytes"
)


def text_problem(text: str) -> str | None:
    """Why a model cannot read `text` (empty, or lone surrogates the tokenizer refuses), else None."""
    if not text.strip():
        return EMPTY_TEXT
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return NOT_UNICODE
    return None


@dataclass(frozen=True)
class SentimentPrediction:
    """The sentiment of one text, or why it could not be classified."""

    text: str
    label: str | None  # "POSITIVE" or "NEGATIVE"; None when error is set
    score: float | None  # softmax probability of `label` (>= 0.5): not calibrated, not a confidence level
    positive: float | None  # probability of POSITIVE, the number histograms and what-if compare
    tokens: int  # tokens the model would need for the whole text, special tokens included
    truncated: bool  # True when the text was cut to the model's limit
    error: str | None = None


class LogitsModel(nn.Module):
    """Adapter for a transformers sequence-classification model: logits only, plus its attentions."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, n_labels)."""
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, inputs_embeds=inputs_embeds
        ).logits

    def attentions(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Attention probabilities of every layer, (L, B, H, T, T)."""
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, output_attentions=True)
        return torch.stack(out.attentions)


def positive_index(id2label: dict[int, str]) -> int:
    """Which output is POSITIVE: by name when the config names it, else index 1 (SST-2's convention)."""
    for index, name in id2label.items():
        if "pos" in name.lower():
            return int(index)
    return 1


@dataclass
class SentimentClassifier:
    """A loaded two-class sentiment model, its tokenizer and its limits; shared read-only by all users."""

    name: str
    model: nn.Module  # forward(input_ids, attention_mask, inputs_embeds=None) -> (B, 2) logits; .attentions()
    tokenizer: "PreTrainedTokenizerBase"
    max_tokens: int
    positive_at: int = 1  # index of the POSITIVE logit
    pipe: object | None = None  # a transformers Pipeline when the model came through pipeline()

    @property
    def device(self) -> torch.device:
        """Where the model's weights live: inputs are moved there."""
        return next(self.model.parameters()).device

    @property
    def word_embeddings(self) -> nn.Module:
        """The token-embedding layer, where Integrated Gradients interpolates from the baseline."""
        inner = getattr(self.model, "model", None)
        if inner is not None:
            return inner.get_input_embeddings()
        return self.model.encoder.embeddings.word_embeddings

    def encode(self, texts: Sequence[str]) -> dict[str, torch.Tensor]:
        """Token ids and padding mask, each text cut to the model's limit."""
        batch = self.tokenizer(
            list(texts), truncation=True, max_length=self.max_tokens, padding=True, return_tensors="pt"
        )
        return {key: batch[key].to(self.device) for key in ("input_ids", "attention_mask")}

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """How many tokens each whole text needs, to tell the user when it was truncated."""
        ids = self.tokenizer(list(texts), add_special_tokens=True, verbose=False)["input_ids"]
        return [len(x) for x in ids]

    def positive_probability(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """P(POSITIVE) for each sequence (B,): the quantity explanations attribute."""
        logits = self.model(input_ids, attention_mask, inputs_embeds)
        return logits.softmax(dim=-1)[:, self.positive_at]

    def logits(self, text: str) -> tuple[float, float]:
        """The two logits (NEGATIVE, POSITIVE) for one text: softmax of these is what predict() reports."""
        with torch.inference_mode():
            row = self.model(**self.encode([text]))[0]  # (2,)
        return float(row[1 - self.positive_at]), float(row[self.positive_at])

    def _positive_batch(self, texts: list[str]) -> list[float]:
        if self.pipe is not None:
            outputs = self.pipe(
                texts, truncation=True, max_length=self.max_tokens, top_k=None, batch_size=len(texts)
            )
            # The pipeline names each score by the config's id2label; pick the POSITIVE one by its index.
            positive = self.pipe.model.config.id2label[self.positive_at]
            return [next(d["score"] for d in scores if d["label"] == positive) for scores in outputs]
        with torch.inference_mode():
            return self.positive_probability(**self.encode(texts)).tolist()

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[SentimentPrediction]:
        """Label and probabilities for each text; a text it cannot read (text_problem) gets an error instead
        of a guess, and the others are still classified."""
        texts = list(texts)
        valid = [i for i, t in enumerate(texts) if text_problem(t) is None]
        counts = self.token_counts([texts[i] for i in valid]) if valid else []
        positives: list[float] = []
        # Sort by length so each batch pads to similar lengths; results are put back in order below.
        order = sorted(range(len(valid)), key=lambda k: counts[k])
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            positives += self._positive_batch([texts[valid[k]] for k in chunk])
        by_index = {valid[k]: (p, counts[k]) for k, p in zip(order, positives, strict=True)}
        predictions = []
        for i, text in enumerate(texts):
            if i not in by_index:
                predictions.append(SentimentPrediction(text, None, None, None, 0, False, text_problem(text)))
                continue
            p, count = by_index[i]
            label = LABELS[int(p >= 0.5)]
            predictions.append(
                SentimentPrediction(
                    text, label, p if p >= 0.5 else 1.0 - p, p, count, count > self.max_tokens
                )
            )
        return predictions
