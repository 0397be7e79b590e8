"""The playground network: a real nn.Module of Linear layers, optional batch norm and dropout."""

import itertools

import torch
from torch import nn

from core.basics.activations import ACTIVATIONS
from core.playground.config import PlaygroundConfig
from core.playground.optim import INITS
from core.runtime import holds_global_rng


class PlaygroundNet(nn.Module):
    """Linear → [BatchNorm] → activation → [Dropout] per hidden layer, then Linear → output activation."""

    def __init__(
        self,
        n_inputs: int,
        hidden: tuple[int, ...],
        activation: str,
        output_activation: str,
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        sizes = [n_inputs, *hidden, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.norms = nn.ModuleList(nn.BatchNorm1d(w) if batch_norm else nn.Identity() for w in hidden)
        self.activation = ACTIVATIONS[activation].module()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.output_activation = ACTIVATIONS[output_activation].module()

    def forward_all(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The output (B, 1) and every hidden layer's activations [(B, h1), (B, h2), ...] from one pass."""
        hidden = []
        for linear, norm in zip(self.linears[:-1], self.norms, strict=True):
            x = self.activation(norm(linear(x)))
            hidden.append(x)
            x = self.dropout(x)
        return self.output_activation(self.linears[-1](x)), hidden

    def forward_columns(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The same pass in eval mode on column-major input (F, N): output (1, N), hidden [(h, N), ...].

        For the input-plane maps: with 10,000 grid points each neuron's map is one contiguous row, and the
        matrix products run as W·X (addmm), several times faster than X·Wᵀ at these shapes."""
        hidden = []
        for linear, norm in zip(self.linears[:-1], self.norms, strict=True):
            z = torch.addmm(linear.bias[:, None], linear.weight, x)
            if not isinstance(norm, nn.Identity):
                z = norm(z.T).T
            x = self.activation(z)
            hidden.append(x)
        last = self.linears[-1]
        return self.output_activation(torch.addmm(last.bias[:, None], last.weight, x)), hidden

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The network's output, (B, 1)."""
        return self.forward_all(x)[0]


@holds_global_rng()
def build_model(config: PlaygroundConfig, output_activation: str) -> PlaygroundNet:
    """The network for a configuration in float64, weights initialised from the config's seed."""
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(config.seed)
    try:
        model = PlaygroundNet(
            len(config.features),
            config.hidden,
            config.activation,
            output_activation,
            config.dropout,
            config.batch_norm,
        ).double()
        init_weights(model, config.init)
    finally:
        # Leave the process-wide generator as it was: a Streamlit server shares it between sessions.
        torch.random.set_rng_state(generator_state)
    return model


def init_weights(model: PlaygroundNet, scheme: str) -> None:
    """Apply an init scheme from the registry to every Linear weight and zero every bias."""
    with torch.no_grad():
        for linear in model.linears:
            INITS[scheme].apply(linear.weight)
            linear.bias.zero_()


def weight_penalty(model: nn.Module, kind: str) -> torch.Tensor:
    """The regularization term before its rate: Σ|w| (L1) or ½Σw² (L2) over the weights, biases excluded."""
    weights = [linear.weight for linear in model.linears]
    if kind == "L1":
        return sum(w.abs().sum() for w in weights)
    if kind == "L2":
        return 0.5 * sum((w * w).sum() for w in weights)
    return torch.zeros((), dtype=weights[0].dtype)
