"""emlp's structured lazy operators, at emlp's module path
(``emlp.reps.linear_operators``); they live in ``repalg.numeric.linear_operators``.

>>> import numpy as np
>>> A, B = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])
>>> bool(np.allclose(LazyKron([A, B]) @ np.arange(4.0), np.kron(A, B) @ np.arange(4.0)))
True
"""

from ..numeric.linear_operator_base import Lazy, LinearOperator
from ..numeric.linear_operators import (
    ConcatLazy,
    I,
    LazyDirectSum,
    LazyJVP,
    LazyKron,
    LazyKronsum,
    LazyPerm,
    densify,
    lazify,
)

__all__ = ["ConcatLazy", "I", "Lazy", "LazyDirectSum", "LazyJVP", "LazyKron", "LazyKronsum", "LazyPerm",
           "LinearOperator", "densify", "lazify"]
