"""“PyTorch for these settings”: scripts that reproduce what the RNN page shows, filled in from its current
values. The data and model code is pasted from core.rnn.data and core.rnn.model unchanged, so a script draws
the same batches and builds the same weights as the page."""

from string import Template

from core.rnn import data, model
from core.rnn.config import RNNConfig
from core.rnn.job import ADDING_TEST_SIZE, EVAL_BATCH, SERIES_POINTS, TEXT_BLOCK, TEXT_HOLD_EVERY, TRAIN_SHARE
from core.rnn.simple import SimpleRNN
from core.rnn.text import prepare_text
from core.sources import source_of

SEED_SCRIPT = Template("""\
import torch
from torch import nn


$model

torch.manual_seed($seed)
model = SimpleRNN(10, 20, 5)
x = torch.randn(1, 5, 10)  # (batch, time steps, features)

out, h_n = model.rnn(x)  # (1, 5, 20), (1, 1, 20)
rnn = model.rnn
h = torch.zeros(20)  # h_0
for t in range(5):  # h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh)
    h = torch.tanh(rnn.weight_ih_l0 @ x[0, t] + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h + rnn.bias_hh_l0)
print("output:", " ".join(f"{v:.4f}" for v in model(x)[0].tolist()))
print("max |hand h_5 - nn.RNN h_5|:", f"{(h - h_n[0, 0]).abs().max().item():.1e}")
""")

TRAIN_SCRIPT = Template("""\
$data
$model
# The settings on the page
torch.set_num_threads(1)  # the app trains on one thread: the same sums in the same order, the same digits
TASK = "$task"
CELL, HIDDEN, LAYERS = "$cell", $hidden, $layers
LR, CLIP, BATCH, SEQ_LEN, SEED, STEPS = $lr, $clip, $batch, $seq_len, $seed, $steps
$task_setup
optimizer = torch.optim.Adam(model.parameters(), lr=LR)
for step in range(STEPS):
    x, y = $batch_call
    out, _ = model(model_input(x, VOCAB))
    loss = task_loss(TASK, out, y)
    optimizer.zero_grad()
    loss.backward()
    $clip_line
    optimizer.step()

with torch.no_grad():
    x, y = test
    test_loss = task_loss(TASK, model(model_input(x, VOCAB))[0], y).item()
$report
""")

ADDING_SETUP = Template("""
VOCAB = 0  # numbers, not characters
torch.manual_seed(SEED)
model = SequenceModel(CELL, 2, HIDDEN, LAYERS, 1)
gen = torch.Generator().manual_seed(SEED)
test = adding_batch($test_size, SEQ_LEN, torch.Generator().manual_seed(SEED + 1))
""")

SINE_SETUP = Template("""
VOCAB = 0  # numbers, not characters
torch.manual_seed(SEED)
model = SequenceModel(CELL, 1, HIDDEN, LAYERS, 1)
gen = torch.Generator().manual_seed(SEED)
series = sine_series($points, $freq, $noise, $sum_of_sines, gen)
split = int($train_share * $points)
train_series, test_series = series[:split], series[split:]
test = windows(test_series, $eval_batch, SEQ_LEN, torch.Generator().manual_seed(SEED + 1))
""")

CHARS_SETUP = Template("""
TEXT = $text
ALPHABET = "".join(sorted(set(TEXT)))
VOCAB = len(ALPHABET)
codes = torch.tensor([ALPHABET.index(c) for c in TEXT])
torch.manual_seed(SEED)
model = SequenceModel(CELL, VOCAB, HIDDEN, LAYERS, VOCAB)
gen = torch.Generator().manual_seed(SEED)
# every ${every}th block of $block characters is held out
train_codes, held_codes = split_text(codes, $block, $every)
held_out = len(held_codes) >= SEQ_LEN + 1  # else the perplexity is measured on the training text
train_series = train_codes if held_out else codes
test_codes = held_codes if held_out else codes
test = windows(test_codes, $eval_batch, SEQ_LEN, torch.Generator().manual_seed(SEED + 1))
""")

REPORTS = {
    "adding": 'print(f"test MSE after {STEPS} steps: {test_loss:.6f}")',
    "sine": 'print(f"test MSE after {STEPS} steps: {test_loss:.6f}")',
    "chars": 'print(f"perplexity after {STEPS} steps: {math.exp(min(test_loss, 50.0)):.4f}")',
}


def seed_script(seed: int) -> str:
    """The seed slide's SimpleRNN on a (1, 5, 10) input with the hand recurrence beside nn.RNN's."""
    return SEED_SCRIPT.substitute(model=source_of(SimpleRNN).strip(), seed=seed)


def metric_line(task: str, steps: int, metric: float) -> str:
    """The line the training script prints, for the page to show the same numbers in the same words."""
    if task == "chars":
        return f"perplexity after {steps} steps: {metric:.4f}"
    return f"test MSE after {steps} steps: {metric:.6f}"


def train_script(config: RNNConfig, steps: int) -> str:
    """A script that trains `config` for `steps` steps the way the page does and prints its test metric."""
    if config.task == "adding":
        setup = ADDING_SETUP.substitute(test_size=ADDING_TEST_SIZE)
        batch_call = "adding_batch(BATCH, SEQ_LEN, gen)"
    elif config.task == "sine":
        setup = SINE_SETUP.substitute(
            points=SERIES_POINTS,
            freq=config.freq,
            noise=config.noise,
            sum_of_sines=config.sum_of_sines,
            train_share=TRAIN_SHARE,
            eval_batch=EVAL_BATCH,
        )
        batch_call = "windows(train_series, BATCH, SEQ_LEN, gen)"
    else:
        text = prepare_text(config.text, config.seq_len + 1).text
        setup = CHARS_SETUP.substitute(
            text=repr(text), block=TEXT_BLOCK, every=TEXT_HOLD_EVERY, eval_batch=EVAL_BATCH
        )
        batch_call = "windows(train_series, BATCH, SEQ_LEN, gen)"
    clip_line = (
        f"torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm={config.clip})"
        if config.clip > 0
        else "# no gradient clipping"
    )
    return TRAIN_SCRIPT.substitute(
        data=source_of(data),
        model=source_of(model),
        task=config.task,
        cell=config.cell,
        hidden=config.hidden,
        layers=config.layers,
        lr=config.lr,
        clip=config.clip,
        batch=config.batch,
        seq_len=config.seq_len,
        seed=config.seed,
        steps=steps,
        task_setup=setup,
        batch_call=batch_call,
        clip_line=clip_line,
        report=REPORTS[config.task],
    )
