"""emlp's structured lazy operators (re-exported at emlp's module path,
``repalg.reps.linear_operators``): Kronecker products and sums, direct sums,
permutations, row concatenations, the identity, and the derivative of a
matrix-valued function. Their factors may be numpy or JAX arrays or any
``LinearOperator``; applying them only reshapes and applies the factors, in
``jax.numpy``, so they work inside ``jax.jit`` and ``jax.vmap``.

>>> import numpy as np
>>> A, B = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
>>> bool(np.allclose(LazyKron([A, B]) @ np.arange(4.0), np.kron(A, B) @ np.arange(4.0)))
True
"""

from __future__ import annotations

from functools import reduce

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import block_diag

from .linear_operator_base import Lazy, LinearOperator

__all__ = ["ConcatLazy", "I", "LazyDirectSum", "LazyJVP", "LazyKron", "LazyKronsum", "LazyPerm",
           "densify", "lazify"]


def lazify(x) -> LinearOperator:
    """``x`` as a ``LinearOperator``: an operator stays as it is, a matrix
    (numpy or JAX) is wrapped in ``Lazy``, and another object with
    ``to_dense()`` by its dense matrix.

    >>> lazify(np.eye(2))
    <2x2 Lazy with dtype=float64>
    """
    if isinstance(x, LinearOperator):
        return x
    if hasattr(x, "to_dense"):
        return Lazy(x.to_dense())
    if isinstance(x, (np.ndarray, jax.Array)):
        return Lazy(x)
    raise TypeError(f"cannot treat a {type(x).__name__} as a linear operator; give an array or a LinearOperator")


def densify(x):
    """``x`` as a dense array: ``to_dense()`` of an operator (``rep.rho(g)``
    among them); arrays as they are.

    >>> densify(I(2)).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if hasattr(x, "to_dense"):
        return x.to_dense()
    if isinstance(x, (np.ndarray, jax.Array)):
        return x
    raise TypeError(f"cannot make a dense matrix of a {type(x).__name__}; give an array or a LinearOperator")


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


def _adjoint(M):
    return M.H if isinstance(M, LinearOperator) else M.conj().T


def _inv_T(M):
    return M.invT() if hasattr(M, "invT") else jnp.linalg.inv(densify(M)).T


def _dtype(Ms):
    return np.result_type(*[M.dtype for M in Ms]) if Ms else np.dtype(float)


def _along(M, t, axis: int):
    """Apply the matrix ``M`` to the axis ``axis`` of the array ``t``."""
    front = jnp.moveaxis(t, axis, 0)
    out = M @ front.reshape(front.shape[0], -1)
    return jnp.moveaxis(out.reshape((M.shape[0],) + front.shape[1:]), 0, axis)


class I(LinearOperator):
    """The identity on ``d`` coordinates.

    >>> (I(3) @ np.arange(3.0)).tolist()
    [0.0, 1.0, 2.0]
    """

    def __init__(self, d: int):
        super().__init__(None, (d, d))

    def _matmat(self, X):
        return X

    def _adjoint(self):
        return self

    def invT(self):
        """The identity itself."""
        return self


class LazyKron(LinearOperator):
    """The Kronecker product ``Ms[0] ⊗ Ms[1] ⊗ …`` (row-major coordinates, as
    ``np.kron``); the factors may be rectangular.

    >>> A, B = np.arange(6.0).reshape(2, 3), np.array([[1.0, -1.0]])
    >>> bool(np.allclose(LazyKron([A, B]).to_dense(), np.kron(A, B)))
    True
    """

    def __init__(self, Ms):
        self.Ms = list(Ms)
        super().__init__(_dtype(self.Ms), (np.prod([M.shape[0] for M in self.Ms], dtype=int),
                                           np.prod([M.shape[1] for M in self.Ms], dtype=int)))

    def _matmat(self, X):
        t = X.reshape(tuple(M.shape[1] for M in self.Ms) + (X.shape[-1],))
        for axis, M in enumerate(self.Ms):
            t = _along(M, t, axis)
        return t.reshape(self.shape[0], X.shape[-1])

    def _adjoint(self):
        return LazyKron([_adjoint(M) for M in self.Ms])

    def invT(self):
        """The inverse transpose, factor by factor."""
        return LazyKron([_inv_T(M) for M in self.Ms])

    def to_dense(self):
        """The Kronecker product of the dense factors."""
        return reduce(jnp.kron, [densify(M) for M in self.Ms], jnp.ones((1, 1)))


class LazyKronsum(LinearOperator):
    """The Kronecker sum ``Σ_i I ⊗ … ⊗ Ms[i] ⊗ … ⊗ I`` of square matrices: how a
    Lie algebra element acts on a tensor product.

    >>> A, B = np.diag([1.0, 2.0]), np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> bool(np.allclose(LazyKronsum([A, B]).to_dense(), np.kron(A, np.eye(2)) + np.kron(np.eye(2), B)))
    True
    """

    def __init__(self, Ms):
        self.Ms = list(Ms)
        for M in self.Ms:
            if M.shape[0] != M.shape[1]:
                raise ValueError(f"a Kronecker sum needs square matrices, got one of shape {M.shape}")
        n = np.prod([M.shape[0] for M in self.Ms], dtype=int)
        super().__init__(_dtype(self.Ms), (n, n))

    def _matmat(self, X):
        t = X.reshape(tuple(M.shape[0] for M in self.Ms) + (X.shape[-1],))
        out = sum((_along(M, t, axis) for axis, M in enumerate(self.Ms)), jnp.zeros_like(t))
        return out.reshape(self.shape[0], X.shape[-1])

    def _adjoint(self):
        return LazyKronsum([_adjoint(M) for M in self.Ms])

    def to_dense(self):
        """The sum of the dense Kronecker products."""
        sizes = [M.shape[0] for M in self.Ms]
        out = jnp.zeros(self.shape)
        for i, M in enumerate(self.Ms):
            left, right = np.prod(sizes[:i], dtype=int), np.prod(sizes[i + 1:], dtype=int)
            out = out + jnp.kron(jnp.kron(jnp.eye(left), densify(M)), jnp.eye(right))
        return out


class LazyDirectSum(LinearOperator):
    """The block-diagonal matrix with ``multiplicities[i]`` copies of ``Ms[i]``
    in turn (one copy each by default): a direct sum of representations.

    >>> import scipy.linalg
    >>> A, B = np.array([[2.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> bool(np.allclose(LazyDirectSum([A, B], [2, 1]).to_dense(), scipy.linalg.block_diag(A, A, B)))
    True
    """

    def __init__(self, Ms, multiplicities=None):
        self.Ms = list(Ms)
        self.multiplicities = [1] * len(self.Ms) if multiplicities is None else [int(c) for c in multiplicities]
        if len(self.multiplicities) != len(self.Ms):
            raise ValueError(f"{len(self.Ms)} blocks but {len(self.multiplicities)} multiplicities")
        super().__init__(_dtype(self.Ms), (sum(M.shape[0] * c for M, c in zip(self.Ms, self.multiplicities)),
                                           sum(M.shape[1] * c for M, c in zip(self.Ms, self.multiplicities))))

    def _matmat(self, X):
        k, pieces, at = X.shape[-1], [], 0
        for M, c in zip(self.Ms, self.multiplicities):
            rows, cols = M.shape
            block = X[at:at + c * cols].reshape(c, cols, k)
            out = M @ jnp.moveaxis(block, 0, 1).reshape(cols, c * k)
            pieces.append(jnp.moveaxis(out.reshape(rows, c, k), 1, 0).reshape(c * rows, k))
            at += c * cols
        return jnp.concatenate(pieces, axis=0) if pieces else jnp.zeros((0, k))

    def _adjoint(self):
        return LazyDirectSum([_adjoint(M) for M in self.Ms], self.multiplicities)

    def invT(self):
        """The inverse transpose, block by block."""
        return LazyDirectSum([_inv_T(M) for M in self.Ms], self.multiplicities)

    def to_dense(self):
        """The dense block-diagonal matrix."""
        blocks = [densify(M) for M, c in zip(self.Ms, self.multiplicities) for _ in range(c)]
        return block_diag(*blocks) if blocks else jnp.zeros((0, 0))


class LazyPerm(LinearOperator):
    """The permutation matrix with ``(P @ x)[i] = x[perm[i]]``.

    >>> (LazyPerm([2, 0, 1]) @ np.array([10.0, 20.0, 30.0])).tolist()
    [30.0, 10.0, 20.0]
    """

    def __init__(self, perm):
        self.perm = np.asarray(perm)
        super().__init__(None, (len(self.perm), len(self.perm)))

    def _matmat(self, X):
        return X[self.perm]

    def _matvec(self, x):
        return x[self.perm]

    def _adjoint(self):
        return LazyPerm(np.argsort(self.perm))

    def invT(self):
        """The permutation itself (permutation matrices are orthogonal)."""
        return self

    def to_dense(self):
        """The permutation matrix."""
        return np.eye(len(self.perm))[self.perm]


class ConcatLazy(LinearOperator):
    """The matrices ``Ms`` stacked on top of each other (concatenated along
    the rows); they must have the same number of columns.

    >>> C = ConcatLazy([np.eye(2), 2 * np.eye(2)])
    >>> C.shape, (C.T @ np.ones(4)).tolist()
    ((4, 2), [3.0, 3.0])
    """

    def __init__(self, Ms):
        self.Ms = list(Ms)
        columns = {M.shape[1] for M in self.Ms}
        if len(columns) != 1:
            raise ValueError(f"cannot stack matrices of shapes {[M.shape for M in self.Ms]}: "
                             f"they need one number of columns")
        super().__init__(_dtype(self.Ms), (sum(M.shape[0] for M in self.Ms), columns.pop()))

    def _matmat(self, X):
        return jnp.concatenate([M @ X for M in self.Ms], axis=0)

    def _rmatmat(self, X):
        bounds = np.cumsum([M.shape[0] for M in self.Ms])[:-1]
        return sum(_adjoint(M) @ part for M, part in zip(self.Ms, jnp.split(X, bounds)))

    def to_dense(self):
        """The stacked dense matrices."""
        return jnp.concatenate([densify(M) for M in self.Ms], axis=0)


class LazyJVP(LinearOperator):
    """The derivative of the matrix-valued function ``operator_fn`` at ``X`` in
    the direction ``TX``: ``d/dt operator_fn(X + t TX)`` at t = 0, applied by a
    forward-mode JAX derivative (emlp's default ``drho``: ``LazyJVP(rho, I, A)``).

    >>> import jax.scipy.linalg
    >>> A = np.array([[0.0, -1.0], [1.0, 0.0]])
    >>> bool(np.allclose(LazyJVP(jax.scipy.linalg.expm, np.zeros((2, 2)), A).to_dense(), A))
    True
    """

    def __init__(self, operator_fn, X, TX):
        self.operator_fn, self.X, self.TX = operator_fn, jnp.asarray(X), jnp.asarray(TX, dtype=jnp.asarray(X).dtype)
        super().__init__(None, operator_fn(self.X).shape)

    def _matmat(self, V):
        return jax.jvp(lambda x: self.operator_fn(x) @ V, [self.X], [self.TX])[1]

    def _rmatmat(self, V):
        return jax.jvp(lambda x: _adjoint(self.operator_fn(x)) @ V, [self.X], [self.TX])[1]
