"""LieConv's layers in Haiku: the convolution, farthest-point subsampling,
the bottleneck block, global pooling and the residual network, all on a
lifted point cloud ``(pairs, values, mask)`` (see
:meth:`~.groups.LieGroup.lift`) with static shapes.

The convolution at a lifted point ``u`` is a mean over its neighbourhood,
``Σ_v k(log(v⁻¹u), q_u, q_v) f(v) / |nbhd(u)|``, with the kernel ``k`` an
MLP (LieConv's PointConv trick: the MLP's last features are contracted with
the values, then a linear map). The neighbourhood: the ``fill`` fraction of
the valid points nearest ``u`` by the group's distance (the ball; with all
the points tied at its radius), of which
``nbhd`` are kept at random (from the Haiku key while training, from a fixed
key otherwise, so training and inference see neighbourhoods drawn alike).
LieConv tunes a radius during training until its ball holds that fraction
on average; here the ball holds it exactly, for every point.

Padding (``mask`` false) is never in a ball, never picked by the
subsampling, and is left out of every mean: a padded cloud gives the same
outputs as the cloud alone.

>>> import haiku as hk
>>> net = hk.transform(lambda c, v, m: LieResNet(3, "SE(2)", k=16, num_layers=1, nbhd=4, liftsamples=2)(c, v, m))
>>> c, v, m = jnp.ones((2, 5, 2)), jnp.ones((2, 5, 1)), jnp.ones((2, 5), bool)
>>> params = jax.jit(net.init)(jax.random.PRNGKey(0), c, v, m)
>>> jax.jit(net.apply)(params, None, c, v, m).shape
(2, 3)
"""

from __future__ import annotations


import haiku as hk
import jax
import jax.numpy as jnp

from .lie_groups import as_lie_group


TIE = 1e-5
"""Distances within this (relative, and absolute) of the ball's radius are
in the ball: points tied at the boundary, common on grids, all belong or
none, so round-off cannot move one in or out when the cloud is moved."""


def swish(x):
    """``x · sigmoid(x)``, LieConv's nonlinearity."""
    return jax.nn.swish(x)


def _gather(a, index):
    """``a[b, index[b, ...]]`` for every batch row ``b``: ``a`` (B, n, ...), ``index`` (B, ...)."""
    return jax.vmap(lambda row, i: row[i])(a, index)


def _pair_noise(key, B: int, m: int, n: int):
    """Uniform noise ``(B, m, n)`` whose entry ``(b, i, j)`` depends on the
    key and the indices only, not on the shape: padding appended to a cloud
    does not change which neighbours its points draw."""
    fold = jax.random.fold_in
    draw = lambda b, i, j: jax.random.uniform(fold(fold(fold(key, b), i), j))
    over = lambda f, size: jax.vmap(f)(jnp.arange(size))
    return over(lambda b: over(lambda i: over(lambda j: draw(b, i, j), n), m), B)


def _count(fraction, mask):
    """``round(fraction · valid points)``, at least 1, per batch row."""
    return jnp.maximum(jnp.round(fraction * jnp.sum(mask, -1)), 1).astype(jnp.int32)


def farthest_point_indices(dist, mask, slots: int, count, key):
    """Farthest-point subsampling: ``slots`` indices per batch row
    (``(B, slots)``) and whether each is a real pick (``(B, slots)``).
    ``dist`` (``(B, n, n)``) are the pairwise distances, ``mask`` the valid
    points, ``count`` (``(B,)``) how many to pick. The first pick is a valid
    point drawn with ``key``; each next one is the valid point farthest from
    those picked. Deterministic given the key; padding is never picked.

    >>> x = jnp.array([[0.0, 1.0, 2.0, 10.0]])
    >>> d = jnp.abs(x[:, :, None] - x[:, None, :])
    >>> idx, ok = farthest_point_indices(d, jnp.ones((1, 4), bool), 2, jnp.array([2]), jax.random.PRNGKey(0))
    >>> sorted(idx[0].tolist()) in ([0, 3], [1, 3], [2, 3]), ok.tolist()
    (True, [[True, True]])
    """
    B, n = mask.shape
    valid = jnp.sum(mask, -1)
    nth = jax.random.randint(key, (B,), 0, jnp.maximum(valid, 1))
    rank = jnp.cumsum(mask, -1) - 1
    first = jnp.argmax(mask & (rank == nth[:, None]), -1)
    rows = jnp.arange(B)
    gap = jnp.where(mask, jnp.inf, -2.0)  # each point's distance to the picked set; -1 picked, -2 padding

    def step(carry, i):
        gap, pick = carry
        ok = (gap[rows, pick] >= 0) & (i < count)
        gap = jnp.where(mask, jnp.minimum(gap, dist[rows, pick]), -2.0)
        gap = gap.at[rows, pick].set(jnp.where(mask[rows, pick], -1.0, -2.0))
        return (gap, jnp.argmax(gap, -1)), (pick, ok)

    _, (picks, ok) = jax.lax.scan(step, (gap, first), jnp.arange(slots))
    return picks.T, ok.T


def subsample(pairs, mask, group, fraction: float, alpha: float, key):
    """The query points of a layer that keeps ``fraction`` of the valid
    points by farthest-point subsampling: ``(index (B, m), mask (B, m))``
    with ``m = round(fraction · n)`` slots; ``None`` index when
    ``fraction`` is 1 (every point is a query)."""
    if fraction >= 1:
        return None, mask
    slots = max(1, int(round(fraction * mask.shape[1])))
    dist = group.distance(pairs, alpha)
    return farthest_point_indices(dist, mask, slots, _count(fraction, mask), key)


class LieConv(hk.Module):
    """One LieConv layer: ``channels`` outputs at each query point, a mean
    over its neighbourhood (``nbhd`` points of the ``fill`` ball) of the
    kernel MLP's features (``kernel_width`` wide, ``kernel_out`` out) times
    the values. Called on the lifted ``(pairs, values, mask)`` and the
    queries (:func:`subsample`'s output; every point when ``index`` is
    ``None``); returns ``(pairs, values, mask)`` at the queries. With
    ``key`` the ``nbhd`` points are drawn at random from the ball; without,
    the nearest are kept."""

    def __init__(self, channels: int, group, nbhd: int = 32, fill: float = 1 / 3, alpha: float = 0.2,
                 kernel_width: int = 32, kernel_out: int = 16, mean: bool = True, name: str | None = None):
        super().__init__(name=name)
        if not 0 < fill <= 1:
            raise ValueError(f"fill is the fraction of the points in a neighbourhood, in (0, 1]; got {fill}")
        if nbhd < 1:
            raise ValueError(f"nbhd is the number of points in a neighbourhood, at least 1; got {nbhd}")
        self.channels, self.group, self.nbhd, self.fill, self.alpha = channels, as_lie_group(group), nbhd, fill, alpha
        self.kernel_width, self.kernel_out, self.mean = kernel_width, kernel_out, mean

    def __call__(self, pairs, values, mask, index=None, query_mask=None, key=None):
        query_pairs = pairs if index is None else _gather(pairs, index)
        query_mask = mask if query_mask is None else query_mask
        B, m, n, _ = query_pairs.shape
        dist = jnp.where(mask[:, None, :], self.group.distance(query_pairs, self.alpha), jnp.inf)
        kth = jnp.take_along_axis(jnp.sort(dist, -1), _count(self.fill, mask)[:, None, None] - 1, -1)
        in_ball = (dist <= kth * (1 + TIE) + TIE) & mask[:, None, :]
        k = min(self.nbhd, n)
        if key is not None:
            score = in_ball + _pair_noise(key, B, m, n)
        else:
            score = jnp.where(in_ball, -dist, -jnp.inf)
        _, nb = jax.lax.top_k(score, k)  # (B, m, k)
        nb_mask = jnp.take_along_axis(in_ball, nb, -1) & query_mask[:, :, None]
        nb_pairs = jnp.take_along_axis(query_pairs, nb[..., None], 2)
        nb_values = _gather(values, nb)
        h = nb_pairs
        for width in (self.kernel_width, self.kernel_width, self.kernel_out):
            h = swish(hk.Linear(width)(h))
        h = jnp.where(nb_mask[..., None], h, 0.0)
        nb_values = jnp.where(nb_mask[..., None], nb_values, 0.0)
        out = jnp.einsum("bmkc,bmkf->bmcf", nb_values, h).reshape(B, m, -1)
        out = hk.Linear(self.channels)(out)
        if self.mean:
            out = out / jnp.maximum(jnp.sum(nb_mask, -1, keepdims=True), 1)
        out = jnp.where(query_mask[..., None], out, 0.0)
        new_pairs = query_pairs if index is None else _gather(jnp.swapaxes(query_pairs, 1, 2), index).swapaxes(1, 2)
        return new_pairs, out, query_mask


class BottleBlock(hk.Module):
    """LieConv's bottleneck residual block: swish, a linear map to a quarter
    of the channels, swish, a :class:`LieConv` (with subsampling to
    ``ds_frac`` of the points), swish, a linear map to ``channels``; the
    (subsampled) input added to the first channels."""

    def __init__(self, channels: int, group, nbhd: int = 32, fill: float = 1 / 3, alpha: float = 0.2,
                 ds_frac: float = 1.0, mean: bool = True, name: str | None = None):
        super().__init__(name=name)
        if channels < 4:
            raise ValueError(f"a bottleneck block has at least 4 channels (it works on a quarter), got {channels}")
        self.channels, self.group, self.nbhd, self.fill = channels, as_lie_group(group), nbhd, fill
        self.alpha, self.ds_frac, self.mean = alpha, ds_frac, mean

    def __call__(self, pairs, values, mask, sample_key, nbhd_key=None):
        chin = values.shape[-1]
        if chin > self.channels:
            raise ValueError(f"a bottleneck block does not reduce channels: {chin} in, {self.channels} out")
        index, query_mask = subsample(pairs, mask, self.group, self.ds_frac, self.alpha, sample_key)
        h = hk.Linear(chin // 4)(swish(values))
        conv = LieConv(self.channels // 4, self.group, self.nbhd, self.fill, self.alpha, mean=self.mean)
        new_pairs, h, new_mask = conv(pairs, swish(h), mask, index, query_mask, nbhd_key)
        h = hk.Linear(self.channels)(swish(h))
        residual = values if index is None else _gather(values, index)
        h = h.at[..., :chin].add(jnp.where(new_mask[..., None], residual, 0.0))
        return new_pairs, h, new_mask


class GlobalPool(hk.Module):
    """The values pooled over the valid points: their mean (``mean``) or sum."""

    def __init__(self, mean: bool = True, name: str | None = None):
        super().__init__(name=name)
        self.mean = mean

    def __call__(self, values, mask):
        total = jnp.sum(jnp.where(mask[..., None], values, 0.0), 1)
        return total / jnp.maximum(jnp.sum(mask, -1, keepdims=True), 1) if self.mean else total


def _per_layer(value, layers: int, what: str) -> list:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * layers
    if len(values) != layers:
        raise ValueError(f"{what} has one value per layer ({layers}), got {len(values)}")
    return values


class LieResNet(hk.Module):
    """LieConv's residual network (its Fig. 5): the point cloud lifted to
    ``group`` (``liftsamples`` lifts per point), a linear embedding to ``k``
    channels, ``num_layers`` :class:`BottleBlock`\\ s, swish, a linear map to
    ``num_outputs``, and a :class:`GlobalPool` (or, with ``pool=False``, the
    outputs at every lifted point). ``fill`` and ``ds_frac`` may be one value
    or one per layer. Called on ``coords (B, n, d)``, ``values (B, n, c)``
    and ``mask (B, n)``.

    Randomness: the lift, the subsampling's first points and the
    neighbourhoods are drawn from the Haiku key (training), or from a fixed
    key without one (``apply`` with ``rng=None``), so inference is
    deterministic and sees the same distribution as training.
    """

    def __init__(self, num_outputs: int, group, k: int = 256, num_layers: int = 4, nbhd: int = 32,
                 fill=1 / 3, alpha: float = 0.2, liftsamples: int = 1, ds_frac=1.0, mean: bool = True,
                 pool: bool = True, name: str | None = None):
        super().__init__(name=name)
        self.group = as_lie_group(group)
        if num_layers < 0 or k < 4 or num_outputs < 1:
            raise ValueError(f"LieResNet needs num_layers >= 0, k >= 4 and num_outputs >= 1; got {num_layers}, "
                             f"{k}, {num_outputs}")
        self.num_outputs, self.k, self.num_layers, self.nbhd, self.alpha = num_outputs, k, num_layers, nbhd, alpha
        self.fill, self.ds_frac = _per_layer(fill, num_layers, "fill"), _per_layer(ds_frac, num_layers, "ds_frac")
        self.liftsamples, self.mean, self.pool = liftsamples, mean, pool

    def __call__(self, coords, values, mask):
        key = hk.maybe_next_rng_key()
        keys = jax.random.split(jax.random.PRNGKey(0) if key is None else key, 2 + 2 * self.num_layers)
        mask = jnp.asarray(mask, bool)
        values = jnp.where(mask[..., None], values, 0.0)  # padding's contents never reach a gradient
        pairs, values, mask = self.group.lift(coords, values, mask, self.liftsamples, keys[0])
        h = hk.Linear(self.k)(values)
        for i in range(self.num_layers):
            block = BottleBlock(self.k, self.group, self.nbhd, self.fill[i], self.alpha, self.ds_frac[i], self.mean)
            pairs, h, mask = block(pairs, h, mask, keys[2 + 2 * i], keys[3 + 2 * i])
        out = hk.Linear(self.num_outputs)(swish(h))
        if not self.pool:
            return jnp.where(mask[..., None], out, 0.0)
        return GlobalPool(self.mean)(out, mask)


__all__ = ["BottleBlock", "GlobalPool", "LieConv", "LieResNet", "farthest_point_indices", "subsample", "swish"]
