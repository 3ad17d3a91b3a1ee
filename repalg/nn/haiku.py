"""``emlp.nn.haiku``'s names: functions of ``x`` that build repalg's Haiku
modules, to wrap in ``hk.transform`` as emlp's users do.

>>> import haiku as hk, jax, jax.numpy as jnp
>>> net = hk.without_apply_rng(hk.transform(EMLP("2*V", "Scalar", group="O(3)", ch=16, num_layers=1)))
>>> params = jax.jit(net.init)(jax.random.PRNGKey(42), jnp.ones((5, 6)))
>>> jax.jit(net.apply)(params, jnp.ones((5, 6))).shape
(5, 1)
"""

from ..models import emlp, layers, mlp
from ..models.emlp import uniform_rep
from ..models.layers import GatedNonlinearity, gate_indices, gated


def EMLP(rep_in, rep_out, group, ch=384, num_layers: int = 3):
    """``x ↦ repalg.models.EMLP(...)(x)``, for ``hk.transform``."""
    return lambda x: emlp.EMLP(rep_in, rep_out, group, ch=ch, num_layers=num_layers)(x)


def MLP(rep_in, rep_out, group, ch: int = 384, num_layers: int = 3):
    """``x ↦ repalg.models.MLP(...)(x)``, for ``hk.transform``."""
    return lambda x: mlp.MLP(rep_in, rep_out, group, ch=ch, num_layers=num_layers)(x)


def Linear(repin, repout):
    """``x ↦ repalg.models.Linear(repin, repout)(x)``, for ``hk.transform``."""
    return lambda x: layers.Linear(repin, repout)(x)


def BiLinear(repin, repout):
    """``x ↦ repalg.models.BiLinear(repin, repout)(x)``, for ``hk.transform``."""
    return lambda x: layers.BiLinear(repin, repout)(x)


def EMLPBlock(repin, repout):
    """``x ↦ repalg.models.EMLPBlock(repin, repout)(x)``, for ``hk.transform``."""
    return lambda x: emlp.EMLPBlock(repin, repout)(x)


__all__ = ["BiLinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "Linear", "MLP", "gate_indices", "gated",
           "uniform_rep"]
