"""LieConv's layers: subsampling is deterministic given a key, a layer
keeps its fraction of query slots, a mean layer divides by the neighbours
it has, and the layers default to LieConv's settings."""

import re

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg.models.lieconv import as_lie_group, farthest_point_indices

from .clouds import cloud


@pytest.mark.parametrize("layer", ["LieConv", "BottleBlock"])
def test_the_layers_default_to_lieconvs_settings(layer):
    """LieConv's ``LieConv`` layer: 32 Monte Carlo samples (``mc_samples``
    of PointConv), fill 1/3, and its groups' alpha 0.2 (lie_conv/lieConv.py,
    lieGroups.py)."""
    import inspect

    from repalg.models.lieconv import nn
    parameters = inspect.signature(getattr(nn, layer)).parameters
    assert {k: parameters[k].default for k in ("nbhd", "fill", "alpha")} == {"nbhd": 32, "fill": 1 / 3, "alpha": 0.2}


def test_subsampling_is_deterministic_given_a_key():
    x, _, m = cloud(3, n=30)
    m = m.at[1, 20:].set(False)
    d = jnp.linalg.norm(x[:, :, None] - x[:, None, :], axis=-1)
    count = jnp.array([10, 7, 10])
    picks = [farthest_point_indices(d, m, 10, count, jax.random.PRNGKey(k)) for k in (0, 0, 1)]
    assert np.array_equal(picks[0][0], picks[1][0]) and np.array_equal(picks[0][1], picks[1][1])
    assert not np.array_equal(picks[0][0], picks[2][0])
    index, ok = picks[0]
    assert ok.sum(1).tolist() == [10, 7, 10]
    for b in range(3):
        chosen = np.asarray(index[b][np.asarray(ok[b])])
        assert len(set(chosen.tolist())) == len(chosen) and np.all(np.asarray(m[b])[chosen])
        # each pick is the point farthest from those before it
        for i in range(1, len(chosen)):
            gap = np.min(np.asarray(d[b])[chosen[:i]], axis=0)
            gap[~np.asarray(m[b])] = -1
            assert np.isclose(gap[chosen[i]], gap.max())


def test_the_first_pick_is_uniform_over_the_valid_points():
    """LieConv starts its farthest-point sampling at a uniformly random
    point; here among the valid ones: over 600 keys, each of the 3 valid
    points of a row starts it about 1/3 of the time (binomial sd 0.019),
    padding never."""
    x = jnp.array([[0.0, 1.0, 2.0, 3.0, 4.0]])
    d = jnp.abs(x[:, :, None] - x[:, None, :])
    mask = jnp.array([[False, True, True, False, True]])
    first = jax.jit(jax.vmap(lambda k: farthest_point_indices(d, mask, 1, jnp.array([1]), k)[0][0, 0]))(
        jax.random.split(jax.random.PRNGKey(0), 600))
    share = np.bincount(np.asarray(first), minlength=5) / 600
    assert share[[0, 3]].tolist() == [0, 0]
    np.testing.assert_allclose(share[[1, 2, 4]], 1 / 3, atol=0.08)


@pytest.mark.parametrize("fraction, slots", [(0.1, 1), (0.5, 4), (0.3, 2), (0.99, 8)])
def test_a_layer_keeps_round_fraction_n_query_slots_and_at_least_one(fraction, slots):
    from repalg.models.lieconv.nn import subsample
    G = as_lie_group("SO(2)")
    x, v, m = cloud(0, B=2, n=8)
    pairs, _, mask = G.lift(x, v, m)
    index, query_mask = subsample(pairs, mask, G, fraction, 0.2, jax.random.PRNGKey(0))
    assert index.shape == query_mask.shape == (2, slots)


def test_a_mean_layer_divides_by_the_neighbours_it_has():
    """With ``mean`` the convolution's output is divided by the number of
    valid neighbours (LieConv's mean=True): a quarter of the sum with four,
    the sum itself with one."""
    from repalg.models.lieconv.nn import LieConv
    G = as_lie_group("SO(2)")
    layers = {mean: hk.without_apply_rng(hk.transform(
        lambda p, v, m, mean=mean: LieConv(8, G, nbhd=6, fill=1.0, mean=mean)(p, v, m)[1])) for mean in (True, False)}
    init, apply = jax.jit(layers[False].init), {mean: jax.jit(layer.apply) for mean, layer in layers.items()}
    for valid in (4, 1):
        x, v, m = cloud(0, B=1, n=6)
        pairs, v, m = G.lift(x, v, m.at[0, valid:].set(False))
        params = init(jax.random.PRNGKey(0), pairs, v, m)
        summed, averaged = (np.asarray(apply[mean](params, pairs, v, m))[0, :valid] for mean in (False, True))
        np.testing.assert_allclose(averaged, summed / valid, rtol=1e-5, atol=1e-6)


def test_slots_beyond_the_valid_points_still_index_valid_points():
    """Asked for more points than a row has, the extra slots are marked not
    ok, and still index valid points (a gather through them never reads
    padding, whose contents may be anything)."""
    x = jnp.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    d = jnp.abs(x[:, :, None] - x[:, None, :])
    mask = jnp.array([[False, True, True, False, True, False]])
    index, ok = farthest_point_indices(d, mask, 5, jnp.array([5]), jax.random.PRNGKey(0))
    assert np.asarray(ok).tolist() == [[True, True, True, False, False]]
    assert set(np.asarray(index)[0].tolist()) <= {1, 2, 4}


def test_a_bottleneck_block_needs_four_channels():
    """It works on a quarter of its channels: 4 is the fewest."""
    from repalg.models.lieconv.nn import BottleBlock
    hk.transform(lambda: BottleBlock(4, "SO(2)")).init(None)
    message = "a bottleneck block has at least 4 channels (it works on a quarter), got 3"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        hk.transform(lambda: BottleBlock(3, "SO(2)")).init(None)
