"""The weights rung agrees with the dense null space on the cases both can take."""

import numpy as np
import pytest

from repalg.numeric.group_generators import generators
from repalg.numeric.rungs import weights

from .agreement import LIE, atoms_of, dense, projector


@pytest.mark.parametrize("text", LIE)
def test_weight_rung_agrees_with_dense(text):
    group, atoms = atoms_of(text)
    lie, disc = generators(group)
    torus = weights.torus(lie)
    assert torus is not None
    size = int(np.prod([a.size() for a in atoms]))
    zero = weights.zero_weights(group, atoms, torus, size)
    q, gap = weights.weight_basis(group, atoms, lie, disc, torus, size, zero)
    np.testing.assert_allclose(projector(q), projector(dense(group, atoms)), atol=1e-9)
    assert gap > 1e6
