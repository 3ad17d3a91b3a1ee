"""The invariant-theory rung for orthogonal groups of a quadratic form.

For ``O(p,q)`` (``O(n)``, the Lorentz group ``O(1,3)``, …), the first
fundamental theorem of invariant theory says that the invariants of a
tensor product of V and V* are spanned by the Brauer pairings: split the
factors into pairs and put on each pair the invariant form (``η⁻¹`` on V⊗V,
``η`` on V*⊗V*, the identity on V⊗V*). For the special groups (``SO(p,q)``,
``SO+(p,q)``), one Levi-Civita tensor on n factors times pairings of the
others joins them. For ``k ≤ n`` factors the pairings are independent;
beyond, a Gram matrix picks a basis, its rank certified by a spectral gap.

>>> import numpy as np
>>> eta = np.diag([1.0, -1, -1, -1])
>>> span = spanning((False,) * 4, eta, special=False)
>>> span.shape
(256, 3)
"""

from __future__ import annotations

import itertools
import string
from math import comb

import numpy as np


def count(k: int, n: int, special: bool) -> int:
    """How many spanning tensors ``spanning`` makes for k factors."""
    pairings = _double_factorial(k - 1) if k % 2 == 0 else 0
    eps = 0
    if special and k >= n and (k - n) % 2 == 0:
        eps = _binomial(k, n) * (_double_factorial(k - n - 1) if k > n else 1)
    return pairings + eps


def _double_factorial(m: int) -> int:
    out = 1
    while m > 1:
        out *= m
        m -= 2
    return out


def _binomial(n: int, k: int) -> int:
    return comb(n, k)


def _pairings(positions: tuple):
    if not positions:
        yield ()
        return
    first, rest = positions[0], positions[1:]
    for i, other in enumerate(rest):
        for tail in _pairings(rest[:i] + rest[i + 1:]):
            yield ((first, other),) + tail


def _levi_civita(n: int) -> np.ndarray:
    eps = np.zeros((n,) * n)
    for perm in itertools.permutations(range(n)):
        inversions = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        eps[perm] = (-1) ** inversions
    return eps


def spanning(duals: tuple, eta: np.ndarray, special: bool) -> np.ndarray:
    """The spanning invariants of ``⊗ (V* if dual else V)`` as columns, shape
    (n**k, count): ``eta`` is the invariant form of V (an n×n matrix)."""
    n, k = eta.shape[0], len(duals)
    up = np.linalg.inv(eta)
    letters = string.ascii_letters[:k]
    columns = []

    def pair_form(i: int, j: int) -> np.ndarray:
        if duals[i] and duals[j]:
            return eta
        if not duals[i] and not duals[j]:
            return up
        return np.eye(n)

    def build(pairs, eps_positions=()):
        operands, subscripts = [], []
        for i, j in pairs:
            operands.append(pair_form(i, j))
            subscripts.append(letters[i] + letters[j])
        if eps_positions:
            operands.append(_levi_civita(n))
            subscripts.append("".join(letters[i] if not duals[i] else letters[i].upper() for i in eps_positions))
            for i in eps_positions:
                if duals[i]:  # lower the index with the form
                    operands.append(eta)
                    subscripts.append(letters[i] + letters[i].upper())
        spec = ",".join(subscripts) + "->" + letters
        return np.einsum(spec, *operands).reshape(-1) if operands else np.ones(1)

    positions = tuple(range(k))
    if k % 2 == 0:
        columns.extend(build(p) for p in _pairings(positions))
    if special and k >= n and (k - n) % 2 == 0:
        for chosen in itertools.combinations(positions, n):
            rest = tuple(i for i in positions if i not in chosen)
            columns.extend(build(p, chosen) for p in _pairings(rest))
    if not columns:
        return np.zeros((n**k, 0))
    return np.stack(columns, axis=1)
