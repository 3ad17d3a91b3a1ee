"""Run configs: a TOML file (plus ``--set section.key=value`` overrides)
turned into validated settings, or a :class:`ConfigError` naming the bad key.

A config has four sections::

    [dataset]              # the data: a name from repalg.models.datasets.DATASETS
    name = "Inertia"
    N = 3000               # training examples (for datasets generated to a size)
    val = 1000             # validation examples carved from the training data
    test = 5000            # test examples generated beside them
    seed = 2021            # the data's seed and that of the splits

    [model]                # a name from repalg.models.MODELS and its options
    name = "EMLP"
    group = "O(3)"         # group, rep_in, rep_out default to the dataset's
    ch = 384
    num_layers = 3
    augment = false        # true: train on randomly moved inputs (the MLP baseline's augmentation)

    [train]
    epochs = 300           # default: emlp's min(int(30*30000/N), 1000)
    batch_size = 500
    lr = 3e-3
    schedule = "constant"  # or "cosine"
    seed = 2021            # initialisation, data order and model randomness
    eval_every = 3         # epochs between validations and checkpoints; default: 1% of the run
    rollouts = 100         # trajectories only: test systems rolled out after training (default: all)

    [output]
    dir = "runs/inertia"   # default: runs/<config file name>
    plot = true
    label = "EMLP-O(3)"    # the run's name in sweep tables and plots

Every check that needs no data happens in :func:`parse_config`: the TOML,
the sections and keys (with the closest name suggested), the types, the
dataset and model names, the options each constructor accepts, and the
group and representation texts. The one check that needs the data, that a
representation's size is the data's width, happens when the trainer builds
the data, before it creates a file or compiles a step.

>>> s = parse_config('''
... [dataset]
... name = "Inertia"
... N = 1000
... [model]
... name = "MLP"
... ch = 32
... ''', check_names=False)
>>> s.model.options, s.train.batch_size, s.train.lr
({'ch': 32}, 500, 0.003)
>>> s.with_overrides(["train.lr=1e-3"], check_names=False).train.lr
0.001
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import json
import math
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..symbolic import ParseError, parse
from ..symbolic.expr import Rep, _node
from ..symbolic.parser import group as parse_group

DEFAULT_CONFIG = "default.toml"
"""The config ``repalg train`` runs without one, in ``repalg/models/configs/``."""

SCHEDULES = ("constant", "cosine")
"""Learning-rate schedules: emlp's regression runs use a constant rate, its
cube runs a cosine decay over the whole run."""


class ConfigError(ValueError):
    """A config that cannot run; ``key`` is the dotted name of the culprit
    (``"train.epochs"``), or the section's name, or ``None`` for the file.

    >>> try:
    ...     parse_config('[dataset]\\nname = "Inertia"\\n[model]\\nname = "MLP"\\n[train]\\nepoch = 3',
    ...                  check_names=False)
    ... except ConfigError as e:
    ...     print(e.key, "|", e.detail[:45])
    train.epoch | unknown key; did you mean train.epochs? (keys
    """

    def __init__(self, key: str | None, message: str):
        self.key, self.detail = key, message
        super().__init__(f"{key}: {message}" if key else message)


@dataclass(frozen=True)
class DatasetSettings:
    """``[dataset]``: ``name`` in ``DATASETS``; ``N`` training examples for a
    dataset generated to a size (it is then made with ``N + val + test``
    examples and split by a seeded permutation); ``val`` validation examples
    carved from the training data (default 1000 for generated datasets, 0 for
    those with their own train and test sets); ``test`` test examples (default
    5000; generated datasets only); ``seed`` for the data and the splits;
    ``options``: the dataset constructor's other arguments."""

    name: str
    N: int | None = None
    val: int | None = None
    test: int | None = None
    seed: int = 2021
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSettings:
    """``[model]``: ``name`` in ``MODELS``; ``group``, ``rep_in``, ``rep_out``
    as text (default: the dataset's); ``standardize`` wraps the model in
    :class:`~repalg.models.standardize.Standardize` with the dataset's
    statistics, as emlp does; ``augment`` trains it on inputs moved by a
    random group element each (emlp's ``GroupAugmentation``, the "MLP with
    augmentation" baseline) and predicts without; ``options``: the model's
    own (``ch``, ``num_layers``)."""

    name: str
    group: str | None = None
    rep_in: str | None = None
    rep_out: str | None = None
    standardize: bool = True
    augment: bool = False
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrainSettings:
    """``[train]``: Adam with emlp's settings by default (learning rate 3e-3,
    batch 500); ``epochs`` defaults to emlp's ``min(int(30*30000/N), 1000)``
    for generated datasets; ``eval_every`` epochs between evaluations on the
    validation split, each followed by a checkpoint (default: 1% of the run,
    as emlp's trainer logs and keeps its best weights every 2%; the best
    weights are those of the best evaluation); ``equivariance_samples``
    test inputs, each with a sampled group element, for the trained model's
    equivariance error; ``rollouts``: for a dataset of trajectories, the
    test systems rolled out over the whole horizon after training (default:
    every one)."""

    epochs: int | None = None
    batch_size: int = 500
    lr: float = 3e-3
    schedule: str = "constant"
    seed: int = 2021
    eval_every: int | None = None
    equivariance_samples: int = 5
    rollouts: int | None = None


@dataclass(frozen=True)
class OutputSettings:
    """``[output]``: the run directory, whether to draw learning curves, and
    the ``label`` that sweep tables and plots give the run (default: the
    model and its group, such as ``EMLP-O(3)``)."""

    dir: str | None = None
    plot: bool = True
    label: str | None = None


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
        return _validate(apply_overrides(self.to_dict(), overrides), check_names)

    def to_dict(self) -> dict:
        """The settings as a TOML-shaped dict: options merged into their
        section, unset values left out."""
        out = {}
        for section in _SECTIONS:
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


_SECTIONS = {"dataset": DatasetSettings, "model": ModelSettings, "train": TrainSettings, "output": OutputSettings}


def load_config(path=None, overrides=(), check_names: bool = True) -> Settings:
    """The settings of the TOML file at ``path`` (the packaged default config
    when ``None``) with ``overrides`` (``"train.epochs=10"``) applied. The run
    directory defaults to ``runs/<file name without .toml>``.

    >>> load_config(None, ["train.epochs=2"], check_names=False).train.epochs
    2
    """
    if path is None:
        from importlib.resources import files

        text = files(__package__).joinpath("configs", DEFAULT_CONFIG).read_text(encoding="utf-8")
        name, where = "default", f"the default config ({DEFAULT_CONFIG})"
    else:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(None, f"cannot read the config {str(path)!r}: {error.strerror or error}") from None
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
    not looked up (the registries are not imported); everything else is checked.

    >>> parse_config('[dataset]\\nname = "Inertia"\\nN = 30\\n[model]\\nname = "MLP"\\ngroup = "O(3"',
    ...              check_names=False)
    Traceback (most recent call last):
    ...
    repalg.models.config.ConfigError: model.group: 'O(3' is not a group: unexpected end of text (expected ')' or ',') at line 1, column 4:
      O(3
         ^
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(None, f"{source} is not valid TOML: {error}") from None
    return _validate(apply_overrides(raw, overrides), check_names)


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
        lines.extend(f"{key} = {_toml_value(value, f'{section}.{key}')}" for key, value in values.items())
        lines.append("")
    return "\n".join(lines)


def _toml_value(value, key: str) -> str:
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
        return "[" + ", ".join(_toml_value(v, key) for v in value) + "]"
    raise ConfigError(key, f"cannot be written as TOML: {value!r}")


# -- validation ---------------------------------------------------------------------------------------------------

_RESERVED = {
    "dataset": {"name": str, "N": int, "val": int, "test": int, "seed": int},
    "model": {"name": str, "group": str, "rep_in": str, "rep_out": str, "standardize": bool, "augment": bool},
    "train": {"epochs": int, "batch_size": int, "lr": float, "schedule": str, "seed": int, "eval_every": int,
              "equivariance_samples": int, "rollouts": int},
    "output": {"dir": str, "plot": bool, "label": str},
}
"""The keys each section knows, with their types; [dataset] and [model] also
take their constructor's arguments as options."""


def _validate(raw: dict, check_names: bool) -> Settings:
    for section, values in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(section, f"unknown section [{section}]{_suggest(section, _SECTIONS, '[{}]')} "
                                       f"(sections: {', '.join(_SECTIONS)})")
        if not isinstance(values, dict):
            raise ConfigError(section, f"is a value; write it as a [{section}] section")
    typed = {}
    for section, keys in _RESERVED.items():
        values = raw.get(section, {})
        with_options = section in ("dataset", "model")
        for key, value in values.items():
            if key in keys:
                _check_type(f"{section}.{key}", value, keys[key])
            elif not with_options:
                raise ConfigError(f"{section}.{key}", f"unknown key{_suggest(key, keys, section + '.{}')} "
                                                      f"(keys of [{section}]: {', '.join(sorted(keys))})")
            else:
                _check_option_value(f"{section}.{key}", value)
        if with_options and "name" not in values:
            raise ConfigError(f"{section}.name", f"missing: the config must name its {section} "
                                                 f"([{section}] name = ...)")
        known = {k: v for k, v in values.items() if k in keys}
        if with_options:
            known["options"] = {k: v for k, v in values.items() if k not in keys}
        typed[section] = _SECTIONS[section](**known)
    settings = Settings(**typed)
    _check_values(settings)
    if check_names:
        _check_dataset(settings.dataset)
        _check_model(settings.model)
    return settings


_TYPE_NAMES = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}


def _check_type(key: str, value, kind) -> None:
    ok = (isinstance(value, kind) and not (kind is int and isinstance(value, bool))
          or kind is float and isinstance(value, int) and not isinstance(value, bool))
    if not ok:
        raise ConfigError(key, f"must be {_TYPE_NAMES[kind]}, got {_show(value)}")


def _show(value) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "a table"}
    kind = next((name for t, name in kinds.items() if isinstance(value, t)), type(value).__name__)
    text = _toml_value(value, "") if not isinstance(value, dict) else "{...}"
    return f"{text} ({kind})"


def _check_option_value(key: str, value) -> None:
    if isinstance(value, dict):
        raise ConfigError(key, "options are strings, numbers, booleans or lists, not tables")


def _check_values(s: Settings) -> None:
    d, m, t = s.dataset, s.model, s.train
    for key, value, low in [("dataset.N", d.N, 1), ("dataset.val", d.val, 0), ("dataset.test", d.test, 1),
                            ("train.epochs", t.epochs, 1), ("train.batch_size", t.batch_size, 1),
                            ("train.eval_every", t.eval_every, 1),
                            ("train.equivariance_samples", t.equivariance_samples, 0),
                            ("train.rollouts", t.rollouts, 1)]:
        if value is not None and value < low:
            raise ConfigError(key, f"must be at least {low}, got {value}")
    if not (t.lr > 0 and math.isfinite(t.lr)):
        raise ConfigError("train.lr", f"must be a positive learning rate, got {t.lr}")
    if t.schedule not in SCHEDULES:
        hint = _suggest(t.schedule, SCHEDULES, repr_=True)
        raise ConfigError("train.schedule", f"unknown schedule {t.schedule!r}{hint} "
                                            f"(schedules: {', '.join(SCHEDULES)})")
    for key in ("dataset.name", "model.name"):
        if not getattr(getattr(s, key.split(".")[0]), "name").strip():
            raise ConfigError(key, "is empty")
    if m.group is not None and _is_lieconv(m.name):
        from .lieconv import as_lie_group

        try:
            as_lie_group(m.group)
        except ValueError as error:
            raise ConfigError("model.group", str(error)) from None
    elif m.group is not None:
        try:
            parse_group(m.group)
        except ParseError as error:
            raise ConfigError("model.group", f"{m.group!r} is not a group: {error}") from None
    for key in ("rep_in", "rep_out"):
        text = getattr(m, key)
        if text is None:
            continue
        try:
            node = _node(parse(text))
        except ParseError as error:
            raise ConfigError(f"model.{key}", f"{text!r} is not a representation: {error}") from None
        if not isinstance(node, Rep):
            raise ConfigError(f"model.{key}", f"{text!r} is not a representation (it reads as "
                                              f"{type(node).__name__})")


def _is_lieconv(name: str) -> bool:
    """Whether the model ``name`` is a LieConv model, whose ``group`` is
    one of LieConv's (``SE(2)``, ...) rather than a group of the language."""
    return bool(getattr(model_registry().get(name), "lieconv", False))


def dataset_registry() -> dict:
    """``repalg.models.datasets.DATASETS``, imported on first use."""
    try:
        from .datasets import DATASETS
    except ImportError as error:
        raise ConfigError("dataset.name", f"no datasets are available: repalg.models.datasets "
                                          f"could not be imported ({error})") from None
    return DATASETS


def model_registry() -> dict:
    """``repalg.models.MODELS``, imported on first use."""
    from . import MODELS

    return MODELS


def dataset_kind(cls) -> str:
    """``"split"`` for a dataset class with its own train and test sets (a
    ``train`` argument), ``"sized"`` for one generated to a size (an ``N``
    argument)."""
    names = _parameters(cls)[0]
    if "train" in names:
        return "split"
    if "N" in names:
        return "sized"
    raise ConfigError("dataset.name", f"{getattr(cls, '__name__', cls)} takes neither N (a size) nor train "
                                      "(a train/test switch); the trainer cannot make its splits")


def _check_dataset(d: DatasetSettings) -> None:
    registry = dataset_registry()
    cls = _lookup("dataset.name", d.name, registry, "dataset")
    kind = dataset_kind(cls)
    if kind == "sized" and d.N is None:
        raise ConfigError("dataset.N", f"missing: {d.name} is generated to a size; say how many training "
                                       "examples, such as N = 1000")
    if kind == "split":
        for key in ("N", "test"):
            if getattr(d, key) is not None:
                raise ConfigError(f"dataset.{key}", f"{d.name} has its own train and test sets; it takes no {key}")
    if "train" in d.options:
        raise ConfigError("dataset.train", "is set by the trainer (true for the training set, false for the test set)")
    _check_options("dataset", d.name, cls, d.options, reserved={"N", "seed", "train"})


def _check_model(m: ModelSettings) -> None:
    cls = _lookup("model.name", m.name, model_registry(), "model")
    _check_options("model", m.name, cls.__init__, m.options,
                   reserved={"self", "rep_in", "rep_out", "group", "name", "points", "lie_group"})


def _lookup(key: str, name: str, registry: dict, what: str):
    if name not in registry:
        raise ConfigError(key, f"unknown {what} {name!r}{_suggest(name, registry, repr_=True)} "
                               f"(known: {', '.join(sorted(registry)) or 'none'})")
    return registry[name]


def _parameters(fn) -> tuple[dict, bool]:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}, True
    params = {name: p for name, p in signature.parameters.items()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    open_ended = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
    return params, open_ended


def _check_options(section: str, name: str, fn, options: dict, reserved: set) -> None:
    params, open_ended = _parameters(fn)
    accepted = {k: p for k, p in params.items() if k not in reserved}
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: the constructor checks its own arguments
        hints = {}
    for key, value in options.items():
        if key not in accepted:
            if open_ended:
                continue
            known = sorted(accepted) + sorted(_RESERVED[section])
            raise ConfigError(f"{section}.{key}", f"unknown key: {name} takes no {key!r}"
                                                  f"{_suggest(key, known, section + '.{}')} "
                                                  f"(keys of [{section}] for {name}: {', '.join(known)})")
        expected = _simple_types(hints.get(key))
        if expected and not any(_is_instance(value, t) for t in expected):
            names = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in expected)
            raise ConfigError(f"{section}.{key}", f"must be {names} for {name}, got {_show(value)}")


def _simple_types(hint) -> tuple:
    if hint in (int, float, bool, str):
        return (hint,)
    args = typing.get_args(hint)
    if args and all(a in (int, float, bool, str, type(None)) for a in args):
        return tuple(a for a in args if a is not type(None))
    return ()


def _is_instance(value, kind) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, kind)


def _suggest(word: str, candidates, template: str = "{}", repr_: bool = False) -> str:
    candidates = list(candidates)
    lower = {c.lower(): c for c in candidates}
    prefixed = [c for c in candidates if len(c) >= 3 and (word.lower().startswith(c.lower())
                                                         or c.lower().startswith(word.lower()))]
    match = ([lower[word.lower()]] if word.lower() in lower
             else difflib.get_close_matches(word, candidates, 1, 0.6) or prefixed[:1])
    if not match:
        return ""
    return "; did you mean " + (repr(match[0]) if repr_ else template.format(match[0])) + "?"


def default_eval_every(epochs: int) -> int:
    """Epochs between validations (and checkpoints) by default: 1% of the
    run, at least 1.

    >>> default_eval_every(300), default_eval_every(1000), default_eval_every(50)
    (3, 10, 1)
    """
    return max(1, epochs // 100)


def default_epochs(N: int) -> int:
    """emlp's number of epochs for ``N`` training examples, ``min(int(30*30000/N), 1000)``.

    >>> default_epochs(3000), default_epochs(30)
    (300, 1000)
    """
    return min(int(30 * 30000 / N), 1000)


__all__ = ["ConfigError", "DatasetSettings", "ModelSettings", "OutputSettings", "Settings", "TrainSettings",
           "apply_overrides", "dataset_kind", "default_epochs", "default_eval_every", "dumps_toml", "load_config", "parse_config",
           "parse_override"]
