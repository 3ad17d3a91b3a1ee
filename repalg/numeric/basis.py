"""Bases and projectors handed to users: lazy matrices in the user's
coordinates, stored sparse (orbit bases have one nonzero a row).

>>> from repalg import parse
>>> Q = parse("T(2)(S(3))").equivariant_basis()
>>> Q.shape, Q.info.strategy
((9, 2), 'orbit')
"""

from __future__ import annotations

import operator
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse
from jax.experimental import sparse as jsparse


class SolveInfo(NamedTuple):
    """How a basis was found and how it is known to be right: the strategies
    used (``orbit``, ``weights``, ``dense``, ``cache`` for an answer read from
    the disk cache, … joined by ``+``), the wall time in seconds, the spectral
    gap of the floating-point solves (smallest nonzero over largest zero
    eigenvalue of the constraint operator; ``inf`` where the basis is exact),
    and the checks every part passed (``checked_by``: ``characters``,
    ``invariant theory``, ``orbit count`` or ``dense solve`` for the column
    count, ``rank unchecked`` where a part's count had no independent check,
    ``orthonormality`` and ``equivariance``; see ``repalg.numeric.check``)."""

    strategy: str
    seconds: float
    gap: float
    rank: int
    size: int
    checked_by: tuple = ()


def csr_from_dense(q: np.ndarray, rows: int = 2048) -> scipy.sparse.csr_matrix:
    """``scipy.sparse.csr_matrix(q)`` for a dense 2-D array, filled block of
    ``rows`` by block into arrays of the final size, so that no temporary is
    as large as ``q``: several times faster on the dense bases of tensor
    powers (T(10) of O(3), 59049 × 603, two thirds nonzero).

    >>> csr_from_dense(np.array([[0.0, 2.0], [3.0, 0.0]])).toarray().tolist()
    [[0.0, 2.0], [3.0, 0.0]]
    """
    q = np.ascontiguousarray(q)
    n, m = q.shape
    indptr = np.zeros(n + 1, dtype=np.int64)
    for start in range(0, n, rows):
        indptr[start + 1:start + rows + 1] = np.count_nonzero(q[start:start + rows], axis=1)
    np.cumsum(indptr, out=indptr)
    data = np.empty(int(indptr[-1]), dtype=q.dtype)
    indices = np.empty(int(indptr[-1]), dtype=np.int32 if m < 2**31 else np.int64)
    for start in range(0, n, rows):
        block = q[start:start + rows]
        where = np.flatnonzero(block)
        first, last = indptr[start], indptr[min(start + rows, n)]
        data[first:last] = block.ravel()[where]
        indices[first:last] = where % max(m, 1)
    return scipy.sparse.csr_matrix((data, indices, indptr), shape=q.shape)


def _is_jax(x) -> bool:
    """Whether ``x`` is a JAX array or a tracer (inside ``jit``, ``grad``, ``vmap``)."""
    return isinstance(x, (jax.Array, jax.core.Tracer))


DENSE_ENTRIES = 1 << 18
"""A basis of at most this many entries (1 MiB in float32) is multiplied as
a dense matrix on the device: one matrix product, faster than any sparse
form at that size."""


class _OnDevice:
    """A scipy sparse matrix ``M`` multiplied with JAX arrays, in the form
    that suits it, made on first use for each dtype:

    - at most one nonzero a row (orbit bases): ``M @ x`` is a gather of x's
      rows, scaled, about ``rows`` work;
    - at most one nonzero a column (their transposes): a segment sum;
    - small (``DENSE_ENTRIES``): a dense matrix product;
    - otherwise a ``BCOO`` product, about nnz work.

    The index arrays enter the computation as constants behind an
    optimization barrier: XLA would otherwise fold the sparse product's
    index arithmetic at compile time, which for the cube's 6.7M-entry basis
    took minutes and 13 GB.
    """

    def __init__(self, matrix: scipy.sparse.csr_matrix):
        self._matrix, self._made = matrix, {}

    @property
    def form(self) -> str:
        """``dense``, ``gather``, ``segment sum`` or ``sparse`` (see the class)."""
        if "form" not in self._made:
            m = self._matrix
            if m.shape[0] * m.shape[1] <= DENSE_ENTRIES:
                self._made["form"] = "dense"
            elif np.diff(m.indptr).max(initial=0) <= 1:
                self._made["form"] = "gather"
            elif np.bincount(m.indices, minlength=m.shape[1]).max(initial=0) <= 1:
                self._made["form"] = "segment sum"
            else:
                self._made["form"] = "sparse"
        return self._made["form"]

    def _dtype(self, dtype) -> np.dtype:
        dtype = np.dtype(dtype)
        if np.iscomplexobj(self._matrix.data) and not np.issubdtype(dtype, np.complexfloating):
            dtype = np.result_type(dtype, np.complex64)
        return dtype

    def get(self, dtype) -> jsparse.BCOO:
        """The matrix as a ``BCOO`` of ``dtype`` (or its complex type)."""
        dtype = self._dtype(dtype)
        if ("bcoo", dtype) not in self._made:
            coo = self._matrix.tocoo()
            coo.sum_duplicates()
            indices = np.stack([coo.row, coo.col], axis=1).astype(np.int32)
            with jax.ensure_compile_time_eval():  # constants, even when first made inside a trace
                self._made["bcoo", dtype] = jsparse.BCOO((coo.data.astype(dtype), indices), shape=coo.shape,
                                                         indices_sorted=True, unique_indices=True)
        return self._made["bcoo", dtype]

    def _arrays(self, dtype):
        """The numpy arrays the product reads, for ``dtype``."""
        if ("arrays", dtype) not in self._made:
            m = self._matrix
            if self.form == "dense":
                made = (m.toarray().astype(dtype),)
            elif self.form == "gather":
                full = np.diff(m.indptr) > 0
                at = m.indptr[:-1][full]
                col, value = np.zeros(m.shape[0], np.int32), np.zeros(m.shape[0], dtype)
                col[full], value[full] = m.indices[at], m.data[at]
                made = (col, value)
            elif self.form == "segment sum":
                coo = m.tocoo()
                made = (coo.row.astype(np.int32), coo.col.astype(np.int32), coo.data.astype(dtype))
            else:
                made = None
            self._made["arrays", dtype] = made
        return self._made["arrays", dtype]

    def matmul(self, x):
        """``M @ x`` for a JAX array (or tracer) ``x`` of shape (cols,) or (cols, k)."""
        dtype = self._dtype(x.dtype)
        if self.form == "sparse":
            return self.get(dtype) @ x
        arrays = jax.lax.optimization_barrier(tuple(jnp.asarray(a) for a in self._arrays(dtype)))
        x = x.astype(dtype)
        if self.form == "dense":
            return arrays[0] @ x
        *row, col, value = arrays  # a gather has no rows: its terms are the product
        terms = jnp.take(x, col, axis=0) * value.reshape(value.shape + (1,) * (x.ndim - 1))
        if self.form == "gather":
            return terms
        return jax.ops.segment_sum(terms, row[0], num_segments=self._matrix.shape[0], indices_are_sorted=True)


def _elementwise(op, reflected: bool = False):
    def method(self, other):
        if isinstance(other, (Basis, Projector)):
            other = other.dense()
        elif not isinstance(other, (int, float, complex, np.number, np.ndarray)) and not hasattr(other, "__array__"):
            return NotImplemented
        return op(other, self.dense()) if reflected else op(self.dense(), other)

    return method


class Basis:
    """An orthonormal basis of the equivariant subspace, shape (size, rank):
    ``Q @ c``, ``Q.T @ y``, ``Q[i, j]``, ``np.asarray(Q)``, ``Q.dense()``,
    ``Q.sparse()``; ``Q.info`` says how it was found. Products with JAX
    arrays stay in JAX, sparse (``jax.experimental.sparse.BCOO``, about
    nnz(Q) work), and trace under ``jit``, ``grad`` and ``vmap``:

    >>> import jax, jax.numpy as jnp
    >>> from repalg import parse
    >>> Q = parse("T(2)(SO(3))").equivariant_basis()
    >>> jax.jit(lambda c: Q @ c)(jnp.ones(1)).shape
    (9,)
    """

    def __init__(self, matrix: scipy.sparse.csr_matrix, info: SolveInfo):
        self._matrix = matrix
        self.shape = matrix.shape
        self.dtype = matrix.dtype
        self.info = info
        self._device = _OnDevice(matrix)

    def __matmul__(self, x):
        if _is_jax(x):
            return self._device.matmul(x)
        return self._matrix @ np.asarray(x)

    def __rmatmul__(self, x):
        if _is_jax(x):
            return self.T._device.matmul(x.T).T
        return (self._matrix.T @ np.asarray(x).T).T

    def jax(self, dtype=np.float32) -> jsparse.BCOO:
        """The basis as a JAX sparse matrix (BCOO) of ``dtype``."""
        return self._device.get(dtype)

    @property
    def T(self) -> "Basis":
        """The transpose, shape (rank, size)."""
        if "_transpose" not in self.__dict__:
            self._transpose = Basis(self._matrix.T.tocsr(), self.info)
            self._transpose._transpose = self
        return self._transpose

    @property
    def H(self) -> "Basis":
        """The conjugate transpose."""
        return Basis(self._matrix.conj().T.tocsr(), self.info)

    def conj(self) -> "Basis":
        return Basis(self._matrix.conj().tocsr(), self.info)

    def dense(self) -> np.ndarray:
        """The basis as a dense array."""
        return self._matrix.toarray()

    def sparse(self) -> scipy.sparse.csr_matrix:
        """The basis as a scipy sparse matrix (a copy)."""
        return self._matrix.copy()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.dense(), dtype=dtype)

    def __getitem__(self, key):
        if isinstance(key, tuple):
            if len(key) != 2:
                raise IndexError(f"a basis has two axes, got the index {key!r}")
            rows, cols = key
        else:
            rows, cols = key, slice(None)
        chosen = np.arange(self.shape[1])[cols]
        block = self._matrix[:, np.atleast_1d(chosen)].toarray()
        if np.ndim(chosen) == 0:
            block = block[:, 0]
        return block[rows]

    def __len__(self) -> int:
        return self.shape[0]

    def reshape(self, *shape) -> np.ndarray:
        """The dense basis reshaped, as an array's ``reshape``."""
        return self.dense().reshape(*shape)

    # emlp handed bases out as arrays: arithmetic with arrays acts on the dense values
    __add__ = _elementwise(operator.add)
    __radd__ = _elementwise(operator.add, reflected=True)
    __sub__ = _elementwise(operator.sub)
    __rsub__ = _elementwise(operator.sub, reflected=True)
    __mul__ = _elementwise(operator.mul)
    __rmul__ = _elementwise(operator.mul, reflected=True)
    __truediv__ = _elementwise(operator.truediv)
    __pow__ = _elementwise(operator.pow)

    def __neg__(self) -> np.ndarray:
        return -self.dense()

    def __repr__(self) -> str:
        return (f"Basis(shape={self.shape}, strategy={self.info.strategy!r}, "
                f"seconds={self.info.seconds:.3g}, gap={self.info.gap:.3g})")


class Projector:
    """The orthogonal projector ``P = Q Qᴴ`` onto the equivariant subspace,
    applied as ``Q @ (Qᴴ @ x)``; ``P.dense()`` forms the matrix when asked."""

    def __init__(self, basis: Basis):
        self.basis = basis
        self.shape = (basis.shape[0], basis.shape[0])
        self.dtype = basis.dtype
        self._q = basis._matrix
        self._qh = (self._q.conj() if np.iscomplexobj(self._q.data) else self._q).T.tocsr()
        self._qh_basis = Basis(self._qh, basis.info)

    def __matmul__(self, x):
        if _is_jax(x):
            return self.basis @ (self._qh_basis @ x)
        return self._q @ (self._qh @ np.asarray(x))

    @property
    def T(self) -> "Projector":
        return self if not np.iscomplexobj(np.empty(0, self.dtype)) else Projector(self.basis.conj())

    def dense(self) -> np.ndarray:
        q = self.basis._matrix
        return (q @ q.conj().T).toarray()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.dense(), dtype=dtype)

    def __repr__(self) -> str:
        return f"Projector(shape={self.shape}, rank={self.basis.shape[1]})"
