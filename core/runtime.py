"""Where computation runs: device choice, torch thread count, seeding and version facts."""

import contextlib
import os
import platform
import random
import threading
from importlib import metadata

import numpy as np
import torch

THREADS_ENV = "NEURAL_PLAYGROUND_THREADS"
# torch's global random generator is one per process, shared by every session's threads.
_GLOBAL_RNG_LOCK = threading.RLock()


def configure_torch() -> int:
    """Set torch's intra-op thread count once for the process and return it.

    The app's models are small and a Streamlit server runs one script thread per user: torch's default (one
    thread per core) makes the threads spin against each other, measured 35x slower for tiny-model training
    on a busy 2-core machine. One thread per computation is the default; the environment variable overrides.
    """
    threads = int(os.environ.get(THREADS_ENV, "1"))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def pick_device() -> torch.device:
    """CUDA when a GPU is present, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def device_label(device: torch.device | None = None) -> str:
    """A short human name for the device, e.g. 'CUDA (NVIDIA H100)' or 'CPU (4 threads)'."""
    device = device or pick_device()
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return f"CPU ({torch.get_num_threads()} torch thread{'s' if torch.get_num_threads() > 1 else ''})"


class holds_global_rng(contextlib.ContextDecorator):
    """Hold torch's global random generator for a block or a function that seeds it and draws from it
    (building a model from a seed, a dropout epoch from a saved state): while one session's thread holds it,
    no other thread reseeds it or draws from it, so a seeded run repeats exactly whatever other sessions do.
    Use as `with holds_global_rng():` or `@holds_global_rng()`; nesting in one thread is fine."""

    def __enter__(self) -> "holds_global_rng":
        _GLOBAL_RNG_LOCK.acquire()
        return self

    def __exit__(self, *exc: object) -> bool:
        _GLOBAL_RNG_LOCK.release()
        return False


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch, and return a torch generator seeded the same way for local use."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def versions() -> dict[str, str]:
    """Versions of Python and the libraries the app is built on."""
    packages = ("torch", "torchvision", "streamlit", "plotly", "numpy", "transformers", "captum")
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found
