"""The Sentiment page's "PyTorch for these settings": the course slide's pipeline("sentiment-analysis") call,
and the same computation written out for the offline model, on the text the page shows.

Each script uses only torch, transformers, safetensors and the model's own files (never this app); a test runs
the offline one in a fresh interpreter and compares its output with the page's numbers.
"""

from core.text.offline import MAX_TOKENS, PACKAGE, WEIGHTS, read_metadata
from core.text.registry import HUB_REPO, MODELS

PIPELINE_SCRIPT = """\
from transformers import pipeline

# {comment}
classifier = pipeline("sentiment-analysis"{model_argument})
print(classifier({text!r}, top_k=None))  # both labels with their softmax probabilities
"""

SLIDE_COMMENT = (
    f"The course slide's call. With no model named it downloads the default,\n# {HUB_REPO}\n"
    "# (the internet is needed once): a different model from the offline one this page uses."
)

OFFLINE_SCRIPT = """\
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer

import {package}

ENCODER = Path({package}.__file__).parent / "model"  # sentence-transformers/all-MiniLM-L6-v2
HEAD = {head!r}  # this project's fine-tuned top layers and classifier

tokenizer = AutoTokenizer.from_pretrained(ENCODER)
encoder = AutoModel.from_pretrained(ENCODER, attn_implementation="eager", dtype=torch.float32).eval()
head = {{name: tensor.float() for name, tensor in load_file(HEAD).items()}}  # stored as float16

# The fine-tuned copies replace the encoder's top {tuned} layers:
# head key layers.i.* is encoder.layer.{{{first} + i}}.*
tuned = {{
    f"encoder.layer.{{{first} + int(name.split('.')[1])}}.{{name.split('.', 2)[2]}}": tensor
    for name, tensor in head.items()
    if name.startswith("layers.")
}}
missing, unexpected = encoder.load_state_dict(tuned, strict=False)
assert not unexpected and len(tuned) == len(head) - 2  # every layer tensor found its place
classifier = torch.nn.Linear(encoder.config.hidden_size, 2)  # outputs: NEGATIVE, POSITIVE
classifier.load_state_dict({{"weight": head["classifier.weight"], "bias": head["classifier.bias"]}})

text = {text!r}
batch = tokenizer([text], truncation=True, max_length={max_tokens}, return_tensors="pt")
with torch.inference_mode():
    hidden = encoder(**batch).last_hidden_state  # (1, T, {width})
    mask = batch["attention_mask"].unsqueeze(-1).float()  # (1, T, 1)
    pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)  # (1, {width}): mean over the real tokens
    logits = classifier(pooled)[0]  # (2,)
probabilities = logits.softmax(dim=-1)  # P(NEGATIVE), P(POSITIVE): uncalibrated
print(f"logits: NEGATIVE {{logits[0]:.4f}}, POSITIVE {{logits[1]:.4f}}")
print(f"P(NEGATIVE) = {{probabilities[0]:.4f}}, P(POSITIVE) = {{probabilities[1]:.4f}}")
"""


def pipeline_code(name: str, text: str, model_path: str | None = None) -> str:
    """The `pipeline("sentiment-analysis")` script: the slide's call for the offline model (which has no
    pipeline), the model itself for a hub or local-directory entry (`model_path`)."""
    if name == "minilm-sst2" or model_path is None:
        return PIPELINE_SCRIPT.format(comment=SLIDE_COMMENT, model_argument="", text=text)
    comment = f"{MODELS[name].title}, from local files only"
    argument = f", model={model_path!r}"  # a local directory: nothing is downloaded
    return PIPELINE_SCRIPT.format(comment=comment, model_argument=argument, text=text)


def offline_code(text: str) -> str:
    """The offline model (minilm-sst2) written out with transformers and safetensors: logits and softmax."""
    config, _ = read_metadata(WEIGHTS)
    if config.pooling != "mean" or config.hidden:
        raise ValueError("the written-out script covers the committed head: mean pooling and one Linear")
    return OFFLINE_SCRIPT.format(
        package=PACKAGE,
        head=str(WEIGHTS),
        tuned=config.tuned_layers,
        first=6 - config.tuned_layers,
        text=text,
        max_tokens=MAX_TOKENS,
        width=384,
    )
