"""``O(n)`` for even ``n = 2m`` (and ``O(p,q)`` with even ``p+q``): a second
slice, a reflection times the torus of ``SO(2m-2)``, on which the characters
of ``O(2m)`` are those of ``Sp(2m-2)`` (twining characters).

>>> EvenOrthogonal(2).dim(1), EvenOrthogonal(2).dim((0, -1))
(2, 1)
"""

from __future__ import annotations

from .. import weights as W
from .connected import flip_last, vector_weights
from .sliced import SlicedTheory
from .theory import integers, single


class EvenOrthogonal(SlicedTheory):
    """O(2m): labels (λ1, …, λm) with λm > 0 (restricting to λ ⊕ σλ on SO(2m)),
    and (λ1, …, λ_{m-1}, 0, ε) with ε = ±1, the sign of the twining character
    (ε = -1 is the twist by det)."""

    def __init__(self, n: int):
        self.m = n // 2
        self.system = W.root_system("D", self.m) if self.m >= 2 else W.root_system("T", 1)
        self.twist = W.root_system("C", self.m - 1)
        self.slices = (self.system, self.twist)
        self.v = vector_weights("D", self.m)
        self.v_twisted = vector_weights("C", self.m - 1) if self.m > 1 else {}
        self.trivial = (0,) * self.m + (1,)

    def label(self, args):
        flat = integers(args, "an O(n) label")
        if len(flat) == self.m + 1 and flat[-1] in (1, -1) and len(flat) >= 2 and flat[-2] == 0:
            lam = flat[:-1]
        elif len(flat) == self.m and flat[-1] > 0:
            lam = flat
        else:
            raise ValueError(f"expected {self.m} non-increasing integers with the last > 0, or "
                             f"{self.m - 1} such integers then 0 and a sign ±1, got {args!r}")
        if any(a < b for a, b in zip(lam, lam[1:])) or lam[-1] < 0:
            raise ValueError(f"expected non-increasing non-negative integers, got {args!r}")
        return single(flat)

    def _lam(self, label):
        flat = label if isinstance(label, tuple) else (label,)
        return (flat[:-1], flat[-1]) if len(flat) == self.m + 1 else (flat, 0)

    def dim(self, label):
        lam, eps = self._lam(label)
        return self.system.dim(lam) * (1 if eps else 2)

    def v_chars(self, dual):
        return (self.v, self.v_twisted)

    def irrep_chars(self, label):
        lam, eps = self._lam(label)
        chi = W.irreducible_character(self.system, lam)
        if eps == 0:
            return (W.add(chi, W.irreducible_character(self.system, flip_last(lam))), {})
        twined = W.irreducible_character(self.twist, lam[:-1])
        return (chi, {w: eps * c for w, c in twined.items()})

    def split(self, readings):
        plain, twisted = readings
        out = {}
        for lam, a in plain.items():
            if lam[-1] > 0:
                out[single(lam)] = a
            elif lam[-1] == 0:
                b = twisted.get(lam[:-1], 0)
                for eps in (1, -1):
                    out[lam + (eps,)] = (a + eps * b) // 2
        return out
