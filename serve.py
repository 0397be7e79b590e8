"""`python -m serve run app.py [options]`: Streamlit's own command line, plus the first-use costs of every
page paid once at server start, in a background thread, instead of by the first visitor of each page.

A fresh server imports torch, plotly and the rest only when the first session runs a page, and each page
loads its models, data and compiled kernel on its first visit: 4–14 s per page with the server on one
core. The warm-up does that work while the server already answers (health checks included): it imports
every module of core/ and ui/ and fills the process-wide caches the pages use (`st.cache_resource`,
`st.cache_data`) by calling the same cached loaders with the pages' default arguments. A visitor who comes
during the warm-up waits on the same import and cache locks, never longer than without it. The numba
kernel's machine code is also cached on disk (NUMBA_CACHE_DIR), which survives restarts.
"""

import importlib
import logging
import pkgutil
import sys
import threading
import time
from collections.abc import Callable

from streamlit.web.cli import main as streamlit_main

LOG = logging.getLogger("neural_playground.warm_up")
SKIP = ("core.__main__", "serve")  # modules that do something when imported
DONE = "warm-up done"  # logged at the end (bench/classroom/run.py waits for it)


def import_everything() -> None:
    """Import every module of the core and ui packages (torch, plotly, transformers come with them)."""
    import core
    import ui

    for package in (core, ui):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if module.name not in SKIP:
                importlib.import_module(module.name)


def playground() -> None:
    from pages.playground.view import warm_up_once

    warm_up_once()


def image_classification() -> None:
    from core.vision.examples import example_names
    from core.vision.registry import COMPARISON_DEFAULT, DEFAULT_MODEL, available_models
    from pages.image_classification.image_models import classified_example, example_grad_cam

    example = example_names()[0]  # what the page shows first, with its default top 5
    for name in (DEFAULT_MODEL, COMPARISON_DEFAULT):
        if name in available_models():
            result = classified_example(name, example, 5)
            example_grad_cam(name, example, result.predictions[0].index)


def sentiment() -> None:
    from core.text import registry
    from pages.sentiment import text_models

    name, _ = registry.default_model(registry.availability())
    if name is not None:
        text_models.predict(name, "A warm-up sentence.")


def cnn() -> None:
    from core.cnn.model import CNNConfig
    from pages.cnn.sections import cached_dataset, cached_untrained_score, default_test_probs

    cached_dataset("mnist")
    default_test_probs()
    cached_untrained_score(CNNConfig())


def transfer_learning() -> None:
    from core.transfer.backbone import DEFAULT_BACKBONE
    from core.transfer.builtin import TASKS
    from pages.transfer_learning.training import builtin_workspace

    builtin_workspace(next(iter(TASKS)), DEFAULT_BACKBONE)


STEPS: tuple[Callable[[], None], ...] = (
    import_everything,
    playground,
    image_classification,
    sentiment,
    cnn,
    transfer_learning,
)


def warm_up() -> None:
    """Each step in turn; one that fails is logged and skipped (its page then pays on its first visit, and
    says itself what is wrong)."""
    started = time.perf_counter()
    # Streamlit warns once per cached call made outside a script run; here that is the point.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    for step in STEPS:
        try:
            step()
        except Exception:  # a warm-up must never take the server down
            LOG.exception("warm-up step %s failed", step.__name__)
    LOG.info("%s in %.1f s", DONE, time.perf_counter() - started)


def start_warm_up() -> threading.Thread:
    """Run `warm_up` on a daemon thread (the server does not wait for it)."""
    thread = threading.Thread(target=warm_up, name="warm-up", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    start_warm_up()
    sys.exit(streamlit_main(prog_name="streamlit"))
