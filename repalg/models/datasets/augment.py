"""Data augmentation by a group, as emlp's ``GroupAugmentation``: each example
is moved by its own random group element ``g`` before the model sees it, and
the model's answer is moved back by ``rho_out(g)⁻¹``.

The group elements are drawn in JAX (``sampler``), so the whole augmented
model can sit inside ``jax.jit``; the draw follows ``G.samples`` (repalg's
numpy sampler, emlp's distribution).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from ...numeric.sampling import Z_SCALE  # the one table of emlp's Lie spreads, shared with G.samples
from ...symbolic.group_descriptors import NamedGroup
from ..binding import as_group, bind

MAX_POWER = 5
"""Each discrete generator enters a sample to a power in [-MAX_POWER, MAX_POWER),
as in ``G.samples``."""

ROUNDS = 3
"""Rounds of random powers of every discrete generator in a sample, as in ``G.samples``."""


def _lie_scale(group) -> np.ndarray:
    """The spread of the Lie algebra coefficients in ``G.samples``: 1, except
    0.3 for the three boosts of the Lorentz groups (emlp's ``z_scale``)."""
    scale = np.ones(len(group.lie_algebra))
    if isinstance(group, NamedGroup) and (group.name, group.args) in Z_SCALE:
        scale[:3] = 0.3
    return scale


def sampler(group):
    """A jitted pure function ``sample(key, n) -> (n, d, d)`` (``n`` static)
    drawing ``n`` elements of ``group`` as ``group.samples`` does (the
    exponential of a random Lie algebra element, then three rounds of random
    powers of each discrete generator), but in JAX. The generators and their
    powers are computed once, here; a real group gives float32 elements.

    >>> from repalg.groups import Cube
    >>> import jax
    >>> g = sampler(Cube())(jax.random.PRNGKey(0), 5)  # rotations permuting the 6 faces
    >>> g.shape, g.sum(1).tolist() == g.sum(2).tolist() == [[1.0] * 6] * 5
    ((5, 6, 6), True)
    """
    group = as_group(group)
    d = group.d
    lie = jnp.asarray(group.lie_algebra)
    scale = jnp.asarray(_lie_scale(group), dtype=lie.real.dtype)
    disc = np.asarray(group.discrete_generators)
    # powers[j, p] = h_j ** (p - MAX_POWER)
    powers = jnp.asarray(np.array([[np.linalg.matrix_power(h, p) for p in range(-MAX_POWER, MAX_POWER)]
                                   for h in disc]).reshape(len(disc), 2 * MAX_POWER, d, d))

    def sample(key, n: int):
        lie_key, power_key = jax.random.split(key)
        g = jnp.broadcast_to(jnp.eye(d, dtype=lie.dtype), (n, d, d))
        if len(lie):
            z = jax.random.normal(lie_key, (n, len(lie))) * scale
            g = jax.vmap(jax.scipy.linalg.expm)(jnp.einsum("nk,kij->nij", z.astype(lie.dtype), lie))
        if len(disc):
            exponents = jax.random.randint(power_key, (ROUNDS, len(disc), n), 0, 2 * MAX_POWER)
            for r in range(ROUNDS):
                for j in range(len(disc)):
                    g = g @ powers[j, exponents[r, j]]
        return g

    return jax.jit(sample, static_argnums=1)


def group_augmentation(model, rep_in, rep_out, group):
    """emlp's ``GroupAugmentation(model, rep_in, rep_out, group)`` as a function:
    returns ``aug(x, key=None, training=True)`` which, when training, draws one
    element ``g`` of ``group`` per row of ``x`` (with the JAX key ``key``) and
    returns ``rho_out(g)⁻¹ model(rho_in(g) x)`` row by row; when not training,
    it is ``model(x)``. ``model`` maps a batch ``(n, rep_in.size())`` to
    ``(n, rep_out.size())``; it may be a Haiku module called inside
    ``hk.transform``. Representations and group may be objects or text.

    ``aug`` traces under ``jax.jit`` with ``training`` static; the sampler and
    the vmapped actions are built here, once.

    >>> import jax, jax.numpy as jnp
    >>> norm = lambda x: jnp.linalg.norm(x, axis=1, keepdims=True)
    >>> aug = jax.jit(group_augmentation(norm, "V", "Scalar", "O(3)"), static_argnames="training")
    >>> x = jnp.array([[3.0, 4.0, 0.0]])
    >>> bool(jnp.allclose(aug(x, jax.random.PRNGKey(1)), 5.0))
    True
    >>> aug(x, training=False).tolist()
    [[5.0]]
    """
    rep_in, rep_out, group = bind(rep_in, rep_out, group)
    sample = sampler(group)
    rho_in, rho_out = jax.vmap(rep_in.rho_dense), jax.vmap(rep_out.rho_dense)

    @functools.partial(jax.jit, static_argnums=1)
    def actions(key, n):
        g = sample(key, n)
        return rho_in(g), rho_out(jnp.linalg.inv(g))

    def aug(x, key=None, training: bool = True):
        if not training:
            return model(x)
        if key is None:
            raise ValueError("group augmentation draws group elements while training: give it a JAX key")
        forward, back = actions(key, x.shape[0])
        y = model(jnp.einsum("nij,nj->ni", forward, x))
        return jnp.einsum("nij,nj->ni", back, y)

    return aug
