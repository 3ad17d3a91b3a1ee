"""The weights rung: for a Lie group, commuting diagonalizable generators (a
torus) act diagonally in a basis of tensor products of their eigenvectors,
and an invariant lies in their zero-weight space, far smaller than the whole;
the remaining Lie constraints are solved there (a float64
eigendecomposition, the rank certified by a spectral gap), then the discrete
generators on the few solutions left, by structured matrix-vector products.

>>> from repalg.groups import SO
>>> found = torus(SO(3).lie_algebra)
>>> found.weights.shape
(3, 1)
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse

from ..memory import guard
from ..span import discrete_cut, kron_apply, orthonormal
from ..spectral_gap import null_space, zero_level
from ..subproblem import describe


class Torus:
    """Commuting diagonalizable Lie generators, diagonal in the basis ``s``:
    ``s⁻¹ A s = diag(weights[:, i])`` for the i-th of them."""

    def __init__(self, s: np.ndarray, weights: np.ndarray):
        self.s, self.s_inv, self.weights = s, np.linalg.inv(s), weights

    def basis(self, dual: bool):
        """(eigenvector basis, its inverse, weights) on V, or on V* (-Aᵀ)."""
        if dual:
            return self.s_inv.T, self.s.T, -self.weights
        return self.s, self.s_inv, self.weights


@functools.lru_cache(maxsize=64)
def _torus_of(key: bytes, shape: tuple, dtype: str):
    lie = np.frombuffer(key, dtype=dtype).reshape(shape)
    chosen = []
    # commutators are screened on a random vector (O(d²) a pair), then checked in full
    x = np.random.default_rng(1).normal(size=shape[1])
    stacked, stacked_x, largest = np.zeros((0,) + shape[1:], dtype=lie.dtype), np.zeros((0, shape[1])), 0.0
    for a in lie:
        size = np.abs(a).max()
        if chosen:
            tolerance = 1e-10 * (1 + size * largest) * np.abs(x).sum()
            if np.abs(stacked @ (a @ x) - stacked_x @ a.T).max() > tolerance:
                continue
        if all(np.allclose(a @ b, b @ a, atol=1e-10 * (1 + size * np.abs(b).max())) for b in chosen):
            if _diagonalizable(a):
                chosen.append(a)
                stacked, stacked_x = np.array(chosen), np.array([b @ x for b in chosen])
                largest = max(largest, size)
    if not chosen:
        return None
    h = np.tensordot(np.random.default_rng(0).uniform(1, 2, size=len(chosen)), np.array(chosen), axes=1)
    _, s = np.linalg.eig(h)
    if np.linalg.cond(s) > 1e8:
        return None
    s_inv = np.linalg.inv(s)
    diagonal = [s_inv @ a @ s for a in chosen]
    if any(np.abs(m - np.diag(np.diag(m))).max() > 1e-9 * (1 + np.abs(m).max()) for m in diagonal):
        return None
    return Torus(s, np.array([np.diag(m) for m in diagonal]).T)


def _diagonalizable(a: np.ndarray) -> bool:
    if np.allclose(a @ a.conj().T, a.conj().T @ a, atol=1e-12 * (1 + np.abs(a).max() ** 2)):
        return True  # a normal matrix is unitarily diagonalizable
    values, vectors = np.linalg.eig(a)
    return np.linalg.cond(vectors) < 1e8 and np.allclose(vectors @ np.diag(values) @ np.linalg.inv(vectors), a,
                                                         atol=1e-9 * (1 + np.abs(a).max()))


def torus(lie: np.ndarray):
    lie = np.ascontiguousarray(lie)
    return _torus_of(lie.tobytes(), lie.shape, lie.dtype.str)


def zero_weights(group, atoms: tuple, torus: Torus, size: int) -> np.ndarray:
    """The index tuples of weight zero for the torus, in the eigenvector basis."""
    d, k = group.d, len(atoms)
    rank = torus.weights.shape[1]
    guard(group, atoms, size, size * (16 * rank + 24), "weights")
    total = np.zeros((size, rank), dtype=complex)
    index = np.arange(size)
    place = d ** (k - 1)
    for atom in atoms:  # the weight of an index tuple sums its entries' weights
        total += torus.basis(atom.dual)[2][(index // place) % d]
        place //= d
    scale = 1 + np.abs(torus.weights).max() * k
    return np.flatnonzero(np.all(np.abs(total) < 1e-8 * scale, axis=1))


def weight_basis(group, atoms: tuple, lie, disc, torus: Torus, size: int, zero: np.ndarray):
    """Invariants of a tensor product of V and V* for a Lie group: solved in
    the zero-weight space of a torus, then cut down by the discrete generators."""
    if not len(zero):  # an invariant has weight zero: there is none
        return scipy.sparse.csr_matrix((size, 0)), np.inf
    what = describe(atoms)
    d, k = group.d, len(atoms)
    bases = [torus.basis(a.dual) for a in atoms]
    digits = [(zero // d ** (k - 1 - j)) % d for j in range(k)]
    n0 = len(zero)
    guard(group, atoms, size, 48.0 * n0 * n0 + 64.0 * size * min(n0, 64), "weights")
    # the Lie constraints on the zero-weight space, in the eigenvector basis
    m = np.zeros((n0, n0), dtype=complex)
    columns = np.arange(n0)
    for a in lie:
        rows, cols, values = [], [], []
        tildes = {dual: _similar(torus.basis(dual)[1], -a.T if dual else a, torus.basis(dual)[0])
                  for dual in {atom.dual for atom in atoms}}
        for j in range(k):
            tilde = tildes[atoms[j].dual]
            digit = digits[j]
            stride = d ** (k - 1 - j)
            value = tilde[:, digit]  # row b: the entry that moves digit j of each zero-weight tuple to b
            keep = np.abs(value) > 1e-14 * (1 + np.abs(tilde).max())
            moved = zero[None, :] + (np.arange(d)[:, None] - digit[None, :]) * stride
            rows.append(moved[keep])
            cols.append(np.broadcast_to(columns, value.shape)[keep])
            values.append(value[keep])
        c = scipy.sparse.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                                    shape=(size, n0))
        m += (c.conj().T @ c).toarray()
    y, gap = null_space(m, what, zero_level=zero_level(group, atoms))
    # back to the user's basis: v = (⊗ s) y, made real for real groups, orthonormal
    full = np.zeros((size, y.shape[1]), dtype=complex)
    full[zero] = y
    v = kron_apply([b[0] for b in bases], full)
    q = orthonormal(v, real=not group.is_complex, what=what)
    if len(disc) and q.shape[1]:
        q, discrete_gap = discrete_cut(q, group, atoms, disc, what)
        gap = min(gap, discrete_gap)
    return scipy.sparse.csr_matrix(q), gap


def _similar(s_inv: np.ndarray, a: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``s_inv @ a @ s``, in O(nnz(a)·d²) when ``a`` is sparse (as the Lie
    generators of the classical groups are, two entries each)."""
    rows, cols = np.nonzero(a)
    if len(rows) >= a.shape[0]:
        return s_inv @ a @ s
    return (s_inv[:, rows] * a[rows, cols]) @ s[cols, :]
