"""Sizes refused before any work: a model whose weights, or a dataset whose
arrays, will not fit in the memory that may be used (what the basis
solver's guard reads, :func:`repalg.numeric.memory.usable_bytes`: the
available memory, or less under a cgroup or ``ulimit -v``) is refused with
the key, the size and the limit, where it would otherwise build
representations, solve bases or fill memory for minutes first.

Each estimate is a lower bound, so nothing that fits is refused:

- a model of ``dense_hidden`` kind (emlp's models, LieConv's MLPs) with an
  integer width ``w`` and ``L`` hidden layers computes at least
  ``w² (L - 1) + 2w`` weights in float32, known from the config alone
  (:func:`check_width`), before any representation is built;
- any model's parameters, from its abstract initialization (no arrays),
  four times: the weights, Adam's two moments, the best weights
  (:func:`check_parameters`);
- a generated dataset's examples, from one example made first: the arrays
  as made, and the trainer's float32 copy of its splits
  (:func:`check_examples`).

>>> from repalg.models.config import ModelSettings
>>> try:
...     check_width(ModelSettings("EMLP", options={"ch": 10**9}))
... except ConfigError as error:
...     print(error.key, "|", error.detail[:73])
model.ch | 1000000000 channels make hidden weight matrices of at least 2e+18 float32
"""

from __future__ import annotations

import inspect
import itertools
import numbers

import jax

from ...numeric.memory import gib, usable_bytes
from ..config.names import model_kind
from ..config.schema import ConfigError

FLOAT32 = 4
"""Bytes of a weight."""

TRAINING_COPIES = 4
"""The copies of the parameters a run holds: the weights, Adam's two moments, the best weights."""


def _option(m, name: str):
    """The model option ``name``: the config's, else its builder's default."""
    if name in m.options:
        return m.options[name]
    parameter = inspect.signature(model_kind(m.name).builder).parameters.get(name)
    return None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default


def _count(value) -> int | None:
    return int(value) if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0 else None


def hidden_weights(width, num_layers) -> int | None:
    """A lower bound on the weights of a network whose ``num_layers`` hidden
    layers are ``width`` wide (an int, or a list of ints, one a layer): the
    matrices between them, and one row or column each from the input and
    to the output. ``None`` when a width is not a number (a representation's
    text, whose size its solver guards).

    >>> hidden_weights(384, 3), hidden_weights([8, 16], 5)
    (295680, 152)
    """
    if isinstance(width, (list, tuple)):
        widths = [_count(w) for w in width]
    else:
        layers = _count(num_layers)
        widths = [_count(width)] * layers if layers else []
    if not widths or None in widths:
        return None
    return sum(a * b for a, b in itertools.pairwise(widths)) + widths[0] + widths[-1]


def _refuse(key: str, what: str, count: float) -> None:
    usable = usable_bytes()
    if count > usable:
        raise ConfigError(key, f"{what} ({gib(count)}), and {gib(usable)} may be used: make it smaller")


def check_width(m) -> None:
    """Refuse the model settings ``m`` when the hidden weights their width
    makes cannot fit, before the model (or any representation) is built."""
    kind = model_kind(m.name)
    if not (kind.width and kind.dense_hidden):
        return
    width = _option(m, kind.width)
    count = hidden_weights(width, _option(m, "num_layers"))
    if count is None:
        return
    shown = f"{width}" + (" channels" if not isinstance(width, (list, tuple)) else "")
    _refuse(f"model.{kind.width}", f"{shown} make hidden weight matrices of at least {count:.3g} float32 numbers",
            float(count * FLOAT32))


def check_parameters(m, shapes) -> None:
    """Refuse the model settings ``m`` when the parameters of its abstract
    initialization ``shapes`` (a pytree of ShapeDtypeStructs), held four
    times over, cannot fit."""
    leaves = jax.tree_util.tree_leaves(shapes)
    width = model_kind(m.name).width
    key = f"model.{width}" if width and width in m.options else "model"
    _refuse(key, f"{m.name} has {sum(int(leaf.size) for leaf in leaves):.4g} parameters, {TRAINING_COPIES} "
                 "copies of which a run holds",
            float(sum(int(leaf.size) * leaf.dtype.itemsize for leaf in leaves) * TRAINING_COPIES))


def check_examples(key: str, count: int, example_bytes: int, what: str) -> None:
    """Refuse ``count`` examples of ``example_bytes`` each (as a dataset
    makes them, with the trainer's float32 copy) when they cannot fit;
    ``what`` says where the count comes from."""
    _refuse(key, f"{what}: {count} examples of {example_bytes} bytes each, as made and as the trainer copies "
                 f"them, need {count * example_bytes:.3g} bytes", count * float(example_bytes))


__all__ = ["FLOAT32", "TRAINING_COPIES", "check_examples", "check_parameters", "check_width", "hidden_weights"]
