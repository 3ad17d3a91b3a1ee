"""A trained run back for inference: :func:`load` rebuilds the model from
the run's ``config.toml`` and reads its weights from the checkpoint, as a
:class:`TrainedModel`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np

from ..binding import as_group, as_rep
from ..config.names import dataset_class, model_kind
from ..config.settings import Settings, load_config
from .build import build_model, flow_of, points_of
from ..fingerprints import layer_fingerprints
from .checkpoint import read_checkpoint, restore_tree, same_meaning
from .run_dir import CHECKPOINT, CONFIG, same_config

class TrainedModel:
    """A trained run for inference: ``params``, ``apply(params, x)``
    (jit-compiled), and ``model(x)`` for a batch ``(B, rep_in.size())`` or a
    single vector; with the run's ``settings``, ``rep_in``, ``rep_out`` and
    ``group``."""

    def __init__(self, settings: Settings, model: hk.Transformed, params, rep_in, rep_out, group):
        self.settings, self.model, self.params = settings, model, params
        self.rep_in, self.rep_out, self.group = rep_in, rep_out, group
        self._apply = jax.jit(lambda params, x: model.apply(params, None, x))

    def apply(self, params, x):
        """The model's outputs for the batch ``x`` under ``params``."""
        return self._apply(params, jnp.asarray(x, jnp.float32))

    def __call__(self, x):
        x = np.asarray(x, np.float32)
        if x.ndim == 1:
            return self.apply(self.params, x[None])[0]
        return self.apply(self.params, x)

    def __repr__(self) -> str:
        m = self.settings.model
        return f"TrainedModel({m.name}: {m.rep_in} -> {m.rep_out} on {m.group}, from {self.settings.output.dir})"


def load(run_dir, which: str = "best") -> TrainedModel:
    """The model trained in ``run_dir``, rebuilt from its ``config.toml`` and
    checkpoint: the best-validation weights (``which="best"``, falling back to
    the last when the run had no validation split) or the last (``"last"``).

    See :func:`train`'s example; for a run of examples/configs/paper/inertia-emlp-o3.toml:

    >>> model = load("runs/inertia-emlp-o3")  # doctest: +SKIP
    >>> model(np.ones(20)).shape  # doctest: +SKIP
    (9,)
    """
    if which not in ("best", "last"):
        raise ValueError(f"load's which is 'best' or 'last', got {which!r}")
    run_dir = Path(run_dir)
    for name in (CONFIG, CHECKPOINT):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir} is not a training run: it has no {name}")
    settings = load_config(run_dir / CONFIG, check_names=False)
    settings = dataclasses.replace(settings, output=dataclasses.replace(settings.output, dir=str(run_dir)))
    m = settings.model
    if model_kind(m.name).lieconv:  # the group is LieConv's; the rows represent the dataset's symmetry
        group = as_group(dataset_class(settings.dataset.name).symmetry_text)
    else:
        group = as_group(m.group)
    rep_in, rep_out = as_rep(m.rep_in, group), as_rep(m.rep_out, group)
    arrays, meta = read_checkpoint(run_dir / CHECKPOINT)
    same_config(meta, (run_dir / CONFIG).read_text(encoding="utf-8"), run_dir)
    stats = tuple(arrays[f"stats/{i}"] for i in range(meta["stats"])) or None
    model = build_model(m, rep_in, rep_out, group, stats, flow_of(settings.dataset), points_of(settings.dataset))
    example = jnp.zeros((1, rep_in.size()), jnp.float32)
    same_meaning(meta, layer_fingerprints(model, example), run_dir / CHECKPOINT)
    template = jax.eval_shape(model.init, jax.random.PRNGKey(0), example)
    name = "best_params" if which == "best" and "best_params" in meta["paths"] else "params"
    params = restore_tree(arrays, meta, name, template, run_dir / CHECKPOINT)
    return TrainedModel(settings, model, params, rep_in, rep_out, group)


__all__ = ["TrainedModel", "load"]
