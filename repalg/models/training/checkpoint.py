"""Checkpoints: a :class:`~repalg.models.training.step.TrainingState` (and
the standardization statistics) as an npz of the flattened pytrees' leaves
with a JSON header; no pickle, written atomically.

Format 2 (written now) keeps, beside the leaf paths, the counters and the
best metric, the fingerprint of every layer whose parameters are
coefficients in a solved basis (:mod:`repalg.models.fingerprints`): a
checkpoint is refused only when the model built from its config solves
another basis for one of them, and the message names the layer. A change of
repalg's code that leaves the bases alone (a docstring, a move, a faster
solver) leaves saved runs loadable.

Format 2 also keeps, under ``run``, what ties the checkpoint to its run
directory: the digest of the config it was trained on
(:func:`repalg.models.config.settings.config_digest`), which a resume and
``load()`` check against the directory's ``config.toml``, and the metrics
of every epoch so far, from which a lost or damaged ``metrics.jsonl`` is
rebuilt. Checkpoints written before this was added have neither, and are
read as before.

Format 1 (written before 2026-12-07) kept a digest of the source files
instead, and refused a checkpoint after any change of code. It is read by
rebuilding the model from the run's config and checking each saved leaf's
path, shape and dtype against it (``tests/data/format1`` holds three such
runs, which load and predict as they did).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jax
import numpy as np

from ...files import atomic_write
from ..fingerprints import compare
from .sharding import to_host
from .step import TrainingState

FORMAT = 2
"""The checkpoint format this version writes."""

READS = (1, 2)
"""The formats it reads."""


def _paths(tree) -> list[str]:
    return [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def save_checkpoint(path, state: TrainingState, stats=None, fingerprints=None, run: dict | None = None) -> None:
    """Write ``state`` (and the standardization ``stats``) to ``path``
    atomically, as an npz of the flattened pytrees' leaves with a JSON header
    (leaf paths, counters, best metric, the ``fingerprints`` of the
    model's basis-holding layers: :func:`repalg.models.fingerprints.layer_fingerprints`,
    and ``run``: ``{"config": digest, "history": [records]}``); no pickle.

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
    arrays, meta = {}, {"format": FORMAT, "step": int(state.step), "epoch": int(state.epoch),
                        "best_metric": state.best_metric, "paths": {}, "fingerprints": fingerprints or {}}
    if run is not None:
        meta["run"] = run
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


def same_meaning(meta: dict | None, fingerprints: dict, path) -> None:
    """Refuse the checkpoint at ``path`` (its header ``meta``) when one of
    its layers' parameters would mean something else in the model whose
    layers have the ``fingerprints`` given, naming the layer; or when it is
    of a format this version cannot read. A format-1 checkpoint has no
    fingerprints: its leaves' shapes are checked as they are restored."""
    if meta is None:
        return
    found = meta.get("format")
    if found not in READS:
        raise ValueError(f"{path} is a checkpoint of format {found!r}, which this version of repalg cannot read "
                         f"(it reads formats {', '.join(map(str, READS))}); was it written by a newer repalg?")
    if found >= 2:
        compare(meta.get("fingerprints", {}), fingerprints, path)


def unreadable(path, error: BaseException) -> ValueError:
    """The error for a checkpoint file that exists but cannot be read."""
    return ValueError(f"{path} is not a readable repalg checkpoint ({type(error).__name__}: {error}); it is left "
                      "as it is: restore it from a copy, or move it away to train this run again from the start")


def read_checkpoint(path) -> tuple[dict, dict]:
    """The arrays of the checkpoint at ``path`` and its header; a file that
    is truncated, empty, damaged or not a checkpoint at all is refused with
    :func:`unreadable`'s message."""
    try:
        with np.load(path, allow_pickle=False) as file:
            arrays = {name: file[name] for name in file.files}
        meta = json.loads(str(arrays.pop("meta")))
        if not isinstance(meta, dict) or not {"format", "epoch", "step", "paths", "stats"} <= meta.keys():
            raise ValueError("its header is not a checkpoint's")
        return arrays, meta
    except Exception as error:  # BadZipFile, EOFError, zlib.error, OSError, ValueError, KeyError: a damaged file
        raise unreadable(path, error) from None


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
    no file there; a file that cannot be read is refused (never taken for
    no checkpoint, which would start the run again over it)."""
    if not Path(path).exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as file:
            meta = json.loads(str(file["meta"]))
        if not isinstance(meta, dict) or not {"epoch", "step"} <= meta.keys():
            raise ValueError("its header is not a checkpoint's")
        return meta
    except Exception as error:  # as read_checkpoint: every way a damaged file fails
        raise unreadable(path, error) from None


def load_checkpoint(path, template: TrainingState, fingerprints=None) -> tuple[TrainingState, tuple]:
    """The state saved at ``path`` (shaped as ``template``, a fresh state of
    the same model and optimizer, whose basis-holding layers have the
    ``fingerprints`` given) and the saved standardization statistics."""
    arrays, meta = read_checkpoint(path)
    same_meaning(meta, fingerprints or {}, path)
    params = restore_tree(arrays, meta, "params", template.params, path)
    opt_state = restore_tree(arrays, meta, "opt_state", template.opt_state, path)
    best = restore_tree(arrays, meta, "best_params", template.params, path) if "best_params" in meta["paths"] else None
    stats = tuple(arrays[f"stats/{i}"] for i in range(meta["stats"]))
    state = TrainingState(params=params, opt_state=opt_state, key=arrays["key"], step=meta["step"],
                          epoch=meta["epoch"], best_params=best, best_metric=meta["best_metric"])
    return state, stats


__all__ = ["FORMAT", "READS", "checkpoint_progress", "load_checkpoint", "read_checkpoint", "read_header",
           "restore_tree", "same_meaning", "save_checkpoint", "unreadable"]
