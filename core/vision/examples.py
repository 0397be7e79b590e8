"""Example photos that ship inside installed packages, so the demo works with no upload and no download.

Only pictures bundled in the scikit-image wheel (some of skimage.data needs pooch and the network) and
scikit-learn's two sample images are used.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.vision.images import LoadedImage, from_array


@dataclass(frozen=True)
class Example:
    """A photo, where it comes from, and the ImageNet classes a good model puts in its top 5."""

    name: str
    title: str
    module: str  # the module `source` needs imported
    source: str  # the Python expression that returns it, as (H, W) or (H, W, 3|4) uint8
    load: Callable[[], np.ndarray]  # (H, W) or (H, W, 3|4) uint8
    expected: tuple[str, ...]  # ImageNet labels; empty when the subject is no ImageNet class
    note: str = ""  # what to notice


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data

        return getattr(data, name)()

    return load


def _motorcycle() -> np.ndarray:
    from skimage import data

    return data.stereo_motorcycle()[0]  # left view of the stereo pair


def _sklearn(index: int) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_images

        return load_sample_images().images[index]

    return load


EXAMPLE_PHOTOS: dict[str, Example] = {
    e.name: e
    for e in (
        Example(
            "cat",
            "Cat (Chelsea)",
            "skimage.data",
            "skimage.data.chelsea()",
            _skimage("chelsea"),
            ("tiger cat", "Egyptian cat", "tabby"),
        ),
        Example(
            "coffee",
            "Cup of coffee",
            "skimage.data",
            "skimage.data.coffee()",
            _skimage("coffee"),
            ("espresso", "cup"),
        ),
        Example(
            "rocket",
            "Rocket on the launch pad",
            "skimage.data",
            "skimage.data.rocket()",
            _skimage("rocket"),
            ("missile", "projectile", "space shuttle"),
        ),
        Example(
            "motorcycle",
            "Motorcycle",
            "skimage.data",
            "skimage.data.stereo_motorcycle()[0]",
            _motorcycle,
            ("moped", "motor scooter"),
        ),
        Example(
            "cameraman",
            "Cameraman (greyscale)",
            "skimage.data",
            "skimage.data.camera()",
            _skimage("camera"),
            ("tripod",),
            "A greyscale photo: its one channel is copied to R, G and B.",
        ),
        Example(
            "palace",
            "Summer Palace, Beijing",
            "sklearn.datasets",
            "sklearn.datasets.load_sample_images().images[0]",
            _sklearn(0),
            ("palace",),
        ),
        Example(
            "flower",
            "Flower (a pompon dahlia)",
            "sklearn.datasets",
            "sklearn.datasets.load_sample_images().images[1]",
            _sklearn(1),
            ("daisy",),
            "ImageNet has no dahlia class: 'daisy' is its nearest flower; Lite1 and Lite2 say 'honeycomb'.",
        ),
        Example(
            "astronaut",
            "Astronaut (Eileen Collins)",
            "skimage.data",
            "skimage.data.astronaut()",
            _skimage("astronaut"),
            (),
            "ImageNet has no 'astronaut' or 'person' class: a model can only name what it was trained on.",
        ),
    )
}


def example_names() -> list[str]:
    """Names of the example photos, in display order."""
    return list(EXAMPLE_PHOTOS)


def example_image(name: str) -> LoadedImage:
    """The example photo `name` as an RGB LoadedImage."""
    return from_array(EXAMPLE_PHOTOS[name].load())
