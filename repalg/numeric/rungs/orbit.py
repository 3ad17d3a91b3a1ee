"""The orbit rung: for a group of (signed) permutations acting on a tensor
power of its base representation, the invariants are the orbits of index
tuples, found exactly with a connected-components pass over the generators'
moves, with no floating-point solve.

>>> import numpy as np
>>> orbit_basis(3, 2, [(np.array([1, 2, 0]), np.ones(3))]).shape  # Z(3) on V⊗V
(9, 3)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from ..group_generators import generators, orbit_permutations, signed_permutation


def orbit_moves(group) -> list | None:
    """The group's discrete generators as (permutation, sign) pairs when it is
    a group of signed permutations, else None."""
    perms = orbit_permutations(group)
    if perms is not None:
        return [(p, np.ones(len(p))) for p in perms]
    lie, disc = generators(group)
    if len(lie):
        return None
    moves = [signed_permutation(h) for h in disc]
    return moves if all(m is not None for m in moves) else None


def tuple_action(perm: np.ndarray, sign: np.ndarray, d: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Where a signed permutation of ``d`` coordinates sends each of the
    ``d**k`` index tuples (flattened in C order), and the product of the
    signs on the way: outer sums of the digits' images, most significant first.

    >>> image, signs = tuple_action(np.array([1, 0]), np.array([1, -1]), 2, 2)
    >>> image.tolist(), signs.tolist()
    ([3, 2, 1, 0], [1, -1, -1, 1])
    """
    image, signs = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int8)
    for j in reversed(range(k)):
        image = np.add.outer(image, perm.astype(np.int64) * d**j).ravel()
        signs = np.multiply.outer(signs, sign.astype(np.int8)).ravel()
    return image, signs


def orbit_basis(d: int, k: int, moves: list) -> scipy.sparse.csr_matrix:
    """Invariants of the k-th tensor power of a signed permutation action.

    Each generator h (``h @ v == sign * v[perm]``) ties index tuples I and
    perm(I): an invariant has ``v[I] = s(I) v[perm(I)]`` with s(I) the product
    of the signs. On the doubled graph of nodes (I, ±) an orbit is a connected
    component; one that holds both (I, +) and (I, -) forces v = 0 there."""
    n = d**k
    index = np.arange(n, dtype=np.int64)
    signed = any(np.any(np.asarray(sign) < 0) for _, sign in moves)
    sources, targets = [], []
    for perm, sign in moves:
        image, signs = tuple_action(np.asarray(perm), np.asarray(sign), d, k)
        if not signed:  # one node a tuple: no orbit can force a zero
            sources.append(index)
            targets.append(image)
            continue
        flip = (signs < 0).astype(np.int64) * n
        sources += [index, index + n]
        targets += [image + flip, (image + n - flip)]
    nodes = 2 * n if signed else n
    graph = scipy.sparse.coo_matrix(
        (np.ones(sum(len(s) for s in sources), dtype=np.int8), (np.concatenate(sources), np.concatenate(targets))),
        shape=(nodes, nodes))
    _, labels = connected_components(graph, directed=False)
    if signed:
        plus, minus = labels[:n], labels[n:]
        valid = plus != minus
        orbit = np.minimum(plus, minus)
        sign = np.where(plus == orbit, 1.0, -1.0)
    else:
        valid, orbit, sign = np.ones(n, dtype=bool), labels, np.ones(n)
    # the components' labels are 0, 1, …: number the valid ones in that order, without a sort
    kept = np.zeros(nodes + 1, dtype=bool)
    kept[orbit[valid]] = True
    column = (np.cumsum(kept) - 1)[orbit]
    counts = np.bincount(column[valid], minlength=int(kept.sum()))
    values = (sign / np.sqrt(np.maximum(counts[column], 1)))[valid]
    indptr = np.concatenate([[0], np.cumsum(valid)])
    return scipy.sparse.csr_matrix((values, column[valid].astype(np.int32), indptr), shape=(n, len(counts)))
