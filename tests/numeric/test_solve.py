"""The ladder's own structure rung: a direct product's invariants are
Kronecker products of its factors', with the axes permuted back."""

import numpy as np
import pytest

from repalg.numeric import solve

from .rungs.agreement import atoms_of, dense, projector


@pytest.mark.parametrize("text", ["T(2)(SO(2)*S(3))", "T(3)(Z(2)*S(3))", "(V*V.T)(O(1,1)*Z(2))", "T(2)(SO(3)*SO(2))"])
def test_direct_products_agree_with_the_whole_group(text):
    group, atoms = atoms_of(text)
    q, _, _ = solve._direct_product_basis(group, atoms)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)
