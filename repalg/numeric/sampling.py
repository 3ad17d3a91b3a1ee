"""Group elements drawn as emlp draws them (``Group.samples``): not Haar
measure, but the exponential of a random Lie algebra element times random
words in the discrete generators.

>>> from repalg.groups import O
>>> samples(O(3), 4, key=0).shape
(4, 3, 3)
"""

from __future__ import annotations

import jax
import numpy as np
import scipy.linalg

from ..symbolic.group_descriptors import GroupBase, NamedGroup
from .group_generators import generators, signed_permutation

Z_SCALE = {("SO+", (1, 3)), ("SO", (1, 3)), ("O", (1, 3))}
"""The groups whose boosts emlp samples with a smaller spread (``samples``; the
data augmentation of the models reads it too)."""


def _rng(key):
    if key is None:
        return np.random  # numpy's global generator, as emlp
    if isinstance(key, (int, np.integer)):
        return np.random.default_rng(int(key))

    data = np.asarray(jax.random.key_data(key) if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key) else key)
    return np.random.default_rng(data.astype(np.uint32).reshape(-1).tolist())


def samples(group: GroupBase, n: int, key=None, rounds: int = 3) -> np.ndarray:
    """``n`` elements of ``group`` (shape (n, d, d)), as emlp draws them (not
    Haar measure): the exponential of a random Lie algebra element, then
    ``rounds`` of a random power in [-5, 5) of each discrete generator (emlp:
    three),
    the generators of each round in an order shuffled once per call (emlp's
    ``noise2sample``: one permutation a round, shared by the call's samples).

    >>> from repalg.groups import SO
    >>> g = samples(SO(3), 2, key=0)
    >>> bool(np.allclose(g[0] @ g[0].T, np.eye(3)))
    True
    """
    lie, disc = generators(group)
    rng = _rng(key)
    scale = np.ones(len(lie))
    if isinstance(group, NamedGroup) and (group.name, group.args) in Z_SCALE:
        scale[:3] = 0.3
    draw = rng.integers if hasattr(rng, "integers") else rng.randint
    z = rng.standard_normal((n, len(lie))) * scale
    powers = draw(-5, 5, size=(n, len(disc), rounds))
    orders = [rng.permutation(len(disc)) for _ in range(rounds)]
    dtype = np.complex128 if group.is_complex else np.float64
    table = np.array([[np.linalg.matrix_power(h, k) for k in range(-5, 5)] for h in disc], dtype=dtype)
    moves = [signed_permutation(t) for t in table.reshape(-1, group.d, group.d)]
    if not len(lie) and all(m is not None for m in moves):  # compose signed permutations: O(d) a product, not O(d³)
        perms = np.array([m[0] for m in moves]).reshape(len(disc), 10, group.d)
        signs = np.array([m[1] for m in moves]).reshape(len(disc), 10, group.d)
        perm, sign = np.broadcast_to(np.arange(group.d), (n, group.d)), np.ones((n, group.d))
        for r, order in enumerate(orders):
            for i in order:  # (g h) v = s_g · s_h[p] · v[q[p]] for g v = s_g · v[p], h v = s_h · v[q]
                q, t = perms[i, powers[:, i, r] + 5], signs[i, powers[:, i, r] + 5]
                perm, sign = np.take_along_axis(q, perm, axis=1), sign * np.take_along_axis(t, perm, axis=1)
        out = np.zeros((n, group.d, group.d), dtype=dtype)
        np.put_along_axis(out, perm[..., None], sign[..., None].astype(dtype), axis=2)
        return out
    g = np.array([scipy.linalg.expm(np.tensordot(z[s], lie, axes=1)) for s in range(n)], dtype=dtype).reshape(
        n, group.d, group.d) if len(lie) else np.broadcast_to(np.eye(group.d, dtype=dtype), (n, group.d, group.d))
    for r, order in enumerate(orders):
        for i in order:
            g = g @ table[i, powers[:, i, r] + 5]  # every sample at once
    return np.array(g)
