"""Direct products ``G1 × G2 × …``: labels are tuples of the factors' labels,
and products of representations of several groups factor group by group.

>>> from repalg.symbolic.characters.dihedral import Dihedral
>>> z2 = Dihedral(2, False, {(a,): 1 for a in range(2)})  # Z(2) on ℝ² by swapping
>>> ProductTheory((z2, z2)).decompose_monomial([(("V", False), 1)])
{(0, 0): 1, (0, 1): 1, (1, 0): 1, (1, 1): 1}
"""

from __future__ import annotations

from collections import Counter
from math import factorial

from .theory import Theory, single


class ProductTheory(Theory):
    """A direct product G1 × G2 × …: labels are tuples of the factors' labels,
    and V is the tensor product of the factors' V (as in emlp)."""

    def __init__(self, factors: tuple):
        self.factors = factors
        self.trivial = tuple(t.trivial for t in factors)
        self.complex = any(t.complex for t in factors)

    def label(self, args):
        if len(args) == 1 and isinstance(args[0], tuple) and len(args[0]) == len(self.factors):
            args = args[0]
        if len(args) != len(self.factors):
            raise ValueError(f"expected one label per factor ({len(self.factors)}), got {args!r}")
        return tuple(t.label(a if isinstance(a, tuple) else (a,)) for t, a in zip(self.factors, args))

    def show(self, label):
        return (tuple(single(t.show(x)) if len(t.show(x)) == 1 else t.show(x)
                      for t, x in zip(self.factors, label)),)

    def dim(self, label):
        out = 1
        for t, x in zip(self.factors, label):
            out *= t.dim(x)
        return out

    def dual(self, label):
        return tuple(t.dual(x) for t, x in zip(self.factors, label))

    def conj(self, label):
        if self.complex:
            return None
        return tuple(t.conj(x) for t, x in zip(self.factors, label))

    def decompose_monomial(self, factors):
        return product_decompose(self.factors, [(self.split_spec(spec), e) for spec, e in factors])

    def split_spec(self, spec) -> list:
        """A spec as a list of alternatives, each one spec per factor."""
        kind, value = spec
        if kind == "V":
            return [tuple(("V", value) for _ in self.factors)]
        labels = [value]
        other = self.conj(value)
        if kind == "irrep" and other is not None and other != value:
            labels.append(other)
        return [tuple(("complex", x) for x in label) for label in labels]


def product_decompose(theories: tuple, factors: list) -> dict:
    """The decomposition over ℂ of a product of factors over several groups:
    each factor is ``(alternatives, exponent)``, an alternative holding one
    spec per group (a sum of alternatives, raised to the exponent)."""
    expansions = [([[] for _ in theories], 1)]
    for alternatives, exponent in factors:
        grown = []
        for counts in _compositions(exponent, len(alternatives)):
            coefficient = _multinomial(exponent, counts)
            for monomials, c in expansions:
                new = [list(m) for m in monomials]
                for alternative, k in zip(alternatives, counts):
                    if k:
                        for i, spec in enumerate(alternative):
                            if spec is not None:
                                new[i].append((spec, k))
                grown.append((new, c * coefficient))
        expansions = grown
    out: Counter = Counter()
    for monomials, c in expansions:
        parts = [t.decompose_monomial(m) for t, m in zip(theories, monomials)]
        combined = {(): c}
        for part in parts:
            combined = {key + (label,): m * n for key, m in combined.items() for label, n in part.items()}
        for key, m in combined.items():
            out[key] += m
    return {k: v for k, v in out.items() if v}


def _compositions(total: int, parts: int):
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first,) + rest


def _multinomial(total: int, counts: tuple) -> int:
    out = factorial(total)
    for c in counts:
        out //= factorial(c)
    return out
