"""Embedded groups: ``G`` acting on the first d coordinates of ℝⁿ, whose V is
G's V plus n-d scalars.

>>> from repalg.symbolic.characters.connected import special_orthogonal
>>> Padded(special_orthogonal(2), 1).decompose_monomial([(("V", False), 1)])
{0: 1, 1: 1, -1: 1}
"""

from __future__ import annotations

from collections import Counter
from math import comb

from .theory import Theory


class Padded(Theory):
    """G acting on the first d coordinates of ℝⁿ: V is G's V plus n-d scalars."""

    def __init__(self, base: Theory, extra: int):
        self.base, self.extra = base, extra
        self.trivial = base.trivial
        self.complex = base.complex

    def label(self, args):
        return self.base.label(args)

    def show(self, label):
        return self.base.show(label)

    def dim(self, label):
        return self.base.dim(label)

    def dual(self, label):
        return self.base.dual(label)

    def conj(self, label):
        return self.base.conj(label)

    def decompose_monomial(self, factors):
        # (V + e)^k = sum_j C(k, j) e^(k-j) V^j, for V and V* alike
        terms = [([], 1)]
        for spec, exponent in factors:
            if spec[0] != "V":
                terms = [(f + [(spec, exponent)], c) for f, c in terms]
                continue
            terms = [(f + ([(spec, j)] if j else []), c * comb(exponent, j) * self.extra ** (exponent - j))
                     for f, c in terms for j in range(exponent + 1)]
        out: Counter = Counter()
        for f, c in terms:
            if c:
                for label, m in self.base.decompose_monomial(f).items():
                    out[label] += c * m
        return dict(out)
