"""emlp.nn's names, so that ``from emlp.nn import EMLP`` becomes
``from repalg.nn import EMLP``: repalg's Haiku models, built and initialized
(``model(x)``, ``model.params``, ``model.apply(params, x)``). The Haiku
modules themselves are in ``repalg.nn.haiku`` (as ``emlp.nn.haiku``) and
``repalg.models``; ``repalg.nn.objax`` names the same ready models as this
module, since emlp's users import them from there too.

>>> from repalg.nn import EMLP
>>> EMLP("2*V", "Scalar", "O(3)", ch=16, num_layers=1)(np.ones(6)).shape
(1,)
"""

import numpy as np  # noqa: F401 (the doctest's)

from ..models.emlp import uniform_rep
from ..models.layers import GatedNonlinearity, gate_indices, gated
from ..models.ready import EMLP, EMLPH, MLP, MLPH, BiLinear, EMLPBlock, EMLPode, Linear, MLPode, Standardize
from . import haiku, objax

__all__ = ["BiLinear", "EMLP", "EMLPBlock", "EMLPH", "EMLPode", "GatedNonlinearity", "Linear", "MLP", "MLPH", "MLPode",
           "Standardize", "gate_indices", "gated", "haiku", "objax", "uniform_rep"]
