"""Looking inside a recurrent model: its hidden state over time, the LSTM's gates, the gradient of the loss
with respect to each step's hidden state, and what the model does with its own outputs (roll-out, samples)."""

import numpy as np
import torch
from torch import nn

from core.rnn.model import SequenceModel, model_input, task_loss
from core.runtime import holds_global_rng

GATES = ("input", "forget", "cell", "output")  # nn.LSTM's order of the four blocks of its weights


@torch.no_grad()
def hidden_states(model: SequenceModel, x: torch.Tensor) -> np.ndarray:
    """The top layer's hidden state at every step for the first sequence of `x`: (T, H)."""
    _, h = model(x[:1])  # (1, T, H)
    return h[0].numpy()


@torch.no_grad()
def lstm_gates(lstm: nn.LSTM, x: torch.Tensor) -> dict[str, np.ndarray]:
    """The first layer's gate activations at every step for the first sequence of `x`, each (T, H),
    computed from the layer's weights with nn.LSTM's equations:

        i, f, g, o = σ, σ, tanh, σ of (W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), in four blocks
        c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

    `h` and `c` (each (T, H)) come back too, so a test can hold them against nn.LSTM's own."""
    H = lstm.hidden_size
    h, c = torch.zeros(H), torch.zeros(H)
    rows: dict[str, list[torch.Tensor]] = {name: [] for name in (*GATES, "h", "c")}
    for x_t in x[0]:  # (I,)
        z = lstm.weight_ih_l0 @ x_t + lstm.bias_ih_l0 + lstm.weight_hh_l0 @ h + lstm.bias_hh_l0  # (4H,)
        i, f, g, o = z.split(H)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        for name, value in zip((*GATES, "h", "c"), (i, f, g, o, h, c), strict=True):
            rows[name].append(value)
    return {name: torch.stack(values).numpy() for name, values in rows.items()}


def gradient_through_time(
    model: SequenceModel, task: str, x: torch.Tensor, y: torch.Tensor, vocab: int = 0
) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 1..T: how much the loss depends on the top layer's hidden state at each step,
    through every later step. The model is run one step at a time so that each h_t is a tensor of its own
    whose gradient autograd keeps; its outputs equal the full-sequence run's. (T,)"""
    inputs = model_input(x, vocab)  # (B, T, I)
    state, tops, outs = None, [], []
    for t in range(inputs.shape[1]):
        _, state = model.rnn(inputs[:, t : t + 1], state)
        h = state[0] if isinstance(state, tuple) else state  # (L, B, H)
        top = h[-1]  # (B, H)
        # The next step must read this very tensor, or its gradient would miss every later step.
        h = torch.cat([h[:-1], top[None]])  # (L, B, H)
        state = (h, state[1]) if isinstance(state, tuple) else h
        top.retain_grad()
        tops.append(top)
        outs.append(model.head(top))
    loss = task_loss(task, torch.stack(outs, dim=1), y)  # outputs (B, T, O)
    model.zero_grad()
    loss.backward()
    return np.array([top.grad.norm().item() for top in tops])


@holds_global_rng()
def fresh_gradients(
    cell: str, hidden: int, layers: int, task: str, x: torch.Tensor, y: torch.Tensor, vocab: int, seed: int
) -> np.ndarray:
    """‖∂L/∂h_t‖ of a newly initialised model of `cell` (seeded), for comparison with a trained one."""
    torch.manual_seed(seed)
    sizes = (vocab, vocab) if vocab else (x.shape[-1], y.shape[-1])
    return gradient_through_time(SequenceModel(cell, sizes[0], hidden, layers, sizes[1]), task, x, y, vocab)


def clipped(norm: float, max_norm: float) -> float:
    """The gradient norm after torch.nn.utils.clip_grad_norm_(max_norm): every gradient is multiplied by
    min(1, max_norm / (norm + 1e-6)), so the direction stays and only the length shrinks. 0 = off."""
    return norm if max_norm <= 0 else norm * min(1.0, max_norm / (norm + 1e-6))


@torch.no_grad()
def forecast(model: SequenceModel, context: torch.Tensor, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Given `context` (T,) of a signal: the one-step predictions at every context step (each made from the
    true values before it), and a roll-out of `horizon` further steps, each fed back in as the next input."""
    h, state = model.rnn(context[None, :, None])  # (1, T, H)
    one_step = model.head(h)[0, :, 0]  # (T,)
    value, rolled = one_step[-1:], []
    for _ in range(horizon):
        rolled.append(value.item())
        h, state = model.rnn(value[None, :, None], state)  # (1, 1, H)
        value = model.head(h)[0, :, 0]  # (1,)
    return one_step.numpy(), np.array(rolled)


@torch.no_grad()
def sample_text(
    model: SequenceModel, alphabet: str, prompt: str, length: int, temperature: float, seed: int
) -> str:
    """`length` characters written by the model after `prompt`: each drawn from softmax(logits / temperature)
    of the previous step's output, and fed back in."""
    gen = torch.Generator().manual_seed(seed)
    index = {c: i for i, c in enumerate(alphabet)}
    codes = torch.tensor([[index[c] for c in prompt if c in index] or [0]])  # (1, P)
    h, state = model.rnn(model_input(codes, len(alphabet)))
    written = []
    for _ in range(length):
        probs = torch.softmax(model.head(h[0, -1]) / temperature, dim=-1)  # (V,)
        code = torch.multinomial(probs, 1, generator=gen)  # (1,)
        written.append(alphabet[code.item()])
        h, state = model.rnn(model_input(code[None], len(alphabet)), state)
    return "".join(written)
