"""The normal form of an expression and the layout between the two coordinate
systems.

``canonical`` returns a sum of monomials with integer multiplicities, sorted
by content; ``layout`` the permutation that carries the user's coordinates
to the canonical ones. Within one call, the distinct atoms are numbered in
content order and a monomial is a tuple of exponents, one per atom; a
polynomial is a dict {monomial: multiplicity}. Sub-results are memoised by
node (nodes are immutable and hash once), and the total work is bounded.

>>> from repalg.symbolic.nodes import V
>>> repr(canonical(5 * V * (2 + V)))
'10*V+5*V**2'
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .constructors import direct_sum, multiplicity, power, tensor
from .nodes import Atom, Rep, Sum, iter_atoms, orthogonal, size_of
from .weights import convolve

MAX_CANONICAL_WORK = 10_000_000
"""The most monomial products one call of ``canonical()`` may take before it refuses."""


MAX_LAYOUT = 2**30
"""The largest representation whose layout (one int64 per coordinate) is built."""


def _normal_atom(atom: Atom) -> Atom:
    group = atom.group
    # V and the irreducibles of a compact real group act by orthogonal matrices
    # (and, by emlp's convention, the representations of its users)
    if (atom.dual and (atom.dim is None or atom.name == "Irrep" or atom.user is not None)
            and orthogonal(group)):
        return replace(atom, dual=False)
    return atom


class _Normalizer:
    def __init__(self, rep: Rep):
        atoms = {_normal_atom(a) for a in iter_atoms(rep)}
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


def canonical(rep: Rep) -> Rep:
    """The normal form of a (node) expression (``Rep.canonical``)."""
    normalizer = _Normalizer(rep)
    return normalizer.rep(normalizer.polynomial(rep))


def _blocks(rep: Rep) -> list:
    """The expression as blocks ``(atoms, index)``: ``index`` has one axis per
    atom occurrence (in the user's Kronecker order) and holds user coordinates."""
    if isinstance(rep, Atom):
        return [((rep,), np.arange(size_of(rep)))]
    if isinstance(rep, Sum):
        out, offset = [], 0
        for term, count in rep.terms:
            sub, width = _blocks(term), size_of(term)
            for _ in range(count):
                out.extend((atoms, index + offset) for atoms, index in sub)
                offset += width
        return out
    out = [((), np.zeros((), dtype=np.int64))]
    for factor, exponent in rep.factors:
        sub, width = _blocks(factor), size_of(factor)
        for _ in range(exponent):
            out = [(a1 + a2, np.multiply.outer(i1 * width, np.ones_like(i2)) + i2)
                   for a1, i1 in out for a2, i2 in sub]
    return out


def layout(rep: Rep) -> np.ndarray:
    """The permutation from the user's coordinates to the canonical ones (``Rep.layout``)."""
    size = size_of(rep)
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
