"""emlp's representation names, so that ``from emlp.reps import V, T, Scalar``
becomes ``from repalg.reps import V, T, Scalar``.

>>> from repalg.reps import V, T, Scalar
>>> from repalg.groups import S
>>> ((10 * T(1) + 5 * T(2))(S(5))).size()
175
"""

from ..symbolic.expr import Rep, Scalar, T, V, Vector

__all__ = ["Rep", "Scalar", "T", "V", "Vector"]
