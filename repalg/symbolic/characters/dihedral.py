"""``C(k)``, ``Z(n)`` and ``D(k)`` as a torus mod k (and reflections for ``D(k)``).

>>> Dihedral(4, True, {(1,): 1, (-1,): 1}).dim(1)
2
"""

from __future__ import annotations

from collections import Counter

from .. import weights as W
from .sliced import SlicedTheory
from .theory import integers


class Dihedral(SlicedTheory):
    """C(k), Z(n) and D(k): a torus mod k, with reflections for D(k). Labels:
    a character a mod k for the cyclic groups; for D(k), (0, ε) and (k/2, ε)
    (one-dimensional; ε the sign on emlp's reflection) and 1 ≤ a < k/2."""

    def __init__(self, k: int, reflections: bool, v: dict):
        self.k = k
        self.reflections = reflections
        torus = W.root_system("T", 1, k)
        point = W.root_system("T", 0)
        classes = 0 if not reflections else (2 if k % 2 == 0 else 1)
        self.slices = (torus,) + (point,) * classes
        reduced: Counter = Counter()
        for w, c in v.items():
            reduced[torus.reduce(w)] += c
        self.v = dict(reduced)
        self.trivial = (0, 1) if reflections else 0

    def _ends(self) -> tuple:
        return (0, self.k // 2) if self.k % 2 == 0 else (0,)

    def label(self, args):
        flat = integers(args, "a label")
        if not self.reflections:
            if len(flat) != 1:
                raise ValueError(f"expected one integer mod {self.k}, got {args!r}")
            return flat[0] % self.k
        if len(flat) == 2 and flat[0] in self._ends() and flat[1] in (1, -1):
            return flat
        if len(flat) == 1 and 0 < flat[0] < self.k / 2:
            return flat[0]
        raise ValueError(f"expected (a, ±1) with a in {self._ends()}, or an integer 0 < a < {self.k / 2:g}, "
                         f"got {args!r}")

    def dim(self, label):
        return 2 if self.reflections and not isinstance(label, tuple) else 1

    def dual(self, label):
        return label if self.reflections else (-label) % self.k

    def conj(self, label):
        return self.dual(label)

    def v_chars(self, dual):
        # a reflection of the plane has trace 0
        torus = W.conjugate(self.v, self.k) if dual else self.v
        return (torus,) + ({},) * (len(self.slices) - 1)

    def irrep_chars(self, label):
        if not self.reflections:
            return ({(label,): 1},)
        if isinstance(label, tuple):
            a, eps = label
            signs = (eps, eps if a == 0 else -eps)[:len(self.slices) - 1]
            return ({(a,): 1},) + tuple({(): s} for s in signs)
        return ({(label,): 1, ((-label) % self.k,): 1},) + ({},) * (len(self.slices) - 1)

    def split(self, readings):
        torus = {w[0]: c for w, c in readings[0].items()}
        if not self.reflections:
            return torus
        values = [r.get((), 0) for r in readings[1:]]
        out = {}
        for a in range(1, (self.k + 1) // 2):
            out[a] = torus.get(a, 0)
        for a in self._ends():
            if len(values) == 1:
                t = values[0]
            elif a == 0:
                t = (values[0] + values[1]) // 2
            else:
                t = (values[0] - values[1]) // 2
            for eps in (1, -1):
                out[(a, eps)] = (torus.get(a, 0) + eps * t) // 2
        return out
