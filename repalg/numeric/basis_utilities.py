"""emlp's helpers for looking at and checking equivariant bases:
``sparsify_basis``, ``vis`` and ``equivariance_error`` (on arrays),
re-exported at emlp's module path ``repalg.reps.utilities``.

>>> from repalg.reps import V
>>> from repalg.groups import SO
>>> W = V(SO(3))
>>> sparsify_basis((W**2 >> W).equivariant_basis()).reshape(3, 3, 3)[0].tolist()
[[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

from .equivariance import scale_adjusted_error
from .precision import float64

__all__ = ["equivariance_error", "sparsify_basis", "vis"]


def sparsify_basis(Q, lr=1e-2, decimals: int = 6) -> np.ndarray:
    """A basis of the same column space as ``Q`` (shape (n, r)) whose entries
    are mostly 0 and ±1, for looking at: ``Q' = Q M`` with M invertible.

    The columns of Q' are the rows of the reduced row echelon form of ``Qᵀ``
    (pivots taken in coordinate order, the largest candidate as pivot), each
    scaled so that its largest entry is +1 or -1, then rounded to ``decimals``
    places (so roundoff becomes exact 0 and ±1). Where the basis vectors are
    sums of coordinate vectors with a few distinct values (permutation groups,
    the Levi-Civita symbol of SO(3)), the result has entries 0, ±1 and those
    ratios. The method is deterministic and uses no randomness; emlp's instead
    optimises a random orthogonal W with Adam, and ``lr``, its learning rate,
    is accepted for compatibility and not used. Q' is not orthonormal.

    >>> import numpy as np
    >>> Q = np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0]]) / np.sqrt(2)
    >>> sparsify_basis(Q).tolist()
    [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    """
    rows = np.array(np.asarray(Q), dtype=np.result_type(np.asarray(Q).dtype, np.float64)).T.copy()
    if rows.ndim != 2:
        raise ValueError(f"sparsify_basis expects a basis of shape (n, r), got shape {np.shape(Q)}")
    tolerance = 10.0 ** -decimals * max(float(np.abs(rows).max(initial=0.0)), 1e-300)
    rank = 0
    for column in range(rows.shape[1]):
        if rank == rows.shape[0]:
            break
        pivot = rank + int(np.argmax(np.abs(rows[rank:, column])))
        if abs(rows[pivot, column]) <= tolerance:
            continue
        rows[[rank, pivot]] = rows[[pivot, rank]]
        rows[rank] /= rows[rank, column]
        others = np.arange(rows.shape[0]) != rank
        rows[others] -= np.outer(rows[others, column], rows[rank])
        rank += 1
    scale = np.abs(rows).max(axis=1, keepdims=True)
    rows = rows / np.where(scale > 0, scale, 1.0)
    return np.round(rows.T, decimals) + 0.0


def _cluster_1d(values: np.ndarray, k: int) -> np.ndarray:
    """Labels 0..k-1 for 1-D ``values``, in increasing order: the sorted
    distinct values split at their ``k - 1`` widest gaps (exact where the
    values take at most k well separated levels, as an orbit basis does)."""
    levels, inverse = np.unique(values, return_inverse=True)
    k = max(1, min(k, len(levels)))
    cuts = np.sort(np.argsort(-np.diff(levels), kind="stable")[:k - 1])
    level_labels = np.zeros(len(levels), dtype=int)
    level_labels[cuts + 1] = 1
    return np.cumsum(level_labels)[inverse.reshape(-1)]


def vis(repin, repout, cluster: bool = True, key=0) -> None:
    """Draw the equivariant maps ``repin >> repout`` as an image of shape
    (repout.size(), repin.size()), with matplotlib's ``plt.imshow``, axes off.

    The image is one random equivariant map: a normal vector (numpy seeded by
    ``key``) projected with ``(repin >> repout).equivariant_projector()`` and
    rounded to 4 decimals. With ``cluster``, its values are grouped into as
    many levels as the basis has vectors, so that each basis vector gets one
    colour; use it where the map takes that many distinct values (subgroups
    of S(n)), not for most continuous groups. The grouping is a 1-D clustering
    done here, without scikit-learn: the distinct values are sorted and split
    at their widest gaps. matplotlib is imported only when called.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from repalg.reps import V
    >>> from repalg.groups import S
    >>> vis(V(S(4)), V(S(4)))
    >>> plt.gca().get_images()[-1].get_array().shape
    (4, 4)
    >>> plt.close("all")
    """
    import matplotlib.pyplot as plt

    rep = repin >> repout
    projector = rep.equivariant_projector()
    v = np.random.default_rng(key).standard_normal(projector.shape[1])
    v = np.round(np.asarray(projector @ v).real, decimals=4)
    if cluster:
        v = _cluster_1d(v, rep.equivariant_basis().shape[-1])
    plt.imshow(v.reshape(repout.size(), repin.size()))
    plt.axis("off")


def equivariance_error(W, repin, repout, G, samples: int = 5, key=0) -> float:
    """emlp's equivariance error of an array: the scale-adjusted relative
    error between ``W ρ_in(g)`` and ``ρ_out(g) W`` over ``samples`` elements of
    ``G`` (drawn with the seed ``key``), for ``W`` a map of shape
    (repout.size(), repin.size()) or a basis of such maps, shape
    (repout.size() * repin.size(), r). Computed in float64. For a function
    rather than an array, see ``repalg.testing.equivariance_error``.

    >>> import numpy as np
    >>> from repalg.reps import V
    >>> from repalg.groups import SO
    >>> W = V(SO(3))
    >>> Q = (W**2 >> W).equivariant_basis()
    >>> equivariance_error(Q, W**2, W, SO(3)) < 1e-6
    True
    >>> equivariance_error(np.ones((3, 9)), W**2, W, SO(3)) > 0.1
    True
    """
    maps = np.asarray(W).reshape(repout.size(), repin.size(), -1).transpose(2, 0, 1)
    with float64():
        gs = np.asarray(G.samples(samples, key=key))
        rho_in = np.stack([np.asarray(repin.rho_dense(g)) for g in gs])[:, None]
        rho_out = np.stack([np.asarray(repout.rho_dense(g)) for g in gs])[:, None]
    return scale_adjusted_error(maps[None] @ rho_in, rho_out @ maps[None], gs)
