"""Training: a :class:`TrainingState`, a jitted ``update(state, batch) ->
state``, and the loop that runs a config with checkpoints, metrics, plots
and resumption.

The pieces, from the bottom up:

- :func:`init_state` and :func:`make_update`: Adam (emlp's settings by
  default) on the mean squared error, or on the cross-entropy for
  classification, jit-compiled over a 1-D device mesh: the batch is split
  across ``jax.devices()`` and the parameters are replicated, so one device
  or many (or many hosts, after ``jax.distributed.initialize()``) train the
  same model with the same config.
- :func:`epoch_batches`: mini-batches from a seeded permutation per epoch, so
  epoch ``e`` sees the same order whether or not the run was interrupted.
- :func:`train`: the loop driver for a config. Each epoch it evaluates the
  validation split, keeps the best weights, appends a line to
  ``metrics.jsonl`` and atomically rewrites ``checkpoint.npz``; a run started
  again in the same directory resumes from the checkpoint and ends with
  exactly the parameters of an uninterrupted run. At the end it reports the
  test MSE (or accuracy) and the trained model's equivariance error, writes
  ``results.json`` and draws ``curves.png``.
- :func:`load`: a finished (or interrupted) run back for inference.

A run directory holds ``config.toml`` (the resolved config: group and
representations spelled out, so :func:`load` needs no dataset),
``checkpoint.npz`` (flattened arrays and a JSON header; no pickle),
``metrics.jsonl``, ``results.json`` and ``curves.png``.

>>> import haiku as hk, jax.numpy as jnp, optax
>>> from repalg.models import MLP
>>> model = hk.transform(lambda x: MLP("2*V", "Scalar", "O(2)", ch=8)(x))
>>> optimizer = optax.adam(3e-3)
>>> state = init_state(model, optimizer, np.zeros((1, 4), np.float32), seed=0)
>>> update = make_update(model.apply, optimizer)
>>> x = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
>>> y = (x ** 2).sum(1, keepdims=True)
>>> state = update(update(state, (x, y)), (x, y))
>>> state.step, bool(state.loss > 0)
(2, True)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ..files import atomic_write
from ..numeric.equivariance import scale_adjusted_error
from .config import (ConfigError, DatasetSettings, Settings, _lookup, _parameters, dataset_kind,
                     dataset_registry, default_epochs, default_eval_every, load_config, model_registry)
from .binding import as_group, as_rep
from .datasets.augment import group_augmentation
from .standardize import Standardize

CHECKPOINT, CONFIG, METRICS, RESULTS, CURVES = "checkpoint.npz", "config.toml", "metrics.jsonl", "results.json", \
    "curves.png"
"""The files of a run directory."""

ROLLOUTS, ROLLOUT_PLOT = "rollouts.npz", "rollout.png"
"""A run on trajectories also holds its rollouts and their figure."""

DATA_AXIS = "data"
"""The name of the mesh axis the batch is split along."""

DEFAULT_VAL, DEFAULT_TEST = 1000, 5000
"""emlp's validation and test sizes for datasets generated to a size."""


class TrainingState(NamedTuple):
    """Everything a run needs to continue: ``params`` and ``opt_state``
    (pytrees), ``key`` (the PRNG key for the model's randomness, split each
    step), ``step`` and ``epoch`` counters, the weights with the best
    validation metric so far (``best_params``, host arrays, ``None`` before
    the first validation) and that metric (``best_metric``), and ``loss``, the
    last step's training loss."""

    params: Any
    opt_state: Any
    key: Any
    step: int = 0
    epoch: int = 0
    best_params: Any = None
    best_metric: float | None = None
    loss: Any = None


# -- the functional core ------------------------------------------------------------------------------------------

def data_mesh(devices=None) -> Mesh:
    """A 1-D mesh over ``devices`` (default: every device of every process)
    whose axis ``"data"`` splits the batch.

    >>> data_mesh().axis_names
    ('data',)
    """
    devices = jax.devices() if devices is None else list(devices)
    if not devices:
        raise ValueError("data_mesh needs at least one device")
    return Mesh(np.array(devices), (DATA_AXIS,))


def replicate(tree, mesh: Mesh):
    """``tree``'s arrays (host or device) as arrays replicated on every
    device of ``mesh``; works across processes (each process supplies the
    same values).

    >>> replicate({"w": np.ones(3)}, data_mesh())["w"].sharding.is_fully_replicated
    True
    """
    sharding = NamedSharding(mesh, PartitionSpec())

    def put(leaf):
        host = to_host(leaf)
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return jax.tree_util.tree_map(put, tree)


def replicate_state(state: TrainingState, mesh: Mesh) -> TrainingState:
    """``state`` with its parameters, optimizer state and key replicated on
    ``mesh``, ready for the ``update`` of :func:`make_update`."""
    return state._replace(params=replicate(state.params, mesh), opt_state=replicate(state.opt_state, mesh),
                          key=replicate(state.key, mesh))


def shard_batch(batch, mesh: Mesh):
    """The arrays of ``batch`` (every process holding the whole global batch)
    split along their first axis across the devices of ``mesh``; the batch
    size must be a multiple of the number of devices (the loop pads).

    >>> x, y = shard_batch((np.ones((4, 2)), np.zeros(4)), data_mesh())
    >>> x.shape, x.sharding.spec == PartitionSpec("data")
    ((4, 2), True)
    """
    sharding = NamedSharding(mesh, PartitionSpec(DATA_AXIS))

    def put(host):
        host = np.asarray(host)
        if host.shape[0] % mesh.size:
            raise ValueError(f"a batch of {host.shape[0]} rows cannot be split evenly across {mesh.size} devices; "
                             f"pad it to a multiple of {mesh.size} with zero-weight rows (see padded_batch)")
        return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])

    return tuple(put(a) for a in batch)


def to_host(tree):
    """``tree`` with every array as a numpy array (for a replicated array,
    the copy on this process's first device).

    >>> to_host({"w": jnp.ones(2)})
    {'w': array([1., 1.], dtype=float32)}
    """
    def get(leaf):
        if isinstance(leaf, jax.Array):
            return np.asarray(leaf.addressable_data(0))
        return np.asarray(leaf)

    return jax.tree_util.tree_map(get, tree)


def init_state(model: hk.Transformed, optimizer: optax.GradientTransformation, example_x, seed: int) -> TrainingState:
    """A fresh state on the host: parameters from ``PRNGKey(seed)``
    (``example_x``, one batch of inputs, sets their shapes), the optimizer's
    initial state and the training key.

    >>> import haiku as hk, optax
    >>> model = hk.transform(lambda x: hk.Linear(2)(x))
    >>> state = init_state(model, optax.adam(1e-3), np.zeros((1, 3), np.float32), seed=0)
    >>> state.params["linear"]["w"].shape, state.step
    ((3, 2), 0)
    """
    init_key, key = jax.random.split(jax.random.PRNGKey(seed))
    params = jax.jit(model.init)(init_key, jnp.asarray(example_x))
    return TrainingState(params=to_host(params), opt_state=to_host(jax.jit(optimizer.init)(params)), key=to_host(key))


def _loss(classification: bool):
    def per_example(out, y):
        if classification:
            return optax.softmax_cross_entropy_with_integer_labels(out, y)
        return jnp.mean((out - y) ** 2, axis=-1)

    return per_example


def make_update(apply: Callable, optimizer: optax.GradientTransformation, classification: bool = False,
                mesh: Mesh | None = None) -> Callable:
    """``update(state, batch) -> state``: one optimizer step, jit-compiled
    over ``mesh`` (default :func:`data_mesh`): the batch split along the mesh,
    parameters, optimizer state and key replicated (a state on the host, as
    :func:`init_state` makes it, and numpy batches are placed there first).
    ``apply`` is a Haiku ``apply(params, rng, x)``; ``batch`` is ``(x, y)`` or
    ``(x, y, weight)`` with ``weight`` 1 for real rows and 0 for padding. The loss is the
    weighted mean over rows of the mean squared error over outputs (emlp's
    MSE), or of the cross-entropy of logits against integer labels.

    >>> import haiku as hk, optax
    >>> model = hk.transform(lambda x: hk.Linear(1)(x))
    >>> state = init_state(model, optax.sgd(0.1), np.zeros((1, 2), np.float32), seed=0)
    >>> update = make_update(model.apply, optax.sgd(0.1))
    >>> x, y = np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)
    >>> before = float(update(state, (x, y)).loss)
    >>> after = float(update(update(state, (x, y)), (x, y)).loss)
    >>> after < before
    True
    """
    mesh = data_mesh() if mesh is None else mesh
    per_example = _loss(classification)

    def loss_fn(params, key, x, y, weight):
        losses = per_example(apply(params, key, x), y)
        return jnp.sum(losses * weight) / jnp.maximum(jnp.sum(weight), 1.0)

    def core(params, opt_state, key, x, y, weight):
        key, step_key = jax.random.split(key)
        loss, grads = jax.value_and_grad(loss_fn)(params, step_key, x, y, weight)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, key, loss

    replicated, split = NamedSharding(mesh, PartitionSpec()), NamedSharding(mesh, PartitionSpec(DATA_AXIS))
    core = jax.jit(core, in_shardings=(replicated,) * 3 + (split,) * 3, out_shardings=(replicated,) * 4)

    def update(state: TrainingState, batch) -> TrainingState:
        if len(batch) == 2:
            x, y = batch
            batch = (x, y, np.ones(np.shape(x)[0], np.float32))
        if not all(isinstance(a, jax.Array) for a in batch):
            batch = shard_batch(batch, mesh)
        if not isinstance(state.key, jax.Array):  # a state from init_state or a checkpoint, on the host
            state = replicate_state(state, mesh)
        params, opt_state, key, loss = core(state.params, state.opt_state, state.key, *batch)
        return state._replace(params=params, opt_state=opt_state, key=key, step=state.step + 1, loss=loss)

    update.mesh = mesh
    return update


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int):
    """The row indices of each mini-batch of epoch ``epoch``: a permutation
    of ``range(n)`` seeded by ``(seed, epoch)``, cut into batches of
    ``batch_size`` (the last one shorter, as emlp's loaders).

    >>> [b.tolist() for b in epoch_batches(5, 2, seed=0, epoch=0)]
    [[2, 4], [3, 0], [1]]
    """
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def padded_batch(X, Y, index, rows: int):
    """``(x, y, weight)`` for the examples ``index``, padded with zero rows
    of weight 0 up to ``rows`` rows (a multiple of the device count, so one
    compiled step serves every batch).

    >>> x, y, w = padded_batch(np.ones((3, 2)), np.ones(3), np.array([0, 2]), 4)
    >>> x.shape, w.tolist()
    ((4, 2), [1.0, 1.0, 0.0, 0.0])
    """
    k = len(index)
    if k > rows:
        raise ValueError(f"a batch of {k} examples does not fit in {rows} rows")
    x = np.zeros((rows,) + X.shape[1:], X.dtype)
    y = np.zeros((rows,) + Y.shape[1:], Y.dtype)
    x[:k], y[:k] = X[index], Y[index]
    weight = np.zeros(rows, np.float32)
    weight[:k] = 1.0
    return x, y, weight


def padded_rows(batch_size: int, devices: int) -> int:
    """The rows of every compiled step: ``batch_size`` rounded up to a
    multiple of the device count. A batch size the devices do not divide is
    handled, not refused: the extra rows are zero-weight padding.

    >>> padded_rows(500, 1), padded_rows(500, 3)
    (500, 501)
    """
    return -(-batch_size // devices) * devices


def predictor(model: hk.Transformed, rows: int = 500):
    """``predict(params, X) -> outputs`` in chunks of ``rows`` (padded, so one
    compilation serves all), on this process's default device.

    >>> model = hk.transform(lambda x: 2 * x)
    >>> predictor(model, rows=4)({}, np.ones((6, 1), np.float32)).ravel().tolist()
    [2.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    """
    apply = jax.jit(lambda params, x: model.apply(params, None, x))

    def predict(params, X):
        X = np.asarray(X)
        chunks = []
        for start in range(0, len(X), rows):
            part = X[start:start + rows]
            padded = np.zeros((rows,) + X.shape[1:], X.dtype)
            padded[:len(part)] = part
            chunks.append(np.asarray(apply(params, padded))[:len(part)])
        return np.concatenate(chunks) if chunks else np.zeros((0,))

    return predict


def metrics(outputs, Y, classification: bool) -> dict:
    """The MSE (regression: mean over examples and outputs), or the
    cross-entropy and accuracy (classification).

    >>> metrics(np.array([[1.0], [3.0]]), np.array([[1.0], [1.0]]), False)
    {'mse': 2.0}
    """
    outputs = np.asarray(outputs, np.float64)
    if not classification:
        return {"mse": float(np.mean((outputs - Y) ** 2))}
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    labels = np.asarray(Y).astype(int)
    return {"loss": float(-np.mean(log_probs[np.arange(len(labels)), labels])),
            "accuracy": float(np.mean(outputs.argmax(axis=1) == labels))}


def equivariance_error_on(f: Callable, X, rep_in, rep_out, samples: int = 5, key: int = 0) -> float:
    """The largest scale-adjusted error of ``f(rho_in(g) x) = rho_out(g)
    f(x)`` over ``samples`` rows ``x`` of ``X`` (drawn without replacement)
    each with a sampled group element: the measure of
    :func:`repalg.testing.equivariance_error` (the group's action in float64,
    ``f`` at the data's precision), on data instead of Gaussian inputs.

    >>> from repalg.reps import V
    >>> from repalg.groups import SO
    >>> X = np.random.default_rng(0).normal(size=(10, 3))
    >>> equivariance_error_on(lambda x: 2 * x, X, V(SO(3)), V(SO(3))) < 1e-12
    True
    """
    from ..numeric.operators import float64

    groups = tuple(dict.fromkeys(rep_in.groups() + rep_out.groups()))
    rng = np.random.default_rng(key)
    rows = rng.choice(len(X), size=min(samples, len(X)), replace=False)
    worst = 0.0
    for row in rows:
        with float64():  # the group's action in float64; f runs in its own precision
            g = {G: G.samples(1, key=int(rng.integers(2**31)))[0] for G in groups}
            x = np.asarray(X[row], np.float64)
            moved = np.asarray(rep_in.rho(g) @ x)
        lhs, fx = np.asarray(f(moved.astype(X.dtype))), np.asarray(f(x.astype(X.dtype)))
        with float64():
            rhs = np.asarray(rep_out.rho(g) @ fx.astype(np.float64))
        if not (np.all(np.isfinite(lhs)) and np.all(np.isfinite(rhs))):
            return float("nan")  # outputs that are not finite show nothing about equivariance
        for element in g.values():
            worst = max(worst, scale_adjusted_error(lhs, rhs, element))
    return worst


# -- checkpoints ----------------------------------------------------------------------------------------------------

def _paths(tree) -> list[str]:
    return [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(tree)[0]]


def save_checkpoint(path, state: TrainingState, stats=None) -> None:
    """Write ``state`` (and the standardization ``stats``) to ``path``
    atomically, as an npz of the flattened pytrees' leaves with a JSON header
    (leaf paths, counters, best metric); no pickle.

    >>> import os, tempfile, optax
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
    from ..numeric.cache import solver_digest
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(solver_digest().encode())
    for name in _layer_files():
        h.update(name.encode())
        h.update((root / name).read_bytes())
    return h.hexdigest()[:16]


def _layer_files() -> list:
    """The files, relative to the package, whose code gives a checkpoint's
    parameters their meaning: the models and their layers."""
    root = Path(__file__).resolve().parent.parent
    layers = [*root.glob("models/*.py"), *root.glob("models/lieconv/*.py")]
    return sorted(path.relative_to(root).as_posix() for path in layers
                  if path.name not in ("train.py", "config.py", "ready.py", "__init__.py"))


def _same_code(meta: dict | None, path) -> None:
    if meta is not None and meta.get("code") != code_digest():
        raise ValueError(f"{path} was written by another version of repalg: its parameters are coefficients in "
                         "the bases that version solved, which this one may choose differently, so they cannot "
                         "be read back; train again into another output directory")


def _read(path) -> tuple[dict, dict]:
    try:
        with np.load(path, allow_pickle=False) as file:
            arrays = {name: file[name] for name in file.files}
        return arrays, json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"{path} is not a readable repalg checkpoint: {error}") from None


def _restore(arrays: dict, meta: dict, name: str, template, path) -> Any:
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
    meta = _header(path)
    return None if meta is None else {"epoch": meta["epoch"], "step": meta["step"]}


def _header(path) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as file:
            return json.loads(str(file["meta"]))
    except (OSError, ValueError, KeyError):
        return None


def load_checkpoint(path, template: TrainingState) -> tuple[TrainingState, tuple]:
    """The state saved at ``path`` (shaped as ``template``, a fresh state of
    the same model and optimizer) and the saved standardization statistics."""
    arrays, meta = _read(path)
    _same_code(meta, path)
    params = _restore(arrays, meta, "params", template.params, path)
    opt_state = _restore(arrays, meta, "opt_state", template.opt_state, path)
    best = _restore(arrays, meta, "best_params", template.params, path) if "best_params" in meta["paths"] else None
    stats = tuple(arrays[f"stats/{i}"] for i in range(meta["stats"]))
    state = TrainingState(params=params, opt_state=opt_state, key=arrays["key"], step=meta["step"],
                          epoch=meta["epoch"], best_params=best, best_metric=meta["best_metric"])
    return state, stats


# -- building a run from settings -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Data:
    """A run's splits as float32 inputs and float32 targets (int32 labels
    for classification), with the bound representations and group; for a
    dataset of trajectories, ``flow`` (its ``ds.flow``: the times and the
    state a model integrates) and ``system`` (the dataset, for its true
    dynamics); for a dataset of point clouds, ``points`` (its layout
    ``{"n", "d", "c"}``, which a point-cloud model reads its rows with)."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_val: np.ndarray
    Y_val: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    rep_in: Any
    rep_out: Any
    group: Any
    stats: tuple | None
    classification: bool
    flow: dict | None = None
    system: Any = None
    points: dict | None = None


def _arrays(ds, name: str, classification: bool):
    X = np.asarray(ds.X, np.float32)
    Y = np.asarray(ds.Y)
    if X.ndim != 2 or len(X) != len(Y):
        raise ConfigError("dataset.name", f"{name} has X of shape {X.shape} and Y of shape {Y.shape}; the trainer "
                                          "needs X as (examples, features) and one Y per example")
    Y = Y.astype(np.int32) if classification else Y.reshape(len(Y), -1).astype(np.float32)
    return X, Y


def build_data(d: DatasetSettings, m) -> tuple[Data, DatasetSettings, dict]:
    """The splits of the dataset ``d`` names, bound to the model settings
    ``m``'s group and representations (the dataset's by default); with the
    dataset settings and model texts resolved. Raises :class:`ConfigError`
    (naming ``model.rep_in`` or ``model.rep_out``) when a representation's
    size is not the data's width."""
    cls = _lookup("dataset.name", d.name, dataset_registry(), "dataset")
    kind = dataset_kind(cls)
    common = dict(d.options)
    if "seed" in _parameters(cls)[0]:
        common["seed"] = d.seed
    split_rng = np.random.default_rng([d.seed, 1])

    def make(**args):
        try:
            return cls(**args, **common)
        except (TypeError, ValueError) as error:
            shown = ", ".join(f"{k}={v!r}" for k, v in {**args, **common}.items())
            raise ConfigError("dataset", f"{d.name}({shown}) failed: {error}") from None

    if kind == "sized":
        val = DEFAULT_VAL if d.val is None else d.val
        test = DEFAULT_TEST if d.test is None else d.test
        total = d.N + val + test
        ds = make(N=total)
        classification = hasattr(ds, "num_classes")
        X, Y = _arrays(ds, d.name, classification)
        if len(X) != total:
            raise ConfigError("dataset.N", f"{d.name}(N={total}) made {len(X)} examples, not {total}")
        order = split_rng.permutation(total)
        parts = order[:d.N], order[d.N:d.N + val], order[d.N + val:]
        splits = [(X[p], Y[p]) for p in parts]
        resolved = dataclasses.replace(d, val=val, test=test)
    else:
        val = 0 if d.val is None else d.val
        ds, ds_test = make(train=True), make(train=False)
        classification = hasattr(ds, "num_classes")
        X, Y = _arrays(ds, d.name, classification)
        if val >= len(X):
            raise ConfigError("dataset.val", f"{val} validation examples leave none to train on: {d.name}'s "
                                             f"training set has {len(X)}")
        order = split_rng.permutation(len(X))
        splits = [(X[order[val:]], Y[order[val:]]), (X[order[:val]], Y[order[:val]]),
                  _arrays(ds_test, d.name, classification)]
        resolved = dataclasses.replace(d, val=val)
    rep_in, rep_out, group, texts = _bind(m, ds)
    width_out = ds.num_classes if classification else splits[0][1].shape[1]
    for key, rep, width, what in [("rep_in", rep_in, X.shape[1], f"inputs have {X.shape[1]} columns"),
                                  ("rep_out", rep_out, width_out,
                                   f"{width_out} classes" if classification
                                   else f"targets have {width_out} columns")]:
        if rep.size() != width:
            source = "the dataset's own" if getattr(m, key) is None else "set in the config"
            raise ConfigError(f"model.{key}", f"{texts[key]!r} ({source}) on {texts['group']} has size "
                                              f"{rep.size()}, but {d.name}'s {what}")
    stats = tuple(np.asarray(s, np.float32) for s in ds.stats) if getattr(ds, "stats", None) is not None else None
    flow = getattr(ds, "flow", None)
    data = Data(*splits[0], *splits[1], *splits[2], rep_in=rep_in, rep_out=rep_out, group=group, stats=stats,
                classification=classification, flow=flow, system=ds if flow is not None else None,
                points=getattr(ds, "points", None))
    return data, resolved, texts


def _bind(m, ds):
    texts = {}
    cls = _lookup("model.name", m.name, model_registry(), "model")
    if getattr(cls, "points_model", False):
        _check_points(m, ds)
    if getattr(cls, "lieconv", False):
        lie = _lie_group(m, ds)
        group = ds.symmetry  # the rows represent the dataset's symmetry: equivariance is measured under it
        texts["group"] = lie.name
    elif m.group is not None:
        group = as_group(m.group)
    else:
        group = getattr(ds, "symmetry", None)
        if group is None:
            raise ConfigError("model.group", "missing: the dataset names no symmetry; set one, such as "
                                             "group = \"O(3)\"")
    texts.setdefault("group", str(group))
    reps = []
    for key in ("rep_in", "rep_out"):
        given = getattr(m, key)
        value = given if given is not None else getattr(ds, key)
        try:
            rep = as_rep(value, group)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"model.{key}", f"{value!r} cannot be bound to {group}: {error}") from None
        texts[key] = given if given is not None else repr(value)
        reps.append(rep)
    return reps[0], reps[1], group, texts


def _check_points(m, ds) -> None:
    """A point-cloud model needs a dataset of points, and reads its rows as
    they are."""
    if getattr(ds, "points", None) is None:
        known = [name for name, c in dataset_registry().items() if hasattr(c, "points_of")]
        raise ConfigError("model.name", f"{m.name} reads point clouds; the dataset has none (datasets of points: "
                                        f"{', '.join(known)})")
    for key in ("rep_in", "rep_out"):
        if getattr(m, key) is not None:
            raise ConfigError(f"model.{key}", f"{m.name} reads the dataset's points as they are; leave {key} unset")


def _lie_group(m, ds):
    """The LieConv group of a LieConv model: ``model.group``, by default the
    dataset's symmetry; it must act on the dataset's points."""
    from .lieconv import as_lie_group

    text = m.group if m.group is not None else str(ds.symmetry)
    try:
        lie = as_lie_group(text)
    except ValueError as error:
        raise ConfigError("model.group", str(error)) from None
    d = ds.points["d"]
    if lie.d != d:
        raise ConfigError("model.group", f"{lie.name} acts on ℝ^{lie.d}; the dataset's points are in ℝ^{d}")
    return lie


def points_of(d: DatasetSettings) -> dict | None:
    """The point layout of the dataset the settings ``d`` name (``None`` for
    one that is not points), from its class, without making the data."""
    cls = _lookup("dataset.name", d.name, dataset_registry(), "dataset")
    return cls.points_of(**d.options) if hasattr(cls, "points_of") else None


def flow_of(d: DatasetSettings) -> dict | None:
    """The ``flow`` of the dataset the settings ``d`` name (``None`` for one
    that is not trajectories), from its class, without making the data."""
    cls = _lookup("dataset.name", d.name, dataset_registry(), "dataset")
    if not hasattr(cls, "flow_of"):
        return None
    return cls.flow_of(**d.options)


def build_model(m, rep_in, rep_out, group, stats, flow: dict | None = None,
                points: dict | None = None) -> hk.Transformed:
    """The Haiku-transformed model the settings ``m`` name, wrapped in
    :class:`Standardize` with ``stats`` when ``m.standardize``. With ``flow``
    (a dataset of trajectories: ``{"ts": times, "rep_state": text}``) the
    model must be a dynamics model, and the transformed function is the
    :class:`~repalg.models.dynamics.Flow` that integrates it over ``ts``.
    A point-cloud model is given the dataset's ``points`` layout and, for
    LieConv, the group ``m.group`` names.

    >>> from repalg.models.config import ModelSettings
    >>> model = build_model(ModelSettings("MLP", options={"ch": 8}), "2*V", "Scalar", "O(2)", (0.0, 2.0))
    >>> params = jax.jit(model.init)(jax.random.PRNGKey(0), np.zeros((1, 4), np.float32))
    >>> jax.jit(model.apply)(params, None, np.ones((3, 4), np.float32)).shape
    (3, 1)
    """
    cls = _lookup("model.name", m.name, model_registry(), "model")
    options = dict(m.options)
    if getattr(cls, "points_model", False):
        options["points"] = points
    if getattr(cls, "lieconv", False):
        from .lieconv import as_lie_group

        options["lie_group"] = as_lie_group(m.group)
    dynamics = getattr(cls, "dynamics", None)
    if (flow is None) != (dynamics is None):
        known = [name for name, c in model_registry().items() if getattr(c, "dynamics", None)]
        raise ConfigError("model.name", f"{m.name} learns dynamics, from a dataset of trajectories such as "
                                        "DoubleSpringPendulum" if flow is None else
                          f"the dataset holds trajectories: the model integrates a Hamiltonian or a time "
                          f"derivative; use one of {', '.join(known)}, not {m.name}")

    if flow is not None:
        from .dynamics import _diffrax

        try:
            _diffrax()
        except ImportError as error:
            raise ConfigError("model.name", f"{m.name} integrates its dynamics: {error}") from None

    def forward(x):
        if flow is not None:
            from .dynamics import Flow

            return Flow(cls, rep_in, flow["rep_state"], group, ts=flow["ts"],
                        independent=flow.get("independent", False), **options)(x)
        net = cls(rep_in, rep_out, group, **options)
        model = Standardize(net, stats) if m.standardize and stats is not None else net
        if m.augment:  # as emlp's scripts: the standardized model, augmented; a Haiku key only while training
            key = hk.maybe_next_rng_key()
            return group_augmentation(model, rep_in, rep_out, group)(x, key, training=key is not None)
        return model(x)

    return hk.transform(forward)


def make_optimizer(t, steps_per_epoch: int):
    """Adam (``b1=0.9, b2=0.999, eps=1e-8``, as emlp's objax Adam) at ``t.lr``,
    constant or with a cosine decay to 0 over the run; and the schedule.

    >>> from repalg.models.config import TrainSettings
    >>> _, schedule = make_optimizer(TrainSettings(epochs=10, schedule="cosine"), steps_per_epoch=6)
    >>> round(float(schedule(0)), 6), float(schedule(60))
    (0.003, 0.0)
    """
    total = max(t.epochs * steps_per_epoch, 1)
    schedule = optax.cosine_decay_schedule(t.lr, total) if t.schedule == "cosine" else optax.constant_schedule(t.lr)
    return optax.adam(schedule), schedule


@dataclasses.dataclass
class Run:
    """A config made concrete: resolved settings, data, model, optimizer."""

    settings: Settings
    data: Data
    model: hk.Transformed
    optimizer: optax.GradientTransformation
    schedule: Callable
    batch_size: int
    steps_per_epoch: int


def prepare(settings: Settings) -> Run:
    """Build the data, bind the representations, build the model and check
    that it initializes: every failure a :class:`ConfigError` naming the key,
    before any file is written or step compiled."""
    data, dataset, texts = build_data(settings.dataset, settings.model)
    n = len(data.X_train)
    t = settings.train
    epochs = t.epochs if t.epochs is not None else (
        default_epochs(settings.dataset.N) if settings.dataset.N is not None else None)
    if epochs is None:
        raise ConfigError("train.epochs", f"missing: {dataset.name} has its own train and test sets; "
                                          "say how many epochs, such as epochs = 500")
    if t.rollouts is not None and data.flow is None:
        raise ConfigError("train.rollouts", f"{dataset.name} holds no trajectories to roll out; leave it unset")
    t = dataclasses.replace(t, epochs=epochs, eval_every=t.eval_every or default_eval_every(epochs))
    model_settings = dataclasses.replace(settings.model, **texts)
    resolved = dataclasses.replace(settings, dataset=dataset, model=model_settings, train=t)
    model = build_model(model_settings, data.rep_in, data.rep_out, data.group, data.stats, data.flow, data.points)
    try:
        jax.eval_shape(model.init, jax.random.PRNGKey(0), data.X_train[:1])
    except (TypeError, ValueError) as error:
        raise ConfigError("model", f"{model_settings.name} rejected its settings: {error}") from None
    batch_size = min(t.batch_size, n)
    steps = math.ceil(n / batch_size)
    optimizer, schedule = make_optimizer(t, steps)
    return Run(resolved, data, model, optimizer, schedule, batch_size, steps)


# -- the loop ---------------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class RunResult:
    """What :func:`train` returns: the run directory, the resolved settings,
    the final results (test metrics, equivariance error), the per-epoch
    history and the final :class:`TrainingState` (host arrays)."""

    run_dir: Path
    settings: Settings
    results: dict
    history: list
    state: TrainingState


def _json_number(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _read_history(path: Path, last_epoch: int) -> list:
    history = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by an interruption
            if isinstance(record, dict) and not record.get("final") and record.get("epoch", 0) <= last_epoch:
                history.append(record)
    return history


def _write_lines(path: Path, records: list) -> None:
    text = "".join(json.dumps(r) + "\n" for r in records).encode()
    atomic_write(path, lambda file: file.write(text))


def _append_line(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")


def same_settings(stored: dict, current: dict, run_dir) -> None:
    """Raise a :class:`ConfigError` naming the first key of the sections
    ``dataset``, ``model`` and ``train`` where the settings dicts ``stored``
    (of the run in ``run_dir``) and ``current`` differ."""
    for section in ("dataset", "model", "train"):
        there_section, here_section = stored.get(section, {}), current.get(section, {})
        for key in sorted(set(there_section) | set(here_section)):
            there, here = there_section.get(key), here_section.get(key)
            if there != here:
                raise ConfigError(f"{section}.{key}", f"{run_dir} holds a run of another config ({there!r} there, "
                                                      f"{here!r} here); resume it with its own config "
                                                      f"({Path(run_dir) / CONFIG}) or choose another output "
                                                      "directory")


def check_run_dir(run_dir, settings: Settings) -> dict | None:
    """The progress (``{"epoch", "step"}``) of the checkpoint in ``run_dir``
    that ``settings`` would resume, ``None`` for a fresh run; a
    :class:`ConfigError` naming the first differing key when the directory
    holds a run of another config (the ``[output]`` section may differ)."""
    from .config import parse_config

    run_dir = Path(run_dir)
    if not (run_dir / CHECKPOINT).exists():
        return None
    try:
        stored = parse_config((run_dir / CONFIG).read_text(encoding="utf-8"), check_names=False).to_dict()
    except (OSError, ConfigError) as error:
        raise ConfigError(None, f"{run_dir} has a checkpoint but no readable {CONFIG} ({error}); "
                                "choose another output directory") from None
    same_settings(stored, settings.to_dict(), run_dir)
    try:
        _same_code(_header(run_dir / CHECKPOINT), run_dir / CHECKPOINT)
    except ValueError as error:
        raise ConfigError(None, str(error)) from None
    return checkpoint_progress(run_dir / CHECKPOINT)


def train(settings: Settings | Run, out=None, *, progress: bool = True, hook: Callable | None = None,
          devices=None) -> RunResult:
    """Run the config ``settings`` (or a :class:`Run` that :func:`prepare`
    made from it) in the directory ``out`` (default ``settings.output.dir``),
    resuming from its checkpoint if it has one.

    ``progress`` shows a tqdm bar with the running loss (on process 0 only);
    ``hook(state)`` is called after each checkpoint is written (every
    ``eval_every`` epochs, after the validation; a
    test raises from it to simulate an interruption); ``devices`` (default:
    all) are the devices the batch is split across. Every process of a
    multi-host run calls this with the same settings; process 0 writes the
    files.

    >>> import tempfile
    >>> from repalg.models.config import parse_config
    >>> settings = parse_config('''
    ... [dataset]
    ... name = "Inertia"
    ... N = 30
    ... val = 10
    ... test = 10
    ... [model]
    ... name = "MLP"
    ... ch = 8
    ... [train]
    ... epochs = 2
    ... ''')
    >>> result = train(settings, tempfile.mkdtemp(), progress=False)
    >>> [r["epoch"] for r in result.history], result.results["weights"], result.results["test_mse"] > 0
    ([1, 2], 'best', True)
    >>> load(result.run_dir)(np.ones(20, np.float32)).shape
    (9,)
    """
    from tqdm.auto import tqdm

    run = settings if isinstance(settings, Run) else prepare(settings)
    s, data = run.settings, run.data
    run_dir = Path(out if out is not None else (s.output.dir or f"runs/{s.dataset.name}-{s.model.name}"))
    s = dataclasses.replace(s, output=dataclasses.replace(s.output, dir=str(run_dir)))
    main = jax.process_index() == 0
    mesh = data_mesh(devices)
    rows = padded_rows(run.batch_size, mesh.size)
    fresh = init_state(run.model, run.optimizer, data.X_train[:1], s.train.seed)
    checkpoint = run_dir / CHECKPOINT
    if check_run_dir(run_dir, s) is not None:
        state, _ = load_checkpoint(checkpoint, fresh)
        history = _read_history(run_dir / METRICS, state.epoch)
        if main:
            _write_lines(run_dir / METRICS, history)
    else:
        state, history = fresh, []
        if main:
            run_dir.mkdir(parents=True, exist_ok=True)
            text = s.to_toml().encode()
            atomic_write(run_dir / CONFIG, lambda file: file.write(text))
            _write_lines(run_dir / METRICS, [])
    classification = data.classification
    update = make_update(run.model.apply, run.optimizer, classification, mesh)
    predict = predictor(run.model, rows)
    state = replicate_state(state, mesh)
    epochs, n = s.train.epochs, len(data.X_train)
    metric = "accuracy" if classification else "mse"
    show = progress and main
    bar = tqdm(total=epochs * run.steps_per_epoch, initial=state.epoch * run.steps_per_epoch, unit="step",
               desc=f"{s.dataset.name} {s.model.name}", disable=not show, dynamic_ncols=True)
    try:
        for epoch in range(state.epoch, epochs):
            start, last_shown, losses = time.perf_counter(), time.monotonic(), []
            for index in epoch_batches(n, run.batch_size, s.train.seed, epoch):
                batch = shard_batch(padded_batch(data.X_train, data.Y_train, index, rows), mesh)
                state = update(state, batch)
                losses.append((state.loss, len(index)))
                bar.update(1)
                if show and time.monotonic() - last_shown > 0.5:
                    running = sum(float(to_host(l)) * k for l, k in losses) / sum(k for _, k in losses)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{running:.4g}", refresh=False)
                    last_shown = time.monotonic()
            record = {"epoch": epoch + 1, "step": state.step,
                      "train_loss": sum(float(to_host(l)) * k for l, k in losses) / n,
                      "lr": float(run.schedule(state.step))}
            evaluate = (epoch + 1) % s.train.eval_every == 0 or epoch + 1 == epochs
            best_params, best_metric = state.best_params, state.best_metric
            if evaluate and len(data.X_val):
                params = to_host(state.params)
                found = metrics(predict(params, data.X_val), data.Y_val, classification)
                record.update({f"val_{k}": v for k, v in found.items()})
                value = found[metric]
                better = best_metric is None or (value > best_metric if classification else value < best_metric)
                if better and math.isfinite(value):
                    best_params, best_metric = params, value
            record["seconds"] = time.perf_counter() - start
            record = {k: (_json_number(v) if isinstance(v, float) else v) for k, v in record.items()}
            state = state._replace(epoch=epoch + 1, best_params=best_params, best_metric=best_metric)
            history.append(record)
            if main:
                _append_line(run_dir / METRICS, record)
                if evaluate:
                    save_checkpoint(checkpoint, state, data.stats)
            loss = record["train_loss"]
            postfix = {"epoch": epoch + 1, "loss": "not finite" if loss is None else f"{loss:.4g}"}
            if f"val_{metric}" in record and record[f"val_{metric}"] is not None:
                postfix[f"val_{metric}"] = f"{record[f'val_{metric}']:.4g}"
            bar.set_postfix(postfix)
            if hook is not None and evaluate:
                hook(state)
    finally:
        bar.close()
    state = state._replace(params=to_host(state.params), opt_state=to_host(state.opt_state),
                           key=to_host(state.key), loss=None)
    results = _finish(run, s, state, history, predict, run_dir if main else None)
    return RunResult(run_dir, s, results, history, state)


def _finish(run: Run, s: Settings, state: TrainingState, history: list, predict, run_dir: Path | None) -> dict:
    data, classification = run.data, run.data.classification
    which = "best" if state.best_params is not None else "last"
    params = state.best_params if which == "best" else state.params
    found = metrics(predict(params, data.X_test), data.Y_test, classification)
    error = equivariance_error_on(lambda x: predict(params, x[None])[0], data.X_test, data.rep_in, data.rep_out,
                                  samples=s.train.equivariance_samples, key=s.train.seed)
    metric = "accuracy" if classification else "mse"
    best_epoch = None
    scored = [r for r in history if r.get(f"val_{metric}") is not None]
    if scored:
        pick = max if classification else min
        best_epoch = pick(scored, key=lambda r: r[f"val_{metric}"])["epoch"]
    results = {"final": True, "epochs": state.epoch, "steps": state.step, "weights": which,
               "best_epoch": best_epoch, **{f"test_{k}": _json_number(v) for k, v in found.items()},
               "equivariance_error": _json_number(error), "equivariance_samples": s.train.equivariance_samples}
    if data.flow is not None:
        results.update(_rollouts(run, s, params, run_dir))
    if run_dir is not None:
        _append_line(run_dir / METRICS, results)
        text = (json.dumps(results, indent=2) + "\n").encode()
        atomic_write(run_dir / RESULTS, lambda file: file.write(text))
        if s.output.plot:
            plot_curves(run_dir)
    return results


def _rollouts(run: Run, s: Settings, params, run_dir: Path | None) -> dict:
    """Roll the trained dynamics out over the dataset's whole horizon
    (``T_long``) from the first ``train.rollouts`` test states, each system
    integrated with its own steps, against the
    true dynamics: the rollout error and the drift of energy and ``L_z``
    (see :func:`~repalg.models.dynamics.rollout_metrics`); ``rollout.png``
    and ``rollouts.npz`` (times, predicted and true states) in ``run_dir``."""
    from .dynamics import plot_rollouts, rollout_metrics

    data, system = run.data, run.data.system
    count = len(data.X_test) if s.train.rollouts is None else min(s.train.rollouts, len(data.X_test))
    X = data.X_test[:count]
    size = as_rep(data.flow["rep_state"], data.group).size()
    ts = np.asarray(system.T_long)
    start = time.perf_counter()
    long = build_model(s.model, data.rep_in, data.rep_out, data.group, data.stats,
                       {**data.flow, "ts": tuple(ts), "independent": True}, data.points)
    predicted = predictor(long, rows=max(1, min(count, 500)))(params, X).reshape(count, len(ts), size)
    true = system.integrate(X.astype(np.float64), ts)
    found = rollout_metrics(predicted, true, *system.conserved(X))
    seconds = time.perf_counter() - start
    if run_dir is not None:
        arrays = {"ts": ts, "predicted": predicted, "true": true}
        atomic_write(run_dir / ROLLOUTS, lambda file: np.savez(file, **arrays))
        if s.output.plot:
            from .sweep import label

            bodies = (data.points["n"], data.points["d"]) if data.points else (2, 3)
            plot_rollouts(run_dir / ROLLOUT_PLOT, ts, predicted, true, found,
                          f"{s.dataset.name}, {label(s)}: {count} test systems, {ts[-1] + ts[1]:.0f} s",
                          bodies=bodies)
    keys = ("rollout_error", "rollout_error_std", "rollout_systems", "diverged_systems", "energy_drift",
            "true_energy_drift", "lz_drift", "true_lz_drift")
    return {**{k: (_json_number(found[k]) if isinstance(found[k], float) else found[k]) for k in keys},
            "rollout_seconds": round(seconds, 2)}


def plot_curves(run_dir) -> Path:
    """Draw ``curves.png`` in ``run_dir`` from its ``metrics.jsonl``: the
    training loss and the validation MSE (or loss) against the epoch on a
    log scale, and the validation accuracy for classification."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    run_dir = Path(run_dir)
    history = _read_history(run_dir / METRICS, 1 << 62)
    epochs = [r["epoch"] for r in history]
    accuracy = any("val_accuracy" in r for r in history)
    figure = Figure(figsize=(10 if accuracy else 6, 4), tight_layout=True)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
    train_label = "training cross-entropy" if accuracy else "training MSE"
    for key, label in [("train_loss", train_label), ("val_mse", "validation MSE"),
                       ("val_loss", "validation cross-entropy")]:
        points = [(r["epoch"], r[key]) for r in history if r.get(key) is not None]
        if points:
            axes[0].plot(*zip(*points), label=label)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].legend()
    if accuracy:
        points = [(r["epoch"], r["val_accuracy"]) for r in history if r.get("val_accuracy") is not None]
        if points:
            axes[1].plot(*zip(*points))
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("validation accuracy")
    title = "no epochs yet" if not epochs else ""
    try:
        settings = load_config(run_dir / CONFIG, check_names=False)
        title = f"{settings.dataset.name}, {settings.model.name} on {settings.model.group}  {title}".strip()
    except ConfigError:
        pass
    figure.suptitle(title)
    path = run_dir / CURVES
    atomic_write(path, lambda file: figure.savefig(file, format="png", dpi=100))
    return path


# -- inference --------------------------------------------------------------------------------------------------------

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
    cls = _lookup("model.name", m.name, model_registry(), "model")
    if getattr(cls, "lieconv", False):  # the group is LieConv's; the rows represent the dataset's symmetry
        group = as_group(_lookup("dataset.name", settings.dataset.name, dataset_registry(), "dataset").symmetry_text)
    else:
        group = as_group(m.group)
    rep_in, rep_out = as_rep(m.rep_in, group), as_rep(m.rep_out, group)
    arrays, meta = _read(run_dir / CHECKPOINT)
    _same_code(meta, run_dir / CHECKPOINT)
    stats = tuple(arrays[f"stats/{i}"] for i in range(meta["stats"])) or None
    model = build_model(m, rep_in, rep_out, group, stats, flow_of(settings.dataset), points_of(settings.dataset))
    template = jax.eval_shape(model.init, jax.random.PRNGKey(0), jnp.zeros((1, rep_in.size()), jnp.float32))
    name = "best_params" if which == "best" and "best_params" in meta["paths"] else "params"
    params = _restore(arrays, meta, name, template, run_dir / CHECKPOINT)
    return TrainedModel(settings, model, params, rep_in, rep_out, group)


__all__ = ["Data", "Run", "RunResult", "TrainedModel", "TrainingState", "build_data", "build_model", "check_run_dir",
           "code_digest",
           "checkpoint_progress", "data_mesh", "epoch_batches", "equivariance_error_on", "init_state", "load",
           "load_checkpoint", "make_optimizer", "make_update", "metrics", "padded_batch", "padded_rows", "plot_curves",
           "points_of", "predictor", "prepare", "replicate", "replicate_state", "same_settings", "save_checkpoint", "shard_batch", "to_host", "train"]
