"""A GPT run trained in steps by core.runner.Runner: the model, its text split, its optimizer and its history,
read by the page through `snapshot()` and `probe()`."""

import copy
import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from core.rnn.data import split_text, windows
from core.rnn.job import TEXT_BLOCK, TEXT_HOLD_EVERY
from core.runner import train_steps
from core.runtime import holds_global_rng
from core.transformer.config import TransformerConfig
from core.transformer.data import prepare
from core.transformer.model import GPT

EVAL_BATCH = 64  # validation windows, drawn once per run: every measurement uses the same ones
EVAL_EVERY = 25  # steps between two validation measurements
CLIP = 1.0  # gradients are rescaled to at most this total norm, as nanoGPT does
BETAS = (0.9, 0.99)  # AdamW's, nanoGPT's for its character-level Shakespeare


@dataclass(frozen=True)
class Snapshot:
    """What the page draws while training: copies, safe to use outside the runner's lock."""

    step: int
    losses: np.ndarray  # training cross-entropy of each step's batch, nats per character
    eval_steps: np.ndarray  # steps at which the validation loss was measured
    val_losses: np.ndarray  # validation cross-entropy at those steps, nats per character
    lr: float
    live_changed: bool  # the learning rate changed during the run
    done: bool
    diverged: bool
    seconds: float  # time spent training (and measuring)


class TransformerJob:
    """One run: `step()` trains on one batch; the validation loss is measured every EVAL_EVERY steps."""

    @holds_global_rng()
    def __init__(self, config: TransformerConfig):
        self.config = config
        prepared = prepare(config.source, config.text, config.context)
        self.text, self.alphabet = prepared.text, prepared.alphabet  # the text as the model reads it
        codes = prepared.encode()  # (N,)
        train, held = split_text(codes, TEXT_BLOCK, TEXT_HOLD_EVERY)
        self.held_out = len(held) >= config.context + 1
        self.train_codes = train if self.held_out else codes
        self.val_codes = held if self.held_out else codes
        torch.manual_seed(config.seed)
        self.model = GPT(config.gpt(len(self.alphabet)))
        self.rng_state = torch.get_rng_state()  # dropout's masks go on from here, whatever others draw
        self.gen = torch.Generator().manual_seed(config.seed)
        val_gen = torch.Generator().manual_seed(config.seed + 1)
        self.val = windows(self.val_codes, EVAL_BATCH, config.context, val_gen)  # (B, T) inputs and targets
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=config.lr, betas=BETAS)
        self.live_changed = False
        self.losses: list[float] = []
        self.eval_steps: list[int] = []
        self.val_losses: list[float] = []
        self.seconds = 0.0
        self.evaluate()

    @property
    def parameters(self) -> int:
        """Trainable numbers in the model (the tied embedding and head counted once)."""
        return sum(p.numel() for p in self.model.parameters())

    @property
    def steps(self) -> int:
        """Training steps taken."""
        return len(self.losses)

    @property
    def diverged(self) -> bool:
        """The last loss is NaN or infinite."""
        return bool(self.losses) and not math.isfinite(self.losses[-1])

    @property
    def done(self) -> bool:
        """Budget spent, or diverged."""
        return self.steps >= self.config.steps or self.diverged

    def step(self) -> None:
        """One AdamW step on one batch of windows, the gradient clipped to a total norm of CLIP."""
        start = time.perf_counter()
        x, y = windows(self.train_codes, self.config.batch, self.config.context, self.gen)  # (B, T) each
        self.model.train()
        if self.config.dropout > 0:
            with holds_global_rng(), torch.random.fork_rng():
                torch.set_rng_state(self.rng_state)
                loss = self.train_batch(x, y)
                self.rng_state = torch.get_rng_state()
        else:
            loss = self.train_batch(x, y)
        self.losses.append(loss)
        if self.steps % EVAL_EVERY == 0 or self.done:
            self.evaluate()
        self.seconds += time.perf_counter() - start

    def train_batch(self, x: torch.Tensor, y: torch.Tensor) -> float:
        """Forward, backward, clip and update on one batch; its loss."""
        _, loss = self.model(x, y)
        self.optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), CLIP)
        self.optimizer.step()
        return loss.item()

    def train_for(self, seconds: float) -> int:
        """Train for about `seconds` (at least one step, never past the budget); the steps run."""
        return train_steps(self, seconds)

    @torch.no_grad()
    def val_loss(self) -> float:
        """Mean cross-entropy of the next character on the validation windows (nats per character)."""
        self.model.eval()
        x, y = self.val
        return self.model(x, y)[1].item()

    def evaluate(self) -> None:
        """Record the validation loss at the current step."""
        self.eval_steps.append(self.steps)
        self.val_losses.append(self.val_loss())

    def set_lr(self, lr: float) -> None:
        """A live learning-rate change."""
        for group in self.optimizer.param_groups:
            self.live_changed |= group["lr"] != lr
            group["lr"] = lr

    def snapshot(self) -> Snapshot:
        """Copies of the history for drawing."""
        return Snapshot(
            step=self.steps,
            losses=np.array(self.losses),
            eval_steps=np.array(self.eval_steps),
            val_losses=np.array(self.val_losses),
            lr=self.optimizer.param_groups[0]["lr"],
            live_changed=self.live_changed,
            done=self.done,
            diverged=self.diverged,
            seconds=self.seconds,
        )

    def probe(self) -> "TransformerJob":
        """A copy of the run to look inside (attention maps, samples) without holding the runner's lock."""
        clone = copy.copy(self)
        clone.model = copy.deepcopy(self.model)
        return clone
