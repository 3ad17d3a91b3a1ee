"""Groups as symbolic descriptors: a name, integer parameters and the facts the
algebra needs (the dimension ``d`` of the base representation, and whether the
group is orthogonal, a permutation group, compact, or acts on ℂᵈ).

No numbers live here: the generators of each group are attached by
``repalg.numeric``. Descriptors are frozen, hashable and compared by content,
so ``O(1,3)``, ``O13()`` and ``Lorentz()`` are one and the same object value.

>>> from repalg.symbolic.group_descriptors import SO, S
>>> (SO(3) * S(4)).d
12
>>> str(SO(3) * S(4))
'SO(3)xS(4)'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .backend import numeric
from numbers import Integral


class GroupBase:
    """What every group descriptor offers: ``d``, the property flags,
    ``G1 * G2`` for the direct product, and a parseable ``str``/``repr``."""

    __slots__ = ()

    def __mul__(self, other: "GroupBase") -> "DirectProduct":
        if not isinstance(other, GroupBase):
            return NotImplemented
        return direct_product(self, other)

    def __repr__(self) -> str:
        return str(self)

    def sort_key(self) -> str:
        """A content-based key that orders groups the same way in every process."""
        return str(self)

    def digest(self) -> str:
        """What tells apart two groups of the same name: a digest of the
        generators for groups of the user's own, empty for built-in groups
        (whose name and arguments fix them)."""
        return ""

    # A total order, the same in every process, so that dicts keyed by groups
    # are JAX pytrees (JAX sorts their keys): by name, then by generators.

    def _order(self, other) -> tuple | None:
        if not isinstance(other, GroupBase):
            return None
        a, b = self.sort_key(), other.sort_key()
        return (a, b) if a != b else (self.digest(), other.digest())

    def __lt__(self, other):
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other):
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other):
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other):
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] >= pair[1]

    # numbers, from repalg.numeric ------------------------------------------

    @property
    def lie_algebra(self):
        """The Lie algebra generators of the base representation, shape (k, d, d)."""
        return numeric().lie_algebra(self)

    @property
    def discrete_generators(self):
        """The discrete generators of the base representation, shape (m, d, d)."""
        return numeric().discrete_generators(self)

    def num_constraints(self) -> int:
        """How many generators constrain an equivariant map (as in emlp)."""
        return len(self.lie_algebra) + len(self.discrete_generators)

    def samples(self, n: int, key=None, rounds: int = 3):
        """``n`` group elements, shape (n, d, d): an int seed or a JAX key makes
        them reproducible; without one, numpy's global generator is used (as
        emlp). Each is a random Lie algebra element's exponential times
        ``rounds`` rounds of random powers of the discrete generators (emlp's
        three; more mix a finite group's elements further)."""
        return numeric().samples(self, n, key, rounds)

    def sample(self, key=None):
        """One group element, shape (d, d)."""
        return self.samples(1, key)[0]


@dataclass(frozen=True, repr=False)
class NamedGroup(GroupBase):
    """A built-in group named ``name(args)`` acting on ℝᵈ (or ℂᵈ when
    ``is_complex``); its generators come from ``repalg.numeric``.

    >>> NamedGroup("SO", (3,), d=3, is_orthogonal=True, is_compact=True)
    SO(3)
    """

    name: str
    args: tuple = ()
    d: int = 1
    is_orthogonal: bool = False
    is_permutation: bool = False
    is_compact: bool = False
    is_complex: bool = False
    is_discrete: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a group has a name, got {self.name!r}")
        if not isinstance(self.args, tuple):
            raise TypeError(f"a group's args are a tuple, got {self.args!r}")
        if isinstance(self.d, bool) or not isinstance(self.d, Integral) or self.d < 1:
            raise ValueError(f"the group {self.name} must act on at least one dimension (d >= 1), got d={self.d!r}")

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({','.join(str(a) for a in self.args)})"


@dataclass(frozen=True, repr=False)
class DirectProduct(GroupBase):
    """``G1 * G2 * ...`` acting on the Kronecker product of the base spaces
    (as in emlp, so ``V(SO(3)*S(4))`` has size 12).

    >>> direct_product(SO(3), S(4)).d
    12
    """

    factors: tuple = field(default=())

    @property
    def d(self) -> int:
        return math.prod(g.d for g in self.factors)

    @property
    def is_orthogonal(self) -> bool:
        return all(g.is_orthogonal for g in self.factors)

    @property
    def is_permutation(self) -> bool:
        return all(g.is_permutation for g in self.factors)

    @property
    def is_compact(self) -> bool:
        return all(g.is_compact for g in self.factors)

    @property
    def is_complex(self) -> bool:
        return any(g.is_complex for g in self.factors)

    @property
    def is_discrete(self) -> bool:
        return all(g.is_discrete for g in self.factors)

    def __str__(self) -> str:
        return "x".join(_group_operand(g) for g in self.factors)  # emlp prints SO(3)xS(4), and users split on it

    def digest(self) -> str:
        return "|".join(g.digest() for g in self.factors)


@dataclass(frozen=True, repr=False)
class Embedded(GroupBase):
    """``G`` acting on the first ``G.d`` coordinates of ℝⁿ and fixing the rest
    (emlp's ``SO2eR3``, ``O2eR3``, ``DkeR3(k)``), spelled ``O(2)eR3``.

    >>> embed(O(2), 3).d
    3
    """

    base: GroupBase
    n: int

    @property
    def d(self) -> int:
        return self.n

    @property
    def is_orthogonal(self) -> bool:
        return self.base.is_orthogonal

    @property
    def is_permutation(self) -> bool:
        return self.base.is_permutation

    @property
    def is_compact(self) -> bool:
        return self.base.is_compact

    @property
    def is_complex(self) -> bool:
        return self.base.is_complex

    @property
    def is_discrete(self) -> bool:
        return self.base.is_discrete

    def __str__(self) -> str:
        return f"{_group_operand(self.base)}eR{self.n}"

    def digest(self) -> str:
        return self.base.digest()


def _group_operand(g: GroupBase) -> str:
    return f"({g})" if isinstance(g, (DirectProduct, Embedded)) else str(g)


def direct_product(*groups: GroupBase) -> DirectProduct:
    """The direct product of groups, nested products flattened.

    >>> direct_product(Z(3), direct_product(Z(4), S(2)))
    Z(3)xZ(4)xS(2)
    """
    factors: list[GroupBase] = []
    for g in groups:
        if not isinstance(g, GroupBase):
            raise TypeError(f"a direct product takes groups, got {g!r}")
        factors.extend(g.factors if isinstance(g, DirectProduct) else (g,))
    if len(factors) < 2:
        raise ValueError("a direct product needs at least two groups")
    return DirectProduct(tuple(factors))


def embed(group: GroupBase, n) -> Embedded:
    """``group`` acting on the first ``group.d`` coordinates of ℝⁿ.

    >>> embed(SO(2), 3)
    SO(2)eR3
    """
    n = integer(n, "the embedding dimension", minimum=1)
    if n < group.d:
        raise ValueError(f"cannot embed {group}, which acts on {group.d} dimensions, in R^{n}")
    return Embedded(group, n)


def integer(value, what: str, minimum: int | None = None) -> int:
    """``value`` as an int, or a ValueError that says what was expected."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return value


# The built-in groups: emlp's groups and conventions, as descriptors.

def SO(*args) -> NamedGroup:
    """The special orthogonal group SO(n) on ℝⁿ, or SO(p,q) for two arguments.

    >>> SO(3).is_orthogonal, SO(3).d, SO(1, 3)
    (True, 3, SO(1,3))
    """
    if len(args) != 1:
        return _indefinite("SO", args)
    n = integer(args[0], "SO(n): n", minimum=1)
    return NamedGroup("SO", (n,), d=n, is_orthogonal=True, is_compact=True, is_discrete=n == 1)


def O(*args) -> NamedGroup:
    """The orthogonal group O(n) on ℝⁿ, or the indefinite orthogonal group
    O(p,q) preserving diag(+1,…,-1,…) (``O(1,3)`` is the Lorentz group, time first).

    >>> O(3), O(1, 3).d
    (O(3), 4)
    """
    if len(args) == 1:
        n = integer(args[0], "O(n): n", minimum=1)
        return NamedGroup("O", (n,), d=n, is_orthogonal=True, is_compact=True, is_discrete=n == 1)
    return _indefinite("O", args)


def _indefinite(name: str, args) -> NamedGroup:
    if len(args) != 2:
        raise ValueError(f"{name} takes one argument n or two (p,q), got {len(args)}")
    p = integer(args[0], f"{name}(p,q): p", minimum=1)
    q = integer(args[1], f"{name}(p,q): q", minimum=1)
    return NamedGroup(name, (p, q), d=p + q)


def SOplus(*args) -> NamedGroup:
    """The identity component SO⁺(p,q) (``SO+(1,3)``, emlp's ``SO13p``).

    >>> SOplus(1, 3).d
    4
    """
    if len(args) != 2:
        raise ValueError(f"SO+ takes two arguments (p,q), got {len(args)}")
    return _indefinite("SO+", args)


def Sp(m) -> NamedGroup:
    """emlp's real symplectic group Sp(2m, ℝ) acting on ℝ^2m, written Sp(m).

    >>> Sp(2).d
    4
    """
    m = integer(m, "Sp(m): m", minimum=1)
    return NamedGroup("Sp", (m,), d=2 * m)


def SU(n) -> NamedGroup:
    """The special unitary group SU(n) acting on ℂⁿ.

    >>> SU(3).is_complex
    True
    """
    n = integer(n, "SU(n): n", minimum=1)
    return NamedGroup("SU", (n,), d=n, is_compact=True, is_complex=True, is_discrete=n == 1)


def U(n) -> NamedGroup:
    """The unitary group U(n) acting on ℂⁿ.

    >>> U(2).d
    2
    """
    n = integer(n, "U(n): n", minimum=1)
    return NamedGroup("U", (n,), d=n, is_compact=True, is_complex=True)


def SL(n) -> NamedGroup:
    """The special linear group SL(n) on ℝⁿ.

    >>> SL(3).is_compact
    False
    """
    n = integer(n, "SL(n): n", minimum=1)
    return NamedGroup("SL", (n,), d=n)


def GL(n) -> NamedGroup:
    """The general linear group GL(n) on ℝⁿ (its identity component, as in emlp).

    >>> GL(2).d
    2
    """
    n = integer(n, "GL(n): n", minimum=1)
    return NamedGroup("GL", (n,), d=n)


def C(k) -> NamedGroup:
    """The cyclic group of k rotations of the plane (d = 2).

    >>> C(4).is_discrete
    True
    """
    k = integer(k, "C(k): k", minimum=1)
    return NamedGroup("C", (k,), d=2, is_orthogonal=True, is_compact=True, is_discrete=True)


def D(k) -> NamedGroup:
    """The dihedral group of order 2k acting on the plane (d = 2).

    >>> D(6).d
    2
    """
    k = integer(k, "D(k): k", minimum=1)
    return NamedGroup("D", (k,), d=2, is_orthogonal=True, is_compact=True, is_discrete=True)


def _permutation_group(name: str, d: int, args: tuple = ()) -> NamedGroup:
    return NamedGroup(name, args, d=d, is_orthogonal=True, is_permutation=True,
                 is_compact=True, is_discrete=True)


def Z(n) -> NamedGroup:
    """The cyclic group Z(n) shifting the coordinates of ℝⁿ.

    >>> Z(5).is_permutation
    True
    """
    n = integer(n, "Z(n): n", minimum=1)
    return _permutation_group("Z", n, (n,))


def S(n) -> NamedGroup:
    """The symmetric group S(n) permuting the coordinates of ℝⁿ.

    >>> S(5).d
    5
    """
    n = integer(n, "S(n): n", minimum=1)
    return _permutation_group("S", n, (n,))


def Cube() -> NamedGroup:
    """The 24 rotations of a cube, permuting its 6 faces.

    >>> Cube().d
    6
    """
    return _permutation_group("Cube", 6)


def RubiksCube() -> NamedGroup:
    """The Rubik's cube group, permuting the 48 movable facets.

    >>> RubiksCube().d
    48
    """
    return _permutation_group("RubiksCube", 48)


def ZksZnxZn(k, n) -> NamedGroup:
    """emlp's ``ZksZnxZn(k, n)``: Z(k) ⋉ (Z(n) × Z(n)) permuting k·n² coordinates (k is 2 or 4).

    >>> ZksZnxZn(2, 2).d
    8
    """
    k = integer(k, "ZksZnxZn(k,n): k", minimum=1)
    n = integer(n, "ZksZnxZn(k,n): n", minimum=1)
    if k not in (2, 4):
        raise ValueError(f"ZksZnxZn(k,n): k must be 2 or 4 (a rotation of the n×n grid), got {k}")
    return _permutation_group("ZksZnxZn", k * n * n, (k, n))


def Trivial(n) -> NamedGroup:
    """The trivial group acting on ℝⁿ.

    >>> Trivial(3).d
    3
    """
    n = integer(n, "Trivial(n): n", minimum=1)
    return _permutation_group("Trivial", n, (n,))


def Scaling(n) -> NamedGroup:
    """The group of positive scalings of ℝⁿ.

    >>> Scaling(3).is_orthogonal
    False
    """
    n = integer(n, "Scaling(n): n", minimum=1)
    return NamedGroup("Scaling", (n,), d=n)


def O13() -> NamedGroup:
    """emlp's name for the Lorentz group O(1,3).

    >>> O13() == O(1, 3)
    True
    """
    return O(1, 3)


Lorentz = O13


def SO13() -> NamedGroup:
    """emlp's name for SO(1,3).

    >>> SO13()
    SO(1,3)
    """
    return SO(1, 3)


def SO13p() -> NamedGroup:
    """emlp's name for the proper orthochronous Lorentz group SO⁺(1,3).

    >>> SO13p()
    SO+(1,3)
    """
    return SOplus(1, 3)


def O11() -> NamedGroup:
    """emlp's name for O(1,1).

    >>> O11().d
    2
    """
    return O(1, 1)


def SO11p() -> NamedGroup:
    """emlp's name for SO⁺(1,1).

    >>> SO11p()
    SO+(1,1)
    """
    return SOplus(1, 1)


def SO2eR3() -> Embedded:
    """SO(2) rotating the first two coordinates of ℝ³ (emlp's ``SO2eR3``).

    >>> SO2eR3()
    SO(2)eR3
    """
    return embed(SO(2), 3)


def O2eR3() -> Embedded:
    """O(2) acting on the first two coordinates of ℝ³ (emlp's ``O2eR3``).

    >>> O2eR3()
    O(2)eR3
    """
    return embed(O(2), 3)


def DkeR3(k) -> Embedded:
    """D(k) acting on the first two coordinates of ℝ³ (emlp's ``DkeR3``).

    >>> DkeR3(6)
    D(6)eR3
    """
    return embed(D(k), 3)
