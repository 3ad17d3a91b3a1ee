"""Small point clouds and LieResNets shared by the LieConv tests."""

import haiku as hk
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from repalg.models.lieconv import LieResNet

GROUPS = ["Trivial(2)", "Translation(2)", "SO(2)", "RxSO(2)", "SE(2)", "Trivial(3)", "Translation(3)", "SO(3)",
          "SE(3)"]
EXACT = ["Translation(2)", "SO(2)", "RxSO(2)", "Translation(3)"]
"""Groups whose lift is deterministic: the network is invariant up to round-off."""
SLOW = pytest.mark.slow


def cloud(seed, B=3, n=16, d=2, c=2):
    rng = np.random.default_rng(seed)
    return (jnp.asarray(rng.normal(size=(B, n, d)), jnp.float32), jnp.asarray(rng.normal(size=(B, n, c)), jnp.float32),
            jnp.ones((B, n), bool))


_NETWORKS = {}


def network(group, liftsamples=1, **options):
    """A small LieResNet, made once per setting, jitted (run eagerly, it
    spends ~20 s compiling its operations one by one): one layer that
    subsamples to half the points, so that compiling it is quick."""
    defaults = dict(k=16, num_layers=1, nbhd=6, fill=0.4, ds_frac=[0.5])
    defaults.update(options)
    key = (group, liftsamples, repr(sorted(defaults.items())))
    if key not in _NETWORKS:
        net = hk.transform(lambda c, v, m: LieResNet(3, group, liftsamples=liftsamples, **defaults)(c, v, m))
        _NETWORKS[key] = hk.Transformed(jax.jit(net.init), jax.jit(net.apply))
    return _NETWORKS[key]


def relative(a, b):
    return float(jnp.max(jnp.abs(a - b)) / jnp.max(jnp.abs(b)))
