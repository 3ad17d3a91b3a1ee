"""Representation expressions: immutable, hashable, compared by structure.

Three node types build every expression:

- ``Atom``: the base representation ``V`` of a group (or a user-defined
  representation), possibly dualised (``V.T``), possibly bound to a group;
- ``Sum``: a direct sum, a tuple of ``(term, multiplicity)`` pairs;
- ``Product``: a Kronecker (tensor) product, a tuple of ``(factor, exponent)``.

``Scalar`` is the empty product and ``0`` the empty sum. The smart
constructors (``direct_sum``, ``tensor``, ``dual``, ``bind``) keep the order the
user wrote, because that order defines the coordinates (sums concatenate,
products are row-major Kronecker products); they only make rewrites that leave
every coordinate where it was: nested sums and products are flattened, equal
neighbours merged, duals pushed onto atoms, and a sum in the *leading* factor of
a product distributed (``(A+B)⊗C`` is ``A⊗C + B⊗C``, coordinate for coordinate;
a power of a sum alone, ``(A+B)**k``, stays as written).

Only ``canonical()`` reorders: it returns the normal form (a sum of monomials
sorted by content), and ``layout()`` the permutation between the two
coordinate systems.

>>> from repalg.symbolic.expr import V, Scalar
>>> r = 5 * V * (2 + V)
>>> r.canonical() == (10 * V + 5 * V**2).canonical()
True
>>> repr((10 * V + 5 * V**2).canonical())
'10*V+5*V**2'
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields, replace
from numbers import Integral
from typing import Callable, NamedTuple

import numpy as np

from .backend import numeric
from .group_descriptors import DirectProduct, Embedded, GroupBase
from .weights import convolve

MAX_TERMS = 100_000
"""The most terms a direct sum may spell out; ``n*(A+B)`` beyond it is refused."""

MAX_EXPONENT = 1_000
"""The largest tensor power accepted (``V**k``); larger ones describe no usable space."""

MAX_MULTIPLICITY_BITS = 4096
"""Multiplicities are integers of at most this many bits."""

MAX_DEPTH = 100
"""The deepest nesting of sums inside products inside sums accepted."""

MAX_CANONICAL_WORK = 10_000_000
"""The most monomial products one call of ``canonical()`` may take before it refuses."""

MAX_LAYOUT = 2**30
"""The largest representation whose layout (one int64 per coordinate) is built."""

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _cached_hash(node) -> int:
    # Expressions are immutable and often deep: hash each node once.
    try:
        return node.__dict__["_hash"]
    except KeyError:
        value = hash((type(node).__name__,) + tuple(getattr(node, f.name) for f in fields(node) if f.compare))
        object.__setattr__(node, "_hash", value)
        return value


class Rep:
    """A representation expression. Build them with ``V``, ``Scalar``, ``T``,
    integers and the operators ``+ * ** .T >> <<``, or parse text with
    ``repalg.parse``.

    >>> from repalg.symbolic.expr import V
    >>> from repalg.symbolic.group_descriptors import SO
    >>> (2 * V >> V).size(SO(3))  # linear maps from 2 copies of ℝ³ to ℝ³
    18
    """

    __slots__ = ()

    def __init_subclass__(cls, node: bool = False, **kwargs):
        super().__init_subclass__(**kwargs)
        if not node:  # a representation of the user's own
            _adopt(cls)

    # operators -----------------------------------------------------------

    def __add__(self, other):
        other = _coerce(other)
        return NotImplemented if other is None else direct_sum(self, other)

    def __radd__(self, other):
        other = _coerce(other)
        return NotImplemented if other is None else direct_sum(other, self)

    def __mul__(self, other):
        if _is_int(other):
            return multiplicity(self, other)
        other = _coerce(other)
        return NotImplemented if other is None else tensor(self, other)

    def __rmul__(self, other):
        if _is_int(other):
            return multiplicity(self, other)
        other = _coerce(other)
        return NotImplemented if other is None else tensor(other, self)

    def __pow__(self, k):
        return power(self, k)

    def __rshift__(self, other):
        """``A >> B``: the linear maps from A to B, that is ``B ⊗ A*``."""
        other = _coerce(other)
        return NotImplemented if other is None else hom(self, other)

    def __rrshift__(self, other):
        other = _coerce(other)
        return NotImplemented if other is None else hom(other, self)

    def __lshift__(self, other):
        """``A << B``: the linear maps from B to A, that is ``A ⊗ B*``."""
        other = _coerce(other)
        return NotImplemented if other is None else hom(other, self)

    def __rlshift__(self, other):
        other = _coerce(other)
        return NotImplemented if other is None else hom(self, other)

    @property
    def T(self) -> "Rep":
        """The dual representation (``V.T`` is ``V*``)."""
        return dual(self)

    def __call__(self, group: GroupBase) -> "Rep":
        """Bind every unbound atom to ``group``: ``V(SO(3))``, ``T(2)(O(3))``."""
        return bind(self, group)

    # facts -----------------------------------------------------------------

    def size(self, group: GroupBase | None = None) -> int:
        """The dimension, computed from the expression without building anything.

        >>> from repalg.symbolic.expr import V
        >>> from repalg.symbolic.group_descriptors import S
        >>> (10 * V + 5 * V**2).size(S(5))
        175
        """
        rep = self if group is None else bind(self, group)
        return _size(rep)

    def atoms(self) -> tuple:
        """The distinct atoms of this expression, in order of first appearance."""
        return tuple(dict.fromkeys(_atoms(self)))

    def groups(self) -> tuple:
        """The groups bound in this expression, in order of first appearance."""
        seen: dict = {}
        for atom in _atoms(self):
            if atom.group is not None:
                seen.setdefault(atom.group, None)
        return tuple(seen)

    # normal form -----------------------------------------------------------------
    # normal form -------------------------------------------------------------

    def canonical(self) -> "Rep":
        """The normal form: a sum of monomials with multiplicities, products
        distributed over sums, scalars merged, ``(V*)* = V``, ``V* = V`` for the
        base representation of a (real) orthogonal group, everything sorted by
        content. Idempotent, and the same in every process.

        >>> from repalg.symbolic.expr import V
        >>> (V.T * (V + 1)).canonical()
        V.T+V*V.T
        """
        return _canonical(self)

    def canonical_terms(self) -> tuple:
        """The normal form as ``(monomial, multiplicity)`` pairs, in canonical order.

        >>> from repalg.symbolic.expr import V
        >>> [(repr(m), n) for m, n in (V * (2 + V)).canonical_terms()]
        [('V', 2), ('V**2', 1)]
        """
        normal = self.canonical()
        return normal.terms if isinstance(normal, Sum) else ((normal, 1),)

    def equivalent(self, other) -> bool:
        """Whether both expressions have the same normal form.

        >>> from repalg.symbolic.expr import V
        >>> (5 * V * (2 + V)).equivalent(10 * V + 5 * V**2)
        True
        """
        coerced = _coerce(other)
        if coerced is None:
            raise TypeError(f"cannot compare a representation with {other!r}")
        return self.canonical() == coerced.canonical()

    def layout(self) -> np.ndarray:
        """The permutation from the user's coordinates to the canonical ones:
        ``x_user[perm]`` is the same vector in the coordinates of ``canonical()``.
        Computed only when asked (it has one entry per coordinate).

        >>> from repalg.symbolic.expr import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> (V * (1 + V))(SO(2)).layout().tolist()
        [0, 3, 1, 2, 4, 5]
        """
        known = self.__dict__.get("_known_layout")
        if known is None:  # kept on the node (read-only): layers ask for it again and again
            known = _layout(self)
            known.flags.writeable = False
            object.__setattr__(self, "_known_layout", known)
        return known

    # numbers, from repalg.numeric ------------------------------------------

    def rho(self, g):
        """The action of the group element ``g`` (a matrix, or a dict of one
        matrix per group for several groups) as a structured linear operator."""
        return numeric().rho(self, g)

    def rho_dense(self, g):
        """``rho(g)`` as a dense matrix; traceable by ``jax.jit`` and ``jax.vmap``."""
        return numeric().rho(self, g).dense()

    def drho(self, A):
        """The action of the Lie algebra element ``A`` (or a dict per group) as a
        structured linear operator."""
        return numeric().drho(self, A)

    def drho_dense(self, A):
        """``drho(A)`` as a dense matrix."""
        return numeric().drho(self, A).dense()

    def equivariant_basis(self):
        """An orthonormal basis of the invariant vectors ``{v : rho(g) v = v}``
        (for ``A >> B``, the equivariant maps from A to B, flattened row-major),
        in this expression's coordinates, as a lazy matrix of shape (size, rank)."""
        return numeric().equivariant_basis(self)

    def equivariant_projector(self):
        """The orthogonal projector onto the equivariant subspace, applied lazily."""
        return numeric().equivariant_projector(self)

    # decomposition ---------------------------------------------------------

    def decompose(self):
        """The isotypic decomposition: irreducibles with multiplicities.

        >>> from repalg.symbolic.expr import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> print((V**2)(SO(3)).decompose())
        Irrep(SO(3),0)+Irrep(SO(3),1)+Irrep(SO(3),2)
        """
        from .decompose import decompose
        return decompose(self)

    def predicted_rank(self) -> int | None:
        """The dimension of the equivariant subspace, from characters alone
        (or, for finite groups without a character theory, Burnside's average
        over their elements); None where there is no prediction: a group
        without a character theory that is not finite, or too large to
        enumerate (``RubiksCube``).

        >>> from repalg.symbolic.expr import T
        >>> from repalg.symbolic.group_descriptors import SO
        >>> T(4, 0, SO(3)).predicted_rank()
        3
        """
        from .decompose import predicted_rank
        return predicted_rank(self)

    def isomorphic(self, other) -> bool:
        """Whether both (bound) representations have the same decomposition.

        >>> from repalg.symbolic.expr import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> (V**2)(SO(2)).isomorphic((2 + V**2)(SO(2)) )
        False
        """
        from .decompose import isomorphic
        coerced = _coerce(other)
        if coerced is None:
            raise TypeError(f"cannot compare a representation with {other!r}")
        return isomorphic(self, coerced)

    def latex(self) -> str:
        r"""The expression in LaTeX.

        >>> from repalg.symbolic.expr import V
        >>> (2 * V + V**2 * V.T).latex()
        '2V \\oplus V^{\\otimes 2} \\otimes V^{*}'
        """
        return _show_latex(self)

    # printing --------------------------------------------------------------

    def __repr__(self) -> str:
        return _show(self, _ASCII)

    def __str__(self) -> str:
        return _show(self, _UNICODE)


@dataclass(frozen=True, repr=False)
class Atom(Rep, node=True):
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
    user: "UserRep | None" = None

    def __post_init__(self):
        if not isinstance(self.args, tuple):
            raise TypeError(f"an atom's args are a tuple, got {self.args!r}")
        if self.dim is not None and (not _is_int(self.dim) or self.dim < 1):
            raise ValueError(f"an atom's dimension is a positive integer, got {self.dim!r}")
        if self.group is not None and not isinstance(self.group, GroupBase):
            raise TypeError(f"an atom is bound to a group, got {self.group!r}")

    __hash__ = _cached_hash

    def sort_key(self) -> tuple:
        group = "" if self.group is None else self.group.sort_key()
        user = "" if self.user is None else self.user.sort_key()
        return (group, self.name, tuple(_arg_key(a) for a in self.args), self.dual, user)


@dataclass(frozen=True, repr=False)
class Sum(Rep, node=True):
    """A direct sum: ``terms`` is a tuple of ``(rep, multiplicity)``, each rep an
    ``Atom`` or a ``Product``. Build it with ``direct_sum``."""

    terms: tuple = ()

    __hash__ = _cached_hash


@dataclass(frozen=True, repr=False)
class Product(Rep, node=True):
    """A Kronecker product: ``factors`` is a tuple of ``(rep, exponent)``, each
    an ``Atom`` or a ``Sum``; the first is an ``Atom`` unless the product is a
    lone power of a sum, ``(A+B)**k``. Build it with ``tensor``."""

    factors: tuple = ()

    __hash__ = _cached_hash


Scalar = Product(())
"""The trivial one-dimensional representation (the empty tensor product)."""

ZERO = Sum(())
"""The zero-dimensional representation (the empty direct sum)."""

V = Vector = Atom("V")
"""The base representation of a group, unbound until called with one."""


def T(p, q=0, G: GroupBase | None = None) -> Rep:
    """Tensors of type (p, q): ``V**p ⊗ (V*)**q``, bound to ``G`` if given.

    >>> from repalg.symbolic.group_descriptors import O
    >>> T(1, 1, O(1, 3)).size()
    16
    """
    p = _nonnegative(p, "T(p,q): p")
    q = _nonnegative(q, "T(p,q): q")
    rep = tensor(power(V, p), power(dual(V), q))
    return rep if G is None else bind(rep, G)


# smart constructors ----------------------------------------------------------

def direct_sum(*reps: Rep) -> Rep:
    """The direct sum, coordinates concatenated in the order given.

    >>> direct_sum(V, V) == 2 * V
    True
    """
    terms: list = []
    for rep in map(_node, reps):
        for term, count in (rep.terms if isinstance(rep, Sum) else ((rep, 1),)):
            if terms and terms[-1][0] == term:
                terms[-1] = (term, terms[-1][1] + count)
            else:
                terms.append((term, count))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"a direct sum of {len(terms)} distinct terms is more than repalg spells out "
                         f"({MAX_TERMS}); write repeated sums as n*(...) of a single term")
    if len(terms) == 1 and terms[0][1] == 1:
        return terms[0][0]
    return _checked(Sum(tuple(terms)))


def tensor(*reps: Rep) -> Rep:
    """The tensor product, coordinates in row-major Kronecker order.

    >>> tensor(V, Scalar, V) == V**2
    True
    """
    reps = tuple(r for r in map(_node, reps) if r != Scalar)
    if ZERO in reps:
        return ZERO
    if len(reps) <= 1:
        return reps[0] if reps else Scalar
    factors: list = []
    for rep in reps:
        for factor, exponent in (rep.factors if isinstance(rep, Product) else ((rep, 1),)):
            count = _scalar_count(factor)
            if count is not None:
                # n scalars ⊗ m scalars are n·m scalars, in the same order
                previous = _scalar_count(factors[-1][0]) if factors else None
                if previous is not None:
                    factors.pop()
                    count *= previous
                factors.append((multiplicity(Scalar, _scalar_power(count, exponent)), 1))
            elif factors and factors[-1][0] == factor:
                factors[-1] = (factor, factors[-1][1] + exponent)
            else:
                factors.append((factor, exponent))
    if isinstance(factors[0][0], Sum):
        return _distribute_leading(factors)
    if len(factors) == 1:
        return _lone_power(*factors[0])
    for factor, exponent in factors:
        _check_exponent(exponent)
    return _checked(Product(tuple(factors)))


def _lone_power(factor: Rep, exponent: int) -> Rep:
    return factor if exponent == 1 else _checked(Product(((factor, _check_exponent(exponent)),)))


def _check_exponent(k: int) -> int:
    if k > MAX_EXPONENT:
        raise ValueError(f"the tensor power {k} is larger than repalg accepts ({MAX_EXPONENT})")
    return k


def _scalar_power(count: int, k: int) -> int:
    if count > 1 and (count.bit_length() - 1) * k > MAX_MULTIPLICITY_BITS:
        raise ValueError(f"a multiplicity of more than {MAX_MULTIPLICITY_BITS} bits is more than repalg accepts")
    return count**k


def _bounded(count: int) -> int:
    if count.bit_length() > MAX_MULTIPLICITY_BITS:
        raise ValueError(f"a multiplicity of more than {MAX_MULTIPLICITY_BITS} bits is more than repalg accepts")
    return count


def _depth(rep: Rep) -> int:
    """How deeply sums and products nest (an atom is 0); cached per node."""
    if isinstance(rep, Atom):
        return 0
    cached = rep.__dict__.get("_depth")
    if cached is None:
        parts = rep.terms if isinstance(rep, Sum) else rep.factors
        cached = 1 + max((_depth(p) for p, _ in parts), default=0)
        object.__setattr__(rep, "_depth", cached)
    return cached


def _checked(rep: Rep) -> Rep:
    if _depth(rep) > MAX_DEPTH:
        raise ValueError(f"the expression nests sums and products more than {MAX_DEPTH} levels deep")
    return rep


def _scalar_count(rep: Rep) -> int | None:
    """n for a sum of n scalars, else None."""
    if isinstance(rep, Sum) and len(rep.terms) == 1 and rep.terms[0][0] == Scalar:
        return rep.terms[0][1]
    return None


def _distribute_leading(factors: list) -> Rep:
    # (A + B) ⊗ C has the coordinates of A⊗C + B⊗C: the leading factor's
    # blocks are contiguous in row-major order. With F(r) = first**r ⊗ rest,
    # F(r) is the terms t of the leading sum, each as t ⊗ F(r-1) -- except a
    # Scalar term, which stands for F(r-1) itself, expanded in place. An
    # explicit stack keeps this linear in the output and free of recursion.
    (first, exponent), rest = factors[0], tuple(factors[1:])
    base = tensor(*(power(f, e) for f, e in rest))
    base_terms = base.terms if isinstance(base, Sum) else ((base, 1),)
    out: list = []
    stack = [(exponent, 0)]
    while stack:
        r, i = stack.pop()
        if r == 0:
            out.extend(base_terms)
        elif i < len(first.terms):
            stack.append((r, i + 1))
            term, count = first.terms[i]
            if term == Scalar:
                if count > MAX_TERMS:
                    raise ValueError(f"expanding {Product(tuple(factors))!r} gives more than {MAX_TERMS} terms")
                stack.extend([(r - 1, 0)] * count)
            else:
                raw = Product(((first, r - 1),) + rest if r > 1 else rest)
                out.append((tensor(term, raw), count))
        if len(out) > MAX_TERMS:
            raise ValueError(f"expanding {Product(tuple(factors))!r} gives more than {MAX_TERMS} terms")
    return direct_sum(*(multiplicity(rep, count) for rep, count in out))


def multiplicity(rep: Rep, n) -> Rep:
    """``n`` copies of ``rep`` side by side (``n*rep`` and ``rep*n``).

    >>> multiplicity(V, 3) == V + V + V
    True
    """
    n = _bounded(_nonnegative(n, "a multiplicity"))
    rep = _node(rep)
    if n == 0 or rep == ZERO:
        return ZERO
    if not isinstance(rep, Sum):
        return Sum(((rep, n),)) if n > 1 else rep
    if len(rep.terms) == 1:
        term, count = rep.terms[0]
        return Sum(((term, _bounded(count * n)),))
    if n * len(rep.terms) > MAX_TERMS:
        raise ValueError(f"{n} copies of a sum of {len(rep.terms)} terms is more than repalg spells out "
                         f"({MAX_TERMS} terms)")
    return direct_sum(*([rep] * n))


def power(rep: Rep, k) -> Rep:
    """The k-th tensor power (``rep**k``); ``rep**0`` is ``Scalar``. A power
    of a sum stays a power: ``(V+V.T)**2`` is not spelled out.

    >>> power(V, 0) == Scalar
    True
    """
    k = _check_exponent(_nonnegative(k, "a tensor power's exponent"))
    rep = _node(rep)
    if k == 0 or rep == Scalar:
        return Scalar
    if rep == ZERO or k == 1:
        return rep
    count = _scalar_count(rep)
    if count is not None:
        return multiplicity(Scalar, _scalar_power(count, k))
    if not isinstance(rep, Product):
        return _lone_power(rep, k)
    if len(rep.factors) == 1:
        factor, exponent = rep.factors[0]
        return _lone_power(factor, exponent * k)
    # (A⊗B)**2 is A⊗B⊗A⊗B, not A⊗A⊗B⊗B: the coordinates differ
    if k * len(rep.factors) > MAX_TERMS:
        raise ValueError(f"the power {k} of a product of {len(rep.factors)} factors is more than repalg spells out")
    return tensor(*([rep] * k))


def dual(rep: Rep) -> Rep:
    """The dual representation, pushed onto the atoms (``(A⊗B)* = A*⊗B*``).

    >>> dual(dual(V)) == V
    True
    """
    rep = _node(rep)
    if isinstance(rep, Atom):
        if rep.user is not None and _orthogonal(rep.group):
            return rep  # emlp's default for its users' representations: V* = V
        return replace(rep, dual=not rep.dual)
    if isinstance(rep, Sum):
        return direct_sum(*(multiplicity(dual(t), m) for t, m in rep.terms))
    return _map_factors(rep, dual)


def hom(source: Rep, target: Rep) -> Rep:
    """The linear maps from ``source`` to ``target``: ``target ⊗ source*``, a
    matrix of shape (size(target), size(source)) flattened row-major.

    >>> hom(V, 2 * V) == 2 * V * V.T
    True
    """
    return tensor(target, dual(source))


def bind(rep: Rep, group: GroupBase) -> Rep:
    """Bind the unbound atoms of ``rep`` to ``group``; atoms already bound keep
    their group, so ``(V(SO(3)) + V)(S(4))`` mixes two groups. Binding an
    expression whose atoms are all bound to other groups is an error.

    >>> from repalg.symbolic.group_descriptors import SO, S
    >>> (V(SO(3)) + V)(SO(3)) == (2 * V)(SO(3))
    True
    >>> (V(SO(3)) + V)(S(4)).size()
    7
    """
    if not isinstance(group, GroupBase):
        raise TypeError(f"a representation is bound to a group, got {group!r}")
    rep = _node(rep)
    atoms = list(_atoms(rep))
    if atoms and all(a.group is not None for a in atoms) and any(a.group != group for a in atoms):
        raise ValueError(f"{rep!r} is already bound to {', '.join(map(str, rep.groups()))}; "
                         f"it cannot be bound to {group}")
    return _bind_free(rep, group)


def _bind_free(rep: Rep, group: GroupBase) -> Rep:
    if isinstance(rep, Atom):
        if rep.group is not None:
            return rep
        return replace(rep, group=group) if rep.user is None else rep.user.bound(group)
    if isinstance(rep, Sum):
        return direct_sum(*(multiplicity(_bind_free(t, group), m) for t, m in rep.terms))
    return _map_factors(rep, lambda factor: _bind_free(factor, group))


def _map_factors(rep: Product, change) -> Rep:
    return tensor(*(power(change(f), e) for f, e in rep.factors))


def _coerce(value) -> Rep | None:
    """The one coercion helper: reps stay, integers n become n*Scalar."""
    if isinstance(value, Rep):
        return _node(value)
    if _is_int(value):
        return multiplicity(Scalar, value)
    return None


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _nonnegative(value, what: str) -> int:
    if not _is_int(value):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be non-negative, got {value}")
    return int(value)


def _arg_key(arg) -> tuple:
    return (0, arg, "") if _is_int(arg) else (1, 0, str(arg))


# representations of the user's own, emlp's way --------------------------------
# emlp's users subclass Rep and define rho(M), optionally drho(A), size(),
# __str__ and __call__(G), with the group in self.G. Such an object enters
# every expression as an Atom that holds it (``Atom.user``); the methods it
# does not define are those of that atom, and emlp's defaults fill the rest.

_DELEGATED = ("size", "atoms", "groups", "canonical", "canonical_terms", "equivalent", "layout", "rho",
              "rho_dense", "drho", "drho_dense", "equivariant_basis", "equivariant_projector", "decompose",
              "predicted_rank", "isomorphic", "latex", "__repr__")
_OWN = ("rho", "drho", "size", "__str__", "__call__", "__eq__", "T")
_UNCOMPARED = ("_size", "is_permutation", "is_orthogonal", "_known_layout")  # left out of equality, as in emlp (and repalg's memo)


class UserRep:
    """A representation of the user's own inside an ``Atom``: two are equal
    when the user's ``__eq__`` says so or, by emlp's default, when they are of
    the same type with equal attributes.

    >>> import numpy as np
    >>> from repalg.symbolic.group_descriptors import S
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
        return name in type(self.rep)._repalg_own

    def bound(self, group: GroupBase) -> Rep:
        """The representation for ``group``: the user's ``__call__(G)``, or a
        copy with ``G`` set."""
        if self.defines("__call__"):
            return _node(self.rep(group))
        rep = copy.copy(self.rep)
        rep.G = group
        return _node(rep)

    def sort_key(self) -> tuple:
        state = sorted((k, str(v)) for k, v in _state(self.rep).items())
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


def _adopt(cls) -> None:
    """Fill in what a user's Rep subclass leaves out (called once per class)."""
    cls._repalg_own = frozenset(name for name in _OWN if _defines(cls, name))
    for name in _DELEGATED:
        if name not in cls._repalg_own:
            setattr(cls, name, _delegate(name))
    if "__eq__" not in cls._repalg_own:
        cls.__eq__, cls.__hash__ = _user_eq, _user_hash
    if "__str__" not in cls._repalg_own:
        cls.__str__ = _type_name
    if "T" not in cls._repalg_own:
        cls.T = _USER_DUAL


def _defines(cls, name: str) -> bool:
    for klass in cls.__mro__:
        if klass is Rep:
            return False
        value = klass.__dict__.get(name)
        if value is not None:
            return not (getattr(value, "_delegate", False) or value is _USER_DUAL)
    return False


def _filled(function):
    function._delegate = True
    return function


@_filled
def _user_eq(self, other) -> bool:
    return isinstance(other, Rep) and UserRep(self) == UserRep(other)


@_filled
def _user_hash(self) -> int:
    values = []
    for k, v in sorted(_state(self).items()):
        try:
            values.append((k, hash(v)))
        except TypeError:
            values.append((k, None))
    return hash((type(self).__qualname__, tuple(values)))


@_filled
def _type_name(self) -> str:
    return type(self).__name__


@property
def _USER_DUAL(self) -> Rep:
    """The dual representation; itself for an orthogonal group, as in emlp."""
    return self if _orthogonal(getattr(self, "G", None)) else dual(self)


def _delegate(name: str):
    method = getattr(Rep, name)

    def delegated(self, *args, **kwargs):
        return method(_user_atom(self), *args, **kwargs)

    delegated.__name__, delegated.__doc__ = name, method.__doc__
    return _filled(delegated)


def _state(rep) -> dict:
    return {k: v for k, v in vars(rep).items() if k not in _UNCOMPARED}


def _same_state(a, b) -> bool:
    x, y = _state(a), _state(b)
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


def _node(rep):
    """Expressions stay as they are; a user's representation becomes its atom."""
    if isinstance(rep, (Atom, Sum, Product)) or not isinstance(rep, Rep):
        return rep
    return _user_atom(rep)


def _user_atom(rep: Rep) -> Atom:
    key = UserRep(rep)
    group = getattr(rep, "G", None)
    if group is not None and not isinstance(group, GroupBase):
        raise TypeError(f"the representation {type(rep).__name__} has G = {group!r}, which is not a group")
    if key.defines("size"):
        dim = rep.size()
    elif group is None:
        dim = None  # known once bound to a group
    else:
        dim = vars(rep).get("_size")
        if dim is None:
            dim = numeric().user_size(rep)
            rep._size = dim
    if dim is not None and (not hasattr(dim, "__index__") or int(dim) < 1):
        raise ValueError(f"the representation {rep} has size {dim!r}; a size is a positive integer")
    return Atom(name=str(rep), group=group, dim=None if dim is None else int(dim), user=key)


# facts -----------------------------------------------------------------------

def _atoms(rep: Rep):
    if isinstance(rep, Atom):
        yield rep
    else:
        for part, _ in (rep.terms if isinstance(rep, Sum) else rep.factors):
            yield from _atoms(part)


def _size(rep: Rep) -> int:
    if isinstance(rep, Atom):
        if rep.dim is not None:
            return rep.dim
        if rep.group is None:
            raise ValueError(f"the size of {rep!r} depends on its group, and none is bound: "
                             f"bind one, as in V(SO(3)), or pass it, as in rep.size(SO(3))")
        return rep.group.d
    if isinstance(rep, Sum):
        return sum(m * _size(t) for t, m in rep.terms)
    return math.prod(_size(f) ** e for f, e in rep.factors)


# normal form -----------------------------------------------------------------
# Within one call, the distinct atoms are numbered in content order and a
# monomial is a tuple of exponents, one per atom; a polynomial is a dict
# {monomial: multiplicity}. Sub-results are memoised by node (nodes are
# immutable and hash once), and the total work is bounded.

def _normal_atom(atom: Atom) -> Atom:
    group = atom.group
    # V and the irreducibles of a compact real group act by orthogonal matrices
    # (and, by emlp's convention, the representations of its users)
    if (atom.dual and (atom.dim is None or atom.name == "Irrep" or atom.user is not None)
            and _orthogonal(group)):
        return replace(atom, dual=False)
    return atom


def _orthogonal(group: GroupBase | None) -> bool:
    return group is not None and group.is_orthogonal and not group.is_complex


class _Normalizer:
    def __init__(self, rep: Rep):
        atoms = {_normal_atom(a) for a in _atoms(rep)}
        self.atoms = sorted(atoms, key=Atom.sort_key)
        self.index = {a: i for i, a in enumerate(self.atoms)}
        self.one = (0,) * len(self.atoms)
        self.memo: dict = {}
        self.powers: dict = {}
        self.work = 0

    def product(self, p: dict, q: dict) -> dict:
        self.work += len(p) * len(q)
        if self.work > MAX_CANONICAL_WORK:
            raise ValueError(f"the canonical form takes more than {MAX_CANONICAL_WORK} monomial "
                             f"products to compute; the expression is too large to normalize")
        return convolve(p, q)

    def power(self, node: Rep, k: int) -> dict:
        known = self.powers.setdefault(node, {0: {self.one: 1}, 1: self.polynomial(node)})
        if k not in known:
            if k - 1 in known:
                known[k] = self.product(known[k - 1], known[1])
            else:
                half = self.power(node, k // 2)
                known[k] = self.product(half, half if k % 2 == 0 else self.power(node, k - k // 2))
        return known[k]

    def polynomial(self, rep: Rep) -> dict:
        if rep in self.memo:
            return self.memo[rep]
        if isinstance(rep, Atom):
            monomial = list(self.one)
            monomial[self.index[_normal_atom(rep)]] = 1
            out = {tuple(monomial): 1}
        elif isinstance(rep, Sum):
            out = {}
            for term, count in rep.terms:
                for m, c in self.polynomial(term).items():
                    out[m] = out.get(m, 0) + c * count
        else:
            out = {self.one: 1}
            for factor, exponent in rep.factors:
                out = self.product(out, self.power(factor, exponent))
        self.memo[rep] = out
        return out

    def sort_key(self, monomial: tuple) -> tuple:
        return (sum(monomial), tuple(-e for e in monomial))

    def rep(self, poly: dict) -> Rep:
        terms = []
        for monomial in sorted((m for m, c in poly.items() if c), key=self.sort_key):
            product = tensor(*(power(a, e) for a, e in zip(self.atoms, monomial) if e))
            terms.append(multiplicity(product, poly[monomial]))
        return direct_sum(*terms)


def _canonical(rep: Rep) -> Rep:
    normalizer = _Normalizer(rep)
    return normalizer.rep(normalizer.polynomial(rep))


def _blocks(rep: Rep) -> list:
    """The expression as blocks ``(atoms, index)``: ``index`` has one axis per
    atom occurrence (in the user's Kronecker order) and holds user coordinates."""
    if isinstance(rep, Atom):
        return [((rep,), np.arange(_size(rep)))]
    if isinstance(rep, Sum):
        out, offset = [], 0
        for term, count in rep.terms:
            sub, width = _blocks(term), _size(term)
            for _ in range(count):
                out.extend((atoms, index + offset) for atoms, index in sub)
                offset += width
        return out
    out = [((), np.zeros((), dtype=np.int64))]
    for factor, exponent in rep.factors:
        sub, width = _blocks(factor), _size(factor)
        for _ in range(exponent):
            out = [(a1 + a2, np.multiply.outer(i1 * width, np.ones_like(i2)) + i2)
                   for a1, i1 in out for a2, i2 in sub]
    return out


def _layout(rep: Rep) -> np.ndarray:
    size = _size(rep)
    if size > MAX_LAYOUT:
        raise ValueError(f"the layout of {rep!r} has {size} entries ({8 * size / 2**30:.3g} GiB as int64), "
                         f"more than repalg builds ({MAX_LAYOUT})")
    normalizer = _Normalizer(rep)
    pieces = []
    for atoms, index in _blocks(rep):
        ranks = [normalizer.index[_normal_atom(a)] for a in atoms]
        order = sorted(range(len(ranks)), key=ranks.__getitem__)
        monomial = [0] * len(normalizer.atoms)
        for r in ranks:
            monomial[r] += 1
        pieces.append((normalizer.sort_key(tuple(monomial)), np.transpose(index, order).reshape(-1)))
    pieces.sort(key=lambda piece: piece[0])
    if not pieces:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([index for _, index in pieces]).astype(np.int64)


# printing --------------------------------------------------------------------

class _Style(NamedTuple):
    plus: str
    times: str
    scalar: str
    count: Callable[[int, str], str]
    exponent: Callable[[str, int], str]
    dual: Callable[[str], str]
    bound: Callable[[str, GroupBase], str]


def _subscript(text: str, group: GroupBase) -> str:
    simple = not isinstance(group, (DirectProduct, Embedded))
    return f"{text}_{group}" if simple else f"{text}_{{{group}}}"


_ASCII = _Style(plus="+", times="*", scalar="Scalar", count=lambda n, t: f"{n}*{t}",
                exponent=lambda t, k: f"{t}**{k}", dual=lambda t: f"{t}.T", bound=lambda t, g: f"{t}({g})")
_UNICODE = _Style(plus="+", times="⊗", scalar="V⁰", count=lambda n, t: f"{n}{t}",
                  exponent=lambda t, k: t + str(k).translate(_SUPERSCRIPTS), dual=lambda t: f"{t}*",
                  bound=_subscript)


def _argument_text(arg) -> str:
    if isinstance(arg, tuple):
        return "(" + ",".join(_argument_text(a) for a in arg) + ("," if len(arg) == 1 else "") + ")"
    return str(arg)


def _show(rep: Rep, style: _Style) -> str:
    groups = rep.groups()
    atoms = list(_atoms(rep))
    if all(a.name == "Irrep" and a.dim is not None for a in atoms):
        return _text(rep, style, omit=None)
    if len(groups) == 1 and all(a.group is not None for a in atoms):
        inner = _text(rep, style, omit=groups[0])
        if isinstance(rep, Atom) and not rep.dual and not rep.args:
            return f"{inner}({groups[0]})"
        return f"({inner})({groups[0]})"
    return _text(rep, style, omit=None)


def _text(rep: Rep, style: _Style, omit) -> str:
    if isinstance(rep, Atom):
        text = rep.name
        if rep.args:
            text += "(" + ",".join(_argument_text(a) for a in rep.args) + ")"
        if rep.group is not None and rep.group != omit and not (rep.name == "Irrep" and rep.dim is not None):
            text = style.bound(text, rep.group)
        return style.dual(text) if rep.dual else text
    if isinstance(rep, Sum):
        if not rep.terms:
            return "0"
        if len(rep.terms) == 1 and rep.terms[0][0] == Scalar:
            # n scalars print as n*Scalar: a bare (n) in a product would read
            # as the integer n, a multiplicity, not a tensor factor.
            return style.count(rep.terms[0][1], style.scalar)
        parts = []
        for start, period, repeats in _runs(rep.terms):
            if repeats > 1:  # n*(A+B) reads back as the same n·2 terms
                block = _text(Sum(rep.terms[start:start + period]), style, omit)
                parts.append(style.count(repeats, f"({block})"))
                continue
            term, count = rep.terms[start]
            if term == Scalar:
                parts.append(str(count))
            else:
                text = _text(term, style, omit)
                parts.append(text if count == 1 else style.count(count, text))
        return style.plus.join(parts)
    if not rep.factors:
        return style.scalar
    parts = []
    for factor, exponent in rep.factors:
        text = _text(factor, style, omit)
        if isinstance(factor, Sum):
            text = f"({text})"
        parts.append(text if exponent == 1 else style.exponent(text, exponent))
    return style.times.join(parts)


_LONGEST_BLOCK = 16


def _runs(terms: tuple) -> list:
    """The terms of a sum as ``(start, period, repeats)``: a block of terms
    repeated back to back (as ``n*(A+B)`` spells it) is one run."""
    out, i, n = [], 0, len(terms)
    while i < n:
        best = (1, 1)
        for p in range(2, min(_LONGEST_BLOCK, (n - i) // 2) + 1):
            block, r = terms[i:i + p], 1
            while terms[i + r * p:i + (r + 1) * p] == block:
                r += 1
            if r > 1 and p * r > best[0] * best[1]:
                best = (p, r)
        out.append((i, *best))
        i += best[0] * best[1]
    return out


def _show_latex(rep: Rep) -> str:
    if isinstance(rep, Atom):
        if rep.name == "Irrep" and rep.dim is not None:
            from .decompose import irrep_latex
            text = irrep_latex(rep)
        else:
            text = rep.name if not rep.args else f"{rep.name}({','.join(_argument_text(a) for a in rep.args)})"
        return text + "^{*}" if rep.dual else text
    if isinstance(rep, Sum):
        if not rep.terms:
            return "0"
        parts = []
        for term, count in rep.terms:
            text = _show_latex(term)
            if term == Scalar:
                parts.append(str(count))
            else:
                parts.append(text if count == 1 else f"{count}{text}" if isinstance(term, Atom) else f"{count}({text})")
        return r" \oplus ".join(parts)
    if not rep.factors:
        return r"\mathbb{R}"
    parts = []
    for factor, exponent in rep.factors:
        text = _show_latex(factor)
        if isinstance(factor, Sum):
            text = f"({text})"
        parts.append(text if exponent == 1 else f"{text}^{{\\otimes {exponent}}}")
    return r" \otimes ".join(parts)
