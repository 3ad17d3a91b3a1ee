"""Weights and root systems: exact characters of connected reductive groups.

A character is a Laurent polynomial in the torus, stored as a dict
``{weight: multiplicity}`` with integer weight tuples (orthonormal
coordinates ``e_i``). Everything here is integer arithmetic, so the
decompositions it gives are exact.

- ``RootSystem`` holds a root system of type A (as ``gl(n)``), B, C, D, or a
  bare torus, with a modulus for finite cyclic groups (weights mod k).
- ``irreducible_character(system, lam)`` is Freudenthal's formula.
- ``multiplicities(system, char)`` splits a character into irreducibles by
  Weyl's alternation: every weight ``mu`` moved to ``w(mu + rho) - rho`` in the
  dominant chamber with the sign of ``w`` (weights on a wall cancel).

>>> so3 = root_system("B", 1)
>>> v = {(1,): 1, (0,): 1, (-1,): 1}
>>> sorted(multiplicities(so3, power(v, 2)).items())
[((0,), 1), ((1,), 1), ((2,), 1)]
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache


@dataclass(frozen=True)
class RootSystem:
    """Positive and simple roots of a reductive Lie algebra of rank ``rank`` in
    orthonormal coordinates, and ``rho`` doubled (``two_rho``) so that it is
    integral. ``modulus`` makes weights integers mod k (a finite cyclic torus;
    no roots then)."""

    kind: str
    rank: int
    positive: tuple
    simple: tuple
    two_rho: tuple
    modulus: int | None = None

    def reduce(self, weight: tuple) -> tuple:
        return tuple(w % self.modulus for w in weight) if self.modulus else weight

    def is_dominant(self, weight: tuple) -> bool:
        return all(_dot(weight, a) >= 0 for a in self.simple)

    def dim(self, lam: tuple) -> int:
        """Weyl's dimension formula."""
        out = Fraction(1)
        for alpha in self.positive:
            out *= Fraction(2 * _dot(lam, alpha) + _dot(self.two_rho, alpha), _dot(self.two_rho, alpha))
        return int(out)


def _dot(a: tuple, b: tuple) -> int:
    return sum(x * y for x, y in zip(a, b))


def _unit(n: int, i: int, scale: int = 1) -> list:
    e = [0] * n
    e[i] = scale
    return e


def _vec(*parts) -> tuple:
    return tuple(sum(p[i] for p in parts) for i in range(len(parts[0])))


@lru_cache(maxsize=None)
def root_system(kind: str, rank: int, modulus: int | None = None) -> RootSystem:
    """The root system ``A`` (of ``gl(rank)``), ``B``, ``C``, ``D`` of a given rank,
    or ``T``, a bare torus (``modulus`` k: the finite group of k-th roots of 1).

    >>> root_system("D", 2).positive
    ((1, -1), (1, 1))
    """
    n = rank
    e = [tuple(_unit(n, i)) for i in range(n)]
    neg = [tuple(-x for x in v) for v in e]
    positive, simple = [], []
    if kind in ("A", "B", "C", "D"):
        for i in range(n):
            for j in range(i + 1, n):
                positive.append(_vec(e[i], neg[j]))
                if kind != "A":
                    positive.append(_vec(e[i], e[j]))
        simple = [_vec(e[i], neg[i + 1]) for i in range(n - 1)]
        if kind == "B" and n:
            positive += e
            simple.append(e[-1])
        if kind == "C" and n:
            positive += [tuple(2 * x for x in v) for v in e]
            simple.append(tuple(2 * x for x in e[-1]))
        if kind == "D" and n >= 2:
            simple.append(_vec(e[-2], e[-1]))
    elif kind != "T":
        raise ValueError(f"unknown root system {kind!r}")
    two_rho = tuple(sum(a[i] for a in positive) for i in range(n))
    return RootSystem(kind, n, tuple(sorted(positive)), tuple(simple), two_rho, modulus)


# characters as dicts ----------------------------------------------------------

def add(a: dict, b: dict, scale: int = 1) -> dict:
    out = dict(a)
    for w, c in b.items():
        out[w] = out.get(w, 0) + scale * c
        if not out[w]:
            del out[w]
    return out


MAX_TERMS = 4_000_000
"""The most weight products one character multiplication may take; beyond it
the character is too large to expand, and a ValueError says so."""


MAX_IRREP_DIM = 20_000
"""The largest irreducible whose weights Freudenthal's formula lists."""


def convolve(a: dict, b: dict, modulus: int | None = None) -> dict:
    """The product of two Laurent polynomials ``{exponent tuple: coefficient}``
    (characters here, monomials of the normal form in ``normal_form.py``)."""
    out: dict = {}
    get = out.get
    for wa, ca in a.items():
        for wb, cb in b.items():
            w = tuple(map(operator.add, wa, wb))  # a third of the time of a generator's tuple
            if modulus:
                w = tuple(x % modulus for x in w)
            out[w] = get(w, 0) + ca * cb
    return {w: c for w, c in out.items() if c}


def product(a: dict, b: dict, modulus: int | None = None) -> dict:
    """``convolve``, refused beyond ``MAX_TERMS`` weight products.

    Mod k, a character with one coefficient c on every weight (c times the
    regular representation, as V of ``Z(n)``) absorbs any other: ``a·b`` is
    ``c·a(1)`` on every weight, found in time linear in the weights.

    >>> product({(0,): 1, (1,): 1, (2,): 1}, {(1,): 2, (2,): 5}, modulus=3)
    {(0,): 7, (1,): 7, (2,): 7}
    """
    for x, y in ((a, b), (b, a)):
        c = _regular_coefficient(y, modulus)
        if c is not None:
            total = c * sum(x.values())
            rank = len(next(iter(y)))
            return {w: total for w in itertools.product(range(modulus), repeat=rank)} if total else {}
    if len(a) * len(b) > MAX_TERMS:
        raise ValueError(f"a character with {len(a) * len(b)} weight products is more than repalg expands "
                         f"({MAX_TERMS}); the representation is too large to decompose by characters")
    return convolve(a, b, modulus)


def _regular_coefficient(a: dict, modulus: int | None):
    """c when ``a`` is c on every weight mod ``modulus`` (c times the regular
    representation), else None."""
    if not modulus or not a:
        return None
    rank = len(next(iter(a)))
    if rank == 0 or len(a) != modulus**rank:
        return None
    c = next(iter(a.values()))
    if any(v != c for v in a.values()) or any(not 0 <= x < modulus for w in a for x in w):
        return None
    return c


def power(a: dict, k: int, modulus: int | None = None, rank: int | None = None) -> dict:
    """``a**k``, one factor at a time: a large character times a small one is
    far cheaper than a large one squared (``rank``: the length of a weight,
    needed when ``a`` is zero)."""
    rank = len(next(iter(a))) if a else rank or 0
    out = {(0,) * rank: 1}
    for _ in range(k):
        out = product(out, a, modulus)
    return out


def conjugate(a: dict, modulus: int | None = None) -> dict:
    """The dual character: every weight negated."""
    return {tuple((-x) % modulus if modulus else -x for x in w): c for w, c in a.items()}


# Freudenthal and Weyl ---------------------------------------------------------

@lru_cache(maxsize=4096)
def irreducible_character(system: RootSystem, lam: tuple) -> dict:
    """All weights of the irreducible representation with highest weight
    ``lam``, with multiplicities (Freudenthal's formula).

    >>> sorted(irreducible_character(root_system("A", 3), (1, 0, 0)))
    [(0, 0, 1), (0, 1, 0), (1, 0, 0)]
    """
    if not system.positive:
        return {system.reduce(lam): 1}
    if len(system.positive) == 1:  # one root: a string of weights, each once
        alpha = system.positive[0]
        steps = 2 * _dot(lam, alpha) // _dot(alpha, alpha)
        return {tuple(x - i * a for x, a in zip(lam, alpha)): 1 for i in range(steps + 1)}
    if system.dim(lam) > MAX_IRREP_DIM:
        raise ValueError(f"the irreducible with highest weight {lam} has dimension {system.dim(lam)}, more than "
                         f"repalg expands into weights ({MAX_IRREP_DIM})")
    four_top = _dot(_vec(tuple(2 * x for x in lam), system.two_rho), _vec(tuple(2 * x for x in lam), system.two_rho))
    mult = {lam: 1}
    frontier = [lam]
    while frontier:
        candidates = sorted({_vec(mu, tuple(-x for x in a)) for mu in frontier for a in system.simple} - mult.keys())
        frontier = []
        for mu in candidates:
            numerator = 0
            for alpha in system.positive:
                k = 1
                while True:
                    nu = tuple(m + k * x for m, x in zip(mu, alpha))
                    c = mult.get(nu)
                    if c is None:
                        break
                    numerator += c * _dot(nu, alpha)
                    k += 1
            shifted = _vec(tuple(2 * x for x in mu), system.two_rho)
            denominator = four_top - _dot(shifted, shifted)
            if numerator and denominator > 0:
                mult[mu] = 8 * numerator // denominator
                frontier.append(mu)
    return {w: c for w, c in mult.items() if c}


def _reflect(x: tuple, alpha: tuple) -> tuple:
    k = 2 * _dot(x, alpha) // _dot(alpha, alpha)
    return tuple(a - k * b for a, b in zip(x, alpha))


def _sorted_with_sign(x: list) -> tuple[list, int]:
    """x sorted decreasing and the sign of the sorting permutation (0 on a tie)."""
    order = sorted(range(len(x)), key=lambda i: -x[i])
    y = [x[i] for i in order]
    if any(a == b for a, b in zip(y, y[1:])):
        return y, 0
    sign, seen = 1, [False] * len(order)
    for i in range(len(order)):  # parity from the cycle decomposition
        if not seen[i]:
            j, length = i, 0
            while not seen[j]:
                seen[j] = True
                j = order[j]
                length += 1
            sign *= -1 if length % 2 == 0 else 1
    return y, sign


def _classical_dominant(system: RootSystem, x: list) -> tuple[list, int]:
    """The Weyl group of type A, B, C, D acting on 2(weight + rho) in
    orthonormal coordinates: permutations, and sign changes (all of them for
    B and C, an even number for D)."""
    if system.kind == "A":
        return _sorted_with_sign(x)
    negatives = sum(1 for v in x if v < 0)
    y, sign = _sorted_with_sign([abs(v) for v in x])
    if not sign:
        return y, 0
    if system.kind in ("B", "C"):
        if y and y[-1] == 0:
            return y, 0
        return y, sign * (-1) ** negatives
    if negatives % 2 and y[-1] != 0:  # D: an odd number of sign changes is not in W
        y[-1] = -y[-1]
    return y, sign


def dominant(system: RootSystem, weight: tuple) -> tuple[tuple, int]:
    """``(w(weight + rho) - rho, sign(w))`` in the dominant chamber, or
    ``(None, 0)`` when ``weight + rho`` lies on a wall."""
    x = _vec(tuple(2 * v for v in weight), system.two_rho)  # 2(weight + rho)
    if system.kind in ("A", "B", "C", "D") and system.rank >= 2:
        y, sign = _classical_dominant(system, list(x))
        if not sign:
            return None, 0
        return tuple((a - r) // 2 for a, r in zip(y, system.two_rho)), sign
    sign = 1
    moved = True
    while moved:
        moved = False
        for alpha in system.simple:
            d = _dot(x, alpha)
            if d == 0:
                return None, 0
            if d < 0:
                x = _reflect(x, alpha)
                sign = -sign
                moved = True
    return tuple((a - r) // 2 for a, r in zip(x, system.two_rho)), sign


def multiplicities(system: RootSystem, char: dict, check: bool = True) -> dict:
    """The irreducible constituents of a character: ``{highest weight: multiplicity}``.

    >>> a2 = root_system("A", 3)
    >>> v, vd = irreducible_character(a2, (1, 0, 0)), irreducible_character(a2, (0, 0, -1))
    >>> multiplicities(a2, product(v, vd))
    {(0, 0, 0): 1, (1, 0, -1): 1}
    """
    out: dict = {}
    for weight, count in char.items():
        lam, sign = dominant(system, weight)
        if sign:
            out[lam] = out.get(lam, 0) + sign * count
    result = {lam: c for lam, c in sorted(out.items()) if c}
    if check and any(c < 0 for c in result.values()):
        raise ArithmeticError(f"not a character: negative multiplicities {result}")
    return result
