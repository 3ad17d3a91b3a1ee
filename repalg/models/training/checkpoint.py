"""Checkpoints, format 1: a :class:`~repalg.models.training.step.TrainingState`
(and the standardization statistics) as an npz of the flattened pytrees'
leaves with a JSON header (``format``: 1, the leaf paths, the counters, the
best metric, and ``code``: the :func:`code_digest` of the code that gives
the parameters their meaning); no pickle, written atomically. A checkpoint
written under another digest is refused (:func:`same_code`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jax
import numpy as np

from ...files import atomic_write
from ...numeric.cache import solver_digest
from .sharding import to_host
from .step import TrainingState

def _paths(tree) -> list[str]:
    return [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def save_checkpoint(path, state: TrainingState, stats=None) -> None:
    """Write ``state`` (and the standardization ``stats``) to ``path``
    atomically, as an npz of the flattened pytrees' leaves with a JSON header
    (leaf paths, counters, best metric); no pickle.

    >>> import os, tempfile, haiku as hk, optax
    >>> from repalg.models.training.step import init_state
    >>> model = hk.transform(lambda x: hk.Linear(2)(x))
    >>> state = init_state(model, optax.adam(1e-3), np.zeros((1, 3), np.float32), seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> save_checkpoint(path, state._replace(step=7, epoch=1), stats=(0.0, 2.0))
    >>> restored, stats = load_checkpoint(path, state)
    >>> restored.step, stats[1], checkpoint_progress(path)
    (7, array(2.), {'epoch': 1, 'step': 7})
    >>> bool((restored.params["linear"]["w"] == state.params["linear"]["w"]).all())
    True
    """
    arrays, meta = {}, {"format": 1, "step": int(state.step), "epoch": int(state.epoch),
                        "best_metric": state.best_metric, "paths": {}, "code": code_digest()}
    for name in ("params", "opt_state", "best_params"):
        tree = getattr(state, name)
        if tree is None:
            continue
        meta["paths"][name] = _paths(tree)
        for i, leaf in enumerate(jax.tree_util.tree_leaves(to_host(tree))):
            arrays[f"{name}/{i:05d}"] = leaf
    arrays["key"] = to_host(state.key)
    stats = () if stats is None else stats
    meta["stats"] = len(stats)
    for i, value in enumerate(stats):
        arrays[f"stats/{i}"] = np.asarray(value)
    arrays["meta"] = np.array(json.dumps(meta))
    atomic_write(Path(path), lambda file: np.savez(file, **arrays))


def code_digest() -> str:
    """A digest of the code that gives a checkpoint's numbers their meaning:
    the solver (a layer's parameters are coefficients in the bases it solves)
    and the layers, LieConv's among them. A checkpoint written under another
    digest is refused, not read into a model that would give other answers
    from the same numbers.

    >>> len(code_digest())
    16
    """
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256(solver_digest().encode())
    for name in layer_files():
        h.update(name.encode())
        h.update((root / name).read_bytes())
    return h.hexdigest()[:16]


LAYER_FILES_LEFT_OUT = ("__init__.py", "ready.py", "registry.py")
"""Modules of ``repalg/models/`` (and ``lieconv/``) that give no parameter
its meaning: the packages' names, the ready-made models (the same modules,
built), the registry of names. The trainer, configs, sweeps and datasets are packages of
their own, outside the digest."""


def layer_files() -> list:
    """The files, relative to the package, whose code gives a checkpoint's
    parameters their meaning: the models and their layers (the BiLinear
    layer's mathematics among them) and LieConv's.

    >>> "models/bilinear.py" in layer_files(), "models/training/loop.py" in layer_files()
    (True, False)
    """
    root = Path(__file__).resolve().parents[2]
    layers = [*root.glob("models/*.py"), *root.glob("models/lieconv/*.py")]
    return sorted(path.relative_to(root).as_posix() for path in layers
                  if path.name not in LAYER_FILES_LEFT_OUT)


def same_code(meta: dict | None, path) -> None:
    """Refuse the checkpoint at ``path`` (its header ``meta``) when another
    :func:`code_digest` wrote it."""
    if meta is not None and meta.get("code") != code_digest():
        raise ValueError(f"{path} was written by another version of repalg: its parameters are coefficients in "
                         "the bases that version solved, which this one may choose differently, so they cannot "
                         "be read back; train again into another output directory")


def read_checkpoint(path) -> tuple[dict, dict]:
    """The arrays of the checkpoint at ``path`` and its header."""
    try:
        with np.load(path, allow_pickle=False) as file:
            arrays = {name: file[name] for name in file.files}
        return arrays, json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{path} is not a readable repalg checkpoint: {error}") from None


def restore_tree(arrays: dict, meta: dict, name: str, template, path) -> Any:
    """The tree ``name`` of a checkpoint, shaped as ``template`` (a pytree of
    arrays or ShapeDtypeStructs built from the model), with each leaf checked."""
    expected = _paths(template)
    stored = meta["paths"].get(name)
    if stored != expected:
        missing = sorted(set(expected) - set(stored or ()))[:3]
        extra = sorted(set(stored or ()) - set(expected))[:3]
        raise ValueError(f"{path}: the checkpoint's {name} do not fit the model built from the config "
                         f"(missing {missing or 'nothing'}, unexpected {extra or 'nothing'}); was the model "
                         "or its options changed?")
    leaves, treedef = jax.tree_util.tree_flatten(template)
    restored = []
    for i, (leaf, where) in enumerate(zip(leaves, expected)):
        value = arrays[f"{name}/{i:05d}"]
        if value.shape != tuple(leaf.shape) or value.dtype != leaf.dtype:
            raise ValueError(f"{path}: {name}{where} is {value.dtype}{list(value.shape)} in the checkpoint, "
                             f"but the model makes it {leaf.dtype}{list(leaf.shape)}")
        restored.append(value)
    return jax.tree_util.tree_unflatten(treedef, restored)


def checkpoint_progress(path) -> dict | None:
    """``{"epoch": ..., "step": ...}`` of the checkpoint at ``path`` (its
    header only), or ``None`` when there is none."""
    meta = read_header(path)
    return None if meta is None else {"epoch": meta["epoch"], "step": meta["step"]}


def read_header(path) -> dict | None:
    """The header of the checkpoint at ``path``, or ``None`` when there is
    none to read."""
    try:
        with np.load(path, allow_pickle=False) as file:
            return json.loads(str(file["meta"]))
    except (OSError, ValueError, KeyError):
        return None


def load_checkpoint(path, template: TrainingState) -> tuple[TrainingState, tuple]:
    """The state saved at ``path`` (shaped as ``template``, a fresh state of
    the same model and optimizer) and the saved standardization statistics."""
    arrays, meta = read_checkpoint(path)
    same_code(meta, path)
    params = restore_tree(arrays, meta, "params", template.params, path)
    opt_state = restore_tree(arrays, meta, "opt_state", template.opt_state, path)
    best = restore_tree(arrays, meta, "best_params", template.params, path) if "best_params" in meta["paths"] else None
    stats = tuple(arrays[f"stats/{i}"] for i in range(meta["stats"]))
    state = TrainingState(params=params, opt_state=opt_state, key=arrays["key"], step=meta["step"],
                          epoch=meta["epoch"], best_params=best, best_metric=meta["best_metric"])
    return state, stats


__all__ = ["LAYER_FILES_LEFT_OUT", "checkpoint_progress", "code_digest", "layer_files", "load_checkpoint", "read_checkpoint", "read_header",
           "restore_tree", "same_code", "save_checkpoint"]
