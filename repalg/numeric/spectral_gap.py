"""The null space of a positive semi-definite constraint matrix, its rank
certified by a clear spectral gap: eigenvalues at roundoff level are zero,
those clearly above it are constraints, and one in between raises
``SolveError`` rather than guess.

>>> import numpy as np
>>> q, gap = null_space(np.diag([0.0, 1.0, 2.0]), "an example")
>>> q.shape, gap > 1e12
((3, 1), True)
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .errors import SolveError
from .group_generators import precision
from .tolerance import tolerance_for

ROUNDOFF = 1e-12
"""A constraint operator whose eigenvalues all lie below this fraction of its
terms' squared size is zero: the spectrum is roundoff, not a constraint."""


ZERO_LEVEL = 1e-12
"""Eigenvalues of the constraint operator at most this fraction of its largest
are zero, roundoff of a float64 eigensolver (at most 4e-15 over the reference
set); its null space is the solution."""


NONZERO_LEVEL = 1e-6
"""...and every other one must lie above this fraction (at least 0.035 over
the reference set), so that the rank is certified by a clear gap; an
eigenvalue in between is neither, and the solve raises ``SolveError``."""


def zero_level(group, atoms: tuple) -> float:
    """``ZERO_LEVEL``, or for generators known less precisely (a user's, in
    float32) the square of the residual they leave on a product of the atoms."""
    return min(NONZERO_LEVEL / 10, max(ZERO_LEVEL, tolerance_for(len(atoms), precision(group)) ** 2))


def null_space(m: np.ndarray, what: str, scale_floor: float = 0.0, zero_level: float = ZERO_LEVEL):
    """The certified null space of the positive semi-definite matrix m:
    (orthonormal columns, spectral gap): eigenvalues up to ``zero_level``
    of the largest are zero, those above ``NONZERO_LEVEL`` are constraints."""
    if not np.all(np.isfinite(m)):
        raise SolveError(f"the constraints of {what} are not finite")
    size = m.shape[0]
    w, v = scipy.linalg.eigh(m, overwrite_a=True, check_finite=False)
    scale = max(abs(w[-1]), abs(w[0]), scale_floor) if size else 0.0
    if scale == 0.0:
        return np.eye(size, dtype=m.dtype), np.inf
    rank = int(np.sum(w <= zero_level * scale))
    largest_zero = max(w[rank - 1], 0.0) if rank else 0.0
    smallest_nonzero = w[rank] if rank < size else np.inf
    if smallest_nonzero < NONZERO_LEVEL * scale:
        ambiguous = w[(w > zero_level * scale) & (w < NONZERO_LEVEL * scale)] / scale
        shown = ", ".join(f"{x:.2e}" for x in ambiguous[:6]) + (", …" if len(ambiguous) > 6 else "")
        raise SolveError(
            f"no clear spectral gap for {what}: {len(ambiguous)} eigenvalue(s) of the constraint operator, "
            f"relative to its largest, lie between roundoff ({zero_level:.0e}) and a clear constraint "
            f"({NONZERO_LEVEL:.0e}): {shown}; the rank cannot be certified")
    return v[:, :rank], float(smallest_nonzero / max(largest_zero, np.finfo(float).eps * scale))
