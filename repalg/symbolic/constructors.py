"""The smart constructors of expressions: ``direct_sum``, ``tensor``,
``multiplicity``, ``power``, ``dual``, ``hom``, ``bind`` and ``T``.

They keep the order the user wrote, because that order defines the
coordinates (sums concatenate, products are row-major Kronecker products);
they only make rewrites that leave every coordinate where it was: nested sums
and products are flattened, equal neighbours merged, duals pushed onto atoms,
and a sum in the *leading* factor of a product distributed (``(A+B)⊗C`` is
``A⊗C + B⊗C``, coordinate for coordinate; a power of a sum alone,
``(A+B)**k``, stays as written). Only ``canonical()`` reorders
(``normal_form.py``).

>>> tensor(direct_sum(V, Scalar), V) == direct_sum(tensor(V, V), V)
True
"""

from __future__ import annotations

from dataclasses import replace

from .group_descriptors import GroupBase
from .nodes import (
    ZERO,
    Atom,
    Product,
    Rep,
    Scalar,
    Sum,
    V,
    is_int,
    iter_atoms,
    orthogonal,
)
from .user_reps import as_node

MAX_TERMS = 100_000
"""The most terms a direct sum may spell out; ``n*(A+B)`` beyond it is refused."""


MAX_EXPONENT = 1_000
"""The largest tensor power accepted (``V**k``); larger ones describe no usable space."""


MAX_MULTIPLICITY_BITS = 4096
"""Multiplicities are integers of at most this many bits."""


MAX_DEPTH = 100
"""The deepest nesting of sums inside products inside sums accepted."""


def direct_sum(*reps: Rep) -> Rep:
    """The direct sum, coordinates concatenated in the order given.

    >>> direct_sum(V, V) == 2 * V
    True
    """
    terms: list = []
    for rep in map(as_node, reps):
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
    reps = tuple(r for r in map(as_node, reps) if r != Scalar)
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
    n = _bounded(nonnegative(n, "a multiplicity"))
    rep = as_node(rep)
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
    k = _check_exponent(nonnegative(k, "a tensor power's exponent"))
    rep = as_node(rep)
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
    rep = as_node(rep)
    if isinstance(rep, Atom):
        if rep.user is not None and orthogonal(rep.group):
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
    rep = as_node(rep)
    atoms = list(iter_atoms(rep))
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


def coerce(value) -> Rep | None:
    """The one coercion helper: reps stay, integers n become n*Scalar."""
    if isinstance(value, Rep):
        return as_node(value)
    if is_int(value):
        return multiplicity(Scalar, value)
    return None


def nonnegative(value, what: str) -> int:
    """``value`` as a non-negative int; TypeError or ValueError naming ``what`` otherwise."""
    if not is_int(value):
        raise TypeError(f"{what} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must be non-negative, got {value}")
    return int(value)


def T(p, q=0, G: GroupBase | None = None) -> Rep:
    """Tensors of type (p, q): ``V**p ⊗ (V*)**q``, bound to ``G`` if given.

    >>> from repalg.symbolic.group_descriptors import O
    >>> T(1, 1, O(1, 3)).size()
    16
    """
    p = nonnegative(p, "T(p,q): p")
    q = nonnegative(q, "T(p,q): q")
    rep = tensor(power(V, p), power(dual(V), q))
    return rep if G is None else bind(rep, G)
