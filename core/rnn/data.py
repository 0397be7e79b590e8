"""The sequence tasks' data. Each generator is self-contained (torch and math only) and draws from the
`torch.Generator` it is given: the page's exported script pastes these functions in unchanged, so it draws
exactly the same batches."""

import math

import torch


def adding_batch(batch: int, length: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A variant of the adding problem of Hochreiter & Schmidhuber (1997), simplified: each step carries a
    random number in [0, 1) and a marker; one marked step in the first half, one in the second. The target
    is the plain sum of the two marked numbers, so a model must carry the first one across up to `length`
    steps."""
    values = torch.rand(batch, length, generator=gen)  # (B, T)
    half = length // 2
    first = torch.randint(0, half, (batch,), generator=gen)  # (B,)
    second = torch.randint(half, length, (batch,), generator=gen)  # (B,)
    markers = torch.zeros(batch, length)  # (B, T)
    rows = torch.arange(batch)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=-1)  # (B, T, 2)
    y = (values * markers).sum(dim=1, keepdim=True)  # (B, 1)
    return x, y


def sine_series(
    points: int, freq: float, noise: float, sum_of_sines: bool, gen: torch.Generator
) -> torch.Tensor:
    """A noisy periodic signal: sin(2π·f·t), plus 0.5·sin(2π·2.7f·t + 1) for the sum of sines, plus
    Gaussian noise of standard deviation `noise`."""
    t = torch.arange(points, dtype=torch.float32)  # (N,)
    clean = torch.sin(2 * math.pi * freq * t)
    if sum_of_sines:
        clean = clean + 0.5 * torch.sin(2 * math.pi * 2.7 * freq * t + 1.0)
    return clean + noise * torch.randn(points, generator=gen)  # (N,)


def windows(
    series: torch.Tensor, batch: int, length: int, gen: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """`batch` random windows of `length` steps from `series` (1-D) and, for each step, the next value:
    inputs and next-step targets, both (B, T, 1) for a float series, (B, T) for integer codes."""
    starts = torch.randint(0, len(series) - length, (batch,), generator=gen)  # (B,)
    index = starts[:, None] + torch.arange(length)  # (B, T)
    x, y = series[index], series[index + 1]
    if series.is_floating_point():
        return x[..., None], y[..., None]  # (B, T, 1)
    return x, y  # (B, T)


def split_text(codes: torch.Tensor, block: int, every: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Character codes (N,) cut into blocks of `block` characters: every `every`-th block is held out, the
    rest trains. Held-out blocks come from all over the text, so they share its words and topics."""
    blocks = codes.split(block)
    held = [b for i, b in enumerate(blocks) if i % every == every - 1]
    train = [b for i, b in enumerate(blocks) if i % every != every - 1]
    return torch.cat(train), torch.cat(held) if held else codes[:0]
