"""A validated config, :class:`Settings`, read from TOML text or a file
(with ``--set section.key=value`` overrides) and written back; and the
name a run goes by in sweep tables and plots (:func:`label`).

>>> s = parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "MLP"', check_names=False)
>>> s.train.batch_size, label(s)
(500, 'MLP')
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..registry import MODELS, kind_of
from .overrides import apply_overrides
from .schema import (DEFAULT_CONFIG, SECTIONS, ConfigError, DatasetSettings, ModelSettings, OutputSettings,
                     TrainSettings)
from .toml_output import dumps_toml
from .validation import validate_sections

@dataclass(frozen=True)
class Settings:
    """A validated config: one settings object per section."""

    dataset: DatasetSettings
    model: ModelSettings
    train: TrainSettings = field(default_factory=TrainSettings)
    output: OutputSettings = field(default_factory=OutputSettings)

    def with_overrides(self, overrides, check_names: bool = True) -> "Settings":
        """These settings with ``section.key=value`` overrides applied (values
        typed as TOML, text that is not TOML taken as a string), validated again.

        >>> s = parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "MLP"', check_names=False)
        >>> s.with_overrides(["train.epochs=10", "model.group=SO(3)"], check_names=False).model.group
        'SO(3)'
        """
        return Settings(**validate_sections(apply_overrides(self.to_dict(), overrides), check_names))

    def to_dict(self) -> dict:
        """The settings as a TOML-shaped dict: options merged into their
        section, unset values left out."""
        out = {}
        for section in SECTIONS:
            values = dataclasses.asdict(getattr(self, section))
            options = values.pop("options", {})
            out[section] = {k: v for k, v in values.items() if v is not None} | dict(options)
        return out

    def to_toml(self) -> str:
        """The settings as TOML text that :func:`parse_config` reads back.

        >>> s = parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "MLP"', check_names=False)
        >>> parse_config(s.to_toml(), check_names=False) == s
        True
        """
        return dumps_toml(self.to_dict())


def load_config(path=None, overrides=(), check_names: bool = True) -> Settings:
    """The settings of the TOML file at ``path`` (the packaged default config
    when ``None``) with ``overrides`` (``"train.epochs=10"``) applied. The run
    directory defaults to ``runs/<file name without .toml>``.

    >>> load_config(None, ["train.epochs=2"], check_names=False).train.epochs
    2
    """
    if path is None:
        text = files("repalg.models").joinpath("configs", DEFAULT_CONFIG).read_text(encoding="utf-8")
        name, where = "default", f"the default config ({DEFAULT_CONFIG})"
    else:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(None, f"cannot read the config {str(path)!r}: {error.strerror or error}") from None
        except UnicodeDecodeError as error:
            raise ConfigError(None, f"the config {str(path)!r} is not UTF-8 text (byte {error.start}: "
                                    f"{error.reason}); save it as UTF-8") from None
        name, where = path.stem, str(path)
    try:
        settings = parse_config(text, overrides, check_names=check_names, source=where)
    except ConfigError as error:
        if error.key is None:  # the message names the file already
            raise
        raise ConfigError(error.key, f"{error.detail} (in {where})") from None
    if settings.output.dir is None:
        settings = dataclasses.replace(settings, output=dataclasses.replace(settings.output, dir=f"runs/{name}"))
    return settings


def parse_config(text: str, overrides=(), check_names: bool = True, source: str = "the config") -> Settings:
    """Validated settings from TOML ``text`` and ``overrides``. With
    ``check_names=False`` the dataset and model names and their options are
    not looked up; everything else is checked.

    >>> parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "MLP"\\ngroup = "O(3"',
    ...              check_names=False)
    Traceback (most recent call last):
    ...
    repalg.models.config.schema.ConfigError: model.group: 'O(3' is not a group: unexpected end of text (expected ')' or ',') at line 1, column 4:
      O(3
         ^
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(None, f"{source} is not valid TOML: {error}") from None
    return Settings(**validate_sections(apply_overrides(raw, overrides), check_names))


def config_digest(text: str) -> str:
    """A digest of what the TOML ``text`` says about a run: its sections
    other than ``[output]``, as parsed (so comments, spacing and the order of
    keys do not count, and a newer repalg's defaults do not change it).

    >>> config_digest('[model]\\nname = "MLP" # a comment\\n[output]\\ndir = "a"') == config_digest(
    ...     '[output]\\ndir = "b"\\n\\n[model]\\nname="MLP"')
    True
    """
    raw = tomllib.loads(text)
    raw.pop("output", None)
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:16]


def label(s: Settings) -> str:
    """A run's name in tables and plots: ``[output] label``, or the model and
    its group (``EMLP-O(3)``, ``Scalar-O(3)``; ``MLP``, ``MLP + augmentation``,
    ``HFC`` for a model that ignores its group).

    >>> s = parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "EMLP"\\ngroup = "O(3)"')
    >>> label(s)
    'EMLP-O(3)'
    """
    if s.output.label:
        return s.output.label
    builder = MODELS.get(s.model.name)
    group_free = builder is not None and kind_of(builder).group_free  # its group only says where it is measured
    name = s.model.name if group_free else f"{s.model.name}-{s.model.group}"
    return name + (" + augmentation" if s.model.augment else "")


__all__ = ["Settings", "config_digest", "label", "load_config", "parse_config"]
