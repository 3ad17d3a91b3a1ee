"""The isotypic rung for SO(3), O(3) and SU(2): invariants from Clebsch–Gordan maps.

Every irreducible of SO(3) gets one real model ``rho_l`` (the real spherical
harmonics basis, ``m = -l..l``); its Lie algebra generators come from the
angular momentum matrices, and the base representation ``V`` is ``rho_1`` up
to a fixed orthogonal change of coordinates ``S``. The Clebsch–Gordan maps
``l1 ⊗ l2 → l`` come from Racah's formula in exact rational arithmetic
(``clebsch_gordan``), turned real once and cached.

A tensor product ``l_1 ⊗ … ⊗ l_k`` is split in two halves, each coupled
factor by factor into isotypic blocks ``Q_l`` of shape ``(size, copies, 2l+1)``
(isometries whose columns, copy by copy, carry the same model ``rho_l``). By
Schur's lemma the invariants of ``A ⊗ B`` are ``Σ_a Q^A_l[:, i, a] ⊗
Q^B_l[:, j, a] / √(2l+1)``, one for each pair of copies: orthonormal by
construction, ``Σ_l m_l(A) m_l(B)`` of them, found with no eigensolver.

SU(2) (acting on ℂ²) works the same way with the spins n/2 in their complex
basis ``|j, m⟩``; equal spins pair through their invariant ``j ⊗ j → 0``, and
V and V* reach the model of spin 1/2 through two fixed unitaries.

>>> import numpy as np
>>> q = invariants((1, 1, 1, 1))
>>> q.shape, bool(np.allclose(q.T @ q, np.eye(3)))
((81, 3), True)
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np

MAX_BLOCK_ENTRIES = 2**27
"""The largest half (size × size entries) coupled in memory: 1 GiB in float64."""


def clebsch_gordan(n1: int, n2: int, n: int, a1: int, a2: int, a: int) -> float:
    """⟨j1 m1; j2 m2 | j m⟩ (Condon–Shortley phases) for spins and projections
    given doubled (``n1 = 2 j1``, ``a1 = 2 m1``, …), so that half-integers are
    integers: Racah's formula, summed exactly in rationals, one rounding at the
    end.

    >>> clebsch_gordan(2, 2, 0, 2, -2, 0), clebsch_gordan(1, 1, 2, 1, 1, 2)
    (0.5773502691896257, 1.0)
    """
    if (a != a1 + a2 or not abs(n1 - n2) <= n <= n1 + n2 or (n1 + n2 + n) % 2
            or any(abs(m) > j or (j + m) % 2 for j, m in ((n1, a1), (n2, a2), (n, a)))):
        return 0.0
    f = math.factorial
    top, mid1, mid2 = (n1 + n2 - n) // 2, (n1 - n2 + n) // 2, (n2 - n1 + n) // 2
    square = Fraction((n + 1) * f(top) * f(mid1) * f(mid2), f((n1 + n2 + n) // 2 + 1))
    square *= f((n1 + a1) // 2) * f((n1 - a1) // 2) * f((n2 + a2) // 2) * f((n2 - a2) // 2) * f((n + a) // 2) * f((n - a) // 2)
    terms = (top, (n1 - a1) // 2, (n2 + a2) // 2)
    shifts = ((n - n2 + a1) // 2, (n - n1 - a2) // 2)
    total = Fraction(0)
    for k in range(max(0, -shifts[0], -shifts[1]), min(terms) + 1):
        total += Fraction((-1) ** k, f(k) * f(terms[0] - k) * f(terms[1] - k) * f(terms[2] - k)
                          * f(shifts[0] + k) * f(shifts[1] + k))
    return math.copysign(math.sqrt(total * total * square), total) if total else 0.0


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
    exact coefficients, turned to the real basis."""
    d1, d2, d = 2 * l1 + 1, 2 * l2 + 1, 2 * l + 1
    c = np.zeros((d1, d2, d))
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            m = m1 + m2
            if abs(m) <= l:
                c[l1 + m1, l2 + m2, l + m] = clebsch_gordan(2 * l1, 2 * l2, 2 * l, 2 * m1, 2 * m2, 2 * m)
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


class _Family:
    """What coupling needs of a family of models: their dimension, the
    degrees in a product, the Clebsch–Gordan isometries and the frames."""

    def __init__(self, dim, degrees, couple, frame):
        self.dim, self.degrees, self.couple, self.frame = dim, degrees, couple, frame


ROTATIONS = _Family(lambda l: 2 * l + 1, lambda a, b: range(abs(a - b), a + b + 1), lambda a, b, c: coupling(a, b, c),
                    lambda l, in_v: _frame(l, in_v))


@lru_cache(maxsize=32)
def blocks(ls: tuple, in_v: tuple, family: _Family = ROTATIONS) -> dict:
    """The isotypic blocks of ``l_1 ⊗ … ⊗ l_k``: ``{l: Q}`` with Q of shape
    (size, copies, dim l), rows in the factors' coordinates (those of V for
    the factors marked ``in_v``, the model's for the others)."""
    first = ls[0]
    d0 = family.dim(first)
    out = {first: family.frame(first, in_v[0]).reshape(-1, 1, d0)}
    for l2, v2 in zip(ls[1:], in_v[1:]):
        frame = family.frame(l2, v2)
        d2 = frame.shape[0]
        grown: dict = {}
        for l1, q in out.items():
            size, copies, _ = q.shape
            for l in family.degrees(l1, l2):
                c = np.einsum("yb,abc->ayc", frame, family.couple(l1, l2, l))
                new = np.einsum("xma,abc->xbmc", q, c).reshape(size * d2, copies, family.dim(l))
                grown.setdefault(l, []).append(new)
        out = {l: np.concatenate(parts, axis=1) for l, parts in sorted(grown.items())}
    return out


def fits(ls: tuple, family: _Family = ROTATIONS) -> bool:
    """Whether both halves of ``ls`` can be coupled in memory."""
    half = len(ls) // 2
    return all(int(np.prod([family.dim(l) for l in part])) ** 2 <= MAX_BLOCK_ENTRIES
               for part in (ls[:half], ls[half:]))


def invariants(ls: tuple, in_v: tuple | None = None, family: _Family = ROTATIONS) -> np.ndarray:
    """An orthonormal basis of the invariants of ``l_1 ⊗ … ⊗ l_k`` (row-major;
    factors marked ``in_v`` in the coordinates of V), shape (size, rank).
    Equal irreducibles of the two halves pair through their invariant
    ``l ⊗ l → 0`` (δ/√(2l+1) in the real models)."""
    in_v = in_v or (False,) * len(ls)
    size = int(np.prod([family.frame(l, v).shape[0] for l, v in zip(ls, in_v)]))
    if len(ls) == 1:
        return np.ones((1, 1)) if ls[0] == 0 else np.zeros((size, 0))
    half = len(ls) // 2
    a, b = blocks(ls[:half], in_v[:half], family), blocks(ls[half:], in_v[half:], family)
    common = sorted(set(a) & set(b))
    rank = sum(a[l].shape[1] * b[l].shape[1] for l in common)
    dtype = np.result_type(*(a[l].dtype for l in common), *(b[l].dtype for l in common), float) if common else float
    out = np.empty((size, rank), dtype=dtype)
    start = 0
    for l in common:
        (xs, i, dim), (ys, j, _) = a[l].shape, b[l].shape
        paired = b[l] @ family.couple(l, l, 0)[:, :, 0].T  # (y, j, a)
        # one matrix product over the model's axis, written straight into the columns (x, y) × (i, j)
        product = a[l].reshape(xs * i, dim) @ paired.reshape(ys * j, dim).T
        out[:, start:start + i * j].reshape(xs, ys, i, j)[...] = product.reshape(xs, i, ys, j).transpose(0, 2, 1, 3)
        start += i * j
    return out


# SU(2): spins in the complex basis |j, m>, labels n = 2j ------------------------------

@lru_cache(maxsize=None)
def spin_generators(n: int) -> np.ndarray:
    """The anti-Hermitian generators ``-i J_x, -i J_y, -i J_z`` of spin n/2 (m = -j..j)."""
    j = n / 2
    m = np.arange(-j, j + 1)
    jp = np.zeros((n + 1, n + 1), dtype=complex)
    for i in range(n):
        jp[i + 1, i] = np.sqrt(j * (j + 1) - m[i] * (m[i] + 1))
    jx, jy, jz = (jp + jp.conj().T) / 2, (jp - jp.conj().T) / 2j, np.diag(m).astype(complex)
    return np.array([-1j * jx, -1j * jy, -1j * jz])


@lru_cache(maxsize=None)
def spin_coupling(n1: int, n2: int, n: int) -> np.ndarray:
    """The Clebsch–Gordan isometry spin n/2 → n1/2 ⊗ n2/2 (exact), shape (n1+1, n2+1, n+1)."""
    c = np.zeros((n1 + 1, n2 + 1, n + 1))
    for a in range(n1 + 1):
        for b in range(n2 + 1):
            k = a + b - (n1 + n2 - n) // 2  # 2m = (2a - n1) + (2b - n2), k = m + n/2
            if 0 <= k <= n and (n1 + n2 - n) % 2 == 0:
                c[a, b, k] = clebsch_gordan(n1, n2, n, 2 * a - n1, 2 * b - n2, 2 * k - n)
    return c


@lru_cache(maxsize=None)
def spin_frame(dual: bool) -> np.ndarray:
    """The unitary taking ℂ² (emlp's SU(2) acts on it by its matrices; V* by their
    conjugates) to the model of spin 1/2, as rows = V's coordinates."""
    pauli = [np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]])]
    algebra = [-0.5j * p for p in pauli]
    target = spin_generators(1)
    system = np.concatenate([np.kron(np.eye(2), (-e.T if dual else e).T) - np.kron(t, np.eye(2))
                             for e, t in zip(algebra, target)])
    _, sigma, vt = np.linalg.svd(system)
    s = vt[-1].conj().reshape(2, 2)
    s /= np.sqrt(np.abs(np.linalg.det(s)))
    assert sigma[-2] > 1e-6 and np.allclose(s @ s.conj().T, np.eye(2), atol=1e-10)
    return s.conj().T


SPINS = _Family(lambda n: n + 1, lambda a, b: range(abs(a - b), a + b + 1, 2), spin_coupling,
                lambda n, in_v: spin_frame(in_v == "dual") if in_v else np.eye(n + 1))


def irrep_of_v_power(l: int) -> np.ndarray:
    """The isometry from ``rho_l`` into ``rho_1^{⊗l}`` along the path 1, 2, …, l
    (shape (3**l, 2l+1)); ``rho_l(g) = Qᵀ (S g Sᵀ)^{⊗l} Q``."""
    if l == 0:
        return np.ones((1, 1))
    q = np.eye(3)
    for k in range(2, l + 1):
        q = np.einsum("xa,abc->xbc", q, coupling(k - 1, 1, k)).reshape(-1, 2 * k + 1)
    return q
