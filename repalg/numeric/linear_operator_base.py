"""A small base class for matrix-free linear maps, with the interface of
emlp's ``emlp.reps.linear_operator_base.LinearOperator`` (re-exported at
``repalg.reps.linear_operator_base``).

A subclass sets ``self.shape`` and defines ``_matmat`` (or ``_matvec``) and,
for adjoints and transposes, ``_adjoint`` (or ``_rmatmat``). It need not call
``super().__init__``. Sums, scalar multiples and products of operators are
lazy operators too; applying one to a numpy or JAX array (1-D or 2-D) calls
the subclass's methods, so an operator whose methods are ``jax.numpy`` code
works inside ``jax.jit`` and ``jax.vmap``.

>>> import numpy as np
>>> class LazyPerm(LinearOperator):
...     def __init__(self, perm):
...         self.perm = perm
...         self.shape = (len(perm), len(perm))
...     def _matmat(self, V): return V[self.perm]
...     def _matvec(self, V): return V[self.perm]
...     def _adjoint(self): return LazyPerm(np.argsort(self.perm))
>>> P = LazyPerm(np.array([2, 0, 1]))
>>> (P @ np.arange(3.0)).tolist(), (P.T @ (P @ np.arange(3.0))).tolist()
([2.0, 0.0, 1.0], [0.0, 1.0, 2.0])
>>> (2 * P @ P + P).to_dense().tolist()
[[0.0, 2.0, 1.0], [1.0, 0.0, 2.0], [2.0, 1.0, 0.0]]
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["LinearOperator", "Lazy"]


def _as_array(x):
    return x if hasattr(x, "shape") and hasattr(x, "ndim") else np.asarray(x)


class LinearOperator:
    """A linear map of shape ``(m, n)`` known by how it acts: ``A @ x``,
    ``A.matvec(x)``, ``A.matmat(X)``, ``A.T``, ``A.H``, ``A.to_dense()``,
    ``np.asarray(A)``, ``A + B``, ``c * A``, ``A @ B`` (see the module's
    docstring for a subclass). ``dtype`` defaults to float."""

    ndim = 2
    dtype = np.dtype(float)
    __array_ufunc__ = None  # numpy defers ``array @ A`` and ``c * A`` to this class

    def __init__(self, dtype=None, shape=None):
        shape = tuple(int(s) for s in shape) if shape is not None else ()
        if len(shape) != 2 or min(shape) < 0:
            raise ValueError(f"a linear operator needs a shape (m, n), got {shape!r}")
        self.shape = shape
        if dtype is not None:
            self.dtype = np.dtype(dtype)

    def _matvec(self, x):
        return self._matmat(x.reshape(-1, 1)).reshape(-1)

    def _matmat(self, X):
        if type(self)._matvec is LinearOperator._matvec:
            raise NotImplementedError(f"{type(self).__name__} defines neither _matvec nor _matmat")
        if X.shape[1] == 0:
            return jnp.zeros((self.shape[0], 0), self.dtype)
        return jnp.stack([self._matvec(X[:, j]) for j in range(X.shape[1])], axis=1)

    def _rmatmat(self, X):
        if type(self)._adjoint is LinearOperator._adjoint:
            raise NotImplementedError(f"{type(self).__name__} defines neither _adjoint nor _rmatmat, "
                                      f"so it has no adjoint or transpose")
        return self._adjoint().matmat(X)

    def _adjoint(self):
        return _Custom(self.shape[::-1], self.dtype, self._rmatmat, lambda: self)

    def matvec(self, x):
        """``A x`` for x of shape (n,) or (n, 1); the result has x's number of axes."""
        x = _as_array(x)
        if x.shape not in ((self.shape[1],), (self.shape[1], 1)):
            raise ValueError(f"cannot apply an operator of shape {self.shape} to a vector of shape {x.shape}")
        return self._matvec(x.reshape(-1)).reshape((self.shape[0],) + x.shape[1:])

    def matmat(self, X):
        """``A X`` for X of shape (n, k)."""
        X = _as_array(X)
        if X.ndim != 2 or X.shape[0] != self.shape[1]:
            raise ValueError(f"cannot apply an operator of shape {self.shape} to a matrix of shape {X.shape}")
        return self._matmat(X)

    def rmatvec(self, x):
        """``Aᴴ x``, through the adjoint."""
        return self.H.matvec(x)

    def rmatmat(self, X):
        """``Aᴴ X``, through the adjoint."""
        return self.H.matmat(X)

    def adjoint(self) -> "LinearOperator":
        """The conjugate transpose ``Aᴴ`` (also ``A.H``)."""
        return self._adjoint()

    H = property(adjoint)

    def transpose(self) -> "LinearOperator":
        """The transpose ``Aᵀ`` (also ``A.T``): the adjoint, conjugated for complex operators."""
        return _conjugate(self.H) if np.issubdtype(self.dtype, np.complexfloating) else self.H

    T = property(transpose)

    def to_dense(self):
        """The m×n matrix, found by applying the operator to the identity."""
        return self.matmat(np.eye(self.shape[1], dtype=self.dtype))

    def dense(self):
        """The m×n matrix (``to_dense()``, by its shorter name)."""
        return self.to_dense()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.to_dense(), dtype=dtype)

    def dot(self, x):
        """``A @ x`` for an array x (1-D or 2-D) or an operator; ``c * A`` for a scalar c."""
        if isinstance(x, LinearOperator):
            return _product(self, x)
        if np.ndim(x) == 0:
            return _scaled(self, x)
        x = _as_array(x)
        if x.ndim == 1:
            return self.matvec(x)
        if x.ndim == 2:
            return self.matmat(x)
        raise ValueError(f"an operator applies to 1-D or 2-D arrays, got one of shape {x.shape}")

    __mul__ = __call__ = dot

    def __matmul__(self, x):
        if np.ndim(x) == 0 and not isinstance(x, LinearOperator):
            raise ValueError("@ with a scalar is not allowed; use *")
        return self.dot(x)

    def __rmatmul__(self, x):
        x = _as_array(x)
        if x.ndim == 0:
            raise ValueError("@ with a scalar is not allowed; use *")
        return self.T.matvec(x) if x.ndim == 1 else self.T.matmat(x.T).T

    def __rmul__(self, c):
        return _scaled(self, c) if np.ndim(c) == 0 else NotImplemented

    def __add__(self, other):
        if not isinstance(other, LinearOperator):
            if np.ndim(other) != 2:
                return NotImplemented
            other = Lazy(_as_array(other))
        if other.shape != self.shape:
            raise ValueError(f"cannot add operators of shapes {self.shape} and {other.shape}")
        return _Custom(self.shape, np.result_type(self.dtype, other.dtype),
                       lambda X: self.matmat(X) + other.matmat(X), lambda: self.H + other.H,
                       lambda: jnp.asarray(self.to_dense()) + jnp.asarray(other.to_dense()))

    __radd__ = __add__

    def __neg__(self):
        return _scaled(self, -1)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __repr__(self) -> str:
        return f"<{self.shape[0]}x{self.shape[1]} {type(self).__name__} with dtype={self.dtype}>"


class _Custom(LinearOperator):
    """An operator built from functions: the result of ``+``, ``*``, ``@``, ``.H``."""

    def __init__(self, shape, dtype, matmat, adjoint, dense=None):
        super().__init__(dtype, shape)
        self._matmat_fn, self._adjoint_fn, self._dense_fn = matmat, adjoint, dense

    def _matmat(self, X):
        return self._matmat_fn(X)

    def _adjoint(self):
        return self._adjoint_fn()

    def to_dense(self):
        return self._dense_fn() if self._dense_fn is not None else super().to_dense()


def _scaled(A: LinearOperator, c) -> LinearOperator:
    dtype = np.result_type(A.dtype, np.complex64) if np.iscomplexobj(c) else A.dtype
    conjugate = c.conjugate() if np.iscomplexobj(c) else c
    return _Custom(A.shape, dtype, lambda X: c * A.matmat(X), lambda: _scaled(A.H, conjugate),
                   lambda: c * jnp.asarray(A.to_dense()))


def _product(A: LinearOperator, B: LinearOperator) -> LinearOperator:
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"cannot compose operators of shapes {A.shape} and {B.shape}")
    return _Custom((A.shape[0], B.shape[1]), np.result_type(A.dtype, B.dtype),
                   lambda X: A.matmat(B.matmat(X)), lambda: _product(B.H, A.H),
                   lambda: A.matmat(B.to_dense()))


def _conjugate(A: LinearOperator) -> LinearOperator:
    return _Custom(A.shape, A.dtype, lambda X: jnp.conj(A.matmat(jnp.conj(X))), lambda: _conjugate(A.H))


class Lazy(LinearOperator):
    """A dense matrix (numpy or JAX array) as a ``LinearOperator``; ``.A`` is the matrix.

    >>> import numpy as np
    >>> M = Lazy(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> (M.T @ np.array([1.0, 0.0])).tolist(), M.invT().to_dense().round(2).tolist()
    ([1.0, 2.0], [[-2.0, 1.5], [1.0, -0.5]])
    """

    def __init__(self, dense_matrix):
        A = _as_array(dense_matrix)
        if A.ndim != 2:
            raise ValueError(f"Lazy wraps a matrix, got an array of shape {A.shape}")
        super().__init__(A.dtype, A.shape)
        self.A = A

    def _matmat(self, X):
        return self.A @ X

    def _matvec(self, x):
        return self.A @ x

    def _adjoint(self):
        return Lazy(self.A.conj().T)

    def to_dense(self):
        """The wrapped matrix itself."""
        return self.A

    def invT(self) -> "Lazy":
        """The inverse transpose ``A⁻ᵀ`` (how a group element acts on the dual)."""
        return Lazy(jnp.linalg.inv(self.A).T)
