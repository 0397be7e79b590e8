"""“PyTorch for these settings”: a script that trains the page's GPT the way the page does and prints its
validation loss. The model is core/transformer/model.py pasted in unchanged and the split and batches are
the RNN page's own functions, so the script builds the same weights and draws the same batches."""

from string import Template

from core.rnn.data import split_text, windows
from core.rnn.job import TEXT_BLOCK, TEXT_HOLD_EVERY
from core.sources import source_of
from core.transformer import model
from core.transformer.config import TransformerConfig
from core.transformer.job import BETAS, CLIP, EVAL_BATCH

TEXT_FILE = "shakespeare.txt"  # the name the page's download button gives the built-in corpus
YOUR_TEXT_FILE = "my_text.txt"  # and the learner's text, as the model reads it

SCRIPT = Template("""\
$model

$split_text

$windows

# The settings on the page
torch.set_num_threads(1)  # the app trains on one thread: the same sums in the same order, the same digits
TEXT_FILE = "$text_file"  # the page's download button saves this text
LAYERS, HEADS, WIDTH, CONTEXT, DROPOUT = $layers, $heads, $width, $context, $dropout
CAUSAL, POSITIONS = $causal, "$positions"
LR, BATCH, SEED, STEPS = $lr, $batch, $seed, $steps
EVAL_BATCH, CLIP = $eval_batch, $clip

text = open(TEXT_FILE, encoding="utf-8").read()
alphabet = "".join(sorted(set(text)))  # a character's code is its place here
index = {c: i for i, c in enumerate(alphabet)}
codes = torch.tensor([index[c] for c in text])
# every ${every}th block of $block characters is held out for validation
train_codes, val_codes = split_text(codes, $block, $every)
if len(val_codes) < CONTEXT + 1:  # too short to hold out a window: validate on the training text
    train_codes = val_codes = codes

torch.manual_seed(SEED)
config = GPTConfig(len(alphabet), CONTEXT, LAYERS, HEADS, WIDTH, DROPOUT, CAUSAL, POSITIONS)
model = GPT(config)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters, {len(alphabet)} characters")
gen = torch.Generator().manual_seed(SEED)
val = windows(val_codes, EVAL_BATCH, CONTEXT, torch.Generator().manual_seed(SEED + 1))
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=$betas)
for step in range(STEPS):
    x, y = windows(train_codes, BATCH, CONTEXT, gen)  # (B, T) inputs, (B, T) next characters
    model.train()
    _, loss = model(x, y)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    optimizer.step()

model.eval()
with torch.no_grad():
    val_loss = model(*val)[1].item()
print(f"validation loss after {STEPS} steps: {val_loss:.6f} nats per character")
prompt = torch.tensor([[codes[0].item()]])
written = model.generate(prompt, 200, 1.0, torch.Generator().manual_seed(0))
print("".join(alphabet[c] for c in written[0].tolist()))
""")


def loss_line(steps: int, val_loss: float) -> str:
    """The line the script prints, for the page to show the same number in the same words."""
    return f"validation loss after {steps} steps: {val_loss:.6f} nats per character"


def text_file(config: TransformerConfig) -> str:
    """The file name the script reads its text from."""
    return TEXT_FILE if config.source == "shakespeare" else YOUR_TEXT_FILE


def train_script(config: TransformerConfig, steps: int) -> str:
    """A script that trains `config` for `steps` steps the way the page does and prints its validation
    loss (then a sample)."""
    return SCRIPT.substitute(
        model=source_of(model).strip(),
        split_text=source_of(split_text).strip(),
        windows=source_of(windows).strip(),
        text_file=text_file(config),
        layers=config.layers,
        heads=config.heads,
        width=config.width,
        context=config.context,
        dropout=config.dropout,
        causal=config.causal,
        positions=config.positions,
        lr=config.lr,
        batch=config.batch,
        seed=config.seed,
        steps=steps,
        eval_batch=EVAL_BATCH,
        clip=CLIP,
        betas=BETAS,
        block=TEXT_BLOCK,
        every=TEXT_HOLD_EVERY,
    )
