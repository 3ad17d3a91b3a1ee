"""A subproblem of the solver: the invariants of a tensor product of atoms of
one group (a canonical monomial, factor by factor), and how a message names it.

>>> from repalg import parse
>>> [repr(a) for a in monomial_atoms(parse("V**2*V.T").canonical())]
['V', 'V', 'V.T']
>>> describe(monomial_atoms(parse("V**2").canonical()))
'V**2'
"""

from __future__ import annotations

from ..symbolic.constructors import tensor
from ..symbolic.nodes import Atom, Product, Rep


def monomial_atoms(monomial: Rep) -> list:
    """The atoms of a canonical monomial, each repeated by its exponent."""
    if isinstance(monomial, Atom):
        return [monomial]
    assert isinstance(monomial, Product)
    return [f for f, e in monomial.factors for _ in range(e)]


def describe(atoms: tuple) -> str:
    """The product of ``atoms`` as text, for messages."""
    return repr(tensor(*atoms))
