"""emlp's base class for matrix-free linear maps, at emlp's module path
(``emlp.reps.linear_operator_base``); it lives in ``repalg.numeric.linear_operator_base``.

>>> import numpy as np
>>> (2 * Lazy(np.eye(2))).to_dense().tolist()
[[2.0, 0.0], [0.0, 2.0]]
"""

from ..numeric.linear_operator_base import Lazy, LinearOperator

__all__ = ["LinearOperator", "Lazy"]
