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

from ..symbolic.expr import Rep
from ..symbolic.groups import DirectProduct
from .operators import float64


def dense(m, xp=jnp):
    """A matrix from whatever ``rho`` returned: an array, or an operator with
    ``to_dense()`` or ``@``."""
    if hasattr(m, "to_dense"):
        return xp.asarray(m.to_dense())
    if hasattr(m, "shape") and not hasattr(m, "dtype") and hasattr(m, "__matmul__"):
        return xp.asarray(m @ xp.eye(m.shape[-1]))
    return xp.asarray(m)


def user_size(rep: Rep) -> int:
    """The size of a user's representation: that of ``rho`` of the identity."""
    group = rep.G
    identity = _identity(group)
    try:
        shape = np.shape(dense(rep.rho(identity), np))
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
        return _call(lambda: dense(rep.rho(_structured(atom.group, g, _kron_factors)), xp), xp)

    return rho


def drho_function(atom, xp):
    """``A ↦ drho(A)`` of a user's atom: its own ``drho``, or the derivative of
    its ``rho`` at the identity along ``A`` (emlp's default)."""
    rep, group = atom.user.rep, atom.group
    if atom.user.defines("drho"):
        return lambda a: _call(lambda: dense(rep.drho(_structured(group, a, _kronsum_factors)), xp), xp)
    rho = rho_function(atom, jnp)

    def derivative(a):
        if isinstance(group, DirectProduct):
            from ..reps.linear_operators import LazyKron

            factors = tuple(jnp.asarray(f) for f in _kronsum_factors(group, a).Ms)
            identity = tuple(jnp.eye(g.d, dtype=f.dtype) for g, f in zip(group.factors, factors))
            return jax.jvp(lambda *ms: dense(rep.rho(LazyKron(list(ms)))), identity, factors)[1]
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
        from ..reps.linear_operators import LazyKron

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
    unique up to signs: factors that are ±identity are taken as +identity
    (so every generator, identity but in one factor, splits exactly), the
    others are scaled to the Frobenius norm of an orthogonal matrix."""
    from ..reps.linear_operators import LazyKron

    g = _concrete(group, g)
    dims = [f.d for f in group.factors]
    factors, rest = [], g
    for d in dims[:-1]:
        r = rest.shape[0] // d
        u, s, vh = np.linalg.svd(rest.reshape(d, r, d, r).transpose(0, 2, 1, 3).reshape(d * d, r * r))
        factors.append(u[:, 0].reshape(d, d) * np.sqrt(d))
        rest = vh[0].reshape(r, r) * (s[0] / np.sqrt(d))
    factors.append(rest)
    identity = [abs(np.trace(f)) > (1 - 1e-9) * np.linalg.norm(f) * np.sqrt(len(f)) for f in factors]
    others = [i for i, is_identity in enumerate(identity) if not is_identity]
    last = others[-1] if others else len(factors) - 1
    for i, f in enumerate(factors):
        if i != last and np.real(np.trace(f)) < 0:
            factors[i], factors[last] = -f, -factors[last]
    _check_split(group, g, LazyKron(factors), "a Kronecker product")
    return LazyKron(factors)


def _kronsum_factors(group: DirectProduct, a):
    """``a = a1 ⊕ a2 ⊕ …`` (a Kronecker sum) split into its terms
    (``LazyKronsum``); the part of ``a`` proportional to the identity goes to
    the term with the largest traceless part (exact for every generator)."""
    from ..reps.linear_operators import LazyKronsum

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
    if not np.allclose(dense(split, np), x, atol=1e-8 * max(1.0, float(np.abs(x).max(initial=0)))):
        raise ValueError(f"the element given for {group} is not {what} of one matrix per factor; "
                         f"give it as emlp's LazyKron of one matrix per factor")
