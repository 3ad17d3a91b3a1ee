"""Isotypic decomposition: irreducibles as atoms, ``decompose``, predicted ranks.

``Irrep(G, label)`` is an atom like ``V``: it has a size, a dual, and takes
part in sums, products and homs. ``decompose(rep)`` splits a bound
representation into irreducibles with multiplicities, exactly, from the
character theories of ``characters.py``; groups without one are handed to
the numeric decomposition of ``repalg.numeric``. ``predicted_rank(rep)`` is
the multiplicity of the trivial representation, the dimension of the
equivariant subspace, found without solving anything.

>>> from repalg.symbolic.nodes import V
>>> from repalg.symbolic.group_descriptors import SO
>>> print(decompose((V**2)(SO(3))))
Irrep(SO(3),0)+Irrep(SO(3),1)+Irrep(SO(3),2)
>>> predicted_rank((V**10)(SO(3)))
603
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product as cartesian
from math import prod

from .backend import numeric
from .characters.dispatch import theory
from .characters.product import ProductTheory, product_decompose
from .characters.theory import Theory, label_key
from .constructors import direct_sum, multiplicity, tensor
from .nodes import Atom, Product, Rep, Scalar, iter_atoms
from .group_descriptors import DirectProduct, GroupBase, NamedGroup, direct_product

IRREP = "Irrep"


def irrep(group: GroupBase, *label) -> Atom:
    """The irreducible representation of ``group`` named by ``label`` (see
    ``characters.py`` for each group's labels); over a real group, the real
    irreducible that holds it.

    >>> from repalg.symbolic.group_descriptors import SO, O, SU
    >>> irrep(SO(3), 2).size(), irrep(O(3), (1, -1)).size(), irrep(SU(3), (1, 1)).size()
    (5, 3, 3)
    >>> irrep(SO(2), -3) == irrep(SO(2), 3)
    True
    """
    if not isinstance(group, GroupBase):
        raise ValueError(f"Irrep takes a group first, as in Irrep(SO(3), 2), got {group!r}")
    th = theory(group)
    if th is None:
        raise ValueError(f"repalg has no labels for the irreducibles of {group}; "
                         f"decompose a representation of it to find them numerically")
    return _irrep_atom(group, th, th.real_label(th.label(label)))


def _irrep_atom(group: GroupBase, th: Theory, label) -> Atom:
    """The atom of the real irreducible with the canonical ``label``."""
    shown = th.show(label)
    return Atom(IRREP, (group, shown[0] if len(shown) == 1 else shown) if shown else (group,),
                group=group, dim=th.real_dim(label))


def is_irrep(atom: Atom) -> bool:
    return isinstance(atom, Atom) and atom.name == IRREP and atom.dim is not None


def irrep_label(atom: Atom):
    """The canonical label of an ``Irrep`` atom (its dual folded in)."""
    th = theory(atom.group)
    value = th.label(atom.args[1:])
    return th.dual(value) if atom.dual else value


class Decomposition(Mapping):
    """Irreducibles and their multiplicities, in a deterministic order
    (by group, then by size of the label). A mapping ``{Irrep atom: count}``;
    ``str`` prints it as a representation, which parses back isomorphic.

    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import SO
    >>> d = decompose((V**3)(SO(3)))
    >>> [(str(k), m) for k, m in d.items()]
    [('Irrep(SO(3),0)', 1), ('Irrep(SO(3),1)', 3), ('Irrep(SO(3),2)', 2), ('Irrep(SO(3),3)', 1)]
    >>> d.dim()
    27
    """

    def __init__(self, pairs, field: str = "real", rep: Rep | None = None):
        self._pairs = tuple((k, m) for k, m in pairs if m)
        self._index = dict(self._pairs)
        self.field = field
        self.rep = rep

    def __getitem__(self, key):
        return self._index[key]

    def __iter__(self):
        return (k for k, _ in self._pairs)

    def __len__(self):
        return len(self._pairs)

    def __eq__(self, other):
        return isinstance(other, Decomposition) and self._index == other._index

    __hash__ = None

    def dim(self) -> int:
        """The dimension of the decomposed representation."""
        return sum(m * k.size() for k, m in self._pairs)

    def as_rep(self) -> Rep:
        """The decomposition as a representation expression (a sum of
        irreducibles; not for irreducibles found numerically, which have no name)."""
        return direct_sum(*(multiplicity(k, m) for k, m in self._pairs))

    def __str__(self) -> str:
        if not self._pairs:
            return "0"
        if all(isinstance(k, Rep) for k, _ in self._pairs):
            return repr(self.as_rep())
        return "+".join(str(k) if m == 1 else f"{m}*{k}" for k, m in self._pairs)

    def __repr__(self) -> str:
        return f"Decomposition({self})"

    def latex(self) -> str:
        r"""LaTeX for papers and notebooks.

        >>> from repalg.symbolic.nodes import V
        >>> from repalg.symbolic.group_descriptors import SO
        >>> decompose((V**2)(SO(3))).latex()
        '\\rho_{0} \\oplus \\rho_{1} \\oplus \\rho_{2}'
        """
        if not self._pairs:
            return "0"
        return r" \oplus ".join((f"{m}\\," if m > 1 else "") + (irrep_latex(k) if isinstance(k, Atom) else
                                                                  f"\\rho_{{{k.dim}}}")
                                 for k, m in self._pairs)

    def change_of_basis(self):
        """An orthogonal (unitary for a complex group) matrix Q whose columns,
        block by block in the order of ``items()``, span the irreducible
        components: ``Q⁻¹ rho(g) Q`` is block diagonal. Computed numerically."""
        if self.rep is None:
            raise ValueError("this decomposition was not made from a representation")
        return numeric().change_of_basis(self.rep, self)


@dataclass(frozen=True)
class ProductIrrep:
    """An irreducible of a product of groups, one irreducible of each factor,
    in the order of the groups; met when some factor has no character theory
    and its irreducibles are found numerically. (Over the reals it is
    irreducible when at most one factor is of complex or quaternionic type;
    otherwise it is one isotypic block of the product.)

    >>> from repalg.symbolic.group_descriptors import SO, S
    >>> k = ProductIrrep((irrep(SO(3), 2), irrep(S(3), (2, 1))))
    >>> k.size(), str(k)
    (10, 'Irrep(SO(3),2)*Irrep(S(3),(2,1))')
    """

    factors: tuple

    def size(self) -> int:
        return prod(f.size() for f in self.factors)

    @property
    def dim(self) -> int:
        return self.size()

    def __str__(self) -> str:
        return "*".join(str(f) for f in self.factors)

    __repr__ = __str__


def irrep_latex(atom: Atom) -> str:
    label = atom.args[1] if len(atom.args) > 1 else ""
    text = str(label).replace(" ", "") if not isinstance(label, tuple) else _tuple_text(label)
    return f"\\rho_{{{text}}}"


def _tuple_text(value) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_tuple_text(v) for v in value) + ")"
    return str(value)


# the work -------------------------------------------------------------------------

def _group_theories(rep: Rep) -> tuple[tuple, tuple]:
    atoms = list(iter_atoms(rep))
    unbound = [a for a in atoms if a.group is None]
    if unbound:
        raise ValueError(f"{rep!r} has atoms bound to no group ({unbound[0]!r}); "
                         f"bind one before decomposing, as in (V**2)(SO(3))")
    groups = tuple(sorted({a.group for a in atoms}, key=GroupBase.sort_key))
    theories = tuple(theory(g) for g in groups)
    return groups, theories


def _spec(atom: Atom, th: Theory):
    return ("irrep", irrep_label(atom)) if is_irrep(atom) else ("V", atom.dual)


def complex_decomposition(rep: Rep) -> tuple[tuple, dict]:
    """The groups and ``{tuple of labels, one per group: multiplicity}`` over ℂ,
    or ``(groups, None)`` when some group has no character theory or some atom
    is a representation of the user's own (known only by its matrices)."""
    groups, theories = _group_theories(rep)
    user_defined = any(not is_irrep(a) and not (a.dim is None and a.name == "V") for a in iter_atoms(rep))
    if user_defined or any(t is None for t in theories):
        return groups, None
    index = {g: i for i, g in enumerate(groups)}
    out: Counter = Counter()
    for monomial, count in rep.canonical_terms():
        factors = monomial.factors if isinstance(monomial, Product) else ((monomial, 1),)
        per_group: list = []
        for factor, exponent in factors:
            i = index[factor.group]
            alternatives = [tuple(_spec(factor, theories[i]) if j == i else None for j in range(len(groups)))]
            per_group.append((alternatives, exponent))
        for key, m in product_decompose(theories, per_group).items():
            out[key] += count * m
    return groups, {k: v for k, v in out.items() if v}


def decompose(rep: Rep) -> Decomposition:
    """The isotypic decomposition of a bound representation: real irreducibles
    for real groups (a complex pair as one real irreducible of twice the
    size), complex ones for ``SU(n)`` and ``U(n)``.

    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import SO, S
    >>> print(decompose((V**2)(SO(2))))
    2*Irrep(SO(2),0)+Irrep(SO(2),2)
    >>> print(decompose((V**2)(S(4))))
    2*Irrep(S(4),(4,))+3*Irrep(S(4),(3,1))+Irrep(S(4),(2,2))+Irrep(S(4),(2,1,1))
    """
    groups, labels = complex_decomposition(rep)
    if labels is None:
        return _factor_by_factor(rep, groups) if len(groups) > 1 else numeric().decompose(rep)
    if not groups:
        return Decomposition([(Scalar, sum(labels.values()))], rep=rep)
    group = groups[0] if len(groups) == 1 else direct_product(*groups)
    th = theory(group)
    flat = {(key[0] if len(groups) == 1 else key): m for key, m in labels.items()}
    if isinstance(th, ProductTheory) and len(groups) > 1:
        flat = {_flatten_key(key, groups): m for key, m in flat.items()}
    # a conjugate pair {λ, conj λ} is one real irreducible, held m_λ = m_conj λ times
    canonical = sorted({th.real_label(label) for label in flat}, key=lambda x: _order_key(th, x))
    pairs = [(_irrep_atom(group, th, label), flat[label]) for label in canonical]
    return Decomposition(pairs, field="complex" if th.complex else "real", rep=rep)


def _parts(monomial: Rep, groups: tuple) -> list:
    """A canonical monomial as one tensor product per group (None where the
    group does not occur: its trivial representation)."""
    factors = monomial.factors if isinstance(monomial, Product) else ((monomial, 1),)
    atoms: dict = {}
    for factor, exponent in factors:
        if factor != Scalar:
            atoms.setdefault(factor.group, []).extend([factor] * exponent)
    return [tensor(*atoms[g]) if g in atoms else None for g in groups]


def stable_rank(group, atoms) -> int | None:
    """The number of invariants of p copies of V and q of V* for a classical
    group, when k = p + q < d (the stable range): by the first fundamental
    theorem they are spanned by the pairings of V with V* (GL, U, SL, SU:
    p! of them when p = q, none otherwise) or of the atoms among themselves
    by the invariant form (O, SO, SO+ in any signature, Sp: (k-1)!! when k is
    even, none when odd), and are independent there. Levi-Civita and
    determinant invariants need k ≥ d. None outside those groups and that range.

    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import O, SL
    >>> stable_rank(O(100), (V(O(100)),) * 4), stable_rank(SL(921), (V(SL(921)),))
    (3, 0)
    """
    families = {"GL": "linear", "U": "linear", "SL": "linear", "SU": "linear",
                "O": "form", "SO": "form", "SO+": "form", "Sp": "form"}
    if not (isinstance(group, NamedGroup) and group.name in families
            and all(a.dim is None and a.name == "V" for a in atoms)):
        return None
    p, q = sum(not a.dual for a in atoms), sum(a.dual for a in atoms)
    k = p + q
    if k >= group.d:
        return None
    if families[group.name] == "linear":
        return math.factorial(p) if p == q else 0
    return 0 if k % 2 else math.prod(range(k - 1, 0, -2))


def _trivial_irrep(group: GroupBase):
    th = theory(group)
    return numeric().trivial_irrep(group) if th is None else _irrep_atom(group, th, th.trivial)


def _factor_by_factor(rep: Rep, groups: tuple) -> Decomposition:
    """The decomposition of a representation of several groups, some without a
    character theory: each monomial's part for each group is decomposed on its
    own (exactly or numerically), and the irreducibles of the product are the
    products of the parts' irreducibles."""
    decomposed: dict = {}
    out: Counter = Counter()
    for monomial, count in rep.canonical_terms():
        per_group = []
        for group, part in zip(groups, _parts(monomial, groups)):
            if part is None:
                per_group.append(((_trivial_irrep(group), 1),))
                continue
            if part not in decomposed:
                decomposed[part] = tuple(decompose(part).items())
            per_group.append(decomposed[part])
        for combination in cartesian(*per_group):
            out[ProductIrrep(tuple(k for k, _ in combination))] += count * prod(m for _, m in combination)
    pairs = sorted(out.items(), key=lambda p: (p[0].size(), str(p[0])))
    complex_ = any(g.is_complex for g in groups)
    return Decomposition(pairs, field="complex" if complex_ else "real", rep=rep)


def _flatten_key(key: tuple, groups: tuple) -> tuple:
    # labels of a product group that is itself a product are nested per factor
    out = []
    for g, label in zip(groups, key):
        out.extend(label if isinstance(g, DirectProduct) else (label,))
    return tuple(out)


def _order_key(th: Theory, label):
    return tuple(label_key(x) for x in label) if isinstance(th, ProductTheory) else label_key(label)


def predicted_rank(rep: Rep) -> int | None:
    """The dimension of the equivariant subspace of a bound representation
    (for ``A >> B``, of the equivariant maps), from characters alone: the
    character theories of ``characters.py``, or for a finite group without
    one (``Cube``, ``ZksZnxZn``, the user's own groups) or with atoms of the
    user's own, Burnside's average of the character over its enumerated
    elements (``repalg.numeric.finite``). A monomial over several groups has
    the product of each group's count. None where some group has no
    character theory and is not finite, or has more elements than repalg
    enumerates (``RubiksCube``), or an atom of the user's own on a group
    that is not finite.

    >>> from repalg.symbolic.constructors import T
    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import O, Cube, RubiksCube, SO
    >>> predicted_rank(T(8, 0, O(1, 3)))
    105
    >>> predicted_rank(T(4, 0, Cube())), predicted_rank(V(Cube()) * V(SO(3)) * V(SO(3)))
    (60, 1)
    >>> predicted_rank(T(2, 0, RubiksCube())) is None
    True
    """
    groups, labels = complex_decomposition(rep)
    if labels is None:
        try:
            return _rank_by_groups(rep)
        except ValueError:
            return None
    trivial = tuple(theory(g).trivial for g in groups)
    return labels.get(trivial, 0)


def _rank_by_groups(rep: Rep) -> int:
    """Σ over monomials of Π over groups of the invariants of each group's
    part: ``(A ⊗ B)^(G×H) = A^G ⊗ B^H``."""
    groups, _ = _group_theories(rep)
    known: dict = {}
    total = 0
    for monomial, count in rep.canonical_terms():
        rank = 1
        for part in _parts(monomial, groups):
            if part is not None and part not in known:
                (group,), labels = complex_decomposition(part)
                known[part] = (labels.get((theory(group).trivial,), 0) if labels is not None
                               else _beyond_characters(group, part))
            rank *= 1 if part is None else known[part]
        total += count * rank
    return total


def _beyond_characters(group, part: Rep) -> int:
    """The invariants of one group's part where it has no character theory:
    the first fundamental theorem's count (a classical group of large rank, in
    the stable range), or Burnside's for a finite group (ValueError if neither)."""
    factors = part.factors if isinstance(part, Product) else ((part, 1),)
    stable = stable_rank(group, [f for f, e in factors for _ in range(e)])
    return stable if stable is not None else numeric().finite_rank(part)


def isomorphic(a: Rep, b: Rep) -> bool:
    """Whether two bound representations have the same decomposition.

    >>> from repalg.symbolic.nodes import V
    >>> from repalg.symbolic.group_descriptors import SO
    >>> G = SO(3)
    >>> isomorphic(V(G)**2, 1 + V(G) + irrep(G, 2))
    True
    """
    if a.groups() and b.groups() and set(a.groups()) != set(b.groups()):
        return False
    return decompose(a) == decompose(b)
