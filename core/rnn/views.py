"""What the RNN page shows of a run, computed from a probe (a copy of the job): small pure functions the
page calls and the tests check."""

import dataclasses

import numpy as np
import torch

from core.rnn.config import RNNConfig
from core.rnn.inside import forecast, fresh_gradients, gradient_through_time
from core.rnn.job import RNNJob

PROBE_BATCH = 32  # test sequences the gradients through time are averaged over (one loss)


def probe_batch(job: RNNJob) -> tuple[torch.Tensor, torch.Tensor]:
    """The first PROBE_BATCH test sequences and their targets."""
    x, y = job.test
    return x[:PROBE_BATCH], y[:PROBE_BATCH]


def model_inputs(job: RNNJob) -> torch.Tensor:
    """The probe batch as the recurrent layer reads it (one-hot for characters)."""
    x, _ = probe_batch(job)
    return torch.nn.functional.one_hot(x, job.vocab).float() if job.vocab else x


def gradient_curves(job: RNNJob, seed: int) -> dict[str, np.ndarray]:
    """‖∂L/∂h_t‖ on the probe batch for this run's model and, for comparison, freshly initialised RNN, LSTM
    and GRU of the same size."""
    x, y = probe_batch(job)
    c = job.config
    curves = {
        f"{c.cell}, this run (step {job.steps})": gradient_through_time(job.model, job.task, x, y, job.vocab)
    }
    for cell in ("RNN", "LSTM", "GRU"):
        curves[f"{cell}, untrained"] = fresh_gradients(
            cell, c.hidden, c.layers, job.task, x, y, job.vocab, seed
        )
    return curves


def comparable(config: RNNConfig) -> RNNConfig:
    """The run's settings without its cell: runs that differ only in the cell can be compared."""
    return dataclasses.replace(config.identity(), cell="")


def vanishing_ratio(norms: np.ndarray) -> float:
    """‖∂L/∂h_1‖ / ‖∂L/∂h_T‖: how much of the last step's gradient reaches the first step."""
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else float("nan")


@torch.no_grad()
def adding_examples(job: RNNJob, count: int = 5) -> list[dict[str, float]]:
    """A few test sequences: the two marked numbers, their sum and the model's answer."""
    x, y = job.test
    out, _ = job.model(x[:count])  # (n, T, 1)
    rows = []
    for k in range(count):
        marked = x[k, x[k, :, 1] == 1, 0].tolist()
        rows.append(
            {
                "first number": round(marked[0], 3),
                "second number": round(marked[1], 3),
                "target (sum)": round(y[k, 0].item(), 3),
                "model": round(out[k, -1, 0].item(), 3),
            }
        )
    return rows


def forecast_view(job: RNNJob) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """From the start of the test signal: the context (T values), the true next `horizon` values, the
    one-step predictions, the roll-out and the roll-out's mean squared error."""
    T, horizon = job.config.seq_len, job.config.horizon
    context, truth = job.test_series[:T], job.test_series[T : T + horizon]
    one_step, rolled = forecast(job.model, context, horizon)
    rolled = rolled[: len(truth)]
    return context.numpy(), truth.numpy(), one_step, rolled, float(np.mean((rolled - truth.numpy()) ** 2))
