"""``emlp.nn.objax``'s names: the same ready models as ``repalg.nn`` (emlp's
objax training code is not carried over; train with ``repalg train`` or any
optimizer on ``model.params`` and ``model.apply``).

>>> from repalg.nn.objax import EMLP
>>> EMLP("V", "V", "SO(2)", ch=8, num_layers=1).params is not None
True
"""

from ..models.emlp import uniform_rep
from ..models.layers import GatedNonlinearity, gate_indices, gated
from ..models.ready import EMLP, EMLPH, MLP, MLPH, BiLinear, EMLPBlock, EMLPode, Linear, MLPode, Standardize

__all__ = ["BiLinear", "EMLP", "EMLPBlock", "EMLPH", "EMLPode", "GatedNonlinearity", "Linear", "MLP", "MLPH", "MLPode",
           "Standardize", "gate_indices", "gated", "uniform_rep"]
