"""How closely a floating-point answer must hold: the relative residual a
basis passes with, loosened for generators known less precisely than
float64 (a user's, given in float32). Shared by the checks (``check.py``)
and the spectral-gap test of the solvers (``spectral_gap.py``).
"""

from __future__ import annotations

TOLERANCE = 1e-10
"""The largest relative residual of a basis that passes: ``‖C Q x‖`` against
``‖C‖ ‖Q x‖`` for each constraint ``C``, and ``‖Qᴴ Q x - x‖`` against ``‖x‖``;
for generators known less precisely (a user's, given in float32), ``100 k``
times their relative accuracy on a product of k factors, when that is larger."""


def tolerance_for(k: int, accuracy: float) -> float:
    """The residual a product of ``k`` factors passes with when its group's
    generators are accurate to ``accuracy`` (relative).

    >>> tolerance_for(4, 2.2e-16), round(tolerance_for(4, 1.2e-7), 12)
    (1e-10, 4.8e-05)
    """
    return max(TOLERANCE, 100 * k * accuracy)
