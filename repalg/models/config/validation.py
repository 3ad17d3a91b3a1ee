"""Validation: every check of a config that needs no data. The sections
and keys (with the closest name suggested), the types, the values, the
dataset and model names, the options each constructor accepts, and the
group and representation texts; each failure a :class:`ConfigError` that
names the key.

>>> sections = validate_sections({"dataset": {"name": "Inertia", "N": 30}, "model": {"name": "MLP", "ch": 8}})
>>> sections["model"].options, sections["train"].epochs
({'ch': 8}, None)
"""

from __future__ import annotations

import math
import typing

from ...symbolic import ParseError, parse
from ...symbolic.nodes import Rep
from ...symbolic.user_reps import as_node
from ...symbolic.parser import group as parse_group
from ..lieconv.lie_groups import as_lie_group
from ..registry import MODELS, kind_of
from .names import dataset_class, dataset_kind, model_kind, parameters, suggest
from .schema import SCHEDULES, SECTION_KEYS, SECTIONS, ConfigError, DatasetSettings, ModelSettings, TrainSettings
from .toml_output import toml_value

def validate_sections(raw: dict, check_names: bool = True) -> dict:
    """The sections of the TOML dict ``raw`` as settings objects (``{"dataset":
    DatasetSettings, ...}``, each of the four present), checked; with
    ``check_names=False`` the dataset and model names and their options are
    not looked up."""
    for section, values in raw.items():
        if section not in SECTIONS:
            raise ConfigError(section, f"unknown section [{section}]{suggest(section, SECTIONS, '[{}]')} "
                                       f"(sections: {', '.join(SECTIONS)})")
        if not isinstance(values, dict):
            raise ConfigError(section, f"is a value; write it as a [{section}] section")
    typed = {}
    for section, keys in SECTION_KEYS.items():
        values = raw.get(section, {})
        with_options = section in ("dataset", "model")
        for key, value in values.items():
            if key in keys:
                _check_type(f"{section}.{key}", value, keys[key])
            elif not with_options:
                raise ConfigError(f"{section}.{key}", f"unknown key{suggest(key, keys, section + '.{}')} "
                                                      f"(keys of [{section}]: {', '.join(sorted(keys))})")
            else:
                _check_option_value(f"{section}.{key}", value)
        if with_options and "name" not in values:
            raise ConfigError(f"{section}.name", f"missing: the config must name its {section} "
                                                 f"([{section}] name = ...)")
        known = {k: v for k, v in values.items() if k in keys}
        if with_options:
            known["options"] = {k: v for k, v in values.items() if k not in keys}
        typed[section] = SECTIONS[section](**known)
    _check_values(typed["dataset"], typed["model"], typed["train"])
    if check_names:
        _check_dataset(typed["dataset"])
        _check_model(typed["model"])
    return typed


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
    text = toml_value(value, "") if not isinstance(value, dict) else "{...}"
    return f"{text} ({kind})"


def _check_option_value(key: str, value) -> None:
    if isinstance(value, dict):
        raise ConfigError(key, "options are strings, numbers, booleans or lists, not tables")

ROLLOUT_WEIGHTS = ("final", "best")
"""The weights a trained dynamics model may be rolled out with."""


def _check_values(d: DatasetSettings, m: ModelSettings, t: TrainSettings) -> None:
    for key, value, low in [("dataset.N", d.N, 1), ("dataset.val", d.val, 0), ("dataset.test", d.test, 1),
                            ("train.epochs", t.epochs, 1), ("train.batch_size", t.batch_size, 1),
                            ("train.eval_every", t.eval_every, 1),
                            ("train.equivariance_samples", t.equivariance_samples, 0),
                            ("train.rollouts", t.rollouts, 1)]:
        if value is not None and value < low:
            raise ConfigError(key, f"must be at least {low}, got {value}")
    if not (t.lr > 0 and math.isfinite(t.lr)):
        raise ConfigError("train.lr", f"must be a positive learning rate, got {t.lr}")
    for key in ("rollout_rtol", "rollout_atol", "rollout_floor", "rollout_horizon"):
        value = getattr(t, key)
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise ConfigError(f"train.{key}", f"must be a positive number, got {value}")
    if t.rollout_weights not in ROLLOUT_WEIGHTS:
        raise ConfigError("train.rollout_weights", f"is 'final' (emlp's) or 'best' (the best validation's), "
                                                   f"got {t.rollout_weights!r}")
    if t.schedule not in SCHEDULES:
        hint = suggest(t.schedule, SCHEDULES, repr_=True)
        raise ConfigError("train.schedule", f"unknown schedule {t.schedule!r}{hint} "
                                            f"(schedules: {', '.join(SCHEDULES)})")
    for key, section in (("dataset.name", d), ("model.name", m)):
        if not section.name.strip():
            raise ConfigError(key, "is empty")
    if m.group is not None and _is_lieconv(m.name):
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
            node = as_node(parse(text))
        except ParseError as error:
            raise ConfigError(f"model.{key}", f"{text!r} is not a representation: {error}") from None
        if not isinstance(node, Rep):
            raise ConfigError(f"model.{key}", f"{text!r} is not a representation (it reads as "
                                              f"{type(node).__name__})")


def _is_lieconv(name: str) -> bool:
    """Whether the model ``name`` is a LieConv model, whose ``group`` is
    one of LieConv's (``SE(2)``, ...) rather than a group of the language."""
    builder = MODELS.get(name)
    return builder is not None and kind_of(builder).lieconv


def _check_dataset(d: DatasetSettings) -> None:
    cls = dataset_class(d.name)
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
    _check_options("model", m.name, model_kind(m.name).builder.__init__, m.options,
                   reserved={"self", "rep_in", "rep_out", "group", "name", "points", "lie_group"})


def _check_options(section: str, name: str, fn, options: dict, reserved: set) -> None:
    params, open_ended = parameters(fn)
    accepted = {k: p for k, p in params.items() if k not in reserved}
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: the constructor checks its own arguments
        hints = {}
    for key, value in options.items():
        if key not in accepted:
            if open_ended:
                continue
            known = sorted(accepted) + sorted(SECTION_KEYS[section])
            raise ConfigError(f"{section}.{key}", f"unknown key: {name} takes no {key!r}"
                                                  f"{suggest(key, known, section + '.{}')} "
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


__all__ = ["validate_sections"]
