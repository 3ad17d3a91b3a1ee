"""Representations in numbers: ``rho(rep, g)`` and ``drho(rep, A)`` for every
expression, as structured operators in the expression's own coordinates.

A group element (or Lie algebra element) is a matrix for a representation of
one group, or a dict ``{group: matrix}`` for several, as in emlp.

>>> import numpy as np
>>> from repalg.reps import V
>>> from repalg.groups import SO
>>> g = SO(2).sample(key=0)
>>> bool(np.allclose(rho((V * V.T)(SO(2)), g).dense(), np.kron(g, np.linalg.inv(g).T), atol=1e-6))
True
"""

from __future__ import annotations

import jax.numpy as jnp

from ..symbolic.decompose import is_irrep
from ..symbolic.nodes import Atom, Rep, Sum
from . import irreps, user
from .linear_operator_base import Lazy, LinearOperator
from .linear_operators import LazyDirectSum, LazyKron, LazyKronsum


def _element(atom: Atom, element, rep: Rep):
    if atom.group is None:
        raise ValueError(f"{rep!r} has atoms bound to no group; bind one first, as in rep(SO(3))")
    if isinstance(element, dict):
        try:
            return element[atom.group]
        except KeyError:
            raise ValueError(f"no element given for the group {atom.group}; the dict has "
                             f"{', '.join(map(str, element)) or 'no groups'}") from None
    groups = rep.groups()
    if len(groups) > 1:
        raise ValueError(f"{rep!r} involves the groups {', '.join(map(str, groups))}: "
                         f"give a dict with one element per group")
    return element


def _own(atom: Atom, x, xp, function, what: str, needed_for: str):
    structured = hasattr(x, "Ms")  # emlp's LazyKron / LazyKronsum: one matrix per factor of a product group
    matrix = xp.asarray(x.to_dense() if structured else x)
    d = atom.group.d if atom.group is not None else None
    if d is not None and tuple(matrix.shape) != (d, d):
        raise ValueError(f"an element of {atom.group} is a {d}×{d} matrix, got an array of shape {tuple(matrix.shape)}")
    if atom.dim is None:  # the base representation: the element itself
        return matrix
    if function is None:
        raise ValueError(f"the representation {atom.name} defines no {what}, needed for the "
                         f"{needed_for} of {atom.group}")
    return xp.asarray(function(x if structured and atom.user is not None else matrix))


def _function(atom: Atom, xp, kind: str):
    if is_irrep(atom):
        return irreps.rho_function(atom) if kind == "rho" else irreps.drho_function(atom)
    if atom.user is not None:
        return user.rho_function(atom, xp) if kind == "rho" else user.drho_function(atom, xp)
    return atom.rho_fn if kind == "rho" else atom.drho_fn


def atom_rho(atom: Atom, g, xp=jnp):
    """The matrix by which the base element ``g`` acts on ``atom`` (``xp``:
    ``jax.numpy`` for traceable results, ``numpy`` for the float64 solver)."""
    m = _own(atom, g, xp, _function(atom, xp, "rho"), "rho(g)", "discrete generators")
    return xp.linalg.inv(m).T if atom.dual else m


def atom_drho(atom: Atom, a, xp=jnp):
    """The matrix by which the Lie algebra element ``a`` acts on ``atom``."""
    m = _own(atom, a, xp, _function(atom, xp, "drho"), "drho(A)", "Lie algebra")
    return -m.T if atom.dual else m


def _structured(rep: Rep, x, whole: Rep, atom_matrix, product) -> LinearOperator:
    """Sums act block-diagonally; products by ``product`` (Kronecker product
    for group elements, Kronecker sum for Lie algebra elements)."""
    if isinstance(rep, Atom):
        return Lazy(atom_matrix(rep, _element(rep, x, whole)))
    if isinstance(rep, Sum):
        return LazyDirectSum([_structured(t, x, whole, atom_matrix, product) for t, _ in rep.terms],
                             [m for _, m in rep.terms])
    return product([_structured(f, x, whole, atom_matrix, product) for f, e in rep.factors for _ in range(e)])


def rho(rep: Rep, g) -> LinearOperator:
    """The group element ``g`` acting on ``rep``, as an operator."""
    return _structured(rep, g, rep, atom_rho, LazyKron)


def drho(rep: Rep, a) -> LinearOperator:
    """The Lie algebra element ``a`` acting on ``rep``, as an operator."""
    return _structured(rep, a, rep, atom_drho, LazyKronsum)
