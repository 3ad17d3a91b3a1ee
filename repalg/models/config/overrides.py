"""Overrides, ``section.key=value`` as ``repalg train --set`` takes them,
typed as TOML values and set into a config's sections.

>>> apply_overrides({"train": {"lr": 0.003}}, ["train.lr=1e-3", "model.group=SO(3)"])
{'train': {'lr': 0.001}, 'model': {'group': 'SO(3)'}}
"""

from __future__ import annotations

from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .schema import ConfigError

def parse_override(text: str) -> tuple[str, str, Any]:
    """``"section.key=value"`` as ``(section, key, value)``, the value typed by
    TOML (``10`` an integer, ``1e-3`` a float, ``true`` a boolean, ``"x"`` a
    string); text that is not a TOML value is taken as a string (``O(3)``).

    >>> parse_override("train.lr=1e-3"), parse_override("model.group=SO(3)")
    (('train', 'lr', 0.001), ('model', 'group', 'SO(3)'))
    """
    if not isinstance(text, str) or "=" not in text:
        raise ConfigError(str(text), "an override is section.key=value, such as train.epochs=10")
    dotted, value = (part.strip() for part in text.split("=", 1))
    section, _, key = dotted.partition(".")
    if not section or not key or "." in key:
        raise ConfigError(dotted, f"an override names section.key, such as train.epochs; got {text!r}")
    try:
        typed = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        typed = value
    return section, key, typed


def apply_overrides(raw: dict, overrides) -> dict:
    """A copy of the TOML dict ``raw`` with the overrides set."""
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    for text in overrides:
        section, key, value = parse_override(text)
        if not isinstance(raw.setdefault(section, {}), dict):
            raise ConfigError(section, f"is a value, not a [{section}] section; cannot set {section}.{key}")
        raw[section][key] = value
    return raw


__all__ = ["apply_overrides", "parse_override"]
