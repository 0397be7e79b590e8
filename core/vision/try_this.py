"""The Image classification page's "Try this": experiments with each model's answer, checked by a test."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Experiment:
    """Something to try on the page, and the top-1 class each named model gives (tests/unit check them)."""

    text: str  # Markdown: what to set and what to look for
    photo: str  # example photo name
    top1: dict[str, str]  # registry model name -> its top-1 label on that photo


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "**Cat, EfficientNet-Lite0 compared with Lite2**: Lite0 says *tiger cat* (about 40 %), Lite2 "
        "*Egyptian cat* (about 60 %); both keep tiger cat, Egyptian cat and tabby in their top 3. "
        "Neighbouring ImageNet classes share the probability: a top-1 'error' can be a near miss.",
        "cat",
        {"efficientnet_lite0": "tiger cat", "efficientnet_lite2": "Egyptian cat"},
    ),
    Experiment(
        "**Flower (a pompon dahlia)**: Lite0 says *daisy*, Lite1 and Lite2 say *honeycomb*. ImageNet has no "
        "dahlia class, so every answer is a nearest neighbour among the 1,000 it knows; Grad-CAM shows which "
        "petals looked like honeycomb cells.",
        "flower",
        {"efficientnet_lite0": "daisy", "efficientnet_lite1": "honeycomb", "efficientnet_lite2": "honeycomb"},
    ),
    Experiment(
        "**Astronaut**: the top class is sports gear (Lite0: *football helmet*). ImageNet has no person "
        "class: a classifier can only name what it was trained on, however low its probabilities are.",
        "astronaut",
        {"efficientnet_lite0": "football helmet"},
    ),
    Experiment(
        "**Cameraman (greyscale), Grad-CAM for the top class, then for the 2nd**: *tripod* has over 90 % "
        "on Lite0 and the 2nd class under 2 %, yet both maps reach full red somewhere: each map is scaled to "
        "its own peak, so compare where the maps are red, never how red.",
        "cameraman",
        {"efficientnet_lite0": "tripod", "efficientnet_lite2": "tripod"},
    ),
)


def try_this_markdown() -> str:
    """The experiments as a Markdown list."""
    return "\n".join(f"- {e.text}" for e in EXPERIMENTS)
