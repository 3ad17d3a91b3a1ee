"""The training step: a :class:`TrainingState`, a fresh one from a seed
(:func:`init_state`), and the jitted ``update(state, batch) -> state`` of
:func:`make_update`: Adam (emlp's settings by default) on the mean squared
error, or on the cross-entropy for classification, over the device mesh of
:mod:`.sharding`; and the mini-batches of an epoch (:func:`epoch_batches`),
padded to one compiled shape (:func:`padded_batch`).

>>> import haiku as hk, optax
>>> model = hk.transform(lambda x: hk.Linear(1)(x))
>>> state = init_state(model, optax.sgd(0.1), np.zeros((1, 2), np.float32), seed=0)
>>> make_update(model.apply, optax.sgd(0.1))(state, (np.ones((2, 2), np.float32), np.zeros((2, 1), np.float32))).step
1
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from .sharding import DATA_AXIS, data_mesh, replicate, shard_batch, to_host

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


def replicate_state(state: TrainingState, mesh: Mesh) -> TrainingState:
    """``state`` with its parameters, optimizer state and key replicated on
    ``mesh``, ready for the ``update`` of :func:`make_update`."""
    return state._replace(params=replicate(state.params, mesh), opt_state=replicate(state.opt_state, mesh),
                          key=replicate(state.key, mesh))


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


__all__ = ["TrainingState", "epoch_batches", "init_state", "make_update", "padded_batch", "padded_rows",
           "replicate_state"]
