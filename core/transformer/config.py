"""One GPT run's settings: a frozen dataclass that the page builds from its widgets, the CLI from its flags,
and the exported script and the benchmark are written from."""

import dataclasses
from dataclasses import dataclass

from core.transformer.data import SOURCES
from core.transformer.model import POSITIONS, GPTConfig

LIVE_FIELDS = ("lr",)  # settings that change a run in place instead of starting a new one

# Widget limits: the page's sliders and the checks below share them.
MAX_LAYERS = 6
MAX_HEADS = 8
MIN_WIDTH, MAX_WIDTH = 8, 256
MIN_CONTEXT, MAX_CONTEXT = 4, 256
MAX_DROPOUT = 0.5
MAX_BATCH = 64


@dataclass(frozen=True)
class TransformerConfig:
    """The text, the GPT that learns it and how it is trained. Defaults: nanoGPT's CPU run, narrower."""

    source: str = "shakespeare"  # a key of SOURCES
    text: str = ""  # the learner's text, for source "yours"
    layers: int = 4  # transformer blocks
    heads: int = 4  # attention heads per block
    width: int = 96  # vector size of every token; a multiple of heads
    context: int = 64  # characters the model sees at once
    dropout: float = 0.0  # dropout probability everywhere nanoGPT puts it
    causal: bool = True  # the causal mask; off = every position also sees the characters after it
    positions: str = "learned"  # "learned", "sinusoidal" or "none"
    lr: float = 0.003  # AdamW's learning rate (live)
    batch: int = 12  # windows per training step
    steps: int = 6000  # training budget in steps: about 5 minutes on a quiet core
    seed: int = 0  # initial weights, every batch drawn, dropout

    def errors(self) -> list[str]:
        """One line per setting outside what the page allows (a bad link or CLI flag)."""
        problems = []
        if self.source not in SOURCES:
            problems.append(f"Unknown text {self.source!r}: choose one of {', '.join(SOURCES)}.")
        if self.positions not in POSITIONS:
            problems.append(f"Unknown positions {self.positions!r}: choose one of {', '.join(POSITIONS)}.")
        if not 1 <= self.layers <= MAX_LAYERS:
            problems.append(f"Layers must be between 1 and {MAX_LAYERS}.")
        if not 1 <= self.heads <= MAX_HEADS:
            problems.append(f"Heads must be between 1 and {MAX_HEADS}.")
        if not MIN_WIDTH <= self.width <= MAX_WIDTH:
            problems.append(f"Width must be between {MIN_WIDTH} and {MAX_WIDTH}.")
        elif self.heads >= 1 and self.width % self.heads:
            problems.append(
                f"Width {self.width} does not split into {self.heads} heads: choose a multiple of "
                f"{self.heads}."
            )
        if not MIN_CONTEXT <= self.context <= MAX_CONTEXT:
            problems.append(f"Context must be between {MIN_CONTEXT} and {MAX_CONTEXT} characters.")
        if not 0 <= self.dropout <= MAX_DROPOUT:
            problems.append(f"Dropout must be between 0 and {MAX_DROPOUT}.")
        if not 1 <= self.batch <= MAX_BATCH:
            problems.append(f"Batch must be between 1 and {MAX_BATCH}.")
        if self.lr <= 0 or self.steps < 1:
            problems.append("Learning rate and steps must be positive.")
        return problems

    def gpt(self, vocab_size: int) -> GPTConfig:
        """The model's shape for a text of `vocab_size` distinct characters."""
        return GPTConfig(
            vocab_size=vocab_size,
            context=self.context,
            layers=self.layers,
            heads=self.heads,
            width=self.width,
            dropout=self.dropout,
            causal=self.causal,
            positions=self.positions,
        )

    def identity(self) -> "TransformerConfig":
        """The settings that define a run: everything but the live ones (a change there keeps the run)."""
        return dataclasses.replace(self, **{name: getattr(TransformerConfig(), name) for name in LIVE_FIELDS})
