"""The seed slide's model, SimpleRNN(input_size=10, hidden_size=20, output_size=5), and its recurrence
computed by hand beside nn.RNN's."""

import torch
from torch import nn

from core.runtime import holds_global_rng


class SimpleRNN(nn.Module):
    """One nn.RNN layer (tanh) and a linear layer on its last hidden state, as on the slide."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scores from the last step's hidden state: (B, T, I) -> (B, O)."""
        out, _ = self.rnn(x)  # (B, T, H); the second output h_n (1, B, H) is out[:, -1]
        return self.fc(out[:, -1, :])  # (B, O)


@holds_global_rng()
def build_seed_model(seed: int) -> tuple[SimpleRNN, torch.Tensor]:
    """The slide's model and a (1, 5, 10) input, both drawn after torch.manual_seed(seed)."""
    torch.manual_seed(seed)
    model = SimpleRNN(10, 20, 5)
    x = torch.randn(1, 5, 10)  # (B, T, I)
    return model, x


@torch.no_grad()
def hand_recurrence(rnn: nn.RNN, x: torch.Tensor) -> torch.Tensor:
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh) from h_0 = 0, step by step for the first sequence
    of `x` (B, T, I): every h_t, (T, H)."""
    h = torch.zeros(rnn.hidden_size)  # (H,)
    states = []
    for x_t in x[0]:  # (I,)
        h = torch.tanh(rnn.weight_ih_l0 @ x_t + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)  # (T, H)


def shape_table(model: SimpleRNN, x: torch.Tensor) -> list[dict[str, str]]:
    """Every tensor of one forward pass and its shape, in the order they are made."""
    B, T, _ = x.shape
    H = model.rnn.hidden_size
    rows = [{"tensor": "x (input)", "shape": str(tuple(x.shape)), "what": "batch × time steps × features"}]
    rows.append({"tensor": "h_0", "shape": str((1, B, H)), "what": "initial hidden state, zeros"})
    rows += [
        {"tensor": f"x_{t}", "shape": str((B, x.shape[2])), "what": f"input at step {t}"}
        for t in range(1, T + 1)
    ]
    rows += [
        {"tensor": f"h_{t}", "shape": str((B, H)), "what": f"tanh(W_ih x_{t} + b_ih + W_hh h_{t - 1} + b_hh)"}
        for t in range(1, T + 1)
    ]
    rows += [
        {"tensor": "out", "shape": str((B, T, H)), "what": "nn.RNN's first output: h_1 … h_T stacked"},
        {"tensor": "h_n", "shape": str((1, B, H)), "what": "nn.RNN's second output: the final h_T"},
        {"tensor": "out[:, -1, :]", "shape": str((B, H)), "what": "the last step's hidden state"},
        {"tensor": "fc(out[:, -1, :])", "shape": str((B, model.fc.out_features)), "what": "the output"},
    ]
    return rows
