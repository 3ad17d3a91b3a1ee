"""Representations of the user's own, emlp's way, in numbers.

A user's ``Rep`` subclass gives ``rho(M)`` (and perhaps ``drho(A)`` and
``size()``); what it leaves out comes from emlp's defaults: ``drho`` is the
derivative of ``rho`` at the identity, ``size()`` the size of ``rho`` of the
identity. ``rho`` may return an array or any linear operator (``to_dense()``,
or ``@`` on an identity). For a direct product ``G1 * G2``, ``rho`` receives
the element as emlp's ``LazyKron`` (``M.Ms`` holds one matrix per factor) and
``drho`` as a ``LazyKronsum``.

>>> import numpy as np
>>> import jax.numpy as jnp
>>> from repalg.reps import Rep, V
>>> from repalg.groups import SO
>>> class Psi(Rep):
...     def __init__(self, k):
...         self.G, self.k = SO(2), k
...     def rho(self, M):
...         return jnp.linalg.matrix_power(M, self.k)
...     def __str__(self):
...         return f"psi{self.k}"
>>> Psi(2).size(), (V(SO(2))**2 >> Psi(2)).equivariant_basis().shape
(2, (8, 2))
"""

from __future__ import annotations

import numpy as np
import jax
import jax.numpy as jnp

from ..symbolic.nodes import Rep
from ..symbolic.group_descriptors import DirectProduct
from .group_generators import generators
from .linear_operators import LazyKron, LazyKronsum
from .linear_operators import to_matrix
from .precision import float64


def user_size(rep: Rep) -> int:
    """The size of a user's representation: that of ``rho`` of the identity."""
    group = rep.G
    identity = _identity(group)
    try:
        shape = np.shape(to_matrix(rep.rho(identity), np))
    except NotImplementedError:
        raise ValueError(f"the representation {type(rep).__name__} defines neither rho(M) nor size()") from None
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"rho of the representation {rep} must give a square matrix, got shape {shape}")
    return int(shape[0])


def rho_function(atom, xp):
    """``g ↦ rho(g)`` of a user's atom, as a matrix (``xp``: numpy computes in float64)."""
    rep = atom.user.rep
    if not atom.user.defines("rho"):
        raise ValueError(f"the representation {type(rep).__name__} defines no rho(M)")

    def rho(g):
        return _call(lambda: to_matrix(rep.rho(_structured(atom.group, g, _kron_factors)), xp), xp)

    return rho


def drho_function(atom, xp):
    """``A ↦ drho(A)`` of a user's atom: its own ``drho``, or the derivative of
    its ``rho`` at the identity along ``A`` (emlp's default)."""
    rep, group = atom.user.rep, atom.group
    if atom.user.defines("drho"):
        return lambda a: _call(lambda: to_matrix(rep.drho(_structured(group, a, _kronsum_factors)), xp), xp)
    rho = rho_function(atom, jnp)

    def derivative(a):
        if isinstance(group, DirectProduct):
            factors = tuple(jnp.asarray(f) for f in _kronsum_factors(group, a).Ms)
            identity = tuple(jnp.eye(g.d, dtype=f.dtype) for g, f in zip(group.factors, factors))
            return jax.jvp(lambda *ms: to_matrix(rep.rho(LazyKron(list(ms)))), identity, factors)[1]
        a = jnp.asarray(a)
        return jax.jvp(rho, (jnp.eye(a.shape[0], dtype=a.dtype),), (a,))[1]

    return lambda a: _call(lambda: derivative(a), xp)


def _call(compute, xp):
    if xp is np:
        with float64():
            return np.asarray(compute())
    return compute()


def _identity(group):
    if isinstance(group, DirectProduct):
        return LazyKron([np.eye(g.d) for g in group.factors])
    return np.eye(group.d)


def _structured(group, x, split):
    """The element as the user's ``rho`` expects it: emlp's lazy Kronecker
    product (or sum) for a direct product, the matrix itself otherwise."""
    if not isinstance(group, DirectProduct) or hasattr(x, "Ms"):
        return x
    return split(group, x)


def _concrete(group, x) -> np.ndarray:
    if isinstance(x, jax.core.Tracer):
        raise ValueError(f"inside jit or vmap, give an element of {group} as emlp's LazyKron of one "
                         f"matrix per factor (repalg.reps.LazyKron([g1, g2])), not as one matrix")
    return np.asarray(x)


def _kron_factors(group: DirectProduct, g):
    """``g = g1 ⊗ g2 ⊗ …`` split into its factors (``LazyKron``). The split is
    unique up to signs (``-g1 ⊗ -g2`` is the same matrix). Each factor is
    scaled to the Frobenius norm of an orthogonal matrix; its sign is the one
    under which it can belong to its group where only one can (a group of
    nonnegative matrices, or of determinant 1 in odd dimension); else
    ±identity factors are taken as +identity (so every generator, identity
    but in one factor, splits exactly) and the others with nonnegative trace,
    the last of them taking the sign that keeps the product."""
    g = _concrete(group, g)
    dims = [f.d for f in group.factors]
    factors, rest = [], g
    for d in dims[:-1]:
        r = rest.shape[0] // d
        u, s, vh = np.linalg.svd(rest.reshape(d, r, d, r).transpose(0, 2, 1, 3).reshape(d * d, r * r))
        factors.append(u[:, 0].reshape(d, d) * np.sqrt(d))
        rest = vh[0].reshape(r, r) * (s[0] / np.sqrt(d))
    factors.append(rest)
    signs = [_forced_sign(factor, f) for factor, f in zip(group.factors, factors)]
    free = [i for i, sign in enumerate(signs) if sign == 0]
    identity = [abs(np.trace(f)) > (1 - 1e-9) * np.linalg.norm(f) * np.sqrt(len(f)) for f in factors]
    absorbs = ([i for i in free if not identity[i]] or free or [None])[-1]
    for i in free:
        signs[i] = 1 if np.real(np.trace(factors[i])) >= 0 else -1
    if absorbs is not None:
        signs[absorbs] = int(np.prod([sign for i, sign in enumerate(signs) if i != absorbs]))
    split = LazyKron([sign * f for sign, f in zip(signs, factors)])
    _check_split(group, g, split, "a Kronecker product")
    return split


def _forced_sign(group, f: np.ndarray) -> int:
    """+1 or -1 where only one of ``±f`` can be an element of ``group``, else 0."""
    lie, disc = generators(group)
    tolerance = 1e-9 * max(1.0, float(np.abs(f).max(initial=0)))
    if not len(lie) and len(disc) and np.all(disc >= 0):  # every element is a nonnegative matrix
        plus, minus = bool(np.all(f >= -tolerance)), bool(np.all(f <= tolerance))
        if plus != minus:
            return 1 if plus else -1
    special = (np.allclose(np.linalg.det(disc), 1) if len(disc) else True) and np.allclose(
        np.trace(lie, axis1=1, axis2=2), 0)
    if len(f) % 2 and special:
        return 1 if np.real(np.linalg.det(f)) > 0 else -1
    return 0


def _kronsum_factors(group: DirectProduct, a):
    """``a = a1 ⊕ a2 ⊕ …`` (a Kronecker sum) split into its terms
    (``LazyKronsum``); the part of ``a`` proportional to the identity goes to
    the term with the largest traceless part (exact for every generator)."""
    a = _concrete(group, a)
    dims = [f.d for f in group.factors]
    n = a.shape[0]
    t = a.reshape(dims + dims)
    terms = [_partial_trace(t, i, len(dims)) / (n // d) for i, d in enumerate(dims)]
    total = np.trace(terms[0]) / dims[0]
    traceless = [m - total * np.eye(d) for m, d in zip(terms, dims)]
    keep = int(np.argmax([np.linalg.norm(m) for m in traceless]))
    traceless[keep] = traceless[keep] + total * np.eye(dims[keep])
    _check_split(group, a, LazyKronsum(traceless), "a Kronecker sum")
    return LazyKronsum(traceless)


def _partial_trace(t: np.ndarray, i: int, k: int) -> np.ndarray:
    """Trace over every factor but the i-th of a (d1..dk, d1..dk) array."""
    cols = [k + i if j == i else j for j in range(k)]
    return np.einsum(t, list(range(k)) + cols, [i, k + i])


def _check_split(group, x: np.ndarray, split, what: str) -> None:
    if not np.allclose(to_matrix(split, np), x, atol=1e-8 * max(1.0, float(np.abs(x).max(initial=0)))):
        raise ValueError(f"the element given for {group} is not {what} of one matrix per factor; "
                         f"give it as emlp's LazyKron of one matrix per factor")
