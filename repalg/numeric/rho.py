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

from ..symbolic.expr import Atom, Rep, Sum
from . import operators as ops


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


def atom_rho(atom: Atom, g, xp=jnp):
    """The matrix by which the base element ``g`` acts on ``atom`` (``xp``:
    ``jax.numpy`` for traceable results, ``numpy`` for the float64 solver)."""
    if atom.dim is None:
        m = xp.asarray(g)
    elif atom.rho_fn is None:
        raise ValueError(f"the representation {atom.name} defines no rho(g), needed for the "
                         f"discrete generators of {atom.group}")
    else:
        m = xp.asarray(atom.rho_fn(g))
    return xp.linalg.inv(m).T if atom.dual else m


def atom_drho(atom: Atom, a, xp=jnp):
    """The matrix by which the Lie algebra element ``a`` acts on ``atom``."""
    if atom.dim is None:
        m = xp.asarray(a)
    elif atom.drho_fn is None:
        raise ValueError(f"the representation {atom.name} defines no drho(A), needed for the "
                         f"Lie algebra of {atom.group}")
    else:
        m = xp.asarray(atom.drho_fn(a))
    return -m.T if atom.dual else m


def rho(rep: Rep, g, _whole: Rep | None = None) -> ops.Operator:
    """The group element ``g`` acting on ``rep``, as an operator."""
    whole = rep if _whole is None else _whole
    if isinstance(rep, Atom):
        return ops.matrix(atom_rho(rep, _element(rep, g, whole)))
    if isinstance(rep, Sum):
        return ops.block_diag([(rho(t, g, whole), m) for t, m in rep.terms])
    return ops.kron([rho(f, g, whole) for f, e in rep.factors for _ in range(e)])


def drho(rep: Rep, a, _whole: Rep | None = None) -> ops.Operator:
    """The Lie algebra element ``a`` acting on ``rep``, as an operator."""
    whole = rep if _whole is None else _whole
    if isinstance(rep, Atom):
        return ops.matrix(atom_drho(rep, _element(rep, a, whole)))
    if isinstance(rep, Sum):
        return ops.block_diag([(drho(t, a, whole), m) for t, m in rep.terms])
    return ops.kronsum([drho(f, a, whole) for f, e in rep.factors for _ in range(e)])
