"""The playground's configuration as the page's widget values and back (pure: the page passes its state)."""

from collections.abc import Mapping
from typing import Any

from core.playground.config import FIELDS, PlaygroundConfig

PREFIX = "play_"  # every playground widget key starts with it


def widget_values(config: PlaygroundConfig, prefix: str = PREFIX) -> dict[str, Any]:
    """The value each control widget shows for `config`, by widget key: a key per field, the features as
    a list (a multiselect's value), and the hidden layers as a layer count plus a width per layer."""
    values = {f"{prefix}{name}": getattr(config, name) for name in FIELDS}
    values[f"{prefix}features"] = list(config.features)
    values[f"{prefix}layers"] = len(config.hidden)
    values |= {f"{prefix}width_{i}": width for i, width in enumerate(config.hidden)}
    return values


def config_from_widgets(values: Mapping[str, Any], prefix: str = PREFIX) -> PlaygroundConfig:
    """The configuration the widgets describe. Widths of layers beyond the layer count are ignored: their
    values are kept so that adding the layer back restores its width."""
    fields = {name: values[f"{prefix}{name}"] for name in FIELDS if name not in ("features", "hidden")}
    hidden = tuple(values[f"{prefix}width_{i}"] for i in range(values[f"{prefix}layers"]))
    return PlaygroundConfig(**fields, features=tuple(values[f"{prefix}features"]), hidden=hidden)
