"""emlp's representation names, so that ``from emlp.reps import V, T, Scalar``
becomes ``from repalg.reps import V, T, Scalar``: the representations, and
emlp's helpers ``sparsify_basis``, ``vis`` and ``equivariance_error``. emlp's
lazy operators sit at emlp's module paths, ``repalg.reps.linear_operator_base``
(``LinearOperator``) and ``repalg.reps.linear_operators`` (``LazyKron``, ...).

>>> from repalg.reps import V, T, Scalar
>>> from repalg.groups import S
>>> ((10 * T(1) + 5 * T(2))(S(5))).size()
175
"""

from ..symbolic.constructors import T
from ..symbolic.nodes import Rep, Scalar, V, Vector
from .bilinear import bilinear_weights
from .utilities import equivariance_error, sparsify_basis, vis

__all__ = ["Rep", "Scalar", "T", "V", "Vector", "bilinear_weights", "equivariance_error", "sparsify_basis", "vis"]
