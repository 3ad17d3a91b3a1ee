"""The model kinds a config names, each with its traits as data: how the
trainer builds it and what it needs from the dataset. The dataset kinds are
``repalg.models.datasets.DATASETS``, here as :data:`DATASETS` beside them.

A model is registered with :func:`register_model`, or, as before, by putting
its class in :data:`MODELS`: it then has the traits of the registered model
it derives from (:func:`kind_of`).

>>> MODEL_KINDS["HLieResNet"].lieconv, MODEL_KINDS["HLieResNet"].dynamics, MODEL_KINDS["MLP"].group_free
(True, 'hamiltonian', True)
>>> MODELS["EMLP"] is MODEL_KINDS["EMLP"].builder
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .datasets import DATASETS
from .dynamics import EMLPH, MLPH, EMLPode, MLPode, ScalarH, Scalarode
from .emlp import EMLP
from .lieconv.models import FC, HFC, HLieResNet, LieResNet
from .mlp import MLP
from .scalars import ScalarMLP


@dataclass(frozen=True)
class ModelKind:
    """A model a config names: ``builder``, the Haiku module built as
    ``builder(rep_in, rep_out, group, **options)``, and its traits.

    - ``lieconv``: its ``group`` is one of LieConv's (``SE(2)``, ...), given
      to it as ``lie_group``, while its rows represent the dataset's symmetry;
    - ``points``: it reads a dataset of point clouds, whose layout it is
      given as ``points``;
    - ``dynamics``: ``"hamiltonian"`` or ``"ode"`` for a model of dynamics,
      which the trainer integrates in a :class:`~repalg.models.dynamics.Flow`
      (the builder's own ``dynamics``, which the flow reads); ``None`` for
      the others;
    - ``group_free``: it ignores its group, which only says under what its
      equivariance error is measured (the MLP, LieConv's HFC and FC);
    - ``width``: the option that says how wide its hidden layers are
      (``"ch"``, ``"k"``), which a refusal of a model too large names;
    - ``dense_hidden``: its ``num_layers`` hidden layers are joined by
      ``width x width`` weight matrices, so their size bounds the model's
      before it is built (:mod:`repalg.models.training.sizes`)."""

    builder: type
    lieconv: bool = False
    points: bool = False
    dynamics: str | None = None
    group_free: bool = False
    width: str | None = None
    dense_hidden: bool = False


def _dynamics(builder: type, **traits) -> ModelKind:
    return ModelKind(builder, dynamics=builder.dynamics, **traits)


DENSE = {"width": "ch", "dense_hidden": True}
"""The traits of emlp's models: ``ch`` wide, ``ch x ch`` hidden weights."""

MODEL_KINDS = {
    "EMLP": ModelKind(EMLP, **DENSE),
    "MLP": ModelKind(MLP, group_free=True, **DENSE),
    "Scalar": ModelKind(ScalarMLP, **DENSE),
    "EMLPH": _dynamics(EMLPH, **DENSE),
    "MLPH": _dynamics(MLPH, group_free=True, **DENSE),
    "ScalarH": _dynamics(ScalarH, **DENSE),
    "EMLPode": _dynamics(EMLPode, **DENSE),
    "MLPode": _dynamics(MLPode, group_free=True, **DENSE),
    "Scalarode": _dynamics(Scalarode, **DENSE),
    "LieResNet": ModelKind(LieResNet, lieconv=True, points=True, width="k"),
    "HLieResNet": _dynamics(HLieResNet, lieconv=True, points=True, width="k"),
    "HFC": _dynamics(HFC, points=True, group_free=True, width="k", dense_hidden=True),
    "FC": _dynamics(FC, points=True, group_free=True, width="k", dense_hidden=True),
}
"""Model kinds by the name a config file gives them."""

MODELS = {name: kind.builder for name, kind in MODEL_KINDS.items()}
"""Model classes by the name a config file gives them."""


def register_model(name: str, builder: type, **traits) -> ModelKind:
    """Register ``builder`` as the model ``name`` with ``traits`` (those of
    :class:`ModelKind`), for configs to name.

    >>> kind = register_model("MyMLP", MLP, group_free=True)
    >>> MODELS["MyMLP"] is MLP, kind.group_free
    (True, True)
    >>> del MODELS["MyMLP"], MODEL_KINDS["MyMLP"]
    """
    kind = ModelKind(builder, **traits)
    MODEL_KINDS[name], MODELS[name] = kind, builder
    return kind


def kind_of(builder: type) -> ModelKind:
    """The :class:`ModelKind` of the model class ``builder``: its registered
    kind; for a class put in :data:`MODELS` by hand, the traits of the
    registered model it derives from (none for another), with its own
    ``dynamics``, the one its :class:`~repalg.models.dynamics.Flow` reads.

    >>> class Faster(MLP):
    ...     pass
    >>> kind_of(Faster).group_free, kind_of(EMLP) is MODEL_KINDS["EMLP"]
    (True, True)
    """
    registered = {id(kind.builder): kind for kind in reversed(MODEL_KINDS.values())}
    if id(builder) in registered:
        return registered[id(builder)]
    dynamics = getattr(builder, "dynamics", None)  # the Flow's contract, which a subclass may override
    for base in getattr(builder, "__mro__", ())[1:]:
        if id(base) in registered:
            return dataclasses.replace(registered[id(base)], builder=builder, dynamics=dynamics)
    return ModelKind(builder, dynamics=dynamics)


__all__ = ["DATASETS", "MODELS", "MODEL_KINDS", "ModelKind", "kind_of", "register_model"]
