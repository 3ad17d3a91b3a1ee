"""The numeric half's errors, in one place that every numeric module may import.

>>> issubclass(TooLargeError, ValueError), issubclass(SolveError, ArithmeticError)
(True, True)
"""


class SolveError(ArithmeticError):
    """No basis is returned: the constraints' spectrum has no clear gap at
    zero, so the rank cannot be certified, or repalg has no numeric model of
    an irreducible to build the constraints with."""


class TooLargeError(ValueError):
    """The problem would need more memory, or more time, than a solve may take."""
