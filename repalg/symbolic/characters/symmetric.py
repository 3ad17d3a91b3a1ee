"""``S(n)`` by partitions: ``λ ⊗ V`` by the branching rule (remove a box, add
a box), other products by Murnaghan–Nakayama characters.

>>> Symmetric(3).decompose_monomial([(("V", False), 1)])
{(3,): 1, (2, 1): 1}
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from math import factorial

from .theory import Theory, integers


class Symmetric(Theory):
    """S(n) on ℝⁿ by permutations: labels are partitions of n."""

    MAX_TABLE = 14

    def __init__(self, n: int):
        self.n = n
        self.trivial = (n,)

    def label(self, args):
        lam = integers(args, "a partition")
        if sum(lam) != self.n or any(a < b for a, b in zip(lam, lam[1:])) or (lam and lam[-1] < 1):
            raise ValueError(f"expected a partition of {self.n} (non-increasing positive integers "
                             f"summing to {self.n}), got {args!r}")
        return lam

    def show(self, label):
        return (label,)

    def dim(self, label):
        return _hook_dim(label)

    def decompose_monomial(self, factors):
        # every irreducible of S(n) is real: "irrep" and "complex" agree
        ring = {self.trivial: 1}
        for (kind, value), exponent in factors:
            for _ in range(exponent):
                ring = _branch(ring) if kind == "V" else self._times(ring, value)
        return dict(sorted(ring.items(), key=lambda kv: tuple(-x for x in kv[0])))

    def _times(self, ring: dict, mu: tuple) -> dict:
        if self.n > self.MAX_TABLE:
            raise ValueError(f"tensor products of irreducibles of S({self.n}) need its character table; "
                             f"repalg computes it up to S({self.MAX_TABLE})")
        out: Counter = Counter()
        for lam, m in ring.items():
            for nu, c in _kronecker(lam, mu).items():
                out[nu] += m * c
        return {k: v for k, v in out.items() if v}


def _branch(ring: dict) -> dict:
    """``ring ⊗ V`` for S(n) on ℝⁿ: remove a box, then add a box."""
    out: Counter = Counter()
    for lam, m in ring.items():
        for mu in _remove_box(lam):
            for nu in _add_box(mu):
                out[nu] += m
    return dict(out)


def _remove_box(lam: tuple):
    for i in range(len(lam)):
        if i == len(lam) - 1 or lam[i] > lam[i + 1]:
            mu = list(lam)
            mu[i] -= 1
            yield tuple(x for x in mu if x)


def _add_box(mu: tuple):
    for i in range(len(mu) + 1):
        if i == 0 or mu[i - 1] > (mu[i] if i < len(mu) else 0):
            nu = list(mu) + [0]
            nu[i] += 1
            yield tuple(x for x in nu if x)


def _hook_dim(lam: tuple) -> int:
    n = sum(lam)
    cols = [sum(1 for r in lam if r > j) for j in range(lam[0])] if lam else []
    hooks = 1
    for i, r in enumerate(lam):
        for j in range(r):
            hooks *= (r - j - 1) + (cols[j] - i - 1) + 1
    return factorial(n) // hooks


def _partitions(n: int, largest: int | None = None):
    largest = n if largest is None else largest
    if n == 0:
        yield ()
        return
    for first in range(min(n, largest), 0, -1):
        for rest in _partitions(n - first, first):
            yield (first,) + rest


@lru_cache(maxsize=None)
def _mn(lam: tuple, rho: tuple) -> int:
    """Murnaghan–Nakayama: the character of λ on the class of cycle type ρ."""
    if not rho:
        return 1 if not lam else 0
    k, rest = rho[0], rho[1:]
    total = 0
    # beta numbers: remove k-rim hooks as moves of a bead k places down
    length = len(lam)
    beta = [lam[i] + length - 1 - i for i in range(length)]
    beads = set(beta)
    for b in beta:
        if b - k >= 0 and b - k not in beads:
            height = sum(1 for c in beta if b - k < c < b)
            new = sorted((beads - {b}) | {b - k}, reverse=True)
            mu = tuple(x for x in (new[i] - (length - 1 - i) for i in range(length)) if x > 0)
            total += (-1) ** height * _mn(mu, rest)
    return total


def _class_size(rho: tuple) -> int:
    n = sum(rho)
    size = factorial(n)
    for part in set(rho):
        count = rho.count(part)
        size //= part**count * factorial(count)
    return size


@lru_cache(maxsize=None)
def _kronecker(lam: tuple, mu: tuple) -> dict:
    n = sum(lam)
    out = {}
    for nu in _partitions(n):
        total = sum(_class_size(rho) * _mn(lam, rho) * _mn(mu, rho) * _mn(nu, rho) for rho in _partitions(n))
        if total:
            out[nu] = total // factorial(n)
    return out
