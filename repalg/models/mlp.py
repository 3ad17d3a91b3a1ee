"""The baseline: an MLP with the EMLP's signature, whose representations and
group set only its input and output sizes.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> f = hk.transform(lambda x: MLP("2*V", "Scalar", "O(3)", ch=16)(x))
>>> params = jax.jit(f.init)(jax.random.PRNGKey(0), jnp.ones((4, 6)))
>>> jax.jit(f.apply)(params, None, jnp.ones((4, 6))).shape
(4, 1)
"""

from __future__ import annotations

import haiku as hk
import jax
import jax.numpy as jnp

from .binding import bind

XAVIER_NORMAL = hk.initializers.VarianceScaling(1.0, "fan_avg", "normal")
"""Glorot and Bengio's normal initialization, variance 2 / (fan_in + fan_out)."""


class MLP(hk.Module):
    """``num_layers`` hidden layers of ``ch`` units with swish, then a linear
    map to ``rep_out``'s size (emlp's baseline ``MLP``), initialized as emlp's
    (objax's ``Linear``): Xavier normal weights, zero biases."""

    def __init__(self, rep_in, rep_out, group, ch: int = 384, num_layers: int = 3, name: str | None = None):
        super().__init__(name=name)
        self.rep_in, self.rep_out, self.group = bind(rep_in, rep_out, group)
        if not isinstance(ch, int) or ch < 1:
            raise ValueError(f"the MLP's ch is a positive number of hidden units, got {ch!r}")
        self.ch, self.num_layers = ch, num_layers

    def __call__(self, x):
        x = jnp.asarray(x)  # float64 numpy inputs become JAX's default float
        for _ in range(self.num_layers):
            x = jax.nn.swish(hk.Linear(self.ch, w_init=XAVIER_NORMAL)(x))
        return hk.Linear(self.rep_out.size(), w_init=XAVIER_NORMAL)(x)
