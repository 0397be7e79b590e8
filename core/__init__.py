"""Neural Playground's library: models, data, training, explanations and figures. No UI code lives here."""

from core.runtime import configure_torch

configure_torch()
