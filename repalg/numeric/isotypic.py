"""The isotypic rung for SO(3) and O(3): invariants from Clebsch–Gordan maps.

Every irreducible of SO(3) gets one real model ``rho_l`` (the real spherical
harmonics basis, ``m = -l..l``); its Lie algebra generators come from the
angular momentum matrices, and the base representation ``V`` is ``rho_1`` up
to a fixed orthogonal change of coordinates ``S``. The Clebsch–Gordan maps
``l1 ⊗ l2 → l`` are exact (sympy's Wigner symbols), turned real once and
cached.

A tensor product ``l_1 ⊗ … ⊗ l_k`` is split in two halves, each coupled
factor by factor into isotypic blocks ``Q_l`` of shape ``(size, copies, 2l+1)``
(isometries whose columns, copy by copy, carry the same model ``rho_l``). By
Schur's lemma the invariants of ``A ⊗ B`` are ``Σ_a Q^A_l[:, i, a] ⊗
Q^B_l[:, j, a] / √(2l+1)``, one for each pair of copies: orthonormal by
construction, ``Σ_l m_l(A) m_l(B)`` of them, found with no eigensolver.

>>> import numpy as np
>>> q = invariants((1, 1, 1, 1))
>>> q.shape, bool(np.allclose(q.T @ q, np.eye(3)))
((81, 3), True)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

MAX_BLOCK_ENTRIES = 2**27
"""The largest half (size × size entries) coupled in memory: 1 GiB in float64."""


@lru_cache(maxsize=None)
def _real_basis(l: int) -> np.ndarray:
    """U with rows = real spherical harmonics, columns = complex ones (m = -l..l)."""
    d = 2 * l + 1
    u = np.zeros((d, d), dtype=complex)
    r = 1 / np.sqrt(2)
    for m in range(-l, l + 1):
        if m > 0:
            u[l + m, l - m] = r
            u[l + m, l + m] = r * (-1) ** m
        elif m == 0:
            u[l, l] = 1
        else:
            u[l + m, l + m] = 1j * r
            u[l + m, l - m] = -1j * r * (-1) ** m
    return u


@lru_cache(maxsize=None)
def generators(l: int) -> np.ndarray:
    """The real antisymmetric generators ``L_x, L_y, L_z`` of ``rho_l``, with
    ``[L_x, L_y] = L_z`` (the structure constants of the rotation generators)."""
    d = 2 * l + 1
    m = np.arange(-l, l + 1)
    jz = np.diag(m).astype(complex)
    jp = np.zeros((d, d), dtype=complex)
    for i in range(d - 1):
        jp[i + 1, i] = np.sqrt(l * (l + 1) - m[i] * (m[i] + 1))
    jx, jy = (jp + jp.conj().T) / 2, (jp - jp.conj().T) / 2j
    u = _real_basis(l)
    out = np.array([u @ (-1j * j) @ u.conj().T for j in (jx, jy, jz)])
    assert np.abs(out.imag).max() < 1e-12
    return np.ascontiguousarray(out.real)


@lru_cache(maxsize=None)
def coupling(l1: int, l2: int, l: int) -> np.ndarray:
    """The real Clebsch–Gordan isometry ``l → l1 ⊗ l2``, shape (2l1+1, 2l2+1, 2l+1):
    exact coefficients from sympy, turned to the real basis."""
    from sympy.physics.wigner import clebsch_gordan

    d1, d2, d = 2 * l1 + 1, 2 * l2 + 1, 2 * l + 1
    c = np.zeros((d1, d2, d))
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            m = m1 + m2
            if abs(m) <= l:
                c[l1 + m1, l2 + m2, l + m] = float(clebsch_gordan(l1, l2, l, m1, m2, m))
    u1, u2, u = _real_basis(l1), _real_basis(l2), _real_basis(l)
    real = np.einsum("ai,bj,ijk,ck->abc", u1, u2, c, u.conj())
    part = real.real if np.abs(real.real).max() >= np.abs(real.imag).max() else real.imag
    return part / np.linalg.norm(part.reshape(d1 * d2, d), axis=0)


@lru_cache(maxsize=None)
def to_model() -> np.ndarray:
    """The orthogonal S with ``S E_k Sᵀ = L_k`` for the rotation generators E_k
    of ℝ³ (``E_x`` turns y into z): coordinates of V in the model ``rho_1``."""
    e = np.zeros((3, 3, 3))
    for k, (i, j) in enumerate(((2, 1), (0, 2), (1, 0))):
        e[k, i, j], e[k, j, i] = 1, -1
    target = generators(1)
    # S E_k - L_k S = 0, linear in the 9 entries of S
    system = np.concatenate([np.kron(np.eye(3), ek.T) - np.kron(lk, np.eye(3)) for ek, lk in zip(e, target)])
    _, sigma, vt = np.linalg.svd(system)
    s = vt[-1].reshape(3, 3)
    s /= np.sqrt(np.abs(np.linalg.det(s)) ** (2 / 3))
    assert sigma[-2] > 1e-6 and np.allclose(s @ s.T, np.eye(3), atol=1e-10)
    return s


def algebra_coordinates(a) -> tuple:
    """The coordinates of an antisymmetric 3×3 matrix in the basis E_x, E_y, E_z."""
    return a[..., 2, 1], a[..., 0, 2], a[..., 1, 0]


def _frame(l: int, in_v: bool) -> np.ndarray:
    """Rows: the factor's own coordinates; columns: the model's. For a factor
    V, its coordinates are those of ℝ³ (``Sᵀ`` maps the model to them)."""
    return to_model().T if in_v else np.eye(2 * l + 1)


@lru_cache(maxsize=32)
def blocks(ls: tuple, in_v: tuple) -> dict:
    """The isotypic blocks of ``l_1 ⊗ … ⊗ l_k``: ``{l: Q}`` with Q of shape
    (size, copies, 2l+1), rows in the factors' coordinates (ℝ³ for the
    factors marked ``in_v``, the model's for the others)."""
    first = ls[0]
    out = {first: _frame(first, in_v[0]).reshape(2 * first + 1, 1, 2 * first + 1)}
    for l2, v2 in zip(ls[1:], in_v[1:]):
        d2 = 2 * l2 + 1
        frame = _frame(l2, v2)
        grown: dict = {}
        for l1, q in out.items():
            size, copies, _ = q.shape
            for l in range(abs(l1 - l2), l1 + l2 + 1):
                c = np.einsum("yb,abc->ayc", frame, coupling(l1, l2, l))
                new = np.einsum("xma,abc->xbmc", q, c).reshape(size * d2, copies, 2 * l + 1)
                grown.setdefault(l, []).append(new)
        out = {l: np.concatenate(parts, axis=1) for l, parts in sorted(grown.items())}
    return out


def fits(ls: tuple) -> bool:
    """Whether both halves of ``ls`` can be coupled in memory."""
    half = len(ls) // 2
    return all(int(np.prod([2 * l + 1 for l in part])) ** 2 <= MAX_BLOCK_ENTRIES for part in (ls[:half], ls[half:]))


def invariants(ls: tuple, in_v: tuple | None = None) -> np.ndarray:
    """An orthonormal basis of the invariants of ``l_1 ⊗ … ⊗ l_k`` (row-major;
    factors marked ``in_v`` in the coordinates of ℝ³), shape (size, rank)."""
    in_v = in_v or (False,) * len(ls)
    size = int(np.prod([2 * l + 1 for l in ls]))
    if len(ls) == 1:
        return np.ones((1, 1)) if ls[0] == 0 else np.zeros((size, 0))
    half = len(ls) // 2
    a, b = blocks(ls[:half], in_v[:half]), blocks(ls[half:], in_v[half:])
    columns = []
    for l in sorted(set(a) & set(b)):
        qa, qb = a[l], b[l]
        pairs = np.einsum("xia,yja->ijxy", qa, qb) / np.sqrt(2 * l + 1)
        columns.append(pairs.reshape(-1, size))
    if not columns:
        return np.zeros((size, 0))
    return np.ascontiguousarray(np.concatenate(columns).T)


def irrep_of_v_power(l: int) -> np.ndarray:
    """The isometry from ``rho_l`` into ``rho_1^{⊗l}`` along the path 1, 2, …, l
    (shape (3**l, 2l+1)); ``rho_l(g) = Qᵀ (S g Sᵀ)^{⊗l} Q``."""
    if l == 0:
        return np.ones((1, 1))
    q = np.eye(3)
    for k in range(2, l + 1):
        q = np.einsum("xa,abc->xbc", q, coupling(k - 1, 1, k)).reshape(-1, 2 * k + 1)
    return q
