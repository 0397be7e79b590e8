"""A character-level GPT written plainly, after nanoGPT's model.py: token and position embeddings,
pre-LayerNorm blocks of causal self-attention and an MLP, a final LayerNorm and a head that shares the token
embedding's weights. Self-contained (torch only): the page's exported script pastes this source in."""

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

POSITIONS = ("learned", "sinusoidal", "none")  # how a token's place in the context enters the model


@dataclass(frozen=True)
class GPTConfig:
    """The model's shape. The defaults are the page's: nanoGPT's CPU settings for tiny Shakespeare (its
    README's run on a laptop: 4 layers, 4 heads, context 64) at width 96 instead of 128, which reaches the
    same loss in fewer seconds on a CPU (its "baby GPT" config is larger: 6 layers, 6 heads, width 384)."""

    vocab_size: int = 76  # distinct characters of the text (76 in the built-in corpus)
    context: int = 64  # characters the model sees at once (nanoGPT's block_size)
    layers: int = 4  # transformer blocks
    heads: int = 4  # attention heads per block; width must be a multiple of it
    width: int = 96  # size of every token's vector (nanoGPT's n_embd)
    dropout: float = 0.0  # after attention weights, attention output, MLP and embeddings
    causal: bool = True  # a position attends only to itself and earlier ones (False lets it see the future)
    positions: str = "learned"  # one of POSITIONS


def sinusoidal_positions(context: int, width: int) -> torch.Tensor:
    """The positional encoding of "Attention Is All You Need": PE[p, 2i] = sin(p / 10000^(2i/width)),
    PE[p, 2i+1] = cos(p / 10000^(2i/width)). (context, width)"""
    position = torch.arange(context, dtype=torch.float32)[:, None]  # (T, 1)
    frequency = torch.exp(torch.arange(0, width, 2, dtype=torch.float32) * (-math.log(10000.0) / width))
    table = torch.zeros(context, width)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency[: width // 2])
    return table


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention: softmax(Q Kᵀ / √d_k + mask) V per head, heads side by side, then W_O."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_attn = nn.Linear(config.width, 3 * config.width, bias=False)  # W_Q, W_K, W_V side by side
        self.c_proj = nn.Linear(config.width, config.width, bias=False)  # W_O
        self.resid_dropout = nn.Dropout(config.dropout)
        self.heads, self.dropout, self.causal = config.heads, config.dropout, config.causal

    def split_heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values of every head: each (B, heads, T, width / heads)."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # (B, T, C) each
        return tuple(t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.split_heads(x)  # (B, h, T, d_k)
        dropout = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(
            q, k, v, dropout_p=dropout, is_causal=self.causal
        )  # (B, h, T, d_k)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights softmax(Q Kᵀ / √d_k + mask) of every head: how much each position (row)
        takes from each position (column). (B, h, T, T)"""
        q, k, _ = self.split_heads(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])  # (B, h, T, T)
        if self.causal:
            T = x.shape[1]
            future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
            scores = scores.masked_fill(future, float("-inf"))
        return torch.softmax(scores, dim=-1)


class MLP(nn.Module):
    """Position-wise feed-forward: width -> 4·width -> GELU -> width."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.width, 4 * config.width, bias=False)
        self.c_proj = nn.Linear(4 * config.width, config.width, bias=False)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)): the residual stream passes through."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.width, bias=False)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.width, bias=False)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Characters in, next-character logits out, at every position."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.width)  # token embedding
        if config.positions == "learned":
            self.wpe = nn.Embedding(config.context, config.width)  # position embedding, trained
        elif config.positions == "sinusoidal":
            self.register_buffer("pe", sinusoidal_positions(config.context, config.width))  # fixed
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.ln_f = nn.LayerNorm(config.width, bias=False)
        self.lm_head = nn.Linear(config.width, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix reads and writes characters
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: residual projections scaled by depth
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.layers))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def embed(self, idx: torch.Tensor) -> torch.Tensor:
        """Token vectors plus position vectors (none without positions). (B, T) -> (B, T, width)"""
        x = self.wte(idx)  # (B, T, C)
        T = idx.shape[1]
        if self.config.positions == "learned":
            x = x + self.wpe(torch.arange(T))  # (T, C) broadcast over the batch
        elif self.config.positions == "sinusoidal":
            x = x + self.pe[:T]
        return self.drop(x)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """Logits (B, T, vocab) and, with targets (B, T), the mean cross-entropy of every next character."""
        x = self.embed(idx)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        if targets is None:
            return (logits,)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))
        return logits, loss

    @torch.no_grad()
    def attention_maps(self, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The forward pass on `idx` (B, T) keeping every block's attention weights: the logits (B, T, V)
        and the weights (layers, B, heads, T, T)."""
        x = self.embed(idx)
        maps = []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln_1(x)))
            x = block(x)
        return self.lm_head(self.ln_f(x)), torch.stack(maps)

    @torch.no_grad()
    def generate(
        self, idx: torch.Tensor, new_tokens: int, temperature: float, generator: torch.Generator
    ) -> torch.Tensor:
        """`idx` (1, T) followed by `new_tokens` characters, each drawn from softmax(logits / temperature)
        given at most the last `context` characters."""
        for _ in range(new_tokens):
            logits = self(idx[:, -self.config.context :])[0][:, -1]  # (1, V)
            probs = torch.softmax(logits / temperature, dim=-1)
            idx = torch.cat([idx, torch.multinomial(probs, 1, generator=generator)], dim=1)
        return idx
