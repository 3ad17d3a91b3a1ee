"""A lower bound on the order of a group of signed permutations, from a
partial stabilizer chain (Schreier and Sims), so that a group far too large
to enumerate is known to be so within milliseconds
(:mod:`repalg.numeric.finite` refuses it before enumerating).
"""

from __future__ import annotations

import numpy as np


def _points(rows: np.ndarray) -> np.ndarray:
    """Signed permutations of ``d`` coordinates (rows ``sign * (perm + 1)``) as
    permutations of the ``2d`` signed coordinates: ``+e_j`` is point ``j``,
    ``-e_j`` point ``d + j``; a faithful action, so it generates a group of
    the same order."""
    d = rows.shape[1]
    image = np.abs(rows) - 1 + d * (rows < 0)
    return np.concatenate([image, (image + d) % (2 * d)], axis=1)


def order_at_least(rows: np.ndarray, limit: int, seed: int = 0, samples: int = 24) -> int:
    """A lower bound on the order of the group the signed permutations
    ``rows`` generate, from a partial stabilizer chain (Schreier and Sims):
    the orbit of a point, times the orbit of the next point under some of
    the Schreier generators of the first's stabilizer, and so on. Each
    factor is at most the true index of the next stabilizer, so the product
    never exceeds the order; it stops once it passes ``limit``. It lets a
    group far larger than :data:`repalg.numeric.finite.MAX_ORDER` be
    refused before enumerating.

    >>> s5 = np.array([[2, 1, 3, 4, 5], [2, 3, 4, 5, 1]])  # a transposition and a 5-cycle, as rows
    >>> order_at_least(s5, 10**5)  # S(5) has 120 elements
    120
    """
    gens = [g for g in _points(np.asarray(rows)) if not np.array_equal(g, np.arange(len(g)))]
    rng = np.random.default_rng(seed)
    bound = 1
    while gens and bound <= limit:
        lists = [g.tolist() for g in gens]
        base = int(np.flatnonzero(gens[0] != np.arange(len(gens[0])))[0])
        reached = {base: None}  # each point of the orbit: the point and generator it was reached from
        frontier = [base]
        while frontier:
            grown = []
            for x in frontier:
                for k, g in enumerate(lists):
                    if g[x] not in reached:
                        reached[g[x]] = (x, k)
                        grown.append(g[x])
            frontier = grown
        bound *= len(reached)

        def coset(x):  # u_x, with u_x[base] = x: the generators along the path from the base, composed
            path = []
            while reached[x] is not None:
                x, k = reached[x]
                path.append(k)
            u = np.arange(len(gens[0]))
            for k in reversed(path):
                u = gens[k][u]
            return u

        orbit = list(reached)
        chosen = rng.choice(len(orbit) * len(gens), size=min(samples, len(orbit) * len(gens)), replace=False)
        stabilizer = []
        for i in chosen:
            x, g = orbit[i // len(gens)], gens[i % len(gens)]
            h = np.argsort(coset(int(g[x])))[g[coset(x)]]  # u_x, then g, then u_g(x)⁻¹: it fixes the base
            if not np.array_equal(h, np.arange(len(h))):
                stabilizer.append(h)
        gens = stabilizer
    return bound


__all__ = ["order_at_least"]
