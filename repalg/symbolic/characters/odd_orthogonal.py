"""``O(n)`` for odd ``n`` (and ``O(p,q)``, ``SO(p,q)`` with odd ``p+q``):
``SO(n) × {±I}``, by a second slice of the torus, ``-T``.

>>> OddOrthogonal(3).dim((1, -1))
3
"""

from __future__ import annotations

from .. import weights as W
from .connected import vector_weights
from .sliced import SlicedTheory
from .theory import integers, single


class OddOrthogonal(SlicedTheory):
    """O(2m+1) = SO(2m+1) × {±I}: labels (λ1, …, λm, ε), ε the sign of -I."""

    def __init__(self, n: int):
        self.m = n // 2
        self.system = W.root_system("B", self.m)
        self.slices = (self.system, self.system)
        self.v = vector_weights("B", self.m)
        self.trivial = single((0,) * self.m + (1,))

    def _split_label(self, label):
        flat = label if isinstance(label, tuple) else (label,)
        return flat[:-1], flat[-1]

    def label(self, args):
        flat = integers(args, "an O(n) label")
        lam, eps = flat[:-1], flat[-1] if flat else None
        if len(lam) != self.m or eps not in (1, -1) or not self.system.is_dominant(lam):
            raise ValueError(f"expected {self.m} non-increasing non-negative integers and a sign ±1 "
                             f"(the action of -I), got {args!r}")
        return single(flat)

    def dim(self, label):
        return self.system.dim(self._split_label(label)[0])

    def v_chars(self, dual):
        return (self.v, {w: -c for w, c in self.v.items()})

    def irrep_chars(self, label):
        lam, eps = self._split_label(label)
        chi = W.irreducible_character(self.system, lam)
        return (chi, {w: eps * c for w, c in chi.items()})

    def split(self, readings):
        plain, twisted = readings
        out = {}
        for lam in set(plain) | set(twisted):
            a, b = plain.get(lam, 0), twisted.get(lam, 0)
            for eps in (1, -1):
                out[single(lam + (eps,))] = (a + eps * b) // 2
        return out
