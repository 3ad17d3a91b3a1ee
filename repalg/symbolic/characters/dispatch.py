"""Which character theory a group has, if any.

>>> from repalg.symbolic.group_descriptors import SO
>>> type(theory(SO(3))).__name__
'Connected'
"""

from __future__ import annotations

from functools import lru_cache

from .. import weights as W
from ..group_descriptors import DirectProduct, Embedded, GroupBase, NamedGroup
from .connected import (
    Connected,
    general_linear,
    negate,
    special_orthogonal,
    vector_weights,
)
from .dihedral import Dihedral
from .even_orthogonal import EvenOrthogonal
from .odd_orthogonal import OddOrthogonal
from .padded import Padded
from .product import ProductTheory
from .symmetric import Symmetric
from .theory import Theory

MAX_RANK = 32
"""Groups whose torus has a larger rank (SO(n) for n > 65, SU(n) for n > 32)
get no character theory: their root systems alone would be too large."""


MAX_CYCLIC = 100_000
"""Z(n) beyond this order gets no character theory (its V has n weights)."""


MAX_PARTITION = 10_000
"""S(n) beyond this n gets no character theory for its irreducibles' labels."""


@lru_cache(maxsize=256)
def theory(group: GroupBase) -> Theory | None:
    """The character theory of a single (not product) group, or None where
    repalg has no closed form (decompose numerically then).

    >>> from repalg.symbolic.group_descriptors import O
    >>> theory(O(3)).dim((2, -1))
    5
    """
    if isinstance(group, DirectProduct):
        factors = tuple(theory(g) for g in group.factors)
        return None if None in factors else ProductTheory(factors)
    if isinstance(group, Embedded):
        base = theory(group.base)
        return None if base is None else Padded(base, group.n - group.base.d)
    if not isinstance(group, NamedGroup):
        return None
    name, args = group.name, group.args
    if name in ("SO", "O", "SO+", "SU", "U", "SL", "GL", "Sp") and group.d // (1 if name in ("SU", "U", "SL", "GL") else 2) > MAX_RANK:
        return None
    if (name == "Z" and args[0] > MAX_CYCLIC) or (name == "S" and args[0] > MAX_PARTITION):
        return None
    if name in ("SO", "O", "SO+") and len(args) == 2:
        p, q = args
        n = p + q
        if name == "O" or (name == "SO" and n % 2):
            return orthogonal(n)
        return special_orthogonal(n, flip_conj=n % 2 == 0 and p % 2 == 1)
    if name == "SO":
        return special_orthogonal(args[0]) if args[0] > 1 else trivial(1)
    if name == "O":
        return orthogonal(args[0])
    if name in ("SU", "SL"):
        return general_linear(args[0], special=True, complex=name == "SU")
    if name in ("U", "GL"):
        return general_linear(args[0], special=False, complex=name == "U")
    if name == "Sp":
        m = args[0]
        return Connected(W.root_system("C", m), vector_weights("C", m), lambda w: w, lambda w: w)
    if name == "Scaling":
        return Connected(W.root_system("T", 1), {(1,): args[0]}, negate, lambda w: w)
    if name == "Trivial":
        return trivial(args[0])
    if name == "C":
        return Dihedral(args[0], False, {(1,): 1, (-1,): 1})
    if name == "D":
        return Dihedral(args[0], True, {(1,): 1, (-1,): 1})
    if name == "Z":
        return Dihedral(args[0], False, {(a,): 1 for a in range(args[0])})
    if name == "S":
        return Symmetric(args[0])
    return None


def orthogonal(n: int) -> Theory:
    """O(n), odd or even."""
    return OddOrthogonal(n) if n % 2 else EvenOrthogonal(n)


def trivial(n: int) -> Theory:
    """A group acting trivially on ℝⁿ."""
    return Connected(W.root_system("T", 0), {(): n}, lambda w: w, lambda w: w)
