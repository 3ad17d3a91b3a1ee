"""The nodes of representation expressions: immutable, hashable, compared by
structure.

Three node types build every expression:

- ``Atom``: the base representation ``V`` of a group (or a user-defined
  representation), possibly dualised (``V.T``), possibly bound to a group;
- ``Sum``: a direct sum, a tuple of ``(term, multiplicity)`` pairs;
- ``Product``: a Kronecker (tensor) product, a tuple of ``(factor, exponent)``.

``Scalar`` is the empty product and ``0`` the empty sum. Nodes are built by
the smart constructors (``constructors.py``), never by hand.

>>> size_of(Atom("V", group=None, dim=3)), Scalar == Product(())
(3, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from numbers import Integral
from typing import Callable

from .group_descriptors import GroupBase


class Rep:
    """A representation expression. Build them with ``V``, ``Scalar``, ``T``,
    integers and the operators ``+ * ** .T >> <<``, or parse text with
    ``repalg.parse``.

    The three node types below are its subclasses; a user's own subclass
    (emlp's way, ``user_reps.py``) enters expressions as an ``Atom`` that holds
    it. The operators and methods every representation has are written in
    ``expr.py``, which sees every piece (constructors, normal form, printing,
    decomposition) and gives them to this class once, when ``repalg.symbolic``
    is imported, so that none of those pieces imports another upwards.

    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import SO
    >>> (2 * V >> V).size(SO(3))  # linear maps from 2 copies of ℝ³ to ℝ³
    18
    """

    __slots__ = ()


def cached_hash(node) -> int:
    """The hash of a node, computed once: expressions are immutable and often deep."""
    try:
        return node.__dict__["_hash"]
    except KeyError:
        value = hash((type(node).__name__,) + tuple(getattr(node, f.name) for f in fields(node) if f.compare))
        object.__setattr__(node, "_hash", value)
        return value


@dataclass(frozen=True, repr=False)
class Atom(Rep):
    """An indivisible piece of an expression: the base representation ``V``
    (``dim=None``: its size is the group's ``d``) or a named representation
    with its own dimension and, for solving, its own ``rho(g)`` and ``drho(A)``
    (functions of the base matrices of its group). ``dual`` marks ``V*``;
    ``group`` is None until bound. The functions do not take part in equality:
    a name (and its arguments) identifies a representation.

    >>> import numpy as np
    >>> from repalg.symbolic.group_descriptors import O
    >>> sign = Atom("Sign", dim=1, rho_fn=lambda g: np.linalg.det(g).reshape(1, 1),
    ...             drho_fn=lambda A: np.zeros((1, 1)))
    >>> (sign * V)(O(3)).size()
    3
    """

    name: str = "V"
    args: tuple = ()
    group: GroupBase | None = None
    dual: bool = False
    dim: int | None = None
    rho_fn: Callable | None = field(default=None, compare=False)
    drho_fn: Callable | None = field(default=None, compare=False)
    user: object | None = None  # a user_reps.UserRep: the user's own representation it stands for

    def __post_init__(self):
        if not isinstance(self.args, tuple):
            raise TypeError(f"an atom's args are a tuple, got {self.args!r}")
        if self.dim is not None and (not is_int(self.dim) or self.dim < 1):
            raise ValueError(f"an atom's dimension is a positive integer, got {self.dim!r}")
        if self.group is not None and not isinstance(self.group, GroupBase):
            raise TypeError(f"an atom is bound to a group, got {self.group!r}")

    __hash__ = cached_hash

    def sort_key(self) -> tuple:
        group = "" if self.group is None else self.group.sort_key()
        user = "" if self.user is None else self.user.sort_key()
        return (group, self.name, tuple(arg_key(a) for a in self.args), self.dual, user)


@dataclass(frozen=True, repr=False)
class Sum(Rep):
    """A direct sum: ``terms`` is a tuple of ``(rep, multiplicity)``, each rep an
    ``Atom`` or a ``Product``. Build it with ``direct_sum``."""

    terms: tuple = ()

    __hash__ = cached_hash


@dataclass(frozen=True, repr=False)
class Product(Rep):
    """A Kronecker product: ``factors`` is a tuple of ``(rep, exponent)``, each
    an ``Atom`` or a ``Sum``; the first is an ``Atom`` unless the product is a
    lone power of a sum, ``(A+B)**k``. Build it with ``tensor``."""

    factors: tuple = ()

    __hash__ = cached_hash


Scalar = Product(())
"""The trivial one-dimensional representation (the empty tensor product)."""


ZERO = Sum(())
"""The zero-dimensional representation (the empty direct sum)."""


V = Vector = Atom("V")
"""The base representation of a group, unbound until called with one."""


def is_int(value) -> bool:
    """Whether ``value`` is an integer (and not a bool)."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def arg_key(arg) -> tuple:
    """The order of an atom's arguments: integers first, by value, then the rest by text."""
    return (0, arg, "") if is_int(arg) else (1, 0, str(arg))


def iter_atoms(rep: Rep):
    """Every atom of a (node) expression, in order, repeats included."""
    if isinstance(rep, Atom):
        yield rep
    else:
        for part, _ in (rep.terms if isinstance(rep, Sum) else rep.factors):
            yield from iter_atoms(part)


def size_of(rep: Rep) -> int:
    """The dimension of a (node) expression, from its atoms' sizes."""
    if isinstance(rep, Atom):
        if rep.dim is not None:
            return rep.dim
        if rep.group is None:
            raise ValueError(f"the size of {rep!r} depends on its group, and none is bound: "
                             f"bind one, as in V(SO(3)), or pass it, as in rep.size(SO(3))")
        return rep.group.d
    if isinstance(rep, Sum):
        return sum(m * size_of(t) for t, m in rep.terms)
    return math.prod(size_of(f) ** e for f, e in rep.factors)


def orthogonal(group: GroupBase | None) -> bool:
    """Whether ``group`` acts by real orthogonal matrices, so that ``V* = V``."""
    return group is not None and group.is_orthogonal and not group.is_complex
