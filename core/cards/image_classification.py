"""The Image classification page's prediction cards: the shipped EfficientNet-Lite models on the example
photos, each run through the page's own classify and Grad-CAM."""

from functools import cache

from core.cards.card import Card, Numbers
from core.vision.examples import example_image
from core.vision.gradcam import grad_cam
from core.vision.inference import Classification, classify
from core.vision.registry import IMAGENET_CATEGORIES, LoadedModel, get_model, load_model

LITE0, LITE1, LITE2 = "efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2"
CATS = {"tiger cat", "Egyptian cat", "tabby", "Persian cat", "Siamese cat"}  # ImageNet's domestic cats
PEOPLE = {"scuba diver", "groom", "ballplayer"}  # ImageNet's only classes that are people


@cache
def model(name: str) -> LoadedModel:
    """A shipped model, loaded once per process (inference and Grad-CAM take its lock)."""
    return load_model(get_model(name))


def classified(name: str, photo: str, top_k: int = 3) -> Classification:
    """What model `name` makes of the example photo `photo`."""
    return classify(model(name), example_image(photo).image, top_k)


def settings(photo: str, first: str = LITE0, second: str = "none", **more: object) -> dict[str, object]:
    """The page's widgets for an example photo, the model and the model compared with it."""
    return {
        "img_source": "Example photo",
        "img_example": photo,
        "img_model": first,
        "img_compare": second,
        "img_topk": 5,
        **more,
    }


def cat() -> Numbers:
    """Lite0's and Lite2's top-1 on the cat and its probability, and how many classes their top 3 share."""
    a, b = classified(LITE0, "cat"), classified(LITE2, "cat")
    shared = {p.label for p in a.predictions} & {p.label for p in b.predictions}
    return {
        "lite0": a.predictions[0].label,
        "p0": 100 * a.predictions[0].prob,
        "lite2": b.predictions[0].label,
        "p2": 100 * b.predictions[0].prob,
        "shared": len(shared),
    }


def cat_rule(n: Numbers) -> int:
    """The same class (0), two different cats (1), or something that is no cat (2)."""
    if n["lite0"] == n["lite2"]:
        return 0
    return 1 if {n["lite0"], n["lite2"]} <= CATS else 2


def flower() -> Numbers:
    """The three models' top-1 on the pompon dahlia."""
    return {name[-5:]: classified(name, "flower", 1).predictions[0].label for name in (LITE0, LITE1, LITE2)}


FLOWER = ("All three: daisy", "Lite0 daisy; Lite1 and Lite2 honeycomb", "All three: honeycomb")


def flower_rule(n: Numbers) -> int:
    """Which answer lists the three labels."""
    return [("daisy",) * 3, ("daisy", "honeycomb", "honeycomb"), ("honeycomb",) * 3].index(
        (n["lite0"], n["lite1"], n["lite2"])
    )


def astronaut() -> Numbers:
    """Lite0's top-1 on the astronaut and its probability."""
    best = classified(LITE0, "astronaut", 1).predictions[0]
    return {"label": best.label, "p": 100 * best.prob}


def astronaut_rule(n: Numbers) -> int:
    """A person class (0), the space shuttle (2), or another thing (1: it is the football helmet)."""
    return 0 if n["label"] in PEOPLE else 2 if n["label"] == "space shuttle" else 1


def cameraman() -> Numbers:
    """Lite0 on the cameraman: the top two classes with their probabilities, and the peak of each one's
    Grad-CAM map."""
    result = classified(LITE0, "cameraman", 2)
    first, second = result.predictions
    peaks = [float(grad_cam(model(LITE0), result.model_input, p.index).max()) for p in (first, second)]
    return {
        "first": first.label,
        "p1": 100 * first.prob,
        "second": second.label,
        "p2": 100 * second.prob,
        "peak1": peaks[0],
        "peak2": peaks[1],
    }


CARDS = (
    Card(
        name="image_classification-cat",
        page="image_classification",
        question="The **cat** photo, **EfficientNet-Lite0 compared with Lite2**. Their top-1 classes are…",
        answers=("the same class", "two different cat classes", "at least one that is not a cat"),
        settings=settings("cat", LITE0, LITE2),
        run=cat,
        rule=cat_rule,
        note="Lite0 says **{lite0}** ({p0:.0f} %), Lite2 **{lite2}** ({p2:.0f} %); their top 3 share "
        "{shared} classes. Neighbouring ImageNet classes split the probability between them: a top-1 "
        "'error' can be a near miss.",
        explains=1,
    ),
    Card(
        name="image_classification-flower",
        page="image_classification",
        question="The **flower** is a pompon dahlia; ImageNet has no dahlia class. What do the three "
        "EfficientNet-Lite models call it?",
        answers=FLOWER,
        settings=settings("flower", LITE0, LITE2),
        run=flower,
        rule=flower_rule,
        note="Lite0 **{lite0}**, Lite1 **{lite1}**, Lite2 **{lite2}**: every answer is a nearest neighbour "
        "among the 1,000 classes a model knows; Grad-CAM for honeycomb shows which petals looked like its "
        "cells.",
        explains=1,
    ),
    Card(
        name="image_classification-astronaut",
        page="image_classification",
        question="The **astronaut** photo on Lite0. Its top class?",
        answers=("A class for people", "Something else: sports gear", "space shuttle"),
        settings=settings("astronaut"),
        run=astronaut,
        rule=astronaut_rule,
        note="**{label}** ({p:.0f} %). ImageNet's 1,000 classes have no 'person' or 'astronaut': a "
        "classifier can only name what it was trained on, and the helmet is the nearest thing it knows.",
        explains=1,
    ),
    Card(
        name="image_classification-cameraman",
        page="image_classification",
        question="The **cameraman** on Lite0: tripod tops the list, the 2nd class has only about 1 %. "
        "Switch Grad-CAM from tripod to the 2nd class: how red does its map get?",
        answers=("Full red somewhere, like tripod's", "Faint everywhere: it has little evidence"),
        settings=settings("cameraman", img_cam_class=IMAGENET_CATEGORIES.index("tripod")),
        run=cameraman,
        rule=lambda n: 0 if n["peak2"] > 0.99 else 1,
        note="**{first}** {p1:.1f} %, **{second}** {p2:.1f} %, yet both maps peak at {peak1:.2f} and "
        "{peak2:.2f}: each map is divided by its own peak, so compare where maps are red, never how red.",
        explains=0,
    ),
)
