"""Retrain the offline sentiment model's head on SST-2 and write core/text/weights/minilm_sst2.safetensors.

The MiniLM encoder stays frozen except for its top `--tuned-layers` transformer layers, which are fine-tuned
together with a pooling + linear classifier. The frozen part is run once over the training set and its
output cached (float16, in memory), so each epoch costs only the tuned layers: a few minutes per epoch on
one CPU core. Seeded: the same command on the same machine writes the same weights.

    nice -n 10 .venv/bin/python scripts/train_sentiment_head.py            # the committed head
    # a quick try of the pipeline, not the committed head:
    .venv/bin/python scripts/train_sentiment_head.py --out /tmp/h.safetensors --epochs 1 --train-limit 2000

Reads ../shared/data/sst2/{train,dev}.tsv (override with --data); prints progress and the dev accuracy.
"""

import argparse
import csv
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.runtime import seed_everything  # noqa: E402
from core.text.classifier import SentimentClassifier  # noqa: E402
from core.text.minilm import MiniLMSentiment, load_encoder, load_minilm_sentiment, new_head, save_head  # noqa: E402
from core.text.offline import MAX_TOKENS, WEIGHTS, HeadConfig  # noqa: E402

DATA = REPO.parent / "shared" / "data" / "sst2"


def read_split(path: Path) -> tuple[list[str], np.ndarray]:
    """Texts and 0/1 labels of an SST-2 TSV file (quotes are literal characters in SST-2, not CSV quoting)."""
    table = pd.read_csv(path, sep="\t", quoting=csv.QUOTE_NONE, keep_default_na=False, dtype={"text": str})
    return table["text"].tolist(), table["label"].to_numpy(dtype=np.int64)


class Cached:
    """Hidden states entering the tuned layers, one variable-length (T_i, C) block per text, stored flat."""

    def __init__(
        self, model: MiniLMSentiment, tokenizer: PreTrainedTokenizerBase, texts: list[str], batch: int = 256
    ) -> None:
        ids = tokenizer(texts, truncation=True, max_length=MAX_TOKENS)["input_ids"]
        self.lengths = np.array([len(x) for x in ids])
        self.offsets = np.concatenate([[0], np.cumsum(self.lengths)])
        self.states = torch.zeros(
            int(self.offsets[-1]), model.encoder.config.hidden_size, dtype=torch.float16
        )
        order = np.argsort(self.lengths, kind="stable")  # similar lengths together: little padding
        with torch.inference_mode():
            for start in range(0, len(order), batch):
                chunk = order[start : start + batch]
                width = int(self.lengths[chunk].max())
                input_ids = torch.zeros(len(chunk), width, dtype=torch.long)
                mask = torch.zeros(len(chunk), width, dtype=torch.long)
                for row, i in enumerate(chunk):
                    input_ids[row, : self.lengths[i]] = torch.tensor(ids[i])
                    mask[row, : self.lengths[i]] = 1
                hidden = model.hidden_below_head(input_ids, mask)  # (B, T, C)
                for row, i in enumerate(chunk):
                    self.states[self.offsets[i] : self.offsets[i + 1]] = hidden[row, : self.lengths[i]].half()

    def batch(self, indices: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """Padded float32 states (B, T, C) and the padding mask (B, T) for these texts."""
        width = int(self.lengths[indices].max())
        hidden = torch.zeros(len(indices), width, self.states.shape[1])
        mask = torch.zeros(len(indices), width, dtype=torch.long)
        for row, i in enumerate(indices):
            hidden[row, : self.lengths[i]] = self.states[self.offsets[i] : self.offsets[i + 1]].float()
            mask[row, : self.lengths[i]] = 1
        return hidden, mask


def length_bucketed_batches(lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A shuffled epoch whose batches hold texts of similar length (sorted within pools of 50 batches)."""
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    pool = size * 50
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def accuracy(head: nn.Module, data: Cached, labels: np.ndarray) -> float:
    """Fraction of texts whose arg-max logit is the label."""
    head.eval()
    correct = 0
    with torch.inference_mode():
        for start in range(0, len(labels), 128):
            indices = np.arange(start, min(start + 128, len(labels)))
            correct += int((head(*data.batch(indices)).argmax(-1).numpy() == labels[indices]).sum())
    head.train()
    return correct / len(labels)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA, help="folder with train.tsv and dev.tsv")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--tuned-layers", type=int, default=2, help="top transformer layers to fine-tune")
    parser.add_argument("--pooling", choices=("mean", "attention"), default="mean")
    parser.add_argument(
        "--hidden", type=int, default=0, help="MLP hidden width before the output; 0 = linear"
    )
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr-layers", type=float, default=5e-5, help="learning rate of the tuned layers")
    parser.add_argument("--lr-head", type=float, default=1e-3, help="learning rate of pooling and classifier")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-limit", type=int, default=None, help="use only the first N training texts")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 = bit-reproducible)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    began = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    seed_everything(args.seed)
    encoder, tokenizer = load_encoder(attention="sdpa")
    config = HeadConfig(args.tuned_layers, args.pooling, args.hidden)
    head = new_head(encoder, config)
    frozen = MiniLMSentiment(encoder, head).eval()

    train_texts, train_labels = read_split(args.data / "train.tsv")
    train_texts, train_labels = train_texts[: args.train_limit], train_labels[: args.train_limit]
    dev_texts, dev_labels = read_split(args.data / "dev.tsv")
    train, dev = Cached(frozen, tokenizer, train_texts), Cached(frozen, tokenizer, dev_texts)
    cached_at = time.perf_counter()
    print(
        f"cached the frozen layers' output for {len(train_texts):,} + {len(dev_texts):,} texts "
        f"({train.states.shape[0]:,} train tokens) in {cached_at - began:.0f} s",
        flush=True,
    )

    head.train()
    layer_params = list(head.layers.parameters())
    other_params = [p for n, p in head.named_parameters() if not n.startswith("layers.")]
    optimiser = torch.optim.AdamW(
        [{"params": layer_params, "lr": args.lr_layers}, {"params": other_params, "lr": args.lr_head}],
        weight_decay=0.01,
    )
    steps = args.epochs * -(-len(train_labels) // args.batch)
    warmup = int(0.06 * steps)
    # Linear warm-up then linear decay to zero, the usual schedule for fine-tuning BERT-style encoders.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min(1.0, (s + 1) / max(1, warmup)) * max(0.0, (steps - s) / max(1, steps - warmup)),
    )
    loss_fn = nn.CrossEntropyLoss()
    targets = torch.tensor(train_labels)
    history = []
    for epoch in range(args.epochs):
        batches = length_bucketed_batches(train.lengths, args.batch, rng)
        for k, indices in enumerate(batches):
            loss = loss_fn(head(*train.batch(indices)), targets[indices])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            if k % 500 == 0:
                print(
                    f"epoch {epoch + 1} batch {k}/{len(batches)} loss {loss.item():.3f} "
                    f"{time.perf_counter() - began:.0f} s",
                    flush=True,
                )
        history.append(round(accuracy(head, dev, dev_labels), 4))
        print(f"epoch {epoch + 1}: dev accuracy {history[-1]:.4f}", flush=True)

    facts = {
        "dev_accuracy": history[-1],
        "dev_accuracy_per_epoch": history,
        "seed": args.seed,
        "epochs": args.epochs,
        "batch": args.batch,
        "lr_layers": args.lr_layers,
        "lr_head": args.lr_head,
        "train_texts": len(train_texts),
        "dev_texts": len(dev_texts),
        "trained_on": "SST-2 train (GLUE)",
        "threads": args.threads,
        "date": date.today().isoformat(),
    }
    save_head(head.eval(), args.out, facts)
    # The figure that counts is the saved file's, run end to end the way the app runs it (full encoder, fp16
    # weights cast back to float32): write it into the file's facts.
    model, tokenizer = load_minilm_sentiment(args.out)
    predictions = SentimentClassifier("minilm-sst2", model, tokenizer, MAX_TOKENS).predict(dev_texts)
    correct = sum((p.label == "POSITIVE") == bool(y) for p, y in zip(predictions, dev_labels, strict=True))
    seconds = time.perf_counter() - began
    facts.update(dev_accuracy=round(correct / len(dev_labels), 4), seconds=round(seconds))
    save_head(head, args.out, facts)
    size = args.out.stat().st_size / 1e6
    print(
        f"dev accuracy of the saved model {facts['dev_accuracy']:.4f} ({correct}/{len(dev_labels)}); "
        f"wrote {args.out} ({size:.1f} MB) in {seconds / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
