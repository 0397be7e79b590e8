"""The recurrent model every task trains: a torch.nn recurrent layer (RNN, LSTM or GRU) and a linear head,
and the loss of each task. Self-contained (torch only): the exported script pastes this source in."""

import torch
from torch import nn
from torch.nn import functional as F

# The recurrent cells a visitor can choose: one line per cell, all with nn.RNN's signature.
CELLS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


class SequenceModel(nn.Module):
    """A recurrent layer stack and a linear read-out applied at every time step."""

    def __init__(self, cell: str, input_size: int, hidden: int, layers: int, output_size: int):
        super().__init__()
        self.rnn = CELLS[cell](input_size, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, output_size)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Outputs at every step (B, T, O) and the top layer's hidden states (B, T, H)."""
        h, _ = self.rnn(x)  # (B, T, H)
        return self.head(h), h


def model_input(x: torch.Tensor, vocab: int) -> torch.Tensor:
    """What the recurrent layer reads: character codes (B, T) as one-hot vectors (B, T, V), numbers as
    they are."""
    return F.one_hot(x, vocab).float() if vocab else x


def task_loss(task: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The training loss of `task` from the model's outputs at every step (B, T, O): for the adding problem
    the squared error of the last step's output; for forecasting the squared error of every next-step
    prediction; for characters the cross-entropy of every next character."""
    if task == "adding":
        return F.mse_loss(out[:, -1], y)  # (B, 1) vs (B, 1)
    if task == "sine":
        return F.mse_loss(out, y)  # (B, T, 1)
    return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))  # (B·T, V) vs (B·T,)
