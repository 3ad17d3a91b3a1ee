"""Numeric isotypic decomposition, for any matrix group.

The commutant ``End_G(W)`` is the equivariant basis of ``W >> W``. A random
Hermitian element of it has irreducible eigenspaces; two of them hold
isomorphic irreducibles exactly when a random element of the commutant maps
one onto the other. Each irreducible is named by its dimension, its type
(``dim End = 1, 2, 4``: real, complex, quaternionic) and its characters on a
fixed set of group elements, so decompositions of different representations
of one group compare.

>>> from repalg import parse
>>> d = parse("(V**2)(ZksZnxZn(2,2))").decompose()
>>> len(d), d.dim(), set(d.values())
(8, 64, {8})
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..symbolic.decompose import Decomposition
from ..symbolic.decompose import decompose as symbolic
from ..symbolic.constructors import hom
from ..symbolic.nodes import Rep
from .errors import SolveError, TooLargeError

MAX_SIZE = 512
"""The largest representation decomposed numerically (its commutant lives in size²)."""

_SAMPLES = 48


@dataclass(frozen=True)
class NumericIrrep:
    """An irreducible found numerically: its group, dimension, type, and
    characters on ``_SAMPLES`` fixed elements of the group (rounded)."""

    group: object
    dim: int
    kind: str
    characters: tuple

    def size(self) -> int:
        return self.dim

    def __str__(self) -> str:
        tag = abs(hash(self.characters)) % 10**4
        return f"Irrep({self.group},dim={self.dim},{self.kind},#{tag:04d})"

    __repr__ = __str__


def trivial_irrep(group) -> NumericIrrep:
    """The trivial irreducible of ``group``, as the numeric decomposition names it.

    >>> from repalg import group, parse
    >>> trivial_irrep(group("Cube")) in parse("(V**2)(Cube)").decompose()
    True
    """
    return NumericIrrep(group, 1, "real", (1 + 0j,) * _SAMPLES)


def split(rep: Rep):
    """The irreducible subspaces of ``rep`` as ``(pieces, element)``: pieces
    are (orthonormal columns, class index), classes numbered by first
    appearance; ``element()`` draws a random element of the commutant. An
    empty list for a zero-dimensional ``rep``."""
    groups = rep.groups()
    if len(groups) != 1:
        raise ValueError(f"numeric decomposition takes a representation of one group, got {rep!r}")
    n = rep.size()
    if n > MAX_SIZE:
        raise TooLargeError(f"{rep!r} has size {n}: numeric decomposition goes up to {MAX_SIZE} "
                         f"(its commutant has size {n}² = {n * n})")
    if n == 0:
        return []
    basis = hom(rep, rep).equivariant_basis()  # sparse: orbit bases have one entry a row
    rng = np.random.default_rng(0)
    complex_ = np.issubdtype(basis.dtype, np.complexfloating)

    def element():
        c = rng.normal(size=basis.shape[1])
        if complex_:
            c = c + 1j * rng.normal(size=basis.shape[1])
        return np.asarray(basis @ c).reshape(n, n)

    r = element()
    w, u = np.linalg.eigh(r + r.conj().T)
    scale = max(1.0, np.abs(w).max())
    cuts = np.flatnonzero(np.diff(w) > 1e-7 * scale) + 1
    spaces = np.split(u, cuts, axis=1)
    probe = element()
    parent = list(range(len(spaces)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(spaces):
        for j in range(i):
            b = spaces[j]
            if a.shape[1] == b.shape[1] and np.abs(b.conj().T @ probe @ a).max() > 1e-7 * scale:
                parent[find(i)] = find(j)
    roots: dict = {}
    return [(space, roots.setdefault(find(i), len(roots))) for i, space in enumerate(spaces)], element


def _classes(rep: Rep) -> list:
    """``[(NumericIrrep, [orthonormal columns of each copy])]`` for ``rep``."""
    found = split(rep)
    if not found:
        return []
    spaces, element = found
    group = rep.groups()[0]
    elements = np.asarray(group.samples(_SAMPLES, key=20211))
    rhos = [np.asarray(rep.rho_dense(g)) for g in elements]
    classes: dict = {}
    for space, index in spaces:
        classes.setdefault(index, []).append(space)
    out = []
    for members in classes.values():
        first = members[0]
        restricted = np.array([(first.conj().T @ element() @ first).ravel() for _ in range(6)])
        kind = {1: "real", 2: "complex", 4: "quaternionic"}.get(np.linalg.matrix_rank(restricted, tol=1e-6), "?")
        chars = tuple(complex(np.round(np.trace(first.conj().T @ r @ first), 5)) for r in rhos)
        out.append((NumericIrrep(group, first.shape[1], kind, chars), members))
    if len({key for key, _ in out}) < len(out):
        raise SolveError(f"the characters of {rep!r} on {_SAMPLES} sample elements do not tell its "
                         f"irreducibles apart")
    out.sort(key=lambda p: (p[0].dim, [(c.real, c.imag) for c in p[0].characters]))
    return out


def decompose(rep: Rep) -> Decomposition:
    """The decomposition of ``rep`` found numerically (see the module); a
    representation of several groups goes group by group.

    >>> from repalg import parse
    >>> d = decompose(parse("(V**2)(Cube)"))
    >>> sum(d.values()), d.dim()
    (16, 36)
    """
    if len(rep.groups()) > 1:
        return symbolic(rep)
    group = rep.groups()[0] if rep.groups() else None
    pairs = [(key, len(members)) for key, members in _classes(rep)]
    return Decomposition(pairs, field="complex" if group is not None and group.is_complex else "real", rep=rep)


def change_of_basis(rep: Rep, decomposition: Decomposition) -> np.ndarray:
    """An orthogonal (unitary) matrix whose columns span the irreducible
    components of ``rep``, grouped in the order of ``decomposition``."""
    classes = _classes(rep)
    if not classes:
        return np.zeros((0, 0))
    order = _match(rep, classes, list(decomposition.items()))
    return np.concatenate([s for i in order for s in classes[i][1]], axis=1)


def _match(rep: Rep, classes: dict, wanted: list) -> list:
    """Class indices in the order of ``wanted``: by dimension and multiplicity,
    and by characters where those leave a choice."""
    group = rep.groups()[0]
    elements = np.asarray(group.samples(_SAMPLES, key=20211))
    rhos = [np.asarray(rep.rho_dense(g)) for g in elements]
    free = dict(enumerate(classes))
    order = []
    for key, count in wanted:
        candidates = [i for i, (found, members) in free.items()
                      if (found == key if isinstance(key, NumericIrrep) else found.dim == key.size())
                      and len(members) == count]
        if len(candidates) > 1:
            candidates = [i for i in candidates if _same_characters(key, free[i][1][0], rhos, elements)]
        if len(candidates) != 1:
            raise ValueError(f"cannot tell which components of {rep!r} hold {key}: "
                             f"{len(candidates)} candidates of that size and multiplicity")
        order.append(candidates[0])
        del free[candidates[0]]
    return order


def _same_characters(key, space: np.ndarray, rhos: list, elements: np.ndarray) -> bool:
    if isinstance(key, NumericIrrep):
        return True
    for r, g in zip(rhos, elements):
        try:
            own = np.trace(np.asarray(key.rho_dense(g)))
        except ValueError:
            return True
        if abs(np.trace(space.conj().T @ r @ space) - own) > 1e-4 * (1 + abs(own)):
            return False
    return True
