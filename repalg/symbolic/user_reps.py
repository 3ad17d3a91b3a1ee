"""Representations of the user's own, emlp's way.

emlp's users subclass ``Rep`` and define ``rho(M)``, optionally ``drho(A)``,
``size()``, ``__str__`` and ``__call__(G)``, with the group in ``self.G``.
Such an object enters every expression as an ``Atom`` that holds it
(``Atom.user``); the methods it does not define are ``Rep``'s, applied to
that atom, and emlp's defaults (equality by type and attributes, the type's
name as text, ``V* = V`` for an orthogonal group) fill the rest.
"""

from __future__ import annotations

import copy

import numpy as np

from .backend import numeric
from .group_descriptors import GroupBase
from .nodes import Atom, Product, Rep, Sum

_UNCOMPARED = ("size_of", "is_permutation", "is_orthogonal", "_known_layout")  # left out of equality, as in emlp (and repalg's memo)


class UserRep:
    """A representation of the user's own inside an ``Atom``: two are equal
    when the user's ``__eq__`` says so or, by emlp's default, when they are of
    the same type with equal attributes.

    >>> import numpy as np
    >>> from repalg.symbolic.group_descriptors import S
    >>> from repalg.symbolic.nodes import Rep, V
    >>> class Sign(Rep):
    ...     def __init__(self, G=None):
    ...         self.G = G
    ...     def __str__(self):
    ...         return "P"
    ...     def rho(self, M):
    ...         return np.sign(np.linalg.det(M)).reshape(1, 1)
    ...     def __call__(self, G):
    ...         return Sign(G)
    >>> (Sign() * V)(S(4)).size(), Sign(S(4)) == Sign(S(4))
    (4, True)
    """

    __slots__ = ("rep",)

    def __init__(self, rep: Rep):
        self.rep = rep

    def defines(self, name: str) -> bool:
        """Whether the user's class defines ``name`` itself (``rho``, ``drho``, ``size``, ...)."""
        return defines(type(self.rep), name)

    def bound(self, group: GroupBase) -> Rep:
        """The representation for ``group``: the user's ``__call__(G)``, or a
        copy with ``G`` set."""
        if self.defines("__call__"):
            return as_node(self.rep(group))
        rep = copy.copy(self.rep)
        rep.G = group
        return as_node(rep)

    def sort_key(self) -> tuple:
        state = sorted((k, str(v)) for k, v in compared_state(self.rep).items())
        return (type(self.rep).__qualname__, tuple(state))

    def __eq__(self, other):
        if not isinstance(other, UserRep) or type(self.rep) is not type(other.rep):
            return False
        if self.rep is other.rep:
            return True
        if self.defines("__eq__"):
            return _truth(lambda: self.rep == other.rep)
        return _same_state(self.rep, other.rep)

    def __hash__(self):
        return hash((type(self.rep).__module__, type(self.rep).__qualname__))

    def __repr__(self) -> str:
        return f"UserRep({self.rep})"


def defines(cls, name: str) -> bool:
    """Whether the user's class ``cls`` (or a class of the user's between it
    and ``Rep``) defines ``name`` itself; what it leaves out, ``Rep``'s
    methods fill in, on the atom that holds the user's object."""
    for klass in cls.__mro__:
        if klass is Rep:
            return False
        if klass.__dict__.get(name) is not None:
            return True
    return False


def user_eq(self, other) -> bool:
    """emlp's equality for a user's representation: the same type, equal attributes."""
    return isinstance(other, Rep) and UserRep(self) == UserRep(other)


def user_hash(self) -> int:
    """A hash consistent with ``user_eq``."""
    values = []
    for k, v in sorted(compared_state(self).items()):
        try:
            values.append((k, hash(v)))
        except TypeError:
            values.append((k, None))
    return hash((type(self).__qualname__, tuple(values)))


def compared_state(rep) -> dict:
    """The attributes that take part in a user's representation's equality."""
    return {k: v for k, v in vars(rep).items() if k not in _UNCOMPARED}


def _same_state(a, b) -> bool:
    x, y = compared_state(a), compared_state(b)
    return x.keys() == y.keys() and all(_same_value(x[k], y[k]) for k in x)


def _same_value(x, y) -> bool:
    if x is y:
        return True
    if hasattr(x, "shape") and hasattr(y, "shape") and hasattr(x, "dtype"):
        return _truth(lambda: np.array_equal(np.asarray(x), np.asarray(y)))
    return _truth(lambda: x == y)


def _truth(compare) -> bool:
    try:
        return bool(compare())
    except (TypeError, ValueError):
        return False


def as_node(rep):
    """Expressions stay as they are; a user's representation becomes its atom."""
    if isinstance(rep, (Atom, Sum, Product)) or not isinstance(rep, Rep):
        return rep
    return user_atom(rep)


def user_atom(rep: Rep) -> Atom:
    """The atom that stands for a user's representation in expressions."""
    key = UserRep(rep)
    group = getattr(rep, "G", None)
    if group is not None and not isinstance(group, GroupBase):
        raise TypeError(f"the representation {type(rep).__name__} has G = {group!r}, which is not a group")
    if key.defines("size"):
        dim = rep.size()
    elif group is None:
        dim = None  # known once bound to a group
    else:
        dim = vars(rep).get("size_of")
        if dim is None:
            dim = numeric().user_size(rep)
            rep._size = dim
    if dim is not None and (not hasattr(dim, "__index__") or int(dim) < 1):
        raise ValueError(f"the representation {rep} has size {dim!r}; a size is a positive integer")
    return Atom(name=str(rep), group=group, dim=None if dim is None else int(dim), user=key)
