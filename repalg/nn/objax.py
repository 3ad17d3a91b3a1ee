"""``emlp.nn.objax``'s names: the same ready models as ``repalg.nn`` (emlp's
objax training code is not carried over; train with ``repalg train`` or any
optimizer on ``model.params`` and ``model.apply``).

>>> from repalg.nn.objax import EMLP
>>> EMLP("V", "V", "SO(2)", ch=8, num_layers=1).params is not None
True
"""

from ..models.emlp import uniform_rep
from ..models.layers import GatedNonlinearity, gate_indices, gated
from ..models.ready import EMLP, MLP, BiLinear, EMLPBlock, Linear, Standardize

__all__ = ["BiLinear", "EMLP", "EMLPBlock", "GatedNonlinearity", "Linear", "MLP", "Standardize", "gate_indices",
           "gated", "uniform_rep"]
