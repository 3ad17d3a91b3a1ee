"""Structured linear operators: Kronecker products, Kronecker sums and
block-diagonal sums of smaller maps, applied by reshaping (never as an N×N
matrix unless ``dense()`` is asked for). Pure ``jax.numpy``, so they work
inside ``jax.jit`` and ``jax.vmap``.

>>> import numpy as np
>>> a, b = np.diag([1.0, 2.0]), np.array([[0.0, 1.0], [1.0, 0.0]])
>>> op = kron([matrix(a), matrix(b)])
>>> bool(np.allclose(op @ np.arange(4.0), np.kron(a, b) @ np.arange(4.0)))
True
"""

from __future__ import annotations

from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import block_diag as _dense_block_diag


class Operator:
    """A linear map of shape ``(n, n)`` known by its structure: ``op @ x``
    (x of shape (n,) or (n, k)), ``op.dense()``, ``np.asarray(op)``."""

    __slots__ = ("shape", "_apply", "_dense")

    def __init__(self, n: int, apply: Callable, dense: Callable):
        self.shape = (n, n)
        self._apply, self._dense = apply, dense

    def __matmul__(self, x):
        x = jnp.asarray(x)
        if x.shape[0] != self.shape[1]:
            raise ValueError(f"cannot apply an operator of shape {self.shape} to an array of shape {x.shape}")
        if x.ndim == 1:
            return self._apply(x[:, None])[:, 0]
        return self._apply(x)

    def dense(self):
        """The n×n matrix."""
        return self._dense()

    to_dense = dense  # emlp's name

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.dense(), dtype=dtype)

    def __repr__(self) -> str:
        return f"Operator(shape={self.shape})"


def matrix(m) -> Operator:
    """A dense square matrix as an operator."""
    m = jnp.asarray(m)
    return Operator(m.shape[0], lambda x: m @ x, lambda: m)


def to_matrix(m, xp=jnp):
    """A matrix from an array or any linear operator: its ``to_dense()``, or
    ``@`` on an identity (emlp's ``LazyPerm`` and users' own operators).

    >>> class Swap:
    ...     shape = (2, 2)
    ...     def __matmul__(self, x):
    ...         return x[::-1]
    >>> to_matrix(Swap(), np).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if hasattr(m, "to_dense"):
        return xp.asarray(m.to_dense())
    if hasattr(m, "shape") and not hasattr(m, "dtype") and hasattr(m, "__matmul__"):
        return xp.asarray(m @ xp.eye(m.shape[-1]))
    return xp.asarray(m)


def _along(op: Operator, x, axis: int):
    """Apply ``op`` along ``axis`` of the array x."""
    moved = jnp.moveaxis(x, axis, 0)
    out = op @ moved.reshape(moved.shape[0], -1)
    return jnp.moveaxis(out.reshape((out.shape[0],) + moved.shape[1:]), 0, axis)


def kron(ops: list) -> Operator:
    """The Kronecker product ``ops[0] ⊗ ops[1] ⊗ …`` (row-major coordinates)."""
    sizes = [op.shape[0] for op in ops]
    n = int(np.prod(sizes))

    def apply(x):
        t = x.reshape(tuple(sizes) + (x.shape[-1],))
        for axis, op in enumerate(ops):
            t = _along(op, t, axis)
        return t.reshape(n, x.shape[-1])

    def dense():
        out = jnp.ones((1, 1))
        for op in ops:
            out = jnp.kron(out, op.dense())
        return out

    return Operator(n, apply, dense)


def kronsum(ops: list) -> Operator:
    """The Kronecker sum ``Σ_i I ⊗ … ⊗ ops[i] ⊗ … ⊗ I``: the action of a Lie
    algebra element on a tensor product."""
    sizes = [op.shape[0] for op in ops]
    n = int(np.prod(sizes))

    def apply(x):
        t = x.reshape(tuple(sizes) + (x.shape[-1],))
        out = jnp.zeros_like(t)
        for axis, op in enumerate(ops):
            out = out + _along(op, t, axis)
        return out.reshape(n, x.shape[-1])

    def dense():
        out = jnp.zeros((n, n))
        for i, op in enumerate(ops):
            left, right = int(np.prod(sizes[:i])), int(np.prod(sizes[i + 1:]))
            out = out + jnp.kron(jnp.kron(jnp.eye(left), op.dense()), jnp.eye(right))
        return out

    return Operator(n, apply, dense)


def block_diag(blocks: list) -> Operator:
    """The block-diagonal sum of ``(op, count)`` pairs: ``count`` copies of each
    op in turn (a direct sum of representations)."""
    sizes = [op.shape[0] * count for op, count in blocks]
    n = int(sum(sizes))

    def apply(x):
        pieces, at = [], 0
        for (op, count), size in zip(blocks, sizes):
            part = x[at:at + size].reshape(count, op.shape[0], x.shape[-1])
            part = jnp.moveaxis(part, 0, 1).reshape(op.shape[0], count * x.shape[-1])
            out = (op @ part).reshape(op.shape[0], count, x.shape[-1])
            pieces.append(jnp.moveaxis(out, 1, 0).reshape(size, x.shape[-1]))
            at += size
        return jnp.concatenate(pieces, axis=0) if pieces else x

    def dense():
        mats = [op.dense() for op, count in blocks for _ in range(count)]
        return _dense_block_diag(*mats) if mats else jnp.zeros((0, 0))

    return Operator(n, apply, dense)


def float64():
    """A context in which JAX computes in float64, leaving the global flag as it was.

    >>> with float64():
    ...     print(jnp.ones(1).dtype)
    float64
    """
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(True)
    from jax.experimental import enable_x64  # deferred: the optional fallback of JAX before 0.7

    return enable_x64()
