"""Exact Clebsch–Gordan coefficients (``repalg/numeric/isotypic.py``) against sympy's."""

import numpy as np
from sympy import Rational
from sympy.physics.wigner import clebsch_gordan as exact

from repalg.numeric.isotypic import clebsch_gordan


def test_clebsch_gordan_matches_sympy_exactly():
    # Racah's formula in rationals against sympy's exact Wigner symbols, integer and half-integer spins
    rng = np.random.default_rng(0)
    checked = 0
    for n1 in range(0, 11):
        for n2 in range(0, 11):
            for n in range(abs(n1 - n2), n1 + n2 + 1, 2):
                a1, a2 = rng.choice(np.arange(-n1, n1 + 1, 2)), rng.choice(np.arange(-n2, n2 + 1, 2))
                a = a1 + a2
                want = float(exact(*(Rational(int(x), 2) for x in (n1, n2, n, a1, a2, a)))) if abs(a) <= n else 0.0
                assert abs(clebsch_gordan(n1, n2, n, int(a1), int(a2), int(a)) - want) < 1e-15
                checked += 1
    assert checked > 300
    assert clebsch_gordan(2, 2, 3, 0, 0, 0) == 0.0  # j1 + j2 + j not an integer
