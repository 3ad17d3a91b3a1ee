"""The invariant-theory rung, for the classical groups: the one invariant of
two atoms in the stable range (the identity or the group's invariant form,
with no solve), and for O(p,q), SO(p,q) and SO+(p,q) the Brauer pairings of
the invariant form (and Levi-Civita tensors for the special groups,
``brauer.py``), orthonormalized through their Gram matrix.

>>> from repalg.groups import O
>>> invariant_form(O(1, 3)).toarray().diagonal().tolist()
[1.0, -1.0, -1.0, -1.0]
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse

from ...symbolic.characters.connected import Connected
from ...symbolic.characters.dispatch import theory
from ...symbolic.decompose import stable_rank
from ...symbolic.group_descriptors import NamedGroup
from .. import brauer
from ..errors import SolveError, TooLargeError
from ..memory import fits
from ..spectral_gap import NONZERO_LEVEL, ZERO_LEVEL
from ..subproblem import describe


def special(group) -> bool:
    """Whether the group is connected (SO, SO+): its invariants include Levi-Civita tensors."""
    return isinstance(theory(group), Connected)


def stable_basis(group, atoms: tuple, size: int) -> scipy.sparse.csr_matrix | None:
    """The one invariant of two atoms in the stable range, which needs no
    solve, or None: ``vec(F)/√d`` with ``F`` the identity for ``V ⊗ V*`` (any
    group) and the invariant form for ``V ⊗ V`` or ``V* ⊗ V*``
    (``invariant_form``: the identity, the Minkowski metric or the symplectic
    form, each its own inverse up to sign). (No invariants at all need no
    solve either: see ``solve.py``.)"""
    if len(atoms) != 2 or stable_rank(group, atoms) != 1:
        return None
    dtype = complex if group.is_complex else float  # as the solvers answer for SU(n) and U(n)
    d = group.d
    form = scipy.sparse.identity(d, format="coo") if atoms[0].dual != atoms[1].dual else invariant_form(group)
    if form is None:
        return None
    form = form.tocoo()
    rows = form.row * d + form.col
    return scipy.sparse.csr_matrix(((form.data / np.sqrt(d)).astype(dtype), (rows, np.zeros_like(rows))),
                                   shape=(size, 1))


def invariant_form(group):
    """The invariant bilinear form of a classical group with one, in repalg's
    coordinates (time axes first for ``O(p,q)``; ``[[0, I], [-I, 0]]`` for
    ``Sp(m)``), sparse; None for other groups."""
    if not isinstance(group, NamedGroup):
        return None
    if group.name in ("O", "SO") and len(group.args) == 1:
        return scipy.sparse.identity(group.d, format="coo")
    if group.name in ("O", "SO", "SO+") and len(group.args) == 2:
        p, q = group.args
        return scipy.sparse.diags(np.r_[np.ones(p), -np.ones(q)], format="coo")
    if group.name == "Sp":
        m = group.args[0]
        ones = np.ones(m)
        return scipy.sparse.coo_matrix((np.r_[ones, -ones], (np.r_[np.arange(m), m + np.arange(m)],
                                                              np.r_[m + np.arange(m), np.arange(m)])),
                                       shape=(2 * m, 2 * m))
    return None


def brauer_duals(group, atoms: tuple, size: int, start: int, limit: int, work: float) -> tuple | None:
    """For O(p,q), SO(p,q) and SO+(p,q) with n ≥ 3, large products of three or
    more V and V* whose spanning set of invariants is small enough: the dual
    flags. (The invariant form itself, V*⊗V*, is solved by the rungs below:
    the pairings are built from it.) ``start``, ``limit`` and ``work`` are the
    ladder's ``BRAUER_FROM``, ``BRAUER_LIMIT`` and ``BRAUER_WORK``."""
    if not (isinstance(group, NamedGroup) and group.name in ("O", "SO", "SO+") and group.d >= 3 and len(atoms) > 2
            and all(a.dim is None and a.name == "V" for a in atoms) and size >= start):
        return None
    spanning = brauer.count(len(atoms), group.d, special(group))
    if spanning > limit or not fits(8.0 * size * spanning * 3):
        return None
    if size * spanning > work:
        raise TooLargeError(f"{describe(atoms)} has size {size} and {spanning} invariant pairings: "
                            f"building them would take about {size * spanning / 1e7:.0f} s")
    return tuple(a.dual for a in atoms)


def pairing_basis(group, atoms: tuple, duals: tuple, size: int, form) -> tuple:
    """Invariants from Brauer pairings (and Levi-Civita tensors for the special
    groups) of the group's own invariant form, orthonormalized through their
    Gram matrix, the rank certified by its spectral gap; ``form`` is the
    basis of the invariants of ``V* ⊗ V*``. Returns (basis, gap)."""
    n = group.d
    if form.shape[1] != 1:
        raise SolveError(f"{group} does not preserve a unique quadratic form ({form.shape[1]} found)")
    eta = form.toarray().reshape(n, n)
    eta = (eta + eta.T) / 2
    span = brauer.spanning(duals, eta, special(group))
    if not span.shape[1]:
        return scipy.sparse.csr_matrix((size, 0)), np.inf
    gram = span.T @ span
    w, u = scipy.linalg.eigh(gram)
    scale = w[-1]
    keep = w > ZERO_LEVEL * scale
    dropped = w[~keep]
    if keep.any() and dropped.size and w[keep][0] < NONZERO_LEVEL * scale:
        raise SolveError(f"the Brauer pairings of {describe(atoms)} have no clear rank: Gram eigenvalues "
                         f"{dropped[-1] / scale:.2e} (taken as zero) then {w[keep][0] / scale:.2e}")
    q = span @ (u[:, keep] / np.sqrt(w[keep]))
    gap = float(w[keep][0] / max(dropped[-1], np.finfo(float).eps * scale)) if dropped.size else np.inf
    return scipy.sparse.csr_matrix(q), gap
