"""Connected groups by the weights of their complexification: ``SO(n)``
(types B and D; ``SO(2)`` a torus), ``SU(n)`` and ``U(n)`` (type A, acting on
ℂⁿ), and the non-compact real forms through their complexification:
``SO+(p,q)`` as ``SO(p+q)``, ``Sp(m)`` as type C, ``SL(n)`` and ``GL(n)`` as
type A, ``Scaling(n)`` as a one-dimensional torus.

>>> special_orthogonal(3).dim(2)
5
"""

from __future__ import annotations

from collections import Counter

from .. import weights as W
from .sliced import SlicedTheory
from .theory import integers, single


class Connected(SlicedTheory):
    """A connected group by the weights of its complexification."""

    def __init__(self, system, v_weights: dict, dual_of, conj_of=None, complex=False, normalize=None):
        self.system = system
        self.slices = (system,)
        self.v = v_weights
        self._dual = dual_of
        self._conj = conj_of
        self.complex = complex
        self._normalize = normalize
        self.trivial = single((0,) * system.rank) if system.rank else ()

    def _weight(self, label) -> tuple:
        return label if isinstance(label, tuple) else (label,)

    def label(self, args):
        lam = integers(args, "a highest weight")
        if self._normalize and len(lam) == self.system.rank - 1:
            lam += (0,)
        if self._normalize:
            lam = self._normalize(lam)
        if len(lam) != self.system.rank or not self.system.is_dominant(lam):
            raise ValueError(f"expected a dominant weight of {self.system.rank} integers "
                             f"({_describe_dominance(self.system)}), got {args!r}")
        if self.system.modulus:
            lam = self.system.reduce(lam)
        return single(lam) if self.system.rank else ()

    def show(self, label) -> tuple:
        if self._normalize and isinstance(label, tuple):
            return (single(label[:-1]),) if len(label) > 1 else ()
        return super().show(label)

    def dim(self, label) -> int:
        return self.system.dim(self._weight(label))

    def dual(self, label):
        return single(self._dual(self._weight(label))) if self.system.rank else label

    def conj(self, label):
        if self.complex:
            return None
        return single(self._conj(self._weight(label))) if self.system.rank else label

    def v_chars(self, dual):
        return (W.conjugate(self.v, self.system.modulus) if dual else self.v,)

    def irrep_chars(self, label):
        return (W.irreducible_character(self.system, self._weight(label)),)

    def split(self, readings):
        out: Counter = Counter()
        for lam, m in readings[0].items():
            key = self._normalize(lam) if self._normalize else lam
            out[single(key) if self.system.rank else ()] += m
        return dict(out)


def _describe_dominance(system) -> str:
    if system.kind == "T":
        return "any integers" + (f" mod {system.modulus}" if system.modulus else "")
    if system.kind == "D":
        return "λ1 ≥ λ2 ≥ … ≥ |λm|"
    return "non-increasing" + ("" if system.kind == "A" else ", non-negative")


def negate(w):
    return tuple(-x for x in w)


def flip_last(w):
    return w[:-1] + (-w[-1],)


def vector_weights(kind: str, m: int) -> dict:
    v: dict = {}
    for i in range(m):
        for s in (1, -1):
            e = [0] * m
            e[i] = s
            v[tuple(e)] = 1
    if kind == "B":
        v[(0,) * m] = 1
    return v


def special_orthogonal(n: int, flip_conj: bool = False) -> Connected:
    """SO(n): type B for odd n, D for even n, a torus for n = 2."""
    m = n // 2
    kind = "B" if n % 2 else "D"
    system = W.root_system(kind, m)
    dual = flip_last if kind == "D" and m % 2 else (lambda w: w)
    conj = dual if not flip_conj else (lambda w: flip_last(dual(w)))
    return Connected(system, vector_weights(kind, m), dual, conj)


def general_linear(n: int, special: bool, complex: bool) -> Connected:
    """U(n)/GL(n) (weights of gl(n)), or SU(n)/SL(n) (labels with λn = 0)."""
    system = W.root_system("A", n)
    v = {tuple(1 if j == i else 0 for j in range(n)): 1 for i in range(n)}

    def dual(w):
        return negate(w[::-1])

    normalize = (lambda w: tuple(x - w[-1] for x in w)) if special else None
    if special:
        base = dual
        dual = lambda w: normalize(base(w))  # noqa: E731
    return Connected(system, v, dual, conj_of=lambda w: w, complex=complex, normalize=normalize)
