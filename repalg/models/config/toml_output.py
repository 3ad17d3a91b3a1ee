"""Settings written back as TOML text, which :func:`~repalg.models.config.parse_config`
reads again (a run directory's ``config.toml``).

>>> toml_value([1, 2.5, "x", True], "key")
'[1, 2.5, "x", true]'
"""

from __future__ import annotations

import json
import math

from .schema import ConfigError

def dumps_toml(sections: dict) -> str:
    """TOML text for a dict of sections of strings, numbers, booleans and lists.

    >>> print(dumps_toml({"train": {"lr": 0.003, "schedule": "constant", "epochs": 10}}))
    [train]
    lr = 0.003
    schedule = "constant"
    epochs = 10
    <BLANKLINE>
    """
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {toml_value(value, f'{section}.{key}')}" for key, value in values.items())
        lines.append("")
    return "\n".join(lines)


def toml_value(value, key: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v, key) for v in value) + "]"
    raise ConfigError(key, f"cannot be written as TOML: {value!r}")


__all__ = ["dumps_toml", "toml_value"]
