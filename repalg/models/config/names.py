"""A config's names looked up in the registries (:mod:`repalg.models.registry`):
an unknown name is a :class:`ConfigError` with the closest known one
suggested; and what a constructor's signature says it takes.

>>> model_kind("EMLP").dynamics, dataset_kind(dataset_class("Inertia"))
(None, 'sized')
>>> suggest("epoch", ["epochs", "lr"], "train.{}")
'; did you mean train.epochs?'
"""

from __future__ import annotations

import difflib
import inspect

from ..registry import DATASETS, MODELS, ModelKind, kind_of
from .schema import ConfigError

def lookup(key: str, name: str, registry: dict, what: str):
    """``registry[name]``, or a :class:`ConfigError` for ``key`` naming the
    known names of that ``what`` and the closest one."""
    if name not in registry:
        raise ConfigError(key, f"unknown {what} {name!r}{suggest(name, registry, repr_=True)} "
                               f"(known: {', '.join(sorted(registry)) or 'none'})")
    return registry[name]


def model_kind(name: str) -> ModelKind:
    """The :class:`~repalg.models.registry.ModelKind` a config's ``model.name`` names."""
    return kind_of(lookup("model.name", name, MODELS, "model"))


def dataset_class(name: str):
    """The dataset class a config's ``dataset.name`` names."""
    return lookup("dataset.name", name, DATASETS, "dataset")


def dataset_kind(cls) -> str:
    """``"split"`` for a dataset class with its own train and test sets (a
    ``train`` argument), ``"sized"`` for one generated to a size (an ``N``
    argument)."""
    names = parameters(cls)[0]
    if "train" in names:
        return "split"
    if "N" in names:
        return "sized"
    raise ConfigError("dataset.name", f"{getattr(cls, '__name__', cls)} takes neither N (a size) nor train "
                                      "(a train/test switch); the trainer cannot make its splits")


def parameters(fn) -> tuple[dict, bool]:
    """The named parameters of ``fn`` (a function or a class), and whether it
    also takes any keyword (``**kwargs``); ``({}, True)`` when it has no
    signature to read."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return {}, True
    params = {name: p for name, p in signature.parameters.items()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    open_ended = any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values())
    return params, open_ended


def suggest(word: str, candidates, template: str = "{}", repr_: bool = False) -> str:
    """``"; did you mean X?"`` for the candidate closest to ``word``
    (``template`` formats it, or ``repr``), or ``""`` when none is close."""
    candidates = list(candidates)
    lower = {c.lower(): c for c in candidates}
    prefixed = [c for c in candidates if len(c) >= 3 and (word.lower().startswith(c.lower())
                                                         or c.lower().startswith(word.lower()))]
    match = ([lower[word.lower()]] if word.lower() in lower
             else difflib.get_close_matches(word, candidates, 1, 0.6) or prefixed[:1])
    if not match:
        return ""
    return "; did you mean " + (repr(match[0]) if repr_ else template.format(match[0])) + "?"


__all__ = ["dataset_class", "dataset_kind", "lookup", "model_kind", "parameters", "suggest"]
