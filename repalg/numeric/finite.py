"""Finite groups by enumeration: conjugacy classes, characters, Burnside's
average and decompositions from characters.

A group given by discrete generators alone (no Lie algebra) is closed under
multiplication, breadth first, once per process (``MAX_ORDER`` bounds it,
and the closure stops as soon as it passes). Elements are signed
permutations of the d coordinates where the generators are
(``h @ v == sign * v[perm]``), else matrices; they are told apart by a
64-bit hash of their entries (matrices rounded to ``DIGITS`` decimals).
What is kept (in the numeric cache, emptied by ``clear_cache``) is the
conjugacy classes, each with its size and a representative.

A representation's character on each class comes from its canonical form
(monomials of atoms): ``tr(g)`` for ``V``, its conjugate for ``V*``, the
trace of the atom's own ``rho(g)`` otherwise; products multiply, sums add
(in exact integers where the atoms' characters are integers). The
invariants then number ``(1/|G|) Σ_g χ(g)`` (Burnside's average). The
character table comes from the class algebra (Burnside's algorithm), the
real irreducibles from the Frobenius–Schur indicators, and an irreducible
``ψ`` is held ``⟨χ, ψ⟩ / ⟨ψ, ψ⟩`` times: decompositions at any size, with
no matrix of the representation.

>>> from repalg import parse
>>> rank(parse("T(5)(Cube)"))
336
>>> d = from_characters(parse("(V**5)(Cube)"))
>>> d.dim(), sorted(d.values())
(7776, [320, 336, 656, 960, 976])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..symbolic.decompose import Decomposition
from ..symbolic.constructors import tensor
from ..symbolic.nodes import Atom, Product, Rep, Scalar
from ..symbolic.group_descriptors import DirectProduct, GroupBase
from . import cache, commutant
from .group_generators import generators, orbit_permutations, signed_permutation
from .rho import atom_rho
from .stabilizer_chain import order_at_least

MAX_ORDER = 100_000
"""The largest group enumerated; the closure stops as soon as it passes this."""

MAX_BYTES = 2**27
"""The most memory the enumerated elements may take (128 MiB): a signed
permutation takes 4d bytes, a matrix 8d² (16d² complex), so groups of large
matrices are enumerated to a smaller order."""

DIGITS = 6
"""Matrix entries are rounded to this many decimals to tell elements apart."""

TOLERANCE = 1e-6
"""A character average must lie this close (relative to its terms) to an integer."""

_CHUNK = 2048

_WEIGHTS = np.random.default_rng(20240607).integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)


@dataclass(frozen=True)
class Classes:
    """The conjugacy classes of a finite group: ``order`` elements in all,
    ``sizes[i]`` in class ``i``, whose representative is ``representatives[i]``
    (a d×d matrix; the identity is class 0); ``of(matrices)`` finds the
    classes of elements given as matrices.

    >>> from repalg.groups import S
    >>> c = classes(S(4))
    >>> c.order, sorted(c.sizes.tolist())
    (24, [1, 3, 6, 6, 8])
    """

    group: GroupBase
    order: int
    sizes: np.ndarray
    representatives: np.ndarray
    kind: object = field(repr=False, compare=False)
    elements: np.ndarray = field(repr=False, compare=False)
    labels: np.ndarray = field(repr=False, compare=False)
    keys: np.ndarray = field(repr=False, compare=False)
    sorted_keys: np.ndarray = field(repr=False, compare=False)

    def lookup(self, rows: np.ndarray) -> np.ndarray:
        """The indices (in ``elements``) of elements given as the kind's rows."""
        codes = self.kind.codes(rows)
        at = self.keys[np.minimum(np.searchsorted(self.sorted_keys, _hash(codes)), self.order - 1)]
        if not np.array_equal(self.kind.codes(self.elements[at]), codes):
            raise ValueError(f"an element is not in the enumeration of {self.group}")
        return at

    def of(self, matrices) -> np.ndarray:
        """The class of each of the d×d ``matrices``, elements of the group."""
        return self.labels[self.lookup(self.kind.rows(np.asarray(matrices)))]


def classes(group: GroupBase) -> Classes:
    """The conjugacy classes of a finite ``group``, enumerated once and kept
    in the numeric cache; ValueError for a group with a Lie algebra, or of
    order above ``MAX_ORDER`` (the error names the order reached so far).

    >>> from repalg.groups import Cube, RubiksCube
    >>> classes(Cube()).order
    24
    >>> classes(RubiksCube())
    Traceback (most recent call last):
    ...
    ValueError: the group RubiksCube has at least ... elements (a stabilizer chain's bound): ...
    """
    return _kept(("finite classes", group), lambda: _classes(group))


def _kept(key: tuple, compute):
    """``compute()`` once, kept in the numeric cache; a refusal (ValueError)
    is kept too, and raised again on every call."""
    found = cache.get(key)
    if found is None:
        try:
            found = compute()
        except ValueError as error:
            found = error
        cache.put(key, found)
    if isinstance(found, ValueError):
        raise type(found)(str(found))
    return found


class _SignedPermutations:
    """Elements as integer rows ``sign * (perm + 1)``."""

    def __init__(self, moves: list, d: int):
        self.d = d
        self.generators = np.array([s.astype(np.int32) * (p + 1) for p, s in moves], dtype=np.int32).reshape(-1, d)
        self.identity = np.arange(1, d + 1, dtype=np.int32)[None]
        self.bytes = 4 * d

    @staticmethod
    def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Row-wise ``a @ b``: ``(a b) v = s_a s_b[p_a] v[p_b[p_a]]``."""
        if len(a) == 1 and len(b) > 1:
            return np.sign(a) * b[:, np.abs(a[0]) - 1]
        pa = np.abs(a) - 1
        if len(b) == 1:
            return np.sign(a) * b[0][pa]
        return np.sign(a) * np.take_along_axis(b, pa, axis=1)

    @staticmethod
    def inverse(a: np.ndarray) -> np.ndarray:
        pa = np.abs(a) - 1
        out = np.empty_like(a)
        np.put_along_axis(out, pa, np.sign(a) * (np.arange(a.shape[1]) + 1), axis=1)
        return out

    @staticmethod
    def codes(a: np.ndarray) -> np.ndarray:
        return a

    def rows(self, matrices: np.ndarray) -> np.ndarray:
        moves = [signed_permutation(np.round(m, DIGITS)) for m in matrices]
        if any(m is None for m in moves):
            raise ValueError(f"not a signed permutation of {self.d} coordinates")
        return np.array([s.astype(np.int32) * (p + 1) for p, s in moves], dtype=np.int32).reshape(-1, self.d)

    def matrices(self, a: np.ndarray) -> np.ndarray:
        out = np.zeros((len(a), self.d, self.d))
        rows = np.arange(self.d)
        for m, row in zip(out, a):
            m[rows, np.abs(row) - 1] = np.sign(row)
        return out


class _Matrices:
    """Elements as matrices, told apart by their rounded entries."""

    def __init__(self, disc: np.ndarray, d: int):
        self.d = d
        self.generators = disc
        self.identity = np.eye(d, dtype=disc.dtype)[None]
        self.bytes = disc.dtype.itemsize * d * d

    @staticmethod
    def multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a @ b

    @staticmethod
    def inverse(a: np.ndarray) -> np.ndarray:
        return np.linalg.inv(a)

    @staticmethod
    def codes(a: np.ndarray) -> np.ndarray:
        flat = a.reshape(len(a), -1)
        if flat.size and not np.abs(flat).max() < 10**DIGITS:
            raise ValueError("an element has entries beyond 1e6: the group it generates is not finite")
        if np.iscomplexobj(flat):
            flat = np.concatenate([flat.real, flat.imag], axis=1)
        return np.round(flat * 10**DIGITS).astype(np.int64)

    @staticmethod
    def matrices(a: np.ndarray) -> np.ndarray:
        return a

    @staticmethod
    def rows(matrices: np.ndarray) -> np.ndarray:
        return matrices


def _hash(codes: np.ndarray) -> np.ndarray:
    width = codes.shape[1]
    weights = _WEIGHTS[np.arange(width) % len(_WEIGHTS)] + np.uint64(2) * (np.arange(width, dtype=np.uint64)
                                                                        // np.uint64(len(_WEIGHTS)))
    with np.errstate(over="ignore"):
        return (codes.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)


def _elements_of(group: GroupBase):
    if not group.is_discrete:
        raise ValueError(f"the group {group} has a Lie algebra: it is not finite")
    if isinstance(group, DirectProduct):  # refused at once when a factor is
        order = math.prod(classes(factor).order for factor in group.factors)
        if order > MAX_ORDER:
            raise ValueError(f"the group {group} has {order} elements: repalg enumerates finite groups up "
                             f"to {MAX_ORDER} elements (repalg.numeric.finite.MAX_ORDER)")
    if 4 * group.d > MAX_BYTES // 2:
        raise ValueError(f"the group {group} acts on {group.d} coordinates: repalg enumerates groups whose "
                         f"elements take at most {MAX_BYTES // 8} bytes (repalg.numeric.finite.MAX_BYTES)")
    perms = orbit_permutations(group)
    if perms is not None:
        return _SignedPermutations([(np.asarray(p), np.ones(len(p), dtype=np.int64)) for p in perms], group.d)
    lie, disc = generators(group)
    if len(lie):
        raise ValueError(f"the group {group} has a Lie algebra: it is not finite")
    moves = [signed_permutation(h) for h in disc]
    if all(m is not None for m in moves):
        return _SignedPermutations(moves, group.d)
    return _Matrices(np.asarray(disc), group.d)


def _enumerate(group: GroupBase):
    """``(elements, kind)``: every element, the identity first, as ``kind``'s rows."""
    kind = _elements_of(group)
    limit = min(MAX_ORDER, MAX_BYTES // kind.bytes)
    if isinstance(kind, _SignedPermutations) and len(kind.generators):
        bound = order_at_least(kind.generators, limit)
        if bound > limit:
            raise ValueError(f"the group {group} has at least {bound} elements (a stabilizer chain's bound): "
                             f"repalg enumerates finite groups up to {limit} elements "
                             f"(repalg.numeric.finite.MAX_ORDER)")
    known = [kind.identity]
    seen = set(_hash(kind.codes(kind.identity)).tolist())
    frontier = kind.identity
    count = 1
    while len(frontier) and len(kind.generators):
        grown = []
        for start in range(0, len(frontier), _CHUNK):  # small steps: a large group is refused early
            products = np.concatenate([kind.multiply(frontier[start:start + _CHUNK], h[None])
                                       for h in kind.generators])
            fresh = []
            for i, code in enumerate(_hash(kind.codes(products)).tolist()):
                if code not in seen:
                    seen.add(code)
                    fresh.append(i)
            count += len(fresh)
            if count > limit:
                raise ValueError(f"the group {group} has more than {limit} elements ({count} found so far): "
                                 f"repalg enumerates finite groups up to that order "
                                 f"(repalg.numeric.finite.MAX_ORDER)")
            grown.append(products[fresh])
        frontier = np.concatenate(grown)
        known.append(frontier)
    return np.concatenate(known), kind


def _classes(group: GroupBase) -> Classes:
    elements, kind = _enumerate(group)
    n = len(elements)
    keys = _hash(kind.codes(elements))
    by_key = np.argsort(keys)
    sorted_keys = keys[by_key]
    if np.any(sorted_keys[1:] == sorted_keys[:-1]):
        raise ArithmeticError(f"two elements of {group} share a hash")
    rows, cols = [], []
    for h in kind.generators:
        h = h[None]
        conjugates = kind.multiply(kind.multiply(kind.inverse(h), elements), h)
        rows.append(np.arange(n))
        cols.append(by_key[np.minimum(np.searchsorted(sorted_keys, _hash(kind.codes(conjugates))), n - 1)])
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="weak")
    first = np.full(count, n)
    np.minimum.at(first, labels, np.arange(n))
    rank = np.argsort(first, kind="stable")  # classes in order of first element: the identity first
    relabel = np.empty(count, dtype=np.int64)
    relabel[rank] = np.arange(count)
    labels = relabel[labels]
    sizes = np.bincount(labels, minlength=count)
    representatives = kind.matrices(elements[first[rank]])
    for array in (sizes, representatives, elements, labels, by_key, sorted_keys):
        array.flags.writeable = False
    return Classes(group, n, sizes, representatives, kind, elements, labels, by_key, sorted_keys)


# characters ---------------------------------------------------------------------

def _atom_character(atom: Atom, c: Classes) -> np.ndarray:
    """The atom's character on the classes: Python integers where they all
    are integers (so that powers stay exact), else complex floats."""
    key = ("finite character", atom)
    found = cache.get(key)
    if found is not None:
        return found
    if atom.dim is None and atom.name == "V":
        values = np.trace(c.representatives, axis1=1, axis2=2).astype(complex)
        values = values.conj() if atom.dual else values
    else:
        values = np.array([np.trace(np.asarray(atom_rho(atom, g, xp=np), dtype=complex))
                           for g in c.representatives])
    values = _exact(values)
    cache.put(key, values)
    return values


def _exact(values: np.ndarray) -> np.ndarray:
    """Character values as Python integers (an object array) where they all
    are integers, so that powers and products stay exact; read-only."""
    nearest = np.round(values.real)
    if np.abs(values - nearest).max() < 1e-9:
        values = np.array([int(x) for x in nearest], dtype=object)
    values.flags.writeable = False
    return values


def _group_of(rep: Rep) -> GroupBase:
    groups = rep.groups()
    if len(groups) != 1 or any(a.group is None for a in rep.atoms()):
        raise ValueError(f"{rep!r} is not bound to one group: characters are taken over one finite group")
    return groups[0]


def character(rep: Rep) -> np.ndarray:
    """The character of a representation of one finite group on its
    conjugacy classes (in the order of ``classes``), from the canonical form:
    exact integers (an object array) where every atom's character is
    integral, complex floats otherwise.

    >>> from repalg import parse
    >>> character(parse("(V**2)(Cube)")).tolist()
    [36, 4, 4, 0, 0]
    """
    c = classes(_group_of(rep))
    terms = []
    for monomial, count in rep.canonical_terms():
        factors = monomial.factors if isinstance(monomial, Product) else ((monomial, 1),)
        terms.append((count, [(_atom_character(atom, c), exponent) for atom, exponent in factors]))
    exact = all(chi.dtype == object for _, factors in terms for chi, _ in factors)
    total = np.array([0] * len(c.sizes), dtype=object if exact else complex)
    for count, factors in terms:
        value = np.array([1] * len(c.sizes), dtype=total.dtype)
        for chi, exponent in factors:
            value = value * (chi if exact else chi.astype(complex)) ** exponent
        total = total + count * value
    return total


def _average(c: Classes, values: np.ndarray, what: str) -> int:
    """``(1/|G|) Σ_g f(g)``, which must be an integer: exactly for integer
    characters, else within ``TOLERANCE`` of one (relative to ``Σ |f(g)|``)."""
    if values.dtype == object:
        total = sum(int(n) * v for n, v in zip(c.sizes, values))
        if total % c.order:
            raise ValueError(f"{what} is {total}/{c.order}, not an integer: a representation's rho "
                             f"must be a homomorphism of the group")
        return total // c.order
    value = complex(np.dot(c.sizes, values) / c.order)
    scale = float(np.dot(c.sizes, np.abs(values)) / c.order)
    if scale * 1e-12 > TOLERANCE:
        raise ValueError(f"{what}: its terms reach {scale:.3g}, too large to average exactly in floating point")
    nearest = round(value.real)
    if abs(value - nearest) > TOLERANCE * max(1.0, scale):
        raise ValueError(f"{what} is {value:.6g}, not an integer: a representation's rho must be a "
                         f"homomorphism of the group")
    return int(nearest)


def rank(rep: Rep) -> int:
    """The number of independent invariants of a representation of one finite
    group, by Burnside's average ``(1/|G|) Σ_g χ(g)``.

    >>> from repalg import parse
    >>> rank(parse("(V>>V)(ZksZnxZn(2,2))"))
    8
    """
    return _average(classes(_group_of(rep)), character(rep), f"the average character of {rep!r}")


# irreducibles and decompositions ----------------------------------------------------

MAX_CLASSES = 2000
"""Groups with more conjugacy classes get no character table (an eigenproblem of that size)."""

MAX_CLASS_WORK = 20_000_000
"""The most products of elements spent on the class algebra of one group."""


def irreducibles(group: GroupBase) -> tuple:
    """``((NumericIrrep, character on the classes, ⟨ψ, ψ⟩), ...)`` for the real
    irreducibles of a finite group (complex ones for a complex group), named
    as the numeric decomposition names them, from its character table.

    >>> from repalg.groups import Cube
    >>> sorted(irrep.dim for irrep, _, _ in irreducibles(Cube()))
    [1, 1, 2, 3, 3]
    """
    return _kept(("finite irreducibles", group), lambda: _real_irreducibles(classes(group)))


def character_table(c: Classes) -> np.ndarray:
    """The irreducible characters over ℂ (rows) on the classes (columns), by
    Burnside's algorithm: the central characters ``|C_j| χ(g_j) / χ(1)`` are
    the common eigenvectors of the class multiplication matrices
    ``a[j, k] = #{x ∈ C_i : x⁻¹ g_k ∈ C_j}``; a random combination of a few
    of them, smallest classes first, separates them.

    >>> from repalg.groups import S
    >>> character_table(classes(S(3))).real.round().astype(int).tolist()
    [[1, 1, 1], [1, -1, 1], [2, 0, -1]]
    """
    count = len(c.sizes)
    if count > MAX_CLASSES:
        raise ValueError(f"{c.group} has {count} conjugacy classes: repalg computes character tables "
                         f"up to {MAX_CLASSES} (repalg.numeric.finite.MAX_CLASSES)")
    rng = np.random.default_rng(0)
    combination = np.zeros((count, count))
    work = 0
    values = vectors = None
    for i in np.argsort(c.sizes[1:], kind="stable") + 1:
        members = c.elements[c.labels == i]
        work += len(members) * count
        if work > MAX_CLASS_WORK:
            raise ValueError(f"the class algebra of {c.group} ({c.order} elements, {count} classes) takes "
                             f"more than {MAX_CLASS_WORK} products (repalg.numeric.finite.MAX_CLASS_WORK)")
        inverses = c.kind.inverse(members)
        weight = rng.uniform(1, 2)
        for k in range(count):
            z = c.kind.rows(c.representatives[k:k + 1])
            j = c.labels[c.lookup(c.kind.multiply(inverses, z))]
            np.add.at(combination[:, k], j, weight)
        values, vectors = np.linalg.eig(combination)
        gaps = np.abs(values[:, None] - values[None, :])
        np.fill_diagonal(gaps, np.inf)
        if count == 1 or gaps.min() > 1e-6 * max(1.0, np.abs(values).max()):
            break
    else:
        if count > 1:
            raise ValueError(f"the class algebra of {c.group} does not separate its characters numerically")
    if count == 1:
        return np.ones((1, 1), dtype=complex)
    omega = (vectors / vectors[0]).T  # one central character a row, 1 on the identity
    degrees = np.sqrt(c.order / (np.abs(omega) ** 2 / c.sizes).sum(axis=1).real)
    table = np.round(degrees)[:, None] * omega / c.sizes
    gram = (table * c.sizes) @ table.conj().T / c.order
    if (np.abs(degrees - np.round(degrees)).max() > 1e-6
            or np.abs(gram - np.eye(count)).max() > 1e-6):
        raise ValueError(f"the character table of {c.group} fails its orthogonality relations numerically")
    order = np.lexsort((np.round(-table[:, 1:].real, 6).T[::-1]) + (table[:, 0].real,)) if count > 1 else [0]
    return table[order]


def _real_irreducibles(c: Classes) -> tuple:
    table = character_table(c)
    squares = np.bincount(c.labels[c.lookup(c.kind.multiply(c.elements, c.elements))], minlength=len(c.sizes))
    samples = c.of(np.asarray(c.group.samples(commutant._SAMPLES, key=20211)))
    out, seen = [], set()
    for chi in table:
        if c.group.is_complex:
            psi, norm, kind = chi, 1, "real"
        else:
            indicator = round(float((squares @ chi).real) / c.order)
            if indicator == 0:
                key = tuple(np.round(chi.conj(), 6))
                if key in seen:
                    continue
                seen.add(tuple(np.round(chi, 6)))
                psi, norm, kind = chi + chi.conj(), 2, "complex"
            elif indicator == 1:
                psi, norm, kind = chi.real.astype(complex), 1, "real"
            else:
                psi, norm, kind = 2 * chi, 4, "quaternionic"
        name = commutant.NumericIrrep(c.group, int(round(psi[0].real)), kind,
                                      tuple(complex(np.round(psi[s], 5)) for s in samples))
        out.append((name, _exact(psi), norm))
    out.sort(key=lambda p: (p[0].dim, [(x.real, x.imag) for x in p[0].characters]))
    return tuple(out)


def _multiplicities(chi: np.ndarray, known, c: Classes):
    """The multiplicity of each known irreducible in ``chi``."""
    counts = []
    for psi, norm in known:
        exact = chi.dtype == object and psi.dtype == object
        m = _average(c, chi * psi if exact else chi.astype(complex) * psi.astype(complex).conj(), "a multiplicity")
        if m % norm:
            raise ValueError(f"a multiplicity is {m}/{norm}, not an integer")
        counts.append(m // norm)
    return counts


def from_characters(rep: Rep) -> Decomposition:
    """The decomposition of a representation of one finite group from its
    character, with the irreducibles the numeric route names
    (``commutant.NumericIrrep``), at any size; ValueError where the group is
    not finite or too large to enumerate.

    >>> from repalg import parse
    >>> d = from_characters(parse("(V**3+V**2)(ZksZnxZn(2,2))"))
    >>> d.dim(), sorted(set(d.values()))
    (576, [72])
    """
    group = _group_of(rep)
    c = classes(group)
    known = irreducibles(group)
    counts = _multiplicities(character(rep), [(psi, norm) for _, psi, norm in known], c)
    pairs = [(irrep, m) for (irrep, _, _), m in zip(known, counts)]
    out = Decomposition(pairs, field="complex" if group.is_complex else "real", rep=rep)
    if out.dim() != rep.size():
        raise ArithmeticError(f"the decomposition of {rep!r} from characters has dimension {out.dim()}, "
                              f"not {rep.size()}")
    return out


def decompose(rep: Rep) -> Decomposition:
    """The decomposition of a representation without a character theory in
    ``repalg.symbolic``: from characters for one finite group small enough
    to enumerate, else numerically through the commutant (``commutant.py``).

    >>> from repalg import parse
    >>> print(decompose(parse("(V**2)(ZksZnxZn(2,2))")).dim())
    64
    """
    try:
        return from_characters(rep)
    except ValueError as reason:
        try:
            return commutant.decompose(rep)
        except ValueError as error:
            raise type(error)(f"{error}; and from characters: {reason}") from None
